/**
 * Errors every custodian uses. Implementations add their own (file damage, card errors) but
 * report a wrong password or PIN as a WrongSecretError so the ceremony layer can ask again.
 */

/** The password or PIN was wrong. `retriesLeft` is set where the custodian counts tries (cards). */
export class WrongSecretError extends Error {
  override name = 'WrongSecretError';
  constructor(
    message: string,
    readonly retriesLeft?: number,
  ) {
    super(message);
  }
}

/** No part with this id in the holder. */
export class UnknownPartError extends Error {
  override name = 'UnknownPartError';
  constructor(readonly partId: string) {
    super(`no key part with id ${partId}`);
  }
}

/** The signer was closed; open the key again. */
export class CustodianClosedError extends Error {
  override name = 'CustodianClosedError';
  constructor(what = 'signature key') {
    super(`the ${what} was closed: open it again to sign`);
  }
}

/** The importer key given for a wrap is not an RFC 5480 P-256/P-384/P-521 public key. */
export class InvalidImporterKeyError extends Error {
  override name = 'InvalidImporterKeyError';
}
