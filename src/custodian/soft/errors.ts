import { WrongSecretError } from '../errors.ts';

/**
 * Errors of the software custodian's files. A file is either damaged (CorruptFileError, which
 * names the field) or opened with the wrong password (WrongPasswordError); see
 * docs/key-files.md for how the two are told apart.
 */

/**
 * The file is damaged, of another kind, or not acceptable (e.g. too few KDF iterations).
 * `field` names the JSON field at fault, dotted for nested fields (`kdf.salt`), or `file` /
 * `json` for the whole text.
 */
export class CorruptFileError extends Error {
  override name = 'CorruptFileError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The password does not open the file. Files keep no retry counter. */
export class WrongPasswordError extends WrongSecretError {
  override name = 'WrongPasswordError';
  constructor(message = 'wrong password: the file does not open with it') {
    super(message);
  }
}

/** An IBM TKE signature key file holding a 2048-bit RSA key. */
export class LegacyRsaKeyError extends Error {
  override name = 'LegacyRsaKeyError';
  constructor() {
    super('legacy RSA keys are not supported: create a new P-521 signature key and add it as an administrator');
  }
}

/** A password too short for a new file. */
export class WeakPasswordError extends RangeError {
  override name = 'WeakPasswordError';
  constructor(readonly minLength: number) {
    super(`a key file password needs at least ${minLength} characters`);
  }
}

/** A typed key part value that is not 64 hex digits, or is all zeros. */
export class KeyPartValueError extends RangeError {
  override name = 'KeyPartValueError';
}

export { KeyPartDescriptionError } from '../part-description.ts';

/** The holder already has a part with this id (the same file loaded twice). */
export class DuplicatePartError extends Error {
  override name = 'DuplicatePartError';
  constructor(readonly partId: string) {
    super(`key part ${partId} is already loaded`);
  }
}
