import type { PinError } from '../../card/errors.ts';
import { WrongSecretError } from '../errors.ts';

/**
 * Errors of the PIV card custodian. A wrong PIN is the custodian interface's
 * WrongSecretError (so the ceremony layer asks again); everything else names what happened
 * and what the operator can do. Card removal comes through as the transport's
 * CardRemovedError; other status words as the card layer's ApduError.
 */

/** The PIN was wrong; `retriesLeft` tries remain before the card blocks it. */
export class WrongPinError extends WrongSecretError {
  override name = 'WrongPinError';
  constructor(
    readonly pinError: PinError,
  ) {
    super(
      `wrong PIN: ${pinError.retriesLeft} ${pinError.retriesLeft === 1 ? 'try' : 'tries'} left before the card blocks the PIN`,
      pinError.retriesLeft,
    );
    (this as { cause?: unknown }).cause = pinError;
  }
}

/**
 * The PIN is blocked (SW 69 83, or the last try was used). The message says what unblocks it:
 * the PUK (RESET RETRY COUNTER with the PUK and a new PIN), or, when the PUK is blocked too, a
 * reset of the PIV application, which erases its keys and the key parts stored on it.
 */
export class PivPinBlockedError extends Error {
  override name = 'PivPinBlockedError';
  readonly remedy: string;
  constructor(
    /** PUK tries left when the card tells (GET METADATA), else undefined */
    readonly pukRetriesLeft: number | undefined,
    cause?: unknown,
  ) {
    const pukBlocked = pukRetriesLeft === 0;
    const remedy = pukBlocked
      ? 'The PUK is blocked too: only a reset of the PIV application helps, and it erases the card\'s keys, certificates and stored key parts.'
      : `Unblock it with the PUK (RESET RETRY COUNTER: enter the PUK and choose a new PIN)${pukRetriesLeft === undefined ? '' : `; the PUK has ${pukRetriesLeft} ${pukRetriesLeft === 1 ? 'try' : 'tries'} left`}. If the PUK is blocked too, the PIV application must be reset, which erases its keys and stored key parts.`;
    super(`the card's PIN is blocked after too many wrong tries. ${remedy}`);
    this.remedy = remedy;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
  get pukBlocked(): boolean {
    return this.pukRetriesLeft === 0;
  }
}

/** A signature needs the PIN again (the key's PIN policy is "always") and no PIN prompt was given. */
export class PivPinRequiredError extends Error {
  override name = 'PivPinRequiredError';
  constructor(message = 'the card asks for the PIN before this signature (PIN policy "always"): open the signer with a PIN prompt') {
    super(message);
  }
}

/** The slot or object the custodian needs is empty: no admin key, no key-part key. */
export class PivSlotEmptyError extends Error {
  override name = 'PivSlotEmptyError';
  constructor(
    /** "9C", "9D", or a data object tag in hex */
    readonly slot: string,
    message: string,
    readonly remedy = '',
  ) {
    super(message);
  }
}

/** The slot already holds what a setup step would replace (an admin key, a key-part key with parts). */
export class PivSlotInUseError extends Error {
  override name = 'PivSlotInUseError';
  constructor(
    readonly slot: string,
    message: string,
  ) {
    super(message);
  }
}

/** A record webtke stored on the card is damaged or does not open. */
export class PivRecordError extends Error {
  override name = 'PivRecordError';
  constructor(
    /** the data object, e.g. "5FC11F" */
    readonly object: string,
    message: string,
  ) {
    super(`data object ${object}: ${message}`);
  }
}

/** Every data object webtke may use for key parts is taken. */
export class PivStorageFullError extends Error {
  override name = 'PivStorageFullError';
  constructor(readonly capacity: number) {
    super(`the card holds no more key parts: all ${capacity} part objects are in use`);
  }
}

/** The card's key does not match what its certificate or record says, or its signature does not verify. */
export class PivCardMismatchError extends Error {
  override name = 'PivCardMismatchError';
}

/** The card has no PIV application (SELECT answered 6A 82). */
export class NotPivCardError extends Error {
  override name = 'NotPivCardError';
  constructor() {
    super('the card has no PIV application');
  }
}
