import { CardProtocolError } from '../../errors.ts';

/**
 * Errors of the PIV applet client. Status words other than 9000 arrive as the card layer's
 * typed errors (ApduError, PinError, PinBlockedError); these cover what the client itself
 * finds wrong.
 */

/** The card answered 9000 with data that is not what the command returns. */
export class PivResponseError extends CardProtocolError {
  override name = 'PivResponseError';
  constructor(
    /** The command whose answer is wrong, e.g. "GENERAL AUTHENTICATE (sign)". */
    readonly command: string,
    detail: string,
  ) {
    super(`the card's answer to ${command} is malformed: ${detail}`);
  }
}

/**
 * Management key authentication failed: the card refused our answer (SW 6982: wrong key or
 * wrong algorithm), or the card's own answer to our challenge did not verify (the card does
 * not hold the key we hold).
 */
export class ManagementKeyError extends Error {
  override name = 'ManagementKeyError';
  constructor(
    message: string,
    /** 'rejected-by-card': our key is wrong; 'card-not-authentic': the card's answer is wrong. */
    readonly reason: 'rejected-by-card' | 'card-not-authentic',
    readonly remedy = 'Check the management key (hex) and its algorithm, then try again.',
  ) {
    super(message);
  }
}

/** A management key, PIN or other input that cannot be used as given (wrong length, characters). */
export class PivInputError extends RangeError {
  override name = 'PivInputError';
}

/** The card does not offer an optional command (Yubico extension, GET CHALLENGE): 6D00 / 6E00 / 6A81. */
export class PivUnsupportedError extends Error {
  override name = 'PivUnsupportedError';
  constructor(readonly command: string) {
    super(`the card does not support ${command}`);
  }
}
