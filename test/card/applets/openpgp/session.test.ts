import { assert, assertBytes, assertRejects, describe, it } from '../../../harness.ts';
import { ApduError } from '../../../../src/card/errors.ts';
import { TrafficLog } from '../../../../src/card/processors/traffic-log.ts';
import { CardRemovedError } from '../../../../src/card/transport-errors.ts';
import { MemoryTransport } from '../../../../src/card/transports/memory/index.ts';
import {
  OpenPgpAlgorithmError, OpenPgpCard, OpenPgpCardChangedError, OpenPgpNotFoundError, OpenPgpTerminatedError, PW1_OTHER,
  PW1_SIGN, PW3,
} from '../../../../src/card/applets/openpgp/index.ts';
import { digest, ecdsaVerify, importPublicPoint } from '../../../../src/crypto/index.ts';
import { EchoCard } from '../../../fakes/echo-card.ts';
import { VirtualOpenPgpCard } from '../../../fakes/virtual-openpgp-card.ts';

const c = globalThis.crypto;
const open = async (vcard: VirtualOpenPgpCard, opts: ConstructorParameters<typeof MemoryTransport>[1] = {}) => {
  const transport = new MemoryTransport(vcard.handle, opts);
  return { transport, card: await OpenPgpCard.open(transport) };
};

