import type { ApduError } from '../../card/errors.ts';
import { WrongSecretError } from '../errors.ts';

/**
 * Errors of the OpenPGP card custodian. Each says what happened in words a custodian can act
 * on; `remedy` says what to do. Card-layer errors (ApduError, TransportError such as
 * CardRemovedError) pass through unchanged where nothing more can be said.
 */

/** The card's passwords: PW1 (the PIN), PW3 (the admin PIN) and the resetting code. */
export type CardPassword = 'PW1' | 'PW3' | 'RC';

export const PASSWORD_LABEL: Readonly<Record<CardPassword, string>> = {
  PW1: 'PIN',
  PW3: 'admin PIN',
  RC: 'reset code',
};

const tries = (n: number): string => `${n} ${n === 1 ? 'try' : 'tries'}`;

/** A wrong PIN, admin PIN or reset code, with the tries the card has left (from 63 Cx or C4). */
export class CardPinError extends WrongSecretError {
  override name = 'CardPinError';
  declare readonly retriesLeft: number;
  constructor(
    readonly password: CardPassword,
    retriesLeft: number,
    /** The card's answer (PinError for 63 Cx, ApduError for 69 82). */
    override readonly cause: ApduError,
  ) {
    super(`wrong ${PASSWORD_LABEL[password]}: ${tries(retriesLeft)} left before it is blocked`, retriesLeft);
  }
}

/**
 * A blocked password. PW1 is unblocked with the reset code or the admin PIN (RESET RETRY
 * COUNTER) and the card keeps its keys; a blocked PW3 leaves only a factory reset
 * (TERMINATE DF, ACTIVATE FILE), which destroys every key and key part on the card.
 */
export class CardPinBlockedError extends Error {
  override name = 'CardPinBlockedError';
  readonly remedy: string;
  constructor(
    readonly password: CardPassword,
    /** True when the wrong entry just made used the last try. */
    readonly justBlocked = false,
    override readonly cause?: ApduError,
  ) {
    super(
      `${justBlocked ? `wrong ${PASSWORD_LABEL[password]}: no tries left, ` : ''}the card's ${PASSWORD_LABEL[password]} (${password}) is blocked`,
    );
    this.remedy =
      password === 'PW1'
        ? 'Unblock the PIN with the reset code, or with the admin PIN (PW3), and set a new PIN (RESET RETRY COUNTER). The keys and key parts on the card are kept.'
        : password === 'RC'
          ? 'Unblock the PIN with the admin PIN (PW3) instead; with the admin PIN a new reset code can be set.'
          : 'The admin PIN cannot be unblocked. Only a factory reset of the OpenPGP application (TERMINATE DF, then ACTIVATE FILE) makes the card usable again, and it destroys the admin key and every key part on the card.';
  }
}

/** A PIN the card would refuse for its length, checked before it costs a try. */
export class CardPinFormatError extends RangeError {
  override name = 'CardPinFormatError';
  constructor(
    readonly password: CardPassword,
    readonly minLength: number,
    readonly maxLength: number,
  ) {
    super(`the card's ${PASSWORD_LABEL[password]} has ${minLength}–${maxLength} characters (bytes in UTF-8)`);
  }
}

/** The card needs a PIN for this step and no PIN source was given. */
export class PinRequiredError extends Error {
  override name = 'PinRequiredError';
  constructor(readonly password: CardPassword) {
    super(`the card needs its ${PASSWORD_LABEL[password]} for this step`);
  }
}

/** The card has no key in a slot webtke needs (or the slot is set to another algorithm). */
export class CardKeyMissingError extends Error {
  override name = 'CardKeyMissingError';
  readonly remedy: string;
  constructor(
    readonly key: 'signature' | 'decryption',
    detail = '',
  ) {
    super(`the card has no usable ${key} key${detail ? `: ${detail}` : ''}`);
    this.remedy = key === 'signature' ? 'Generate the admin key on the card first.' : 'Generate the key part (decryption) key on the card first.';
  }
}

/** The card cannot do what webtke needs (no EC algorithms, no private DOs, PIN KDF on ...). */
export class UnsupportedCardError extends Error {
  override name = 'UnsupportedCardError';
}

/** The cardholder certificate is missing, is not a webtke admin certificate, or names another key. */
export class AdminCertificateError extends Error {
  override name = 'AdminCertificateError';
  readonly remedy = 'Generate the admin key and certificate on this card again.';
}

/** The admin certificate is larger than the card's cardholder certificate DO. */
export class AdminCertificateTooLargeError extends Error {
  override name = 'AdminCertificateTooLargeError';
  constructor(
    readonly length: number,
    readonly max: number,
  ) {
    super(`the admin certificate has ${length} bytes; the card stores at most ${max}`);
  }
}

/** A key part record on the card is damaged (it starts as one but does not parse). */
export class PartRecordError extends Error {
  override name = 'PartRecordError';
  constructor(
    readonly slot: number,
    message: string,
  ) {
    super(`the key part record in private DO ${slot.toString(16).padStart(4, '0')} is damaged: ${message}`);
  }
}

/** The key part record does not fit the card's private DO. */
export class PartRecordTooLargeError extends Error {
  override name = 'PartRecordTooLargeError';
  constructor(
    readonly length: number,
    readonly max: number,
    /** The longest description (UTF-8 bytes) that would fit; 0 when none fits. */
    readonly maxDescriptionBytes: number,
  ) {
    super(
      maxDescriptionBytes > 0
        ? `the key part record needs ${length} bytes and the card's private DO holds ${max}: shorten the description to at most ${maxDescriptionBytes} bytes`
        : `the key part record needs ${length} bytes and the card's private DO holds only ${max}: use a P-256 decryption key`,
    );
  }
}

/** The private DO already holds a key part (or other data) and replacing it was not asked for. */
export class PartSlotOccupiedError extends Error {
  override name = 'PartSlotOccupiedError';
  constructor(
    readonly slot: number,
    readonly existingDescription: string | undefined,
  ) {
    super(
      existingDescription !== undefined
        ? `private DO ${slot.toString(16).padStart(4, '0')} already holds the key part "${existingDescription}"`
        : `private DO ${slot.toString(16).padStart(4, '0')} already holds other data`,
    );
  }
}

/** The part was encrypted to a decryption key this card no longer has. */
export class PartKeyMismatchError extends Error {
  override name = 'PartKeyMismatchError';
  readonly remedy = 'The decryption key was replaced after this part was made; the part cannot be opened. Use another custodian\'s part or make a new one.';
  constructor(readonly partId: string) {
    super(`key part ${partId} was encrypted to an earlier decryption key of this card`);
  }
}

/** The part opened, but its VP is not the one stored beside it, or the card wrote something else. */
export class PartIntegrityError extends Error {
  override name = 'PartIntegrityError';
}

/** Generating a new decryption key would make the parts on the card unreadable. */
export class PartsWouldBeLostError extends Error {
  override name = 'PartsWouldBeLostError';
  constructor(readonly partIds: readonly string[]) {
    super(`a new decryption key would make ${partIds.length === 1 ? 'the key part' : `${partIds.length} key parts`} on this card unreadable`);
  }
}

/** A key part description that is empty, too long or has control characters. */
export class PartDescriptionError extends RangeError {
  override name = 'PartDescriptionError';
}
