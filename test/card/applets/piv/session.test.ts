/**
 * PivSession against the virtual PIV card: PIN and PUK counters, management-key
 * authentication with every algorithm, key generation, signatures checked by WebCrypto (the
 * card signs with @noble/curves), ECDH checked against WebCrypto's, data objects with their
 * access rules, security status reset on SELECT, Yubico extensions, and the card's
 * strictness towards a wrong client.
 */
import { assert, assertBytes, assertRejects, describe, it } from '../../../harness.ts';
import { encodeCommand } from '../../../../src/card/apdu.ts';
import { CardChannel } from '../../../../src/card/channel.ts';
import { ApduError, PinBlockedError, PinError } from '../../../../src/card/errors.ts';
import { MemoryTransport } from '../../../../src/card/transports/memory/index.ts';
import {
  ManagementKey, ManagementKeyError, PivInputError, PivSession, PivUnsupportedError, parseCertificateObject,
} from '../../../../src/card/applets/piv/index.ts';
import {
  digest, ecdhSharedSecret, ecdsaVerify, exportPublicPoint, generateEcKeyPair, importPublicPoint, type CurveName,
} from '../../../../src/crypto/index.ts';
import { parseCertificate, verifyCertificateSignature } from '../../../../src/cryptounit/protocol/index.ts';
import { OID_YK_FIRMWARE, OID_YK_POLICY, OID_YK_SERIAL } from '../../../fakes/piv/attestation.ts';
import { pivRig } from '../../../fakes/piv/rig.ts';
import { DEFAULT_MGMT_KEY, VirtualPivCard, type VirtualPivCardOptions } from '../../../fakes/virtual-piv-card.ts';

const c = globalThis.crypto;
const DEFAULT_KEY_HEX = '010203040506070801020304050607080102030405060708';
const hashOf = (curve: 'P-256' | 'P-384'): 'SHA-256' | 'SHA-384' => (curve === 'P-256' ? 'SHA-256' : 'SHA-384');

async function open(card: Omit<VirtualPivCardOptions, 'crypto'> = {}): Promise<{ s: PivSession; card: VirtualPivCard; channel: CardChannel }> {
  const rig = await pivRig({ card });
  return { s: await PivSession.select(rig.channel, { crypto: c }), card: rig.card, channel: rig.channel };
}

const sw = async (channel: CardChannel, cmd: Parameters<typeof encodeCommand>[0]): Promise<number> => (await channel.send(cmd)).sw;

describe('PIV session: PIN and PUK', () => {
  it('a wrong PIN costs a try (PinError.retriesLeft), the status query costs none, the right PIN restores all', async () => {
    const { s, card } = await open();
    assert.deepEqual(await s.pinStatus(), { verified: false, retriesLeft: 3, blocked: false });
    const e = await assertRejects(s.verifyPin('000000'), PinError);
    assert.equal(e.retriesLeft, 2);
    assert.equal(card.pinTriesLeft, 2);
    assert.deepEqual(e.command, { cla: 0, ins: 0x20, p1: 0, p2: 0x80 }, 'the error names the command header, never its data (the PIN)');
    assert.deepEqual(await s.pinStatus(), { verified: false, retriesLeft: 2, blocked: false });
    assert.equal(card.pinTriesLeft, 2, 'asking the status used no try');
    await s.verifyPin('123456');
    assert.deepEqual(await s.pinStatus(), { verified: true, retriesLeft: undefined, blocked: false });
    assert.equal(card.pinTriesLeft, 3);
    await s.logoutPin();
    assert.isFalse((await s.pinStatus()).verified);
  });

  it('three wrong PINs block it; the right PIN is refused then; RESET RETRY COUNTER with the PUK unblocks', async () => {
    const { s, card } = await open();
    await assertRejects(s.verifyPin('000000'), PinError);
    await assertRejects(s.verifyPin('000000'), PinError);
    const last = await assertRejects(s.verifyPin('000000'), PinBlockedError);
    assert.equal(last.sw, 0x63c0);
    const again = await assertRejects(s.verifyPin('123456'), PinBlockedError);
    assert.equal(again.sw, 0x6983);
    assert.isTrue((await s.pinStatus()).blocked);
    const wrongPuk = await assertRejects(s.unblockPin('00000000', '654321'), PinError);
    assert.equal(wrongPuk.retriesLeft, 2);
    assert.equal(card.pukTriesLeft, 2);
    await s.unblockPin('12345678', '654321');
    assert.equal(card.pinTriesLeft, 3);
    assert.equal(card.pukTriesLeft, 3);
    await assertRejects(s.verifyPin('123456'), PinError);
    await s.verifyPin('654321');
  });

  it('CHANGE REFERENCE DATA for PIN and PUK', async () => {
    const { s } = await open();
    await assertRejects(s.changePin('000000', '222222'), PinError);
    await s.changePin('123456', '222222');
    await s.verifyPin('222222');
    await s.changePuk('12345678', '87654321');
    await s.unblockPin('87654321', '333333');
    await s.verifyPin('333333');
  });
});

