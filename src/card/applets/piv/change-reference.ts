import type { Command } from '../../apdu.ts';
import { CLA_PIV, INS_CHANGE_REFERENCE_DATA, INS_RESET_RETRY_COUNTER, KEY_PIN, KEY_PUK, PIN_MAX_LENGTH } from './constants.ts';
import { PivInputError } from './errors.ts';

/**
 * CHANGE REFERENCE DATA and RESET RETRY COUNTER (SP 800-73-4 Part 2 §3.2.2, §3.2.3):
 *
 *   | command                 | CLA | INS | P1 | P2       | Lc | data                          |
 *   |-------------------------|-----|-----|----|----------|----|-------------------------------|
 *   | CHANGE REFERENCE DATA   | 00  | 24  | 00 | 80 / 81  | 10 | old (8) ‖ new (8), FF-padded  |
 *   | RESET RETRY COUNTER     | 00  | 2C  | 00 | 80       | 10 | PUK (8) ‖ new PIN (8)         |
 *
 *   Answers: 90 00; 63 Cx wrong old value / wrong PUK, x tries left of that counter; 69 83 blocked.
 *
 * RESET RETRY COUNTER is what unblocks a blocked PIN: it takes the PUK and sets a new PIN.
 * The returned command owns a fresh buffer the caller wipes after sending.
 */
function pair(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== PIN_MAX_LENGTH || b.length !== PIN_MAX_LENGTH) throw new PivInputError('PIN and PUK are encoded as 8 bytes');
  const out = new Uint8Array(2 * PIN_MAX_LENGTH);
  out.set(a, 0);
  out.set(b, PIN_MAX_LENGTH);
  return out;
}

export function buildChangeReference(reference: typeof KEY_PIN | typeof KEY_PUK, encodedOld: Uint8Array, encodedNew: Uint8Array): Command {
  return { cla: CLA_PIV, ins: INS_CHANGE_REFERENCE_DATA, p1: 0x00, p2: reference, data: pair(encodedOld, encodedNew) };
}

export function buildResetRetryCounter(encodedPuk: Uint8Array, encodedNewPin: Uint8Array): Command {
  return { cla: CLA_PIV, ins: INS_RESET_RETRY_COUNTER, p1: 0x00, p2: KEY_PIN, data: pair(encodedPuk, encodedNewPin) };
}
