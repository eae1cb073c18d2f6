import { CryptoAuthError, CryptoFormatError } from './errors.ts';
import { buf, type WebCrypto } from './webcrypto.ts';

/** AES-256-GCM with a 12-byte IV and a 16-byte tag appended to the ciphertext. */
export const GCM_IV_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;
export const AES256_KEY_LENGTH = 32;

function checkIv(iv: Uint8Array): void {
  if (iv.length !== GCM_IV_LENGTH) throw new CryptoFormatError(`GCM IV must be ${GCM_IV_LENGTH} bytes`);
}

/** Import a raw AES-256 key for GCM (non-extractable). */
export async function importAesGcmKey(c: WebCrypto, raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== AES256_KEY_LENGTH) throw new CryptoFormatError('AES-256 key must be 32 bytes');
  return c.subtle.importKey('raw', buf(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** ct ‖ tag */
export async function aesGcmEncrypt(
  c: WebCrypto,
  key: CryptoKey,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad?: Uint8Array,
): Promise<Uint8Array> {
  checkIv(iv);
  const params: AesGcmParams = { name: 'AES-GCM', iv: buf(iv), tagLength: GCM_TAG_LENGTH * 8 };
  if (aad) params.additionalData = buf(aad);
  return new Uint8Array(await c.subtle.encrypt(params, key, buf(plaintext)));
}

/** Decrypt ct ‖ tag; a failed tag check is CryptoAuthError. */
export async function aesGcmDecrypt(
  c: WebCrypto,
  key: CryptoKey,
  iv: Uint8Array,
  ciphertextAndTag: Uint8Array,
  aad?: Uint8Array,
): Promise<Uint8Array> {
  checkIv(iv);
  if (ciphertextAndTag.length < GCM_TAG_LENGTH) throw new CryptoAuthError('GCM ciphertext shorter than its tag');
  const params: AesGcmParams = { name: 'AES-GCM', iv: buf(iv), tagLength: GCM_TAG_LENGTH * 8 };
  if (aad) params.additionalData = buf(aad);
  try {
    return new Uint8Array(await c.subtle.decrypt(params, key, buf(ciphertextAndTag)));
  } catch {
    throw new CryptoAuthError('AES-GCM decryption failed: wrong key or changed data');
  }
}