describe('PIV session: management key', () => {
  const cases: { algorithm: '3DES' | 'AES-128' | 'AES-192' | 'AES-256'; key: Uint8Array }[] = [
    { algorithm: '3DES', key: DEFAULT_MGMT_KEY },
    { algorithm: 'AES-128', key: c.getRandomValues(new Uint8Array(16)) },
    { algorithm: 'AES-192', key: DEFAULT_MGMT_KEY },
    { algorithm: 'AES-256', key: c.getRandomValues(new Uint8Array(32)) },
  ];
  for (const k of cases) {
    it(`${k.algorithm}: mutual authentication; the card reports the algorithm; a wrong key is refused`, async () => {
      const { s, card } = await open({ managementKey: k });
      assert.equal(await s.managementKeyAlgorithm(), k.algorithm);
      const wrong = k.key.slice();
      wrong[3] ^= 0x40;
      const e = await assertRejects(s.authenticate(ManagementKey.fromBytes(k.algorithm, wrong)), ManagementKeyError);
      assert.equal(e.reason, 'rejected-by-card');
      assert.isFalse(card.isManagementAuthenticated);
      await s.authenticate(ManagementKey.fromBytes(k.algorithm, k.key));
      assert.isTrue(card.isManagementAuthenticated);
    });
  }

  it('the same 24 bytes under the wrong algorithm (3DES vs the card\'s AES-192) are refused', async () => {
    const { s } = await open({ managementKey: { algorithm: 'AES-192', key: DEFAULT_MGMT_KEY } });
    const e = await assertRejects(s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX)), ManagementKeyError);
    assert.match(e.message, /not 3DES/);
  });

  it('a card whose answer to our challenge is wrong is reported as not authentic', async () => {
    const card = await VirtualPivCard.create({ crypto: c });
    const lying = async (apdu: Uint8Array): Promise<Uint8Array> => {
      const r = await card.handle(apdu);
      // the mutual step's answer: 7C 0A 82 08 E(K, C) 90 00 → flip a bit of E(K, C)
      if (apdu[1] === 0x87 && apdu[3] === 0x9b && r.length === 14 && r[2] === 0x82) r[4] ^= 1;
      return r;
    };
    const s = await PivSession.select(new CardChannel(new MemoryTransport(lying)), { crypto: c });
    const e = await assertRejects(s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX)), ManagementKeyError);
    assert.equal(e.reason, 'card-not-authentic');
  });

  it('collectRandom: card randomness from extra witness requests (3DES: 4 × 8 bytes, then the authentication)', async () => {
    const { s, card } = await open();
    const before = card.received.length;
    const r = await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX), 32);
    assert.lengthOf(r, 32);
    const sent = card.received.slice(before);
    assert.equal(sent.filter((a) => a.ins === 0x87).length, 6, '5 witness requests and 1 mutual step');
    assert.isTrue(card.isManagementAuthenticated);
    const r2 = await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX), 32);
    assert.notEqual(hex(r), hex(r2), 'fresh card randomness each time');
  });

  it('SET MANAGEMENT KEY: needs the current key; afterwards only the new key authenticates', async () => {
    const { s } = await open();
    const next = ManagementKey.fromBytes('AES-256', c.getRandomValues(new Uint8Array(32)));
    const refused = await assertRejects(s.setManagementKey(next), ApduError);
    assert.equal(refused.sw, 0x6982);
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    await s.setManagementKey(next);
    assert.equal(await s.managementKeyAlgorithm(), 'AES-256');
    await assertRejects(s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX)), ManagementKeyError);
    await s.authenticate(next);
  });
});

