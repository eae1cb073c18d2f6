import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { CLA, INS_GET_CHALLENGE } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * §7.2.15 GET CHALLENGE: n random bytes from the card (n up to the maximum in C0).
 *
 *   00 84 00 00 Le=n
 */
export function buildGetChallenge(n: number): Command {
  if (!Number.isInteger(n) || n < 1 || n > 65536) throw new RangeError(`GET CHALLENGE length must be 1..65536, got ${n}`);
  return { cla: CLA, ins: INS_GET_CHALLENGE, p1: 0, p2: 0, ne: n };
}

export function parseChallenge(answer: Uint8Array, n: number): Uint8Array {
  if (answer.length !== n) throw new OpenPgpDataError('GET CHALLENGE', `asked for ${n} bytes, the card sent ${answer.length}`);
  return answer;
}

export async function getChallenge(channel: CardChannel, n: number, opts: SendOptions = {}): Promise<Uint8Array> {
  return parseChallenge(await channel.sendChecked(buildGetChallenge(n), { ...opts, sensitive: 'response' }), n);
}
