import {
  AES256_KEY_LENGTH, importAesGcmKey, pbkdf2Sha256, wipe, type WebCrypto,
} from '../../crypto/index.ts';
import { WeakPasswordError } from './errors.ts';

/**
 * Password-based keys of webtke key files: PBKDF2-HMAC-SHA256 (RFC 8018) with a random
 * 16-byte salt and at least 600,000 iterations (the OWASP 2023 figure for PBKDF2-SHA256),
 * giving an AES-256-GCM key. The iteration count is written in each file.
 *
 *   | parameter         | value                          |
 *   |-------------------|--------------------------------|
 *   | kdf.name          | "PBKDF2-SHA256"                |
 *   | kdf.iterations    | 600,000 written; 600,000 ..    |
 *   |                   | 10,000,000 accepted            |
 *   | kdf.salt          | 16 random bytes                |
 *   | derived key       | 32 bytes → AES-256-GCM         |
 *
 * Passwords are Unicode-normalized (NFC) and UTF-8 encoded, so the same password typed on
 * two systems gives the same key; the bytes are wiped as soon as PBKDF2 has them.
 */
export const KDF_NAME = 'PBKDF2-SHA256';
export const KDF_ITERATIONS = 600_000;
export const KDF_MIN_ITERATIONS = 600_000;
/** A larger count in a file is damage or a denial of service (10 M ≈ 5 s). */
export const KDF_MAX_ITERATIONS = 10_000_000;
export const KDF_SALT_LENGTH = 16;
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Options of every function that writes or opens a webtke key file.
 *
 * `insecureIterationsForTests` is for tests only: files are written with that count and
 * files with at least that count are accepted. Without it (every production caller), files
 * are written with 600,000 iterations and files with fewer are refused.
 */
export interface KeyFileOptions {
  insecureIterationsForTests?: number;
}

export function writeIterations(opts: KeyFileOptions = {}): number {
  const n = opts.insecureIterationsForTests;
  if (n === undefined) return KDF_ITERATIONS;
  if (!Number.isSafeInteger(n) || n < 1 || n > KDF_MAX_ITERATIONS) throw new RangeError('insecureIterationsForTests out of range');
  return n;
}

export function minIterations(opts: KeyFileOptions = {}): number {
  return opts.insecureIterationsForTests === undefined ? KDF_MIN_ITERATIONS : writeIterations(opts);
}

/** A password good enough for a new file. */
export function checkNewPassword(password: string): void {
  if (typeof password !== 'string' || [...password.normalize('NFC')].length < MIN_PASSWORD_LENGTH) {
    throw new WeakPasswordError(MIN_PASSWORD_LENGTH);
  }
}

/** UTF-8 of the NFC-normalized password. The caller wipes the result. */
export function passwordBytes(password: string): Uint8Array {
  return new TextEncoder().encode(password.normalize('NFC'));
}

/** Derive a non-extractable AES-256-GCM key from password bytes; wipes the derived bytes. */
export async function deriveAesKey(
  c: WebCrypto,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Promise<CryptoKey> {
  const raw = await pbkdf2Sha256(c, password, salt, iterations, AES256_KEY_LENGTH);
  try {
    return await importAesGcmKey(c, raw);
  } finally {
    wipe(raw);
  }
}

/** Password string → key, wiping the password bytes whatever happens. */
export async function deriveFileKey(c: WebCrypto, password: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const pw = passwordBytes(password);
  try {
    return await deriveAesKey(c, pw, salt, iterations);
  } finally {
    wipe(pw);
  }
}
