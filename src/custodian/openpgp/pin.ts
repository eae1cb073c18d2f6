import { ApduError, PinBlockedError, PinError } from '../../card/errors.ts';
import {
  PW1_MIN_LENGTH, PW3, PW3_MIN_LENGTH, RESETTING_CODE_MIN_LENGTH, type OpenPgpCard,
  type PasswordReference, type PwStatus,
} from '../../card/applets/openpgp/index.ts';
import { CardPinBlockedError, CardPinError, CardPinFormatError, type CardPassword } from './errors.ts';

/**
 * Password handling for OpenPGP cards: every VERIFY goes through here, so that a wrong
 * password becomes CardPinError with the tries left, a blocked one CardPinBlockedError with
 * what unblocks it, and a password of the wrong length is refused before it costs a try.
 *
 * Cards report a wrong password in two ways: 63 Cx (x = tries left), or 69 82 with the
 * counter to be read from the PW status bytes C4 (YubiKey). Both are handled.
 */

/** What a PIN prompt should show. */
export interface PinRequest {
  readonly password: CardPassword;
  /** Why the card needs it. */
  readonly purpose: 'sign' | 'decrypt' | 'write-part' | 'admin';
  /** Tries left before it is blocked. */
  readonly retriesLeft: number;
  /** The card ("0006:23852774"). */
  readonly card: string;
}

/** Asks a person for a PIN (the UI shows the request and returns what was typed). */
export type PinSource = (request: PinRequest) => Promise<string>;

const UTF8 = new TextEncoder();
const MIN: Readonly<Record<CardPassword, number>> = { PW1: PW1_MIN_LENGTH, PW3: PW3_MIN_LENGTH, RC: RESETTING_CODE_MIN_LENGTH };
const SW_SECURITY_NOT_SATISFIED = 0x6982;
const SW_WRONG_DATA = 0x6a80;
const SW_WRONG_LENGTH = 0x6700;

export const passwordOf = (ref: PasswordReference): CardPassword => (ref === PW3 ? 'PW3' : 'PW1');

function retriesOf(status: PwStatus, password: CardPassword): number {
  return password === 'PW1' ? status.retries.pw1 : password === 'PW3' ? status.retries.pw3 : status.retries.rc;
}

function maxOf(status: PwStatus, password: CardPassword): number {
  return password === 'PW1' ? status.maxLength.pw1 : password === 'PW3' ? status.maxLength.pw3 : status.maxLength.rc;
}

/** Tries left for a password (reads C4). */
export async function retriesLeft(card: OpenPgpCard, password: CardPassword): Promise<number> {
  return retriesOf(await card.pwStatus(), password);
}

/** Longest typed password accepted when the card hashes passwords (C4 then gives the hash's length). */
const MAX_TYPED_WITH_KDF = 127;

/**
 * Throws CardPinFormatError when the card would refuse the password for its length. With a
 * PIN KDF the card sees only the hash, so the limits apply to what is typed: the minimum, and
 * 127 bytes.
 */
export function checkPinFormat(password: CardPassword, pin: string, status: PwStatus, hashed = false): void {
  const n = UTF8.encode(pin).length;
  const max = hashed ? MAX_TYPED_WITH_KDF : maxOf(status, password);
  if (n < MIN[password] || n > max) throw new CardPinFormatError(password, MIN[password], max);
}

/** Turn the card's answer to a failed VERIFY / RESET RETRY COUNTER into a custodian error. */
export async function mapPasswordError(card: OpenPgpCard, password: CardPassword, e: unknown): Promise<unknown> {
  if (e instanceof PinBlockedError) return new CardPinBlockedError(password, e.sw !== 0x6983, e);
  if (e instanceof PinError) return new CardPinError(password, e.retriesLeft, e);
  if (e instanceof ApduError) {
    if (e.sw === SW_SECURITY_NOT_SATISFIED) {
      const left = await retriesLeft(card, password);
      return left === 0 ? new CardPinBlockedError(password, true, e) : new CardPinError(password, left, e);
    }
    if (e.sw === SW_WRONG_DATA || e.sw === SW_WRONG_LENGTH) {
      const status = await card.pwStatus();
      return new CardPinFormatError(password, MIN[password], card.pinKdf.kind !== 'none' ? MAX_TYPED_WITH_KDF : maxOf(status, password));
    }
  }
  return e;
}

/**
 * VERIFY a password with the checks above: blocked (from C4) and length first, then the card.
 * Costs one GET DATA C4 (unless the caller just read it: `known`) and the VERIFY.
 */
export async function verifyCardPassword(card: OpenPgpCard, ref: PasswordReference, pin: string, known?: PwStatus): Promise<void> {
  const password = passwordOf(ref);
  const status = known ?? (await card.pwStatus());
  if (retriesOf(status, password) === 0) throw new CardPinBlockedError(password);
  checkPinFormat(password, pin, status, card.pinKdf.kind !== 'none');
  try {
    await card.verify(ref, pin);
  } catch (e) {
    throw await mapPasswordError(card, password, e);
  }
}

/**
 * Make sure `ref` is verified, asking `source` for the PIN when it is not. Returns false when
 * no source was given and the PIN is needed.
 */
export async function ensureVerified(
  card: OpenPgpCard,
  ref: PasswordReference,
  purpose: PinRequest['purpose'],
  source: PinSource | undefined,
): Promise<boolean> {
  if (card.isVerified(ref)) return true;
  if (!source) return false;
  const password = passwordOf(ref);
  const status = await card.pwStatus();
  const left = retriesOf(status, password);
  if (left === 0) throw new CardPinBlockedError(password);
  const pin = await source({ password, purpose, retriesLeft: left, card: card.aid.id });
  await verifyCardPassword(card, ref, pin, status);
  return true;
}

/**
 * Unblock PW1 and set a new PIN: with the reset code, or with the admin PIN (PW3).
 * A wrong reset code / admin PIN is CardPinError('RC' / 'PW3').
 */
export async function unblockPin(card: OpenPgpCard, auth: { resettingCode: string } | { adminPin: string }, newPin: string): Promise<void> {
  const status = await card.pwStatus();
  const hashed = card.pinKdf.kind !== 'none';
  checkPinFormat('PW1', newPin, status, hashed);
  if ('adminPin' in auth) {
    await verifyCardPassword(card, PW3, auth.adminPin);
    try {
      await card.unblockAfterPw3(newPin);
    } finally {
      await card.resetSecurityStatus(PW3).catch(() => {});
    }
    return;
  }
  if (status.retries.rc === 0) throw new CardPinBlockedError('RC');
  checkPinFormat('RC', auth.resettingCode, status, hashed);
  try {
    await card.unblockWithResettingCode(auth.resettingCode, newPin);
  } catch (e) {
    throw await mapPasswordError(card, 'RC', e);
  }
}

