import { constantTimeEqual } from '../../bytes/index.ts';
import {
  CURVES, aesKwUnwrap, aesKwWrap, ecdhSharedSecret, exportPublicPoint, generateEcKeyPair, importPublicPoint,
  randomBytes, subjectKeyIdentifier, wipe, x963Kdf, type CurveName, type WebCrypto,
} from '../../crypto/index.ts';
import { decodeEcSpki } from './spki.ts';
import { decodeKeyAgreeRecipientInfo, encodeKeyAgreeRecipientInfo } from './key-agree-recipient-info.ts';
import { encodeEccCmsSharedInfo } from './shared-info.ts';
import { EnvelopeError } from './errors.ts';

/**
 * Building and opening a key-part envelope (DESIGN §3.7).
 *
 *   1. Z   = x-coordinate of ECDH(ephemeral, importer), at full field size
 *   2. KEK = X9.63-KDF-SHA256(Z, ECC-CMS-SharedInfo{aes256-wrap, ukm, 00000100}, 32 bytes)
 *   3. encryptedKey = AES-256 key wrap (RFC 3394) of the 32-byte part under KEK
 */
export const PART_LENGTH = 32;
export const UKM_LENGTH = 40;
export const WRAPPED_PART_LENGTH = 40;
export const KEK_LENGTH = 32;

async function deriveKek(c: WebCrypto, z: Uint8Array, ukm: Uint8Array): Promise<Uint8Array> {
  try {
    return await x963Kdf(c, 'SHA-256', z, encodeEccCmsSharedInfo(ukm), KEK_LENGTH);
  } finally {
    wipe(z);
  }
}

/**
 * Wrap a 32-byte key part to a unit's importer key (given as its SPKI DER). Returns the
 * KeyAgreeRecipientInfo DER. The caller still owns `part` and wipes it.
 */
export async function wrapPartForImporter(c: WebCrypto, importerSpki: Uint8Array, part: Uint8Array): Promise<Uint8Array> {
  if (part.length !== PART_LENGTH) throw new RangeError('a key part is 32 bytes');
  const { curve, point } = decodeEcSpki(importerSpki);
  const importer = await importPublicPoint(c, curve, point, 'ECDH');
  const eph = await generateEcKeyPair(c, curve, 'ECDH');
  const ukm = randomBytes(c, UKM_LENGTH);
  const kek = await deriveKek(c, await ecdhSharedSecret(c, curve, eph.privateKey, importer), ukm);
  try {
    const encryptedKey = await aesKwWrap(c, kek, part);
    return encodeKeyAgreeRecipientInfo({
      originatorPoint: await exportPublicPoint(c, eph.publicKey),
      ukm,
      recipientSki: await subjectKeyIdentifier(c, point),
      encryptedKey,
    });
  } finally {
    wipe(kek);
  }
}

/**
 * The recipient key of an envelope: a unit's importer key (a WebCrypto private key), or a
 * smart card's own ECDH key, where the card computes Z and the private key never leaves it.
 */
export type ImporterKey = {
  curve: CurveName;
  /** SHA-256 of the recipient's uncompressed point */
  ski: Uint8Array;
} & (
  | { privateKey: CryptoKey }
  /** Z = x-coordinate of d × P for the ephemeral point P (uncompressed), at full field size */
  | { deriveSharedSecret(ephemeralPoint: Uint8Array): Promise<Uint8Array> }
);

/**
 * Open an envelope with the unit's importer key. Every failure — DER, structure, wrong
 * recipient, point not on the curve, ukm size, unwrap — is EnvelopeError (rc 32). Returns
 * the 32-byte part; the caller wipes it.
 */
export async function openPartEnvelope(c: WebCrypto, importer: ImporterKey, envelopeDer: Uint8Array): Promise<Uint8Array> {
  const k = decodeKeyAgreeRecipientInfo(envelopeDer);
  if (!constantTimeEqual(k.recipientSki, importer.ski)) throw new EnvelopeError('envelope is for another importer key');
  if (k.originatorParams.kind === 'curve' && k.originatorParams.oid !== CURVES[importer.curve].curveOid) {
    throw new EnvelopeError('originator key names another curve than the importer key');
  }
  if (k.ukm.length !== UKM_LENGTH) throw new EnvelopeError('ukm must be 40 bytes');
  if (k.encryptedKey.length !== WRAPPED_PART_LENGTH) throw new EnvelopeError('encryptedKey must be 40 bytes');
  let eph: CryptoKey;
  try {
    eph = await importPublicPoint(c, importer.curve, k.originatorPoint, 'ECDH');
  } catch {
    throw new EnvelopeError('originator key is not a point on the importer key\'s curve');
  }
  const z = 'privateKey' in importer
    ? await ecdhSharedSecret(c, importer.curve, importer.privateKey, eph)
    : await importer.deriveSharedSecret(k.originatorPoint);
  const kek = await deriveKek(c, z, k.ukm);
  try {
    return await aesKwUnwrap(c, kek, k.encryptedKey);
  } catch {
    throw new EnvelopeError('the part does not unwrap');
  } finally {
    wipe(kek);
  }
}
