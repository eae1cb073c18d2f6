/**
 * Errors of the OpenPGP applet client. Status words other than 9000 still arrive as the card
 * layer's ApduError family (PinError, PinBlockedError); these are for what the status word
 * alone does not say.
 */

/** The card sent data that does not follow the OpenPGP card specification. */
export class OpenPgpDataError extends Error {
  override name = 'OpenPgpDataError';
  constructor(
    /** The data object or field at fault, e.g. "C4" or "7F49/86". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** SELECT found no OpenPGP application on the card. */
export class OpenPgpNotFoundError extends Error {
  override name = 'OpenPgpNotFoundError';
  readonly remedy = 'Use a card or key with the OpenPGP application (YubiKey 5, Nitrokey, an OpenPGP card).';
  constructor(readonly sw: number) {
    super('the card has no OpenPGP application');
  }
}

/** The OpenPGP application was terminated (TERMINATE DF) and waits for ACTIVATE FILE. */
export class OpenPgpTerminatedError extends Error {
  override name = 'OpenPgpTerminatedError';
  readonly remedy = 'Finish the factory reset (ACTIVATE FILE) before using the card.';
  constructor() {
    super('the OpenPGP application on the card is terminated');
  }
}

/** The card does not offer an algorithm the caller asked for. */
export class OpenPgpAlgorithmError extends Error {
  override name = 'OpenPgpAlgorithmError';
}
