import { constantTimeEqual } from '../../bytes/index.ts';
import {
  CryptoAuthError, GCM_IV_LENGTH, GCM_TAG_LENGTH, aesGcmDecrypt, aesGcmEncrypt, randomBytes, sha256, type WebCrypto,
} from '../../crypto/index.ts';
import { encodeBase64 } from './base64.ts';
import { CorruptFileError, WrongPasswordError } from './errors.ts';
import {
  KDF_MAX_ITERATIONS, KDF_NAME, KDF_SALT_LENGTH, deriveFileKey, minIterations, type KeyFileOptions,
} from './kdf.ts';
import { readBase64, readConstant, readInteger, readObject, type JsonObject } from './json-fields.ts';

/**
 * The encrypted part shared by both webtke file kinds (docs/key-files.md):
 *
 *   "kdf":    { "name": "PBKDF2-SHA256", "iterations": <int>, "salt": <base64, 16 bytes> }
 *   "cipher": { "name": "AES-256-GCM", "iv": <base64, 12 bytes>, "ciphertext": <base64, ct ‖ tag> }
 *   "checksum": <base64 of SHA-256 over every other field>
 *
 * The GCM additional data is the file's public header (format, version, the kind's own public
 * fields, kdf name, iterations and salt, cipher name), so a changed name, SKI, certificate,
 * description or VP makes decryption fail. The checksum is not a secret and proves nothing
 * about who wrote the file: it only tells accidental damage (CorruptFileError 'checksum')
 * from a wrong password (WrongPasswordError), which GCM alone cannot.
 */
export const CIPHER_NAME = 'AES-256-GCM';
export const KDF_KEYS = ['name', 'iterations', 'salt'] as const;
export const CIPHER_KEYS = ['name', 'iv', 'ciphertext'] as const;
export const CHECKSUM_LENGTH = 32;
const CHECKSUM_DOMAIN = 'webtke-key-file-checksum';

export interface KdfFields {
  iterations: number;
  salt: Uint8Array;
}

export interface CipherFields {
  iv: Uint8Array;
  /** ciphertext ‖ 16-byte tag */
  ciphertext: Uint8Array;
}

/** The kdf object: form only; the iteration policy is checked by checkIterations. */
export function readKdf(o: JsonObject): KdfFields {
  const k = readObject(o, 'kdf', KDF_KEYS);
  readConstant(k, 'name', KDF_NAME, 'kdf');
  const iterations = readInteger(k, 'iterations', 1, KDF_MAX_ITERATIONS, 'kdf');
  const salt = readBase64(k, 'salt', KDF_SALT_LENGTH, 'kdf');
  return { iterations, salt };
}

/** The cipher object; `plaintext` bounds the size of what was encrypted. */
export function readCipher(o: JsonObject, plaintext: [number, number]): CipherFields {
  const k = readObject(o, 'cipher', CIPHER_KEYS);
  readConstant(k, 'name', CIPHER_NAME, 'cipher');
  const iv = readBase64(k, 'iv', GCM_IV_LENGTH, 'cipher');
  const ciphertext = readBase64(k, 'ciphertext', [plaintext[0] + GCM_TAG_LENGTH, plaintext[1] + GCM_TAG_LENGTH], 'cipher');
  return { iv, ciphertext };
}

export const kdfJson = (k: KdfFields): JsonObject => ({ name: KDF_NAME, iterations: k.iterations, salt: encodeBase64(k.salt) });
export const cipherJson = (x: CipherFields): JsonObject => ({ name: CIPHER_NAME, iv: encodeBase64(x.iv), ciphertext: encodeBase64(x.ciphertext) });

/** The public header values that the GCM additional data binds, in a fixed order. */
export function aadOf(header: readonly (string | number)[], kdf: KdfFields): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([...header, KDF_NAME, kdf.iterations, encodeBase64(kdf.salt), CIPHER_NAME]));
}

/** SHA-256 over the header, kdf and cipher values as written. */
export async function checksumOf(
  c: WebCrypto,
  header: readonly (string | number)[],
  kdf: KdfFields,
  cipher: CipherFields,
): Promise<Uint8Array> {
  const values = [
    CHECKSUM_DOMAIN, ...header, KDF_NAME, kdf.iterations, encodeBase64(kdf.salt), CIPHER_NAME,
    encodeBase64(cipher.iv), encodeBase64(cipher.ciphertext),
  ];
  return sha256(c, new TextEncoder().encode(JSON.stringify(values)));
}

export function readChecksum(o: JsonObject): Uint8Array {
  return readBase64(o, 'checksum', CHECKSUM_LENGTH);
}

export async function checkChecksum(
  c: WebCrypto,
  header: readonly (string | number)[],
  kdf: KdfFields,
  cipher: CipherFields,
  checksum: Uint8Array,
): Promise<void> {
  if (!constantTimeEqual(await checksumOf(c, header, kdf, cipher), checksum)) {
    throw new CorruptFileError('checksum', 'the file was changed after it was written (kdf, cipher or checksum damaged)');
  }
}

/** Refuse files whose KDF is weaker than the policy allows. */
export function checkIterations(kdf: KdfFields, opts: KeyFileOptions = {}): void {
  const min = minIterations(opts);
  if (kdf.iterations < min) {
    throw new CorruptFileError('kdf.iterations', `${kdf.iterations} PBKDF2 iterations is too weak: webtke files need at least ${min}`);
  }
}

/** Encrypt `plaintext` under a fresh salt and IV; `header` gives the additional data. */
export async function seal(
  c: WebCrypto,
  password: string,
  plaintext: Uint8Array,
  iterations: number,
  header: readonly (string | number)[],
): Promise<{ kdf: KdfFields; cipher: CipherFields }> {
  const kdf: KdfFields = { iterations, salt: randomBytes(c, KDF_SALT_LENGTH) };
  const key = await deriveFileKey(c, password, kdf.salt, iterations);
  const iv = randomBytes(c, GCM_IV_LENGTH);
  const ciphertext = await aesGcmEncrypt(c, key, iv, plaintext, aadOf(header, kdf));
  return { kdf, cipher: { iv, ciphertext } };
}

/** Decrypt; a failed tag is WrongPasswordError. The caller wipes the plaintext. */
export async function unseal(
  c: WebCrypto,
  password: string,
  kdf: KdfFields,
  cipher: CipherFields,
  header: readonly (string | number)[],
): Promise<Uint8Array> {
  const key = await deriveFileKey(c, password, kdf.salt, kdf.iterations);
  try {
    return await aesGcmDecrypt(c, key, cipher.iv, cipher.ciphertext, aadOf(header, kdf));
  } catch (e) {
    if (e instanceof CryptoAuthError) throw new WrongPasswordError();
    throw e;
  }
}

/** The file text as written: two-space indented JSON and a final newline. */
export const fileText = (o: JsonObject): string => `${JSON.stringify(o, null, 2)}\n`;
