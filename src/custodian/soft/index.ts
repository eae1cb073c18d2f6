/**
 * The software custodian (DESIGN §4): password-protected files the user keeps. Signature
 * keys (webtke format, or imported from IBM TKE CLI files) and key parts. See
 * docs/key-files.md for the formats.
 */
import type { WebCrypto } from '../../crypto/index.ts';
import type { SoftAdminSigner } from './soft-signer.ts';
import { importTkeSignatureKey, type TkeImportOptions } from './tke-file.ts';

export { SoftAdminSigner, type SoftSignerOrigin } from './soft-signer.ts';
export {
  DEFAULT_ADMIN_CURVE, createSignatureKey, openSignatureKeyFile, parseSignatureKeyFile, unlockSignatureKeyFile,
  changeSignatureKeyPassword, type NewSignatureKey, type SignatureKeyFile,
} from './signature-key-file.ts';
export {
  createKeyPart, parseKeyPartFile, checkPartDescription, MAX_DESCRIPTION_LENGTH, type NewKeyPart, type KeyPartFile,
} from './key-part-file.ts';
export { SoftKeyPartHolder, checkImporterSpki } from './key-part-holder.ts';
export {
  TKE_KDF_ITERATIONS, TKE_KEY_TYPE_P521, convertTkeSignatureKeyFile, defaultTkeAdminName, importTkeSignatureKey,
  parseTkeSignatureKeyFile, type TkeConvertRequest, type TkeImportOptions, type TkeSignatureKeyFile,
} from './tke-file.ts';
export {
  CorruptFileError, DuplicatePartError, KeyPartDescriptionError, KeyPartValueError, LegacyRsaKeyError,
  WeakPasswordError, WrongPasswordError,
} from './errors.ts';
export {
  KDF_ITERATIONS, KDF_MAX_ITERATIONS, KDF_MIN_ITERATIONS, KDF_NAME, KDF_SALT_LENGTH, MIN_PASSWORD_LENGTH,
  type KeyFileOptions,
} from './kdf.ts';
export { KEY_PART_FORMAT, SIGNATURE_KEY_FORMAT, FILE_VERSION } from './file-kind.ts';

/**
 * Import an IBM TKE CLI signature key file (the two-argument form).
 *
 * Every other function of the software custodian takes the platform's WebCrypto as its first
 * argument. This one may be called without it: then it uses `globalThis.crypto`, the one
 * place in custodian/ that reads a global, and only when `options.crypto` is not given.
 */
export function importTkeSignatureKeyFile(
  text: string,
  password: string,
  options: TkeImportOptions & { crypto?: WebCrypto } = {},
): Promise<SoftAdminSigner> {
  const c = options.crypto ?? (globalThis as { crypto?: WebCrypto }).crypto;
  if (!c?.subtle) return Promise.reject(new TypeError('no WebCrypto: pass options.crypto'));
  return importTkeSignatureKey(c, text, password, { name: options.name });
}
