import { assert, assertBytes, assertRejects, describe, it } from '../../harness.ts';
import { CardRemovedError } from '../../../src/card/transport-errors.ts';
import { OpenPgpAlgorithmError, OpenPgpCardChangedError, PW3, type OpenPgpCard } from '../../../src/card/applets/openpgp/index.ts';
import { parseAdminCertificate } from '../../../src/cryptounit/protocol/index.ts';
import { WrongSecretError } from '../../../src/custodian/errors.ts';
import {
  AdminCertificateError, CardKeyMissingError, CardPinBlockedError, CardPinError, CardPinFormatError, factoryReset,
  generateAdminKey, OpenPgpAdminSigner, PinRequiredError, unblockPin, verifyCardPassword, type PinRequest,
} from '../../../src/custodian/openpgp/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { NOBLE } from '../conformance/independent-kari.ts';
import { children, readOnly } from '../conformance/independent-der.ts';
import { ADMIN_PIN, c, insSince, PIN, provisionedCard, rig, WRONG_PIN } from './fixtures.ts';

/** A PIN source that answers from a list and remembers what it was shown. */
function scriptedPins(...answers: string[]): { source: (r: PinRequest) => Promise<string>; requests: PinRequest[] } {
  const requests: PinRequest[] = [];
  return {
    requests,
    source: async (r) => {
      requests.push(r);
      const a = answers.shift();
      if (a === undefined) throw new Error('no more PINs scripted');
      return a;
    },
  };
}

const block = (n: number): Uint8Array => c.getRandomValues(new Uint8Array(n));

async function freshSigner(card: OpenPgpCard, pin?: (r: PinRequest) => Promise<string>): Promise<OpenPgpAdminSigner> {
  await card.select(); // a new session: no password verified
  return OpenPgpAdminSigner.open(card, c, { pin });
}

describe('OpenPGP custodian: PIN entry', () => {
  for (const style of ['63cx', '6982'] as const) {
    it(`wrong PINs count down with the tries shown at each prompt (card answers ${style})`, async () => {
      const p = await provisionedCard({ card: { wrongPinStatus: style } });
      const pins = scriptedPins(WRONG_PIN, WRONG_PIN, PIN);
      const signer = await freshSigner(p.card, pins.source);
      const e1 = await assertRejects(signer.sign(block(40)), CardPinError);
      assert.instanceOf(e1, WrongSecretError);
      assert.equal(e1.retriesLeft, 2);
      assert.equal(e1.password, 'PW1');
      assert.match(e1.message, /wrong PIN: 2 tries left/);
      const e2 = await assertRejects(signer.sign(block(40)), CardPinError);
      assert.equal(e2.retriesLeft, 1);
      await signer.sign(block(40));
      assert.deepEqual(pins.requests.map((r) => [r.password, r.purpose, r.retriesLeft]), [['PW1', 'sign', 3], ['PW1', 'sign', 2], ['PW1', 'sign', 1]]);
      assert.equal(pins.requests[0].card, p.card.aid.id);
      assert.equal(p.vcard.retries.pw1, 3, 'a right PIN restores the counter');
      await p.dispose();
    });
  }

  it('a PIN of the wrong length is refused before it costs a try', async () => {
    const p = await provisionedCard();
    await p.card.select();
    const at = p.vcard.received.length;
    const e = await assertRejects(verifyCardPassword(p.card, 0x81, '12345'), CardPinFormatError);
    assert.deepEqual([e.password, e.minLength, e.maxLength], ['PW1', 6, 127]);
    await assertRejects(verifyCardPassword(p.card, PW3, '1234567'), CardPinFormatError, 'admin PIN needs 8');
    assert.notInclude(insSince(p.vcard, at), 0x20, 'no VERIFY was sent');
    assert.equal(p.vcard.retries.pw1, 3);
    await p.dispose();
  });

  it('the last wrong PIN blocks PW1: the error says the reset code or the admin PIN unblocks it; then unblock with either', async () => {
    const p = await provisionedCard({ card: { resettingCode: 'reset-code-1' } });
    await p.card.select();
    await assertRejects(verifyCardPassword(p.card, 0x82, WRONG_PIN), CardPinError);
    await assertRejects(verifyCardPassword(p.card, 0x82, WRONG_PIN), CardPinError);
    const blocked = await assertRejects(verifyCardPassword(p.card, 0x82, WRONG_PIN), CardPinBlockedError);
    assert.equal(blocked.password, 'PW1');
    assert.isTrue(blocked.justBlocked);
    assert.isFalse((blocked as Error) instanceof WrongSecretError, 'asking again would not help');
    assert.match(blocked.remedy, /reset code/);
    assert.match(blocked.remedy, /admin PIN \(PW3\)/);
    assert.match(blocked.remedy, /RESET RETRY COUNTER/);

    const at = p.vcard.received.length;
    const again = await assertRejects(verifyCardPassword(p.card, 0x82, PIN), CardPinBlockedError);
    assert.isFalse(again.justBlocked);
    assert.notInclude(insSince(p.vcard, at), 0x20, 'a blocked PIN is not even tried');

    const wrongRc = await assertRejects(unblockPin(p.card, { resettingCode: 'reset-code-0' }, '111111'), CardPinError);
    assert.equal(wrongRc.password, 'RC');
    assert.equal(wrongRc.retriesLeft, 2);
    await unblockPin(p.card, { resettingCode: 'reset-code-1' }, '111111');
    await verifyCardPassword(p.card, 0x82, '111111');

    for (let i = 0; i < 3; i++) await verifyCardPassword(p.card, 0x82, WRONG_PIN).catch(() => {});
    assert.equal(p.vcard.retries.pw1, 0);
    await unblockPin(p.card, { adminPin: ADMIN_PIN }, '222222');
    await verifyCardPassword(p.card, 0x81, '222222');
    assert.isFalse(p.card.isVerified(PW3), 'the admin PIN is forgotten after the unblock');
    await p.dispose();
  });

  it('a blocked admin PIN: the error says only a factory reset helps; the reset destroys the keys and restores the PINs', async () => {
    const p = await provisionedCard();
    for (let i = 0; i < 2; i++) await assertRejects(verifyCardPassword(p.card, PW3, 'wrong-admin'), CardPinError);
    const blocked = await assertRejects(verifyCardPassword(p.card, PW3, 'wrong-admin'), CardPinBlockedError);
    assert.equal(blocked.password, 'PW3');
    assert.match(blocked.remedy, /factory reset/);
    assert.match(blocked.remedy, /TERMINATE DF/);
    assert.match(blocked.remedy, /destroys the admin key and every key part/);
    await assertRejects(generateAdminKey(p.card, c, { name: 'X', adminPin: ADMIN_PIN, pin: PIN }), CardPinBlockedError);
    await factoryReset(p.card);
    assert.deepEqual((await p.card.pwStatus()).retries, { pw1: 3, rc: 0, pw3: 3 });
    await assertRejects(OpenPgpAdminSigner.open(p.card, c), CardKeyMissingError);
    assert.isEmpty(await p.holder.parts());
    await p.dispose();
  });
});

