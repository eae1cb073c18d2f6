import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { assert, assertBytes, assertRejects, describe, it } from '../../../harness.ts';
import { ApduError } from '../../../../src/card/errors.ts';
import { MemoryTransport } from '../../../../src/card/transports/memory/index.ts';
import { OpenPgpAlgorithmError, OpenPgpCard, passwordBytes, PW1_OTHER, PW3, type PinKdf } from '../../../../src/card/applets/openpgp/index.ts';
import { VirtualOpenPgpCard } from '../../../fakes/virtual-openpgp-card.ts';

const c = globalThis.crypto;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RFC 4880 §3.7.1.3 written out: the first `count` bytes of (salt ‖ password) repeated, hashed once. */
function independentS2k(hash: 'SHA-256' | 'SHA-512', count: number, salt: Uint8Array, password: string): Uint8Array {
  const unit = [...salt, ...utf8(password)];
  const stream = new Uint8Array(count);
  for (let i = 0; i < count; i++) stream[i] = unit[i % unit.length];
  return (hash === 'SHA-256' ? sha256 : sha512)(stream);
}

describe('OpenPGP PIN KDF (KDF-DO F9)', () => {
  it('passwordBytes: UTF-8 as typed without a KDF; the S2K hash with one (each password its own salt)', async () => {
    assertBytes(await passwordBytes(undefined, { kind: 'none' }, 'pw1', 'pïn123'), utf8('pïn123'));
    const kdf: PinKdf = {
      kind: 'iterated-salted-s2k',
      hash: 'SHA-256',
      count: 100003, // not a multiple of the unit: the last copy is cut
      salts: { pw1: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), rc: Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1), pw3: new Uint8Array(8).fill(9) },
    };
    assertBytes(await passwordBytes(c, kdf, 'pw1', '123456'), independentS2k('SHA-256', 100003, kdf.salts.pw1, '123456'));
    assertBytes(await passwordBytes(c, kdf, 'pw3', '12345678'), independentS2k('SHA-256', 100003, kdf.salts.pw3, '12345678'));
    assertBytes(await passwordBytes(c, kdf, 'rc', 'reset-code'), independentS2k('SHA-256', 100003, kdf.salts.rc, 'reset-code'));
    const k512: PinKdf = { ...kdf, hash: 'SHA-512', count: 0x780000 };
    assertBytes(await passwordBytes(c, k512, 'pw1', '123456'), independentS2k('SHA-512', 0x780000, kdf.salts.pw1, '123456'));
    await assertRejects(passwordBytes(undefined, kdf, 'pw1', '123456'), OpenPgpAlgorithmError, 'hashing needs a WebCrypto');
    await assertRejects(passwordBytes(c, { ...kdf, count: 10 }, 'pw1', '123456'), OpenPgpAlgorithmError, 'count below salt ‖ password');
  });

  it('a card with the KDF on: the session reads F9 at open and VERIFY sends the hash the card stores', async () => {
    const vcard = new VirtualOpenPgpCard({ kdf: { hash: 'SHA-512', count: 50000 } });
    const card = await OpenPgpCard.open(new MemoryTransport(vcard.handle), { crypto: c });
    assert.equal(card.pinKdf.kind, 'iterated-salted-s2k');
    const at = vcard.received.length;
    await card.verify(PW1_OTHER, '123456');
    const sent = vcard.received[at];
    assert.equal(sent[4], 64, 'a SHA-512 hash is sent, not the 6 typed bytes');
    if (card.pinKdf.kind !== 'iterated-salted-s2k') return;
    assertBytes(sent.subarray(5), independentS2k('SHA-512', 50000, card.pinKdf.salts.pw1, '123456'));
    await card.verify(PW3, '12345678');
    assert.isTrue(vcard.isVerified(0x83));
  });

  it('why it matters: the typed PIN sent to a KDF card is a wrong PIN and costs a try; without WebCrypto nothing is sent', async () => {
    const vcard = new VirtualOpenPgpCard({ kdf: {} });
    const blind = await OpenPgpCard.open(new MemoryTransport(vcard.handle));
    const at = vcard.received.length;
    await assertRejects(blind.verify(PW1_OTHER, '123456'), OpenPgpAlgorithmError);
    assert.equal(vcard.received.length, at, 'no VERIFY left the host');
    assert.equal(vcard.retries.pw1, 3);
    // a client that ignores F9 (here: the raw command) burns a try with the right PIN
    const r = await blind.channel.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x82, data: utf8('123456') });
    assert.equal(r.sw, 0x63c2);
    assert.equal(vcard.retries.pw1, 2);
  });

  it('after a factory reset the KDF is off and the default PINs are typed again', async () => {
    const vcard = new VirtualOpenPgpCard({ kdf: {} });
    const card = await OpenPgpCard.open(new MemoryTransport(vcard.handle), { crypto: c });
    await card.verify(PW3, '12345678');
    await card.factoryReset();
    assert.equal(card.pinKdf.kind, 'none');
    await card.verify(PW1_OTHER, '123456');
    await assertRejects(card.verify(PW3, '87654321'), ApduError);
  });
});
