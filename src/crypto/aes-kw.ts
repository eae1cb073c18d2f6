import { CryptoAuthError, CryptoFormatError } from './errors.ts';
import { buf, type WebCrypto } from './webcrypto.ts';

/**
 * AES key wrap (RFC 3394 / NIST SP 800-38F KW) through WebCrypto's AES-KW. WebCrypto only
 * wraps keys, so the key data travels as the raw bytes of an HMAC key (any length).
 * Key data: a multiple of 8 bytes, at least 16. KEK: 16, 24 or 32 bytes.
 */
const KW_BLOCK = 8;
const KW_MIN_DATA = 16;

async function importKek(c: WebCrypto, kek: Uint8Array, usage: 'wrapKey' | 'unwrapKey'): Promise<CryptoKey> {
  if (![16, 24, 32].includes(kek.length)) throw new CryptoFormatError('AES-KW key must be 16, 24 or 32 bytes');
  return c.subtle.importKey('raw', buf(kek), 'AES-KW', false, [usage]);
}

export async function aesKwWrap(c: WebCrypto, kek: Uint8Array, keyData: Uint8Array): Promise<Uint8Array> {
  if (keyData.length < KW_MIN_DATA || keyData.length % KW_BLOCK !== 0) {
    throw new CryptoFormatError('AES-KW key data must be a multiple of 8 bytes, at least 16');
  }
  const k = await importKek(c, kek, 'wrapKey');
  const inner = await c.subtle.importKey('raw', buf(keyData), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
  return new Uint8Array(await c.subtle.wrapKey('raw', inner, k, 'AES-KW'));
}

/** Unwrap; an integrity failure (wrong KEK, changed data) is CryptoAuthError. */
export async function aesKwUnwrap(c: WebCrypto, kek: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array> {
  if (wrapped.length < KW_MIN_DATA + KW_BLOCK || wrapped.length % KW_BLOCK !== 0) {
    throw new CryptoFormatError('AES-KW wrapped data must be a multiple of 8 bytes, at least 24');
  }
  const k = await importKek(c, kek, 'unwrapKey');
  let inner: CryptoKey;
  try {
    inner = await c.subtle.unwrapKey('raw', buf(wrapped), k, 'AES-KW', { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
  } catch {
    throw new CryptoAuthError('AES key unwrap failed: wrong key or changed data');
  }
  return new Uint8Array(await c.subtle.exportKey('raw', inner));
}
