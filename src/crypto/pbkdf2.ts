import { buf, type WebCrypto } from './webcrypto.ts';

/** PBKDF2-HMAC-SHA256 (RFC 8018) → `length` bytes. The caller wipes the password bytes. */
export async function pbkdf2Sha256(
  c: WebCrypto,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Uint8Array> {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('PBKDF2 iterations must be ≥ 1');
  const base = await c.subtle.importKey('raw', buf(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await c.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations }, base, length * 8);
  return new Uint8Array(bits);
}
