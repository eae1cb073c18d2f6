/**
 * The virtual PIV card's EC operations, done with @noble/curves so that they are independent
 * of the client's WebCrypto code: key generation, ECDSA over a digest (as GENERAL
 * AUTHENTICATE signs, no hashing on the card), ECDH returning the x-coordinate.
 */
import { p256, p384 } from '@noble/curves/nist.js';
import type { WebCrypto } from '../../../src/crypto/index.ts';

export type VirtualCurve = 'P-256' | 'P-384';

const CURVE = { 'P-256': p256, 'P-384': p384 } as const;

export const fieldSize = (curve: VirtualCurve): number => (curve === 'P-256' ? 32 : 48);

export interface VirtualEcKey {
  curve: VirtualCurve;
  /** private scalar */
  d: Uint8Array;
  /** uncompressed public point */
  point: Uint8Array;
}

function random(c: WebCrypto, n: number): Uint8Array {
  const out = new Uint8Array(n);
  c.getRandomValues(out);
  return out;
}

export function generateKey(c: WebCrypto, curve: VirtualCurve): VirtualEcKey {
  const lib = CURVE[curve];
  const seed = random(c, lib.lengths.seed ?? 72);
  const d = lib.utils.randomSecretKey(seed);
  seed.fill(0);
  return { curve, d, point: lib.getPublicKey(d, false) };
}

/** ECDSA over a digest of the field size (no hash on the card); DER, high S allowed like real cards. */
export function signDigest(c: WebCrypto, key: VirtualEcKey, digest: Uint8Array): Uint8Array {
  return CURVE[key.curve].sign(digest, key.d, { prehash: false, lowS: false, format: 'der', extraEntropy: random(c, 32) });
}

/** ECDSA over a message with the curve's hash (for certificates the card issues). */
export function signMessage(c: WebCrypto, key: VirtualEcKey, message: Uint8Array): Uint8Array {
  return CURVE[key.curve].sign(message, key.d, { prehash: true, lowS: false, format: 'der', extraEntropy: random(c, 32) });
}

/** The x-coordinate of d × P, or undefined when P is not an uncompressed point on the curve. */
export function ecdhX(key: VirtualEcKey, peer: Uint8Array): Uint8Array | undefined {
  const size = fieldSize(key.curve);
  if (peer.length !== 1 + 2 * size || peer[0] !== 0x04) return undefined;
  try {
    CURVE[key.curve].Point.fromBytes(peer).assertValidity();
    const shared = CURVE[key.curve].getSharedSecret(key.d, peer, true);
    return shared.slice(1);
  } catch {
    return undefined;
  }
}
