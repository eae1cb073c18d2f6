import type { Command } from '../../apdu.ts';
import { CLA_PIV, INS_GET_CHALLENGE } from './constants.ts';
import { PivInputError, PivResponseError } from './errors.ts';

/**
 * GET CHALLENGE (ISO/IEC 7816-4 §11.5.3): 00 84 00 00 Le → Le random bytes from the card.
 * Not a PIV command; some PIV cards offer it, YubiKeys do not (6D 00). The client uses it
 * when it is there, and other card randomness otherwise.
 */
export const MAX_CHALLENGE = 256;

export function buildGetChallenge(length: number): Command {
  if (!Number.isInteger(length) || length < 1 || length > MAX_CHALLENGE) throw new PivInputError(`GET CHALLENGE takes 1..${MAX_CHALLENGE} bytes`);
  return { cla: CLA_PIV, ins: INS_GET_CHALLENGE, p1: 0, p2: 0, ne: length };
}

export function parseChallenge(data: Uint8Array, length: number): Uint8Array {
  if (data.length !== length) throw new PivResponseError('GET CHALLENGE', `expected ${length} bytes, got ${data.length}`);
  return data.slice();
}