describe('PIV session: keys, signatures, ECDH', () => {
  for (const curve of ['P-256', 'P-384'] as const) {
    it(`${curve} in 9C (PIN once): needs the management key to generate and the PIN to sign; WebCrypto verifies`, async () => {
      const { s, card } = await open();
      await assertRejects(s.generateEcKey(0x9c, curve), ApduError);
      await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
      const point = await s.generateEcKey(0x9c, curve, { pinPolicy: 'once' });
      assertBytes(point, card.slot(0x9c)!.key.point);
      const md = await s.metadata(0x9c);
      assertBytes(md!.publicPoint!, point);
      assert.equal(md!.pinPolicy, 'once');
      assert.equal(md!.origin, 'generated');
      const message = c.getRandomValues(new Uint8Array(77));
      const d = await digest(c, hashOf(curve), message);
      const refused = await assertRejects(s.sign(0x9c, curve, d), ApduError);
      assert.equal(refused.sw, 0x6982, 'no PIN yet');
      await s.verifyPin('123456');
      const pub = await importPublicPoint(c, curve, point, 'ECDSA');
      for (let i = 0; i < 3; i++) {
        const sig = await s.sign(0x9c, curve, d);
        assert.isTrue(await ecdsaVerify(c, curve, pub, message, sig), 'the card signed the digest of the message');
      }
      const other = message.slice();
      other[0] ^= 1;
      assert.isFalse(await ecdsaVerify(c, curve, pub, other, await s.sign(0x9c, curve, d)));
    });

    it(`${curve} ECDH in 9D: the card's Z equals WebCrypto's ECDH with the card's public point`, async () => {
      const { s } = await open();
      await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
      const point = await s.generateEcKey(0x9d, curve);
      await s.verifyPin('123456');
      const eph = await generateEcKeyPair(c, curve as CurveName, 'ECDH');
      const ephPoint = await exportPublicPoint(c, eph.publicKey);
      const z = await s.ecdh(0x9d, curve, ephPoint);
      const expected = await ecdhSharedSecret(c, curve, eph.privateKey, await importPublicPoint(c, curve, point, 'ECDH'));
      assertBytes(z, expected);
    });
  }

  it('PIV slot uses: no ECDH in 9C, no signing in 9D (6A 80); P1 must name the key\'s algorithm (6A 86)', async () => {
    const { s, channel } = await open();
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    await s.generateEcKey(0x9c, 'P-256', { pinPolicy: 'once' });
    await s.generateEcKey(0x9d, 'P-256');
    await s.verifyPin('123456');
    const eph = await exportPublicPoint(c, (await generateEcKeyPair(c, 'P-256', 'ECDH')).publicKey);
    assert.equal((await assertRejects(s.ecdh(0x9c, 'P-256', eph), ApduError)).sw, 0x6a80);
    assert.equal((await assertRejects(s.sign(0x9d, 'P-256', new Uint8Array(32)), ApduError)).sw, 0x6a80);
    assert.equal((await assertRejects(s.sign(0x9c, 'P-384', new Uint8Array(48)), ApduError)).sw, 0x6a86);
    // an off-curve point sent as is
    const off = eph.slice();
    off[64] ^= 1;
    const raw = { cla: 0, ins: 0x87, p1: 0x11, p2: 0x9d, data: Uint8Array.of(0x7c, 0x45, 0x82, 0x00, 0x85, 0x41, ...off), ne: 256 };
    assert.equal(await sw(channel, raw), 0x6a80);
  });

  it('9C with the PIV default policy "always": one signature per VERIFY, and only right after it', async () => {
    const { s } = await open();
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    await s.generateEcKey(0x9c, 'P-256');
    assert.equal((await s.metadata(0x9c))!.pinPolicy, 'always');
    const d = new Uint8Array(32).fill(7);
    await s.verifyPin('123456');
    await s.sign(0x9c, 'P-256', d);
    assert.equal((await assertRejects(s.sign(0x9c, 'P-256', d), ApduError)).sw, 0x6982, 'the second needs the PIN again');
    await s.verifyPin('123456');
    await s.getData(0x5fc102);
    assert.equal((await assertRejects(s.sign(0x9c, 'P-256', d), ApduError)).sw, 0x6982, 'another command came between');
    await s.verifyPin('123456');
    await s.sign(0x9c, 'P-256', d);
  });

  it('SELECT resets the security status: no PUT DATA, no signature afterwards', async () => {
    const { s, card } = await open();
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    await s.generateEcKey(0x9c, 'P-256', { pinPolicy: 'once' });
    await s.verifyPin('123456');
    await s.sign(0x9c, 'P-256', new Uint8Array(32));
    await s.reselect();
    assert.isFalse(card.isPinVerified);
    assert.isFalse(card.isManagementAuthenticated);
    assert.equal((await assertRejects(s.putData(0x5fc102, Uint8Array.of(1)), ApduError)).sw, 0x6982);
    assert.equal((await assertRejects(s.sign(0x9c, 'P-256', new Uint8Array(32)), ApduError)).sw, 0x6982);
  });
});

