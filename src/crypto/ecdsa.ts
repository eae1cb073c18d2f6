import { CURVES, type CurveName } from './curves.ts';
import { derToRawSignature, rawToDerSignature } from './ecdsa-der.ts';
import { CryptoFormatError } from './errors.ts';
import { buf, type WebCrypto } from './webcrypto.ts';

/**
 * ECDSA with the curve's own hash (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512) over the
 * message itself: one hash, not a hash of a hash (DESIGN §3.1). Signatures travel as DER.
 */

/** Sign `data`; returns a DER Ecdsa-Sig-Value. */
export async function ecdsaSign(c: WebCrypto, curve: CurveName, privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  const raw = new Uint8Array(await c.subtle.sign({ name: 'ECDSA', hash: CURVES[curve].hash }, privateKey, buf(data)));
  return rawToDerSignature(raw);
}

/**
 * Verify a DER signature over `data`. Returns false for a signature that does not verify or
 * is not strict DER (both are "not a valid signature" to a verifier).
 */
export async function ecdsaVerify(
  c: WebCrypto,
  curve: CurveName,
  publicKey: CryptoKey,
  data: Uint8Array,
  derSignature: Uint8Array,
): Promise<boolean> {
  let raw: Uint8Array;
  try {
    raw = derToRawSignature(derSignature, CURVES[curve].size);
  } catch (e) {
    if (e instanceof CryptoFormatError) return false;
    throw e;
  }
  return c.subtle.verify({ name: 'ECDSA', hash: CURVES[curve].hash }, publicKey, buf(raw), buf(data));
}
