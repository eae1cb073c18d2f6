import { concat } from '../../bytes/index.ts';
import {
  CURVES, exportPkcs8, exportPublicPoint, generateEcKeyPair, importPkcs8, importPublicPoint, type CurveName, type EcAlgorithm,
  type WebCrypto,
} from '../../crypto/index.ts';
import { SimulatedStateError } from './errors.ts';

/**
 * The unit's and host's own private keys. They are created extractable so that a host can
 * persist a unit (exportState); the PKCS#8 bytes are kept beside the CryptoKey so that an
 * export is byte-for-byte the same every time.
 */
export interface OwnKey {
  curve: CurveName;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** uncompressed point */
  publicPoint: Uint8Array;
  pkcs8: Uint8Array;
}

export async function generateOwnKey(c: WebCrypto, curve: CurveName, alg: EcAlgorithm): Promise<OwnKey> {
  const kp = await generateEcKeyPair(c, curve, alg, true);
  return {
    curve,
    privateKey: kp.privateKey,
    publicKey: kp.publicKey,
    publicPoint: await exportPublicPoint(c, kp.publicKey),
    pkcs8: await exportPkcs8(c, kp.privateKey),
  };
}

function fromBase64url(s: string, field: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new SimulatedStateError('key has a bad JWK coordinate', field);
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (ch) => ch.charCodeAt(0));
}

/**
 * Import a saved PKCS#8 private key and recover its public point (through its JWK export,
 * which carries x and y), so the caller can check it against the certificate or SPKI it
 * belongs to.
 */
export async function importOwnKey(c: WebCrypto, curve: CurveName, alg: EcAlgorithm, pkcs8: Uint8Array, field: string): Promise<OwnKey> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPkcs8(c, curve, pkcs8, alg, true);
  } catch (e) {
    throw new SimulatedStateError(`not a ${curve} private key (${(e as Error).message})`, field);
  }
  const jwk = await c.subtle.exportKey('jwk', privateKey);
  const size = CURVES[curve].size;
  const x = fromBase64url(jwk.x ?? '', field);
  const y = fromBase64url(jwk.y ?? '', field);
  if (x.length !== size || y.length !== size) throw new SimulatedStateError('key has no public point', field);
  jwk.d = '';
  const publicPoint = concat(Uint8Array.of(0x04), x, y);
  let publicKey: CryptoKey;
  try {
    publicKey = await importPublicPoint(c, curve, publicPoint, alg);
  } catch {
    throw new SimulatedStateError('key has a public point off the curve', field);
  }
  return { curve, privateKey, publicKey, publicPoint, pkcs8: pkcs8.slice() };
}