describe('PIV session: data objects', () => {
  it('absent objects read as undefined; writes need the management key; empty content deletes', async () => {
    const { s, card } = await open();
    assert.isUndefined(await s.getData(0x5fc10d));
    assert.equal((await assertRejects(s.putData(0x5fc10d, Uint8Array.of(1, 2, 3)), ApduError)).sw, 0x6982);
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    await s.putData(0x5fc10d, Uint8Array.of(1, 2, 3));
    assertBytes((await s.getData(0x5fc10d))!, Uint8Array.of(1, 2, 3));
    await s.putData(0x5fc10d, new Uint8Array(0));
    assert.isUndefined(await s.getData(0x5fc10d));
    assert.isUndefined(card.object(0x5fc10d));
  });

  it('PIN-protected objects (printed information 5FC109) need the PIN to read; unknown tags are 6A 80', async () => {
    const { s } = await open();
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    await s.putData(0x5fc109, Uint8Array.of(0x01, 0x01, 0x41));
    assert.equal((await assertRejects(s.getData(0x5fc109), ApduError)).sw, 0x6982);
    await s.verifyPin('123456');
    assertBytes((await s.getData(0x5fc109))!, Uint8Array.of(0x01, 0x01, 0x41));
    assert.equal((await assertRejects(s.getData(0x5fc140), ApduError)).sw, 0x6a80);
    assert.equal((await assertRejects(s.putData(0x7e, Uint8Array.of(1)), ApduError)).sw, 0x6a80, 'discovery is read only');
  });

  it('a 3000-byte object goes out as a command chain and comes back through GET RESPONSE (61 xx)', async () => {
    const { s, card } = await open({ extendedLength: false });
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    const big = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13 + 5) & 0xff);
    const before = card.received.length;
    await s.putData(0x5fc110, big);
    const puts = card.received.slice(before);
    assert.equal(puts.length, 12, '3012 bytes of data in 255-byte pieces');
    assert.isTrue(puts.slice(0, -1).every((a) => a.cla === 0x10) && puts[puts.length - 1].cla === 0x00, 'CLA 10 on all but the last');
    const mark = card.received.length;
    assertBytes((await s.getData(0x5fc110))!, big);
    const reads = card.received.slice(mark);
    assert.equal(reads[0].ins, 0xcb);
    // 53 82 0B B8 + 3000 bytes = 3004: 256 with GET DATA, then ceil(2748 / 256) = 11 GET RESPONSE
    assert.equal(reads.length, 12);
    assert.isTrue(reads.slice(1).every((a) => a.ins === 0xc0), 'GET DATA, then GET RESPONSE only');
  });

  it('the card refuses content over its size (6A 84); the client refuses over 3052 before sending', async () => {
    const { s } = await open({ maxObjectSize: 100 });
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    assert.equal((await assertRejects(s.putData(0x5fc10e, new Uint8Array(101)), ApduError)).sw, 0x6a84);
    await assertRejects(s.putData(0x5fc10e, new Uint8Array(3053)), PivInputError);
  });

  it('certificate objects: written as 70/71/FE, read back; the standard tag of each slot', async () => {
    const { s, card } = await open();
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    const der = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05);
    await s.writeCertificate(0x9d, der);
    assertBytes(card.object(0x5fc10b)!, Uint8Array.of(0x70, 0x05, ...der, 0x71, 0x01, 0x00, 0xfe, 0x00));
    assertBytes((await s.readCertificate(0x9d))!, der);
    assert.isUndefined(await s.readCertificate(0x9a));
  });
});

