/**
 * The part envelope against an independent implementation: node:crypto ECDH, a hand-written
 * X9.63 KDF over node:crypto SHA-256, a hand-assembled ECC-CMS-SharedInfo, and node:crypto's
 * id-aes256-wrap. Both directions: webtke wraps → node opens, node wraps → webtke opens.
 */
import { createCipheriv, createDecipheriv, createECDH, createHash } from 'node:crypto';
import { describe, it, assert, hexOf, bytesOf, assertRejects } from '../../harness.ts';
import {
  wrapPartForImporter, openPartEnvelope, decodeKeyAgreeRecipientInfo, encodeKeyAgreeRecipientInfo, EnvelopeError,
} from '../../../src/cryptounit/protocol/index.ts';
import { generateEcKeyPair, exportSpki, exportPublicPoint, exportPkcs8, importPkcs8 } from '../../../src/crypto/index.ts';

const c = globalThis.crypto;
const AES_KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const NODE_CURVE = { 'P-256': 'prime256v1', 'P-521': 'secp521r1' } as const;
const SIZE = { 'P-256': 32, 'P-521': 66 } as const;

function sharedInfoByHand(ukm: Uint8Array): Buffer {
  // 30 41 | 30 0b 06 09 60 86 48 01 65 03 04 01 2d | a0 2a 04 28 <ukm> | a2 06 04 04 00 00 01 00
  return Buffer.concat([Buffer.from('3041300b060960864801650304012da02a0428', 'hex'), ukm, Buffer.from('a20604040000 0100'.replace(' ', ''), 'hex')]);
}
function x963ByHand(z: Buffer, sharedInfo: Buffer): Buffer {
  return createHash('sha256').update(Buffer.concat([z, Buffer.from('00000001', 'hex'), sharedInfo])).digest();
}

/** The private scalar of a WebCrypto key, via PKCS#8 → JWK export (test only). */
async function scalarOf(key: CryptoKey): Promise<Buffer> {
  const ext = await importPkcs8(c, (key.algorithm as EcKeyAlgorithm).namedCurve as 'P-256', await exportPkcs8(c, key), 'ECDH', true);
  const jwk = await c.subtle.exportKey('jwk', ext);
  return Buffer.from(jwk.d!, 'base64url');
}

describe('part envelope vs node:crypto', () => {
  for (const curve of ['P-256', 'P-521'] as const) {
    it(`${curve}: webtke wraps, an independent implementation unwraps the same 32 bytes`, async () => {
      const importer = await generateEcKeyPair(c, curve, 'ECDH', true);
      const spki = await exportSpki(c, importer.publicKey);
      const importerPoint = await exportPublicPoint(c, importer.publicKey);
      const part = c.getRandomValues(new Uint8Array(32));
      const env = await wrapPartForImporter(c, spki, part);
      const k = decodeKeyAgreeRecipientInfo(env);
      assert.equal(k.ukm.length, 40);
      assert.equal(hexOf(k.recipientSki), createHash('sha256').update(importerPoint).digest('hex'));

      const ecdh = createECDH(NODE_CURVE[curve]);
      ecdh.setPrivateKey(await scalarOf(importer.privateKey));
      const z = ecdh.computeSecret(Buffer.from(k.originatorPoint));
      assert.equal(z.length, SIZE[curve]);
      const kek = x963ByHand(z, sharedInfoByHand(k.ukm));
      const d = createDecipheriv('id-aes256-wrap', kek, AES_KW_IV);
      const out = Buffer.concat([d.update(k.encryptedKey), d.final()]);
      assert.equal(out.toString('hex'), hexOf(part));
    });

    it(`${curve}: an independently built envelope opens in webtke; tampering gives EnvelopeError`, async () => {
      const importer = await generateEcKeyPair(c, curve, 'ECDH', true);
      const importerPoint = await exportPublicPoint(c, importer.publicKey);
      const ski = new Uint8Array(createHash('sha256').update(importerPoint).digest());
      const eph = createECDH(NODE_CURVE[curve]);
      eph.generateKeys();
      const z = eph.computeSecret(Buffer.from(importerPoint));
      const ukm = c.getRandomValues(new Uint8Array(40));
      const kek = x963ByHand(z, sharedInfoByHand(ukm));
      const part = c.getRandomValues(new Uint8Array(32));
      const w = createCipheriv('id-aes256-wrap', kek, AES_KW_IV);
      const encryptedKey = new Uint8Array(Buffer.concat([w.update(part), w.final()]));
      const fields = { originatorPoint: new Uint8Array(eph.getPublicKey()), ukm, recipientSki: ski, encryptedKey };
      const env = encodeKeyAgreeRecipientInfo(fields);
      const importerKey = { curve, privateKey: importer.privateKey, ski };
      assert.equal(hexOf(await openPartEnvelope(c, importerKey, env)), hexOf(part));
      // the same envelope opened with Z computed outside WebCrypto (as a smart card does)
      const cardSide = createECDH(NODE_CURVE[curve]);
      cardSide.setPrivateKey(await scalarOf(importer.privateKey));
      const viaCallback = await openPartEnvelope(c, {
        curve, ski, deriveSharedSecret: async (p: Uint8Array) => new Uint8Array(cardSide.computeSecret(Buffer.from(p))),
      }, env);
      assert.equal(hexOf(viaCallback), hexOf(part));

      const bad = (f: Partial<typeof fields>) => encodeKeyAgreeRecipientInfo({ ...fields, ...f });
      const flipped = encryptedKey.slice(); flipped[5] ^= 1;
      const otherSki = ski.slice(); otherSki[0] ^= 1;
      const offCurve = fields.originatorPoint.slice(); offCurve[offCurve.length - 1] ^= 1;
      for (const [what, e] of [
        ['tampered wrap', bad({ encryptedKey: flipped })],
        ['another importer', bad({ recipientSki: otherSki })],
        ['point off the curve', bad({ originatorPoint: offCurve })],
        ['short ukm', bad({ ukm: ukm.subarray(0, 32) })],
        ['short encryptedKey', bad({ encryptedKey: encryptedKey.subarray(0, 32) })],
        ['not DER', bytesOf(hexOf(env) + '00')],
      ] as [string, Uint8Array][]) {
        await assertRejects(openPartEnvelope(c, importerKey, e), EnvelopeError, what);
      }
    });
  }
});