describe('OpenPgpCard session over the virtual card', () => {
  it('open picks extended APDUs only when the card says it takes them', async () => {
    const ext = await open(new VirtualOpenPgpCard());
    assert.isTrue(ext.card.extendedLength);
    const short = await open(new VirtualOpenPgpCard({ extendedLength: false }));
    assert.isFalse(short.card.extendedLength);
    const forced = await OpenPgpCard.open(new MemoryTransport(new VirtualOpenPgpCard().handle), { extendedLength: false });
    assert.isFalse(forced.extendedLength);
  });

  it('a card without the application, and a terminated one, are told apart', async () => {
    await assertRejects(OpenPgpCard.open(new MemoryTransport(new EchoCard().handle)), ApduError, 'the echo card knows no SELECT: 6D 00');
    const notFound = new MemoryTransport(async () => Uint8Array.of(0x6a, 0x82));
    await assertRejects(OpenPgpCard.open(notFound), OpenPgpNotFoundError);
    const vcard = new VirtualOpenPgpCard();
    const { card } = await open(vcard);
    await card.verify(PW3, '12345678');
    await card.channel.sendChecked({ cla: 0, ins: 0xe6, p1: 0, p2: 0 });
    await assertRejects(OpenPgpCard.open(new MemoryTransport(vcard.handle)), OpenPgpTerminatedError);
  });

  it('keys: EC attributes, generate, sign a hash (verified by WebCrypto), PW1 valid once clears 81', async () => {
    const vcard = new VirtualOpenPgpCard();
    const { card } = await open(vcard);
    assert.throws(() => card.ecAlgorithm('signature', 'ecdsa'), OpenPgpAlgorithmError, /RSA 2048/);
    await card.verify(PW3, '12345678');
    await card.setEcAlgorithm('signature', 'ecdsa', 'P-521');
    assert.equal(card.ecAlgorithm('signature', 'ecdsa'), 'P-521', 'rereads 6E after PUT DATA C1');
    const point = await card.generateKey('signature', 'ecdsa');
    assertBytes(await card.publicKey('signature', 'ecdsa'), point);
    await card.verify(PW1_SIGN, '123456');
    const msg = new TextEncoder().encode('an admin block');
    const sig = await card.signHash(await digest(c, 'SHA-512', msg));
    assert.isTrue(await ecdsaVerify(c, 'P-521', await importPublicPoint(c, 'P-521', point, 'ECDSA'), msg, sig));
    assert.isTrue(card.isVerified(PW1_SIGN));

    await card.putData(0xc4, Uint8Array.of(0x00)); // PW3 still verified: PW1 valid for one signature
    await card.refresh();
    assert.isTrue(card.data.pwStatus.pw1ValidOnce);
    await card.signHash(await digest(c, 'SHA-512', msg));
    assert.isFalse(card.isVerified(PW1_SIGN), 'the session knows the card forgot 81');
    const e = await assertRejects(card.signHash(await digest(c, 'SHA-512', msg)), ApduError);
    assert.equal(e.sw, 0x6982, 'and the card agrees');
  });

  it('a failed VERIFY clears the password in the session; reset uses VERIFY FF on 3.4 and SELECT before', async () => {
    const vcard = new VirtualOpenPgpCard();
    const { card } = await open(vcard);
    await card.verify(PW1_OTHER, '123456');
    await assertRejects(card.verify(PW1_OTHER, '000000'), ApduError);
    assert.isFalse(card.isVerified(PW1_OTHER));
    assert.isFalse(vcard.isVerified(0x82));

    await card.verify(PW1_OTHER, '123456');
    await card.verify(PW3, '12345678');
    const log = vcard.received.length;
    await card.resetSecurityStatus(PW1_OTHER);
    assert.deepEqual(Array.from(vcard.received[log].subarray(0, 4)), [0x00, 0x20, 0xff, 0x82], 'VERIFY FF 82');
    assert.isFalse(vcard.isVerified(0x82));
    assert.isTrue(vcard.isVerified(0x83), 'only that password');

    const old = new VirtualOpenPgpCard({ version: [3, 3] });
    const s = await open(old);
    await s.card.verify(PW1_OTHER, '123456');
    await s.card.verify(PW3, '12345678');
    const at = old.received.length;
    await s.card.resetSecurityStatus(PW1_OTHER);
    assert.equal(old.received[at][1], 0xa4, 'a 3.3 card is selected again');
    assert.isFalse(old.isVerified(0x82));
    assert.isFalse(s.card.isVerified(PW3), 'which forgets every password');
  });

  it('a long certificate on a short-only card goes as a command chain and comes back over GET RESPONSE', async () => {
    const vcard = new VirtualOpenPgpCard({ extendedLength: false });
    const log = new TrafficLog();
    const transport = new MemoryTransport(vcard.handle);
    const card = await OpenPgpCard.open(transport, { log });
    const cert = c.getRandomValues(new Uint8Array(700));
    await card.verify(PW3, '12345678');
    const before = vcard.received.length;
    await card.writeCertificate(cert);
    const sent = vcard.received.slice(before);
    assert.deepEqual(sent.map((a) => a[0]), [0x10, 0x10, 0x00], 'three pieces, chaining bit on all but the last');
    assertBytes(await card.readCertificate(), cert);
    const reads = log.entries.filter((e) => e.ins === 0xc0);
    assert.lengthOf(reads, 2, 'two GET RESPONSE for 700 bytes');
    assert.isNull(log.entries.find((e) => e.ins === 0x20)!.commandData, 'the PIN is redacted in the log');
  });

  it('GET CHALLENGE, algorithm information, no PIN KDF', async () => {
    const { card } = await open(new VirtualOpenPgpCard({ curves: ['P-256', 'P-384'] }));
    const a = await card.challenge(32);
    const b = await card.challenge(32);
    assert.lengthOf(a, 32);
    assert.notDeepEqual(Array.from(a), Array.from(b));
    const info = await card.algorithmInformation();
    assert.deepEqual(info!.decryption.map((x) => x.kind === 'ecdh' ? x.curve : x.kind), ['rsa', 'P-256', 'P-384']);
    assert.equal(card.pinKdf.kind, 'none', 'C0 says no KDF-DO: F9 is not even read');
    const none = await open(new VirtualOpenPgpCard({ algorithmInformation: false }));
    assert.isUndefined(await none.card.algorithmInformation());
  });

  it('card removal: the exchange fails with CardRemovedError; back in, the session selects again and PINs are gone', async () => {
    const vcard = new VirtualOpenPgpCard();
    const { transport, card } = await open(vcard);
    await card.verify(PW1_OTHER, '123456');
    transport.removeCard();
    await assertRejects(card.pwStatus(), CardRemovedError);
    assert.isFalse(card.isVerified(PW1_OTHER));
    vcard.reset();
    transport.insertCard(vcard.handle);
    const at = vcard.received.length;
    await card.pwStatus();
    assert.deepEqual(vcard.received.slice(at).map((x) => x[1]), [0xa4, 0xca, 0xca], 'SELECT, 6E (same card?), then C4');
    await assertRejects(card.readPrivateDo(0x0103), ApduError, '0103 needs PW1 again');
  });

  it('another card put in the reader is OpenPgpCardChangedError, and stays one until the right card is back', async () => {
    const mine = new VirtualOpenPgpCard();
    const other = new VirtualOpenPgpCard();
    const { transport, card } = await open(mine);
    transport.removeCard();
    transport.insertCard(other.handle);
    const e = await assertRejects(card.pwStatus(), OpenPgpCardChangedError);
    assert.equal(e.expected, card.aid.id);
    assert.notEqual(e.found, e.expected);
    await assertRejects(card.pwStatus(), OpenPgpCardChangedError);
    transport.removeCard();
    mine.reset();
    transport.insertCard(mine.handle);
    assert.equal((await card.pwStatus()).retries.pw1, 3);
  });
});