describe('PIV session: Yubico extensions', () => {
  it('version, serial, PIN metadata with retries', async () => {
    const { s } = await open({ version: [5, 7, 1], serial: 11409355 });
    assert.deepEqual(await s.version(), { major: 5, minor: 7, patch: 1 });
    assert.equal(await s.serial(), 11409355);
    await assertRejects(s.verifyPin('999999'), PinError);
    const md = await s.metadata(0x80);
    assert.deepEqual(md!.retries, { total: 3, remaining: 2 });
    assert.isTrue(md!.isDefault);
    assert.isUndefined(await s.metadata(0x9a), 'empty slot');
  });

  it('ATTEST: a certificate for the generated key, signed by the F9 key whose certificate is 5FFF01', async () => {
    const { s } = await open({ version: [5, 4, 3], serial: 7654321 });
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    const point = await s.generateEcKey(0x9c, 'P-384', { pinPolicy: 'once', touchPolicy: 'never' });
    const att = parseCertificate(await s.attest(0x9c));
    const f9 = parseCertificate(parseCertificateObject((await s.getData(0x5fff01))!));
    assert.isTrue(await verifyCertificateSignature(c, att, f9.subjectKey), 'signed by the attestation key');
    assert.isTrue(await verifyCertificateSignature(c, f9, f9.subjectKey), 'F9 certificate self-signed (virtual card)');
    assertBytes(att.subjectKey.point, point);
    assertBytes(att.extensions.get(OID_YK_FIRMWARE)!.value, Uint8Array.of(5, 4, 3));
    assertBytes(att.extensions.get(OID_YK_POLICY)!.value, Uint8Array.of(2, 1), 'PIN once, touch never');
    assertBytes(att.extensions.get(OID_YK_SERIAL)!.value, Uint8Array.of(0x02, 0x03, 0x74, 0xcb, 0xb1), 'serial 7654321 as DER INTEGER');
    assert.equal((await assertRejects(s.attest(0x9a), ApduError)).sw, 0x6a82, 'no key in 9A');
  });

  it('a standard PIV card (no Yubico extensions): no version, serial, metadata or attestation; policy tags refused', async () => {
    const { s } = await open({ yubico: false });
    assert.isUndefined(await s.version());
    assert.isUndefined(await s.serial());
    assert.isUndefined(await s.metadata(0x9b));
    assert.isFalse(s.hasMetadata);
    await assertRejects(s.attest(0x9c), PivUnsupportedError);
    await s.authenticate(ManagementKey.fromHex(DEFAULT_KEY_HEX));
    assert.equal((await assertRejects(s.generateEcKey(0x9c, 'P-256', { pinPolicy: 'once' }), ApduError)).sw, 0x6a80);
    await s.generateEcKey(0x9c, 'P-256');
    assert.isUndefined(await s.getChallenge(32), 'no GET CHALLENGE either');
  });

  it('GET CHALLENGE where the card has it', async () => {
    const { s } = await open({ getChallenge: true });
    const a = (await s.getChallenge(32))!;
    const b = (await s.getChallenge(32))!;
    assert.lengthOf(a, 32);
    assert.notEqual(hex(a), hex(b));
  });
});

