import type { Command } from '../../apdu.ts';
import { SW_AUTH_METHOD_BLOCKED, SW_OK, SW1_WARNING_CHANGED } from '../../status-words.ts';
import {
  CLA_PIV, INS_VERIFY, KEY_PIN, PIN_MAX_LENGTH, PIN_MIN_LENGTH, PIN_PAD_BYTE, VERIFY_P1_RESET, VERIFY_P1_VERIFY,
} from './constants.ts';
import { PivInputError } from './errors.ts';

/**
 * VERIFY (SP 800-73-4 Part 2 §3.2.1):
 *
 *   | CLA | INS | P1 | P2 | Lc | data                     | meaning                          |
 *   |-----|-----|----|----|----|--------------------------|----------------------------------|
 *   | 00  | 20  | 00 | 80 | 08 | PIN padded with FF to 8  | verify the PIN                   |
 *   | 00  | 20  | 00 | 80 | -  | -                        | status: 9000 verified, 63Cx not (x tries left) |
 *   | 00  | 20  | FF | 80 | -  | -                        | reset the PIN's verified state   |
 *
 *   Answers: 90 00 verified; 63 Cx wrong PIN, x tries left; 69 83 blocked; 6A 88 no such reference.
 *
 * PIN and PUK are 6 to 8 bytes (printable ASCII here), padded to 8 bytes with FF.
 */
export function encodePin(pin: string, what = 'PIN'): Uint8Array {
  if (typeof pin !== 'string') throw new PivInputError(`the ${what} must be text`);
  const bytes = new TextEncoder().encode(pin);
  try {
    if (bytes.length < PIN_MIN_LENGTH || bytes.length > PIN_MAX_LENGTH) {
      throw new PivInputError(`a ${what} has ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} characters`);
    }
    if (bytes.some((b) => b < 0x20 || b > 0x7e)) throw new PivInputError(`a ${what} has printable ASCII characters only`);
    const out = new Uint8Array(PIN_MAX_LENGTH).fill(PIN_PAD_BYTE);
    out.set(bytes);
    return out;
  } finally {
    bytes.fill(0);
  }
}

/** VERIFY with the (encoded, 8-byte) PIN. The caller wipes `encodedPin` after sending. */
export function buildVerify(encodedPin: Uint8Array, reference = KEY_PIN): Command {
  if (encodedPin.length !== PIN_MAX_LENGTH) throw new PivInputError('an encoded PIN is 8 bytes');
  return { cla: CLA_PIV, ins: INS_VERIFY, p1: VERIFY_P1_VERIFY, p2: reference, data: encodedPin };
}

/** VERIFY without data: asks whether the PIN is verified, and the tries left if it is not. */
export function buildVerifyStatus(reference = KEY_PIN): Command {
  return { cla: CLA_PIV, ins: INS_VERIFY, p1: VERIFY_P1_VERIFY, p2: reference };
}

/** VERIFY P1=FF: forget that the PIN was verified. */
export function buildVerifyReset(reference = KEY_PIN): Command {
  return { cla: CLA_PIV, ins: INS_VERIFY, p1: VERIFY_P1_RESET, p2: reference };
}

export interface PinStatus {
  verified: boolean;
  /** tries left before the PIN blocks; undefined when the card only said "verified" */
  retriesLeft: number | undefined;
  blocked: boolean;
}

/**
 * The meaning of the answer to a status VERIFY (no data). Returns undefined for status words
 * that are not a PIN status (the caller raises them).
 */
export function pinStatusOf(sw: number): PinStatus | undefined {
  if (sw === SW_OK) return { verified: true, retriesLeft: undefined, blocked: false };
  if (sw === SW_AUTH_METHOD_BLOCKED) return { verified: false, retriesLeft: 0, blocked: true };
  if (sw >> 8 === SW1_WARNING_CHANGED && (sw & 0xf0) === 0xc0) {
    const left = sw & 0x0f;
    return { verified: false, retriesLeft: left, blocked: left === 0 };
  }
  return undefined;
}
