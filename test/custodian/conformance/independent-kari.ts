import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { aesKeyUnwrap } from './independent-aes.ts';
import { OID_TLV, children, readOnly, sameBytes, spkiOf, tlv } from './independent-der.ts';

/**
 * An independent recipient for part envelopes (DESIGN §3.7): @noble/curves ECDH, an X9.63
 * KDF written here over @noble/hashes SHA-256, ECC-CMS-SharedInfo assembled by hand, and the
 * hand-written AES key unwrap. Nothing here uses WebCrypto or the protocol codec.
 */
export type TestCurve = 'P-256' | 'P-384' | 'P-521';
export const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

export interface TestImporter {
  curve: TestCurve;
  secretKey: Uint8Array;
  /** uncompressed point */
  point: Uint8Array;
  spki: Uint8Array;
  /** SHA-256 of the point */
  ski: Uint8Array;
}

export function newTestImporter(curve: TestCurve): TestImporter {
  const secretKey = NOBLE[curve].utils.randomSecretKey();
  const point = NOBLE[curve].getPublicKey(secretKey, false);
  return { curve, secretKey, point, spki: spkiOf(curve, point), ski: sha256(point) };
}

/** X9.63 KDF (SEC1 §3.6.1) with SHA-256: Hash(Z ‖ counter ‖ SharedInfo), counters from 1. */
export function x963Sha256(z: Uint8Array, sharedInfo: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 1, off = 0; off < length; counter++, off += 32) {
    const block = sha256(new Uint8Array([...z, 0, 0, (counter >> 8) & 0xff, counter & 0xff, ...sharedInfo]));
    out.set(block.subarray(0, Math.min(32, length - off)), off);
  }
  return out;
}

/** ECC-CMS-SharedInfo { aes256-wrap (no parameters), [0] ukm, [2] 00000100 }. */
export const sharedInfoOf = (ukm: Uint8Array): Uint8Array =>
  tlv(0x30, tlv(0x30, OID_TLV.aes256Wrap), tlv(0xa0, tlv(0x04, ukm)), tlv(0xa2, tlv(0x04, Uint8Array.of(0, 0, 1, 0))));

export interface OpenedEnvelope {
  ephemeralPoint: Uint8Array;
  ukm: Uint8Array;
  recipientSki: Uint8Array;
  encryptedKey: Uint8Array;
  /** the unwrapped part, or undefined when the unwrap's integrity check fails */
  part: Uint8Array | undefined;
}

/** Take a KeyAgreeRecipientInfo apart by hand, checking every fixed element, and unwrap it. */
export function openEnvelopeIndependently(importer: TestImporter, der: Uint8Array): OpenedEnvelope {
  const top = readOnly(der);
  if (top.tag !== 0x30) throw new Error('envelope: not a SEQUENCE');
  const items = children(top.content);
  if (items.length !== 5) throw new Error(`envelope: ${items.length} elements`);
  if (!sameBytes(items[0].raw, Uint8Array.of(0x02, 0x01, 0x03))) throw new Error('envelope: version is not 3');
  // originator [0] { originatorKey [1] { AlgorithmIdentifier { id-ecPublicKey }, BIT STRING } }
  if (items[1].tag !== 0xa0) throw new Error('envelope: originator tag');
  const [ok] = children(items[1].content);
  if (ok.tag !== 0xa1) throw new Error('envelope: originatorKey tag');
  const [alg, pub] = children(ok.content);
  if (!sameBytes(alg.raw, tlv(0x30, OID_TLV.ecPublicKey))) throw new Error('envelope: originator algorithm must be id-ecPublicKey without parameters');
  if (pub.tag !== 0x03 || pub.content[0] !== 0) throw new Error('envelope: originator BIT STRING');
  const ephemeralPoint = pub.content.slice(1);
  // ukm [1] { OCTET STRING }
  if (items[2].tag !== 0xa1) throw new Error('envelope: ukm tag');
  const [ukmTlv] = children(items[2].content);
  if (ukmTlv.tag !== 0x04) throw new Error('envelope: ukm OCTET STRING');
  const ukm = ukmTlv.content.slice();
  // keyEncryptionAlgorithm
  if (!sameBytes(items[3].raw, tlv(0x30, OID_TLV.dhSinglePassStdDhSha256Kdf, tlv(0x30, OID_TLV.aes256Wrap)))) {
    throw new Error('envelope: keyEncryptionAlgorithm must be dhSinglePass-stdDH-sha256kdf with aes256-wrap');
  }
  // recipientEncryptedKeys { { rid [0] { OCTET STRING ski }, encryptedKey } }
  const reks = children(items[4].content);
  if (items[4].tag !== 0x30 || reks.length !== 1) throw new Error('envelope: one RecipientEncryptedKey');
  const [rid, ek] = children(reks[0].content);
  if (rid.tag !== 0xa0) throw new Error('envelope: rid must be rKeyId [0]');
  const [skiTlv, ...more] = children(rid.content);
  if (skiTlv.tag !== 0x04 || more.length) throw new Error('envelope: rKeyId holds only the SKI');
  if (ek.tag !== 0x04) throw new Error('envelope: encryptedKey OCTET STRING');

  const shared = NOBLE[importer.curve].getSharedSecret(importer.secretKey, ephemeralPoint, true);
  const z = shared.slice(1); // x-coordinate at full field size
  const kek = x963Sha256(z, sharedInfoOf(ukm), 32);
  return {
    ephemeralPoint,
    ukm,
    recipientSki: skiTlv.content.slice(),
    encryptedKey: ek.content.slice(),
    part: aesKeyUnwrap(kek, ek.content.slice()),
  };
}

/** VP(part) = SHA-256(01 ‖ part) with the last 4 bytes zero, by @noble/hashes. */
export function independentVp(part: Uint8Array): Uint8Array {
  const h = sha256(new Uint8Array([1, ...part]));
  h.fill(0, 28);
  return h;
}