describe('OpenPGP custodian: admin key and signer', () => {
  it('generateAdminKey: P-384 by default; the certificate in 7F21 is signed by the card and names the card\'s key', async () => {
    const p = await provisionedCard({ name: 'Alice Card' });
    assert.equal(p.signer.curve, 'P-384');
    assert.equal(p.signer.name, 'Alice Card');
    assertBytes(await p.card.readCertificate(), p.signer.certificate);
    const cert = await parseAdminCertificate(c, p.signer.certificate);
    assertBytes(cert.publicPoint, p.vcard.publicPoint('signature')!);
    assertBytes(p.signer.ski, sha256(cert.publicPoint));
    assert.isFalse(p.card.isVerified(PW3), 'the admin PIN is forgotten after provisioning');
    await p.dispose();
  });

  it('P-521 where the card offers it, OpenPgpAlgorithmError where it does not', async () => {
    const r = await rig({ card: { curves: ['P-256', 'P-384'] } });
    await assertRejects(generateAdminKey(r.card, c, { name: 'Bob', curve: 'P-521', adminPin: ADMIN_PIN, pin: PIN }), OpenPgpAlgorithmError);
    assert.equal(r.vcard.retries.pw3, 3);
    const s = await generateAdminKey(r.card, c, { name: 'Bob', curve: 'P-256', adminPin: ADMIN_PIN, pin: PIN });
    assert.equal(s.curve, 'P-256');
    await r.dispose();
  });

  it('one APDU per signature once the session is open (PW1 valid for several); three when the card asks before each', async () => {
    const p = await provisionedCard();
    assert.isTrue(p.signer.unlocked);
    let at = p.vcard.received.length;
    for (let i = 0; i < 5; i++) await p.signer.sign(block(100));
    assert.deepEqual(insSince(p.vcard, at), [0x2a, 0x2a, 0x2a, 0x2a, 0x2a], 'PSO:CDS only');

    const pins = scriptedPins(PIN, PIN, PIN);
    const q = await provisionedCard({ pinPolicy: 'per-signature', pin: pins.source });
    assert.isTrue(q.card.data.pwStatus.pw1ValidOnce, 'C4 byte 1 set to 00');
    at = q.vcard.received.length;
    for (let i = 0; i < 3; i++) await q.signer.sign(block(100));
    assert.deepEqual(insSince(q.vcard, at), [0xca, 0x20, 0x2a, 0xca, 0x20, 0x2a, 0xca, 0x20, 0x2a], 'C4 (tries for the prompt), VERIFY, PSO:CDS');
    assert.lengthOf(pins.requests, 3);
    await p.dispose();
    await q.dispose();
  });

  it('a card that asks for the PIN before each signature is set to once per session by default', async () => {
    const p = await provisionedCard({ card: { pw1ValidOnce: true } });
    assert.isFalse(p.card.data.pwStatus.pw1ValidOnce);
    const at = p.vcard.received.length;
    await p.signer.sign(block(10));
    await p.signer.sign(block(10));
    assert.deepEqual(insSince(p.vcard, at), [0x2a, 0x2a]);
    await p.dispose();
  });

  it('signatures verify under noble; without a PIN source a locked signer says it needs the PIN', async () => {
    const p = await provisionedCard({ adminCurve: 'P-256' });
    const s = await freshSigner(p.card);
    await assertRejects(s.sign(block(10)), PinRequiredError);
    await s.unlock(PIN);
    const data = block(77);
    const si = await s.sign(data);
    const cert = await parseAdminCertificate(c, s.certificate);
    const der = children(readOnly(si).content)[4].content; // signature OCTET STRING { DER Ecdsa-Sig-Value }
    assert.isTrue(NOBLE['P-256'].verify(der, data, cert.publicPoint, { format: 'der', lowS: false }));
    assert.isFalse(NOBLE['P-256'].verify(der, block(77), cert.publicPoint, { format: 'der', lowS: false }));
    await p.dispose();
  });

  it('the card forgot PW1 behind the session\'s back (69 82): the signer asks for the PIN once more', async () => {
    const pins = scriptedPins(PIN);
    const p = await provisionedCard({ pin: pins.source });
    await p.card.channel.sendChecked({ cla: 0, ins: 0x20, p1: 0xff, p2: 0x81 }); // not through the session
    assert.isTrue(p.card.isVerified(0x81), 'the session does not know');
    await p.signer.sign(block(20));
    assert.lengthOf(pins.requests, 1);
    await p.dispose();
  });

  it('close() forgets PW1 (81) on the card too', async () => {
    const p = await provisionedCard();
    assert.isTrue(p.vcard.isVerified(0x81));
    p.signer.close();
    await new Promise((r) => setTimeout(r, 10));
    assert.isFalse(p.vcard.isVerified(0x81));
    await p.dispose();
  });

  it('a card without certificate, or with a certificate for another key, is AdminCertificateError', async () => {
    const p = await provisionedCard();
    await p.card.verify(PW3, ADMIN_PIN);
    await p.card.generateKey('signature', 'ecdsa'); // a new key; the old certificate stays
    await assertRejects(OpenPgpAdminSigner.open(p.card, c), AdminCertificateError);
    await p.card.writeCertificate(new Uint8Array(0));
    await assertRejects(OpenPgpAdminSigner.open(p.card, c), AdminCertificateError);
    await p.card.writeCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01));
    await assertRejects(OpenPgpAdminSigner.open(p.card, c), AdminCertificateError);
    const fresh = await rig();
    await assertRejects(OpenPgpAdminSigner.open(fresh.card, c), CardKeyMissingError, 'RSA attributes: no ECDSA key');
    await p.dispose();
    await fresh.dispose();
  });
});

describe('OpenPGP custodian: the card leaves the reader', () => {
  for (const via of ['memory', 'extended-apdu', 'tpdu'] as const) {
    it(`${via}: removal is CardRemovedError; back in, the signer asks for the PIN again; another card is refused`, async () => {
      const pins = scriptedPins(PIN);
      const p = await provisionedCard({ via, pin: pins.source, adminCurve: 'P-256' });
      await p.signer.sign(block(10));
      p.remove();
      await assertRejects(p.signer.sign(block(10)), CardRemovedError);
      p.insert();
      await p.signer.sign(block(10));
      assert.lengthOf(pins.requests, 1, 'the power cycle cost the PIN');
      const other = await provisionedCard();
      p.remove();
      p.insert(other.vcard);
      await assertRejects(p.signer.sign(block(10)), OpenPgpCardChangedError);
      await p.dispose();
      await other.dispose();
    });
  }
});
