import { CURVES, type CurveName } from './curves.ts';
import { CryptoFormatError } from './errors.ts';
import { buf, type WebCrypto } from './webcrypto.ts';

/** Uncompressed SEC1 point: 04 ‖ X ‖ Y, coordinates at full field size. */
export const UNCOMPRESSED_POINT_PREFIX = 0x04;

export type EcAlgorithm = 'ECDSA' | 'ECDH';

function usagesFor(alg: EcAlgorithm, kind: 'public' | 'private'): KeyUsage[] {
  if (alg === 'ECDSA') return kind === 'public' ? ['verify'] : ['sign'];
  return kind === 'public' ? [] : ['deriveBits'];
}

/** Check the form of an uncompressed point for `curve` (on-curve is checked by the import). */
export function checkUncompressedPoint(curve: CurveName, point: Uint8Array): void {
  const info = CURVES[curve];
  if (point.length !== info.pointLength || point[0] !== UNCOMPRESSED_POINT_PREFIX) {
    throw new CryptoFormatError(`not an uncompressed ${curve} point (${info.pointLength} bytes starting 04)`);
  }
}

/** Import an uncompressed public point; a point not on the curve is a CryptoFormatError. */
export async function importPublicPoint(c: WebCrypto, curve: CurveName, point: Uint8Array, alg: EcAlgorithm): Promise<CryptoKey> {
  checkUncompressedPoint(curve, point);
  try {
    return await c.subtle.importKey('raw', buf(point), { name: alg, namedCurve: curve }, true, usagesFor(alg, 'public'));
  } catch {
    throw new CryptoFormatError(`the ${curve} point is not on the curve`);
  }
}

/**
 * Import a DER SubjectPublicKeyInfo of the given curve. Only the RFC 5480 form is accepted:
 * id-ecPublicKey with the namedCurve OID and an uncompressed point, in DER. The check is
 * that WebCrypto's own canonical export of the imported key gives back the same bytes, so
 * explicit curve parameters, compressed points and BER encodings are refused.
 */
export async function importSpki(c: WebCrypto, curve: CurveName, spki: Uint8Array, alg: EcAlgorithm): Promise<CryptoKey> {
  let key: CryptoKey;
  try {
    key = await c.subtle.importKey('spki', buf(spki), { name: alg, namedCurve: curve }, true, usagesFor(alg, 'public'));
  } catch {
    throw new CryptoFormatError(`not a valid ${curve} public key`);
  }
  const canonical = new Uint8Array(await c.subtle.exportKey('spki', key));
  if (canonical.length !== spki.length || canonical.some((b, i) => b !== spki[i])) {
    throw new CryptoFormatError(`${curve} public key is not in the RFC 5480 named-curve, uncompressed, DER form`);
  }
  return key;
}

/** The uncompressed point of a public key (or of a key pair's public half). */
export async function exportPublicPoint(c: WebCrypto, key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await c.subtle.exportKey('raw', key));
}

/** DER SubjectPublicKeyInfo (RFC 5480: id-ecPublicKey, namedCurve, uncompressed point). */
export async function exportSpki(c: WebCrypto, key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await c.subtle.exportKey('spki', key));
}

/** Generate a key pair. Private keys are non-extractable unless asked. */
export async function generateEcKeyPair(
  c: WebCrypto,
  curve: CurveName,
  alg: EcAlgorithm,
  extractable = false,
): Promise<CryptoKeyPair> {
  const usages: KeyUsage[] = alg === 'ECDSA' ? ['sign', 'verify'] : ['deriveBits'];
  return (await c.subtle.generateKey({ name: alg, namedCurve: curve }, extractable, usages)) as CryptoKeyPair;
}

/** Import a PKCS#8 private key. */
export async function importPkcs8(
  c: WebCrypto,
  curve: CurveName,
  pkcs8: Uint8Array,
  alg: EcAlgorithm,
  extractable = false,
): Promise<CryptoKey> {
  try {
    return await c.subtle.importKey('pkcs8', buf(pkcs8), { name: alg, namedCurve: curve }, extractable, usagesFor(alg, 'private'));
  } catch {
    throw new CryptoFormatError(`not a valid ${curve} private key`);
  }
}

/** Export a private key as PKCS#8 (it must have been made extractable). */
export async function exportPkcs8(c: WebCrypto, key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await c.subtle.exportKey('pkcs8', key));
}

function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Import a private scalar d (big-endian, any length up to the curve size) with its public
 * point, through JWK. Used where a key arrives as SEC1 (IBM key files) or as test vectors.
 */
export async function importPrivateScalar(
  c: WebCrypto,
  curve: CurveName,
  d: Uint8Array,
  publicPoint: Uint8Array,
  alg: EcAlgorithm,
  extractable = false,
): Promise<CryptoKey> {
  const size = CURVES[curve].size;
  checkUncompressedPoint(curve, publicPoint);
  let i = 0;
  while (i < d.length - size && d[i] === 0) i++;
  const dd = d.subarray(i);
  if (dd.length > size) throw new CryptoFormatError(`private scalar too large for ${curve}`);
  const dPadded = new Uint8Array(size);
  dPadded.set(dd, size - dd.length);
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: curve,
    d: b64url(dPadded),
    x: b64url(publicPoint.subarray(1, 1 + size)),
    y: b64url(publicPoint.subarray(1 + size)),
    ext: extractable,
  };
  dPadded.fill(0);
  try {
    return await c.subtle.importKey('jwk', jwk, { name: alg, namedCurve: curve }, extractable, usagesFor(alg, 'private'));
  } catch {
    throw new CryptoFormatError(`not a valid ${curve} private key`);
  } finally {
    jwk.d = '';
  }
}
