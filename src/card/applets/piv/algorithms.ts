import { CURVES, type CurveName } from '../../../crypto/index.ts';
import { ALG_3DES, ALG_AES128, ALG_AES192, ALG_AES256, ALG_ECC_P256, ALG_ECC_P384 } from './constants.ts';
import { PivInputError } from './errors.ts';

/**
 * The algorithms this client drives, named, with their PIV identifiers (SP 800-78-4
 * Table 6-2). PIV has no P-521.
 */
export type PivEcCurve = Extract<CurveName, 'P-256' | 'P-384'>;
export const PIV_EC_CURVES: readonly PivEcCurve[] = ['P-256', 'P-384'];

export function isPivEcCurve(x: unknown): x is PivEcCurve {
  return x === 'P-256' || x === 'P-384';
}

/** PIV algorithm id of an EC curve. */
export function ecAlgorithmId(curve: PivEcCurve): number {
  if (curve === 'P-256') return ALG_ECC_P256;
  if (curve === 'P-384') return ALG_ECC_P384;
  throw new PivInputError(`PIV has no ${String(curve)} keys (P-256 and P-384 only)`);
}

/** The curve of a PIV EC algorithm id, or undefined for any other algorithm. */
export function curveOfAlgorithm(alg: number): PivEcCurve | undefined {
  if (alg === ALG_ECC_P256) return 'P-256';
  if (alg === ALG_ECC_P384) return 'P-384';
  return undefined;
}

/** Field size in bytes (the digest size a card signs, and the size of an ECDH shared secret). */
export const ecFieldSize = (curve: PivEcCurve): number => CURVES[curve].size;

/** Management key (9B) algorithms. */
export type ManagementKeyAlgorithm = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

export interface ManagementKeyAlgorithmInfo {
  name: ManagementKeyAlgorithm;
  id: number;
  keyLength: number;
  /** cipher block size: the size of witness, challenge and response */
  blockSize: number;
}

/**
 *   | algorithm | id | key bytes | block |
 *   |-----------|----|-----------|-------|
 *   | 3DES      | 03 | 24        | 8     |
 *   | AES-128   | 08 | 16        | 16    |
 *   | AES-192   | 0A | 24        | 16    |
 *   | AES-256   | 0C | 32        | 16    |
 */
export const MANAGEMENT_KEY_ALGORITHMS: Readonly<Record<ManagementKeyAlgorithm, ManagementKeyAlgorithmInfo>> = {
  '3DES': { name: '3DES', id: ALG_3DES, keyLength: 24, blockSize: 8 },
  'AES-128': { name: 'AES-128', id: ALG_AES128, keyLength: 16, blockSize: 16 },
  'AES-192': { name: 'AES-192', id: ALG_AES192, keyLength: 24, blockSize: 16 },
  'AES-256': { name: 'AES-256', id: ALG_AES256, keyLength: 32, blockSize: 16 },
};

export function managementAlgorithmById(id: number): ManagementKeyAlgorithmInfo | undefined {
  return Object.values(MANAGEMENT_KEY_ALGORITHMS).find((a) => a.id === id);
}
