import { describe, it, assert, bytesOf, hexOf, assertThrows, assertRejects } from '../harness.ts';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  ecdsaSign, ecdsaVerify, generateEcKeyPair, exportPublicPoint, importPublicPoint, derToRawSignature,
  rawToDerSignature, CryptoFormatError, CURVE_NAMES, CURVES, verificationPattern, vpEqual, subjectKeyIdentifier,
  ecdhSharedSecret, exportSpki, importSpki,
} from '../../src/crypto/index.ts';

const c = globalThis.crypto;
const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

describe('ECDSA sign (checked by @noble/curves)', () => {
  for (const curve of CURVE_NAMES) {
    it(`${curve}: WebCrypto signature verifies under noble, DER round-trips`, async () => {
      const kp = await generateEcKeyPair(c, curve, 'ECDSA');
      const point = await exportPublicPoint(c, kp.publicKey);
      assert.equal(point.length, CURVES[curve].pointLength);
      const msg = new TextEncoder().encode(`admin block for ${curve}`);
      const der = await ecdsaSign(c, curve, kp.privateKey, msg);
      // independent check: noble hashes with the curve's hash and parses DER itself
      assert.isTrue(NOBLE[curve].verify(der, msg, point, { format: 'der', lowS: false }));
      assert.isFalse(NOBLE[curve].verify(der, new TextEncoder().encode('other'), point, { format: 'der', lowS: false }));
      assert.isTrue(await ecdsaVerify(c, curve, kp.publicKey, msg, der));
      const raw = derToRawSignature(der, CURVES[curve].size);
      assert.equal(hexOf(rawToDerSignature(raw)), hexOf(der));
      // a signature made by noble verifies under our wrapper
      const sk = NOBLE[curve].utils.randomSecretKey();
      const pk = NOBLE[curve].getPublicKey(sk, false);
      const nsig = NOBLE[curve].sign(msg, sk, { format: 'der', lowS: false });
      const imported = await importPublicPoint(c, curve, pk, 'ECDSA');
      assert.isTrue(await ecdsaVerify(c, curve, imported, msg, nsig));
    });
  }
});

describe('DER ⇄ raw signature conversion', () => {
  it('encodes minimal INTEGERs and long-form lengths', () => {
    const raw = new Uint8Array(64);
    raw[31] = 1; // r = 1
    raw[32] = 0x80; // s = 0x80 00..00 needs a leading zero
    const der = rawToDerSignature(raw);
    assert.equal(hexOf(der), '3026' + '020101' + '022100' + '80' + '00'.repeat(31));
    const big = new Uint8Array(132).fill(0xff); // P-521 size: each INTEGER needs a leading 00
    const d2 = rawToDerSignature(big);
    // 2 × (02 43 00 ff×66) = 2 × 69 = 138 = 0x8a bytes: long-form length 81 8a
    assert.equal(hexOf(d2), '30818a' + ('024300' + 'ff'.repeat(66)).repeat(2));
    assert.equal(hexOf(derToRawSignature(d2, 66)), 'ff'.repeat(132));
  });
  it('rejects BER and malformed forms', () => {
    const good = bytesOf('3006020101020102');
    assert.equal(hexOf(derToRawSignature(good, 32)), '00'.repeat(31) + '01' + '00'.repeat(31) + '02');
    const cases = [
      '308106020101020102', // long-form length where short fits
      '3007020200010201 02', // non-minimal INTEGER (00 01)
      '30060201ff020102', // negative
      '3006020100020102', // zero r
      '300702010102010200', // trailing byte inside SEQUENCE
      '300602010102010200', // trailing byte after SEQUENCE
      '3080020101020102 0000', // indefinite length
      '31060201010201 02', // SET instead of SEQUENCE
      '3006030101020102', // BIT STRING instead of INTEGER
      '300602010102', // truncated
      '', // empty
    ];
    for (const h of cases) {
      const hex = h.replace(/\s/g, '');
      assertThrows(() => derToRawSignature(bytesOf(hex), 32), CryptoFormatError, h);
    }
    // an INTEGER longer than the curve size
    assertThrows(() => derToRawSignature(bytesOf('3026022101' + '00'.repeat(32) + '020101'), 32), CryptoFormatError);
  });
});

describe('verification patterns and SKIs (checked by @noble/hashes)', () => {
  it('VP = SHA-256(01 ‖ key) with the last 4 bytes zero', async () => {
    const key = bytesOf('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const expected = nobleSha256(Uint8Array.of(1, ...key));
    expected.fill(0, 28);
    const vp = await verificationPattern(c, key);
    assert.equal(hexOf(vp), hexOf(expected));
    assert.equal(hexOf(vp.subarray(28)), '00000000');
    assert.isTrue(vpEqual(vp, expected));
    const other = vp.slice(); other[27] ^= 1;
    assert.isFalse(vpEqual(vp, other));
    const tail = vp.slice(); tail[31] = 7; // only the first 28 bytes are compared
    assert.isTrue(vpEqual(vp, tail));
  });
  it('SKI = SHA-256 of the uncompressed point', async () => {
    for (const curve of CURVE_NAMES) {
      const kp = await generateEcKeyPair(c, curve, 'ECDH');
      const point = await exportPublicPoint(c, kp.publicKey);
      assert.equal(hexOf(await subjectKeyIdentifier(c, point)), hexOf(nobleSha256(point)));
    }
    await assertRejects(subjectKeyIdentifier(c, new Uint8Array(65)), CryptoFormatError);
    await assertRejects(subjectKeyIdentifier(c, Uint8Array.of(4, 1, 2)), CryptoFormatError);
  });
});

describe('EC keys', () => {
  it('refuses points off the curve and compressed points', async () => {
    const kp = await generateEcKeyPair(c, 'P-256', 'ECDH');
    const point = await exportPublicPoint(c, kp.publicKey);
    const off = point.slice(); off[64] ^= 1;
    let threw = false;
    try { await importPublicPoint(c, 'P-256', off, 'ECDH'); } catch (e) { threw = e instanceof CryptoFormatError; }
    assert.isTrue(threw, 'off-curve point refused');
    threw = false;
    try { await importPublicPoint(c, 'P-256', point.subarray(0, 33), 'ECDH'); } catch (e) { threw = e instanceof CryptoFormatError; }
    assert.isTrue(threw, 'compressed point refused');
  });
  it('ECDH Z is the x-coordinate at full size (checked by noble)', async () => {
    for (const curve of CURVE_NAMES) {
      const a = await generateEcKeyPair(c, curve, 'ECDH');
      const skB = NOBLE[curve].utils.randomSecretKey();
      const pkB = NOBLE[curve].getPublicKey(skB, false);
      const z = await ecdhSharedSecret(c, curve, a.privateKey, await importPublicPoint(c, curve, pkB, 'ECDH'));
      const pkA = await exportPublicPoint(c, a.publicKey);
      const expected = NOBLE[curve].getSharedSecret(skB, pkA, false).subarray(1, 1 + CURVES[curve].size);
      assert.equal(z.length, CURVES[curve].size);
      assert.equal(hexOf(z), hexOf(expected));
      const spki = await exportSpki(c, a.publicKey);
      const again = await exportPublicPoint(c, await importSpki(c, curve, spki, 'ECDH'));
      assert.equal(hexOf(again), hexOf(pkA));
    }
  });
});