describe('virtual PIV card: a wrong client fails', () => {
  it('commands before SELECT are 6D 00; SELECT of another AID is 6A 82', async () => {
    const card = await VirtualPivCard.create({ crypto: c });
    const ch = new CardChannel(new MemoryTransport(card.handle));
    assert.equal(await sw(ch, { cla: 0, ins: 0x20, p1: 0, p2: 0x80 }), 0x6d00);
    assert.equal(await sw(ch, { cla: 0, ins: 0xa4, p1: 4, p2: 0, data: Uint8Array.of(0xa0, 0, 0, 5, 0x27, 0x21, 1), ne: 256 }), 0x6a82);
    assert.equal(await sw(ch, { cla: 0x80, ins: 0xa4, p1: 4, p2: 0, data: Uint8Array.of(0xa0, 0, 0, 3, 8), ne: 256 }), 0x6e00);
  });

  it('VERIFY needs exactly 8 FF-padded bytes and reference 80', async () => {
    const { channel, card } = await open();
    assert.equal(await sw(channel, { cla: 0, ins: 0x20, p1: 0, p2: 0x80, data: new TextEncoder().encode('123456') }), 0x6a80);
    assert.equal(await sw(channel, { cla: 0, ins: 0x20, p1: 0, p2: 0x80, data: Uint8Array.of(0x31, 0x32, 0x33, 0xff, 0x35, 0x36, 0xff, 0xff) }), 0x6a80);
    assert.equal(await sw(channel, { cla: 0, ins: 0x20, p1: 0, p2: 0x00, data: Uint8Array.of(0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0xff, 0xff) }), 0x6a88);
    assert.equal(card.pinTriesLeft, 3, 'malformed VERIFY costs no try');
  });

  it('a mutual step without a witness request, or a replayed one, is refused', async () => {
    const { channel } = await open();
    const step2 = { cla: 0, ins: 0x87, p1: 3, p2: 0x9b, data: Uint8Array.of(0x7c, 0x14, 0x80, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x81, 8, 1, 2, 3, 4, 5, 6, 7, 8), ne: 256 };
    assert.equal(await sw(channel, step2), 0x6a80);
    assert.equal(await sw(channel, { ...step2, p1: 0x08 }), 0x6a86, 'the card\'s key is 3DES');
  });

  it('a response longer than Le is cut at Le and the rest offered with 61 xx', async () => {
    const card = await VirtualPivCard.create({ crypto: c });
    const t = new MemoryTransport(card.handle);
    await t.transmit(encodeCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: Uint8Array.of(0xa0, 0, 0, 3, 8), ne: 256 }));
    const r = await t.transmit(encodeCommand({ cla: 0, ins: 0xcb, p1: 0x3f, p2: 0xff, data: Uint8Array.of(0x5c, 3, 0x5f, 0xff, 0x01), ne: 16 }));
    assert.lengthOf(r, 18);
    assert.equal(r[16], 0x61);
    const rest = await t.transmit(encodeCommand({ cla: 0, ins: 0xc0, p1: 0, p2: 0, ne: r[17] === 0 ? 256 : r[17] }));
    assert.isAtLeast(rest.length, 3);
  });

  it('a broken command chain is 68 83', async () => {
    const { channel } = await open();
    assert.equal(await sw(channel, { cla: 0x10, ins: 0xdb, p1: 0x3f, p2: 0xff, data: Uint8Array.of(0x5c, 3, 0x5f, 0xc1, 0x0d) }), 0x9000);
    assert.equal(await sw(channel, { cla: 0, ins: 0xcb, p1: 0x3f, p2: 0xff, data: Uint8Array.of(0x5c, 3, 0x5f, 0xc1, 0x0d), ne: 256 }), 0x6883);
  });
});

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
