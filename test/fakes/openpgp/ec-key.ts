/**
 * The virtual card's key material, with @noble/curves (an implementation independent of the
 * WebCrypto the client code uses, so a signature the card makes and the client verifies is
 * checked across two implementations).
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { CurveName } from '../../../src/crypto/index.ts';

const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

export interface CardEcKey {
  readonly curve: CurveName;
  readonly secretKey: Uint8Array;
  /** uncompressed point */
  readonly publicPoint: Uint8Array;
}

export function generateCardKey(curve: CurveName, random: (n: number) => Uint8Array): CardEcKey {
  const c = NOBLE[curve];
  const secretKey = c.utils.randomSecretKey(random(c.lengths.seed!));
  return { curve, secretKey, publicPoint: c.getPublicKey(secretKey, false) };
}

/** ECDSA over a hash given as is (no hashing), random k, high S allowed as real cards do: raw r ‖ s. */
export function signHash(key: CardEcKey, hash: Uint8Array): Uint8Array {
  return NOBLE[key.curve].sign(hash, key.secretKey, { prehash: false, lowS: false });
}

/** The shared point d × P, uncompressed; undefined when P is not a valid point of the curve. */
export function sharedPoint(key: CardEcKey, point: Uint8Array): Uint8Array | undefined {
  const c = NOBLE[key.curve];
  if (point.length !== c.lengths.publicKeyUncompressed || point[0] !== 0x04 || !c.utils.isValidPublicKey(point, false)) return undefined;
  return c.getSharedSecret(key.secretKey, point, false);
}
