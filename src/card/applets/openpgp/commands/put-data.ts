import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { CLA, INS_PUT_DATA } from '../constants.ts';

/**
 * §7.2.8 PUT DATA (even INS DA): P1 P2 = the tag, the data field = the new value (empty
 * deletes it). No response data.
 *
 *   00 DA <tag hi> <tag lo> Lc value
 *
 * A value over 255 bytes goes extended or as a command chain, as the channel decides.
 */
export function buildPutData(tag: number, value: Uint8Array): Command {
  if (!Number.isInteger(tag) || tag < 1 || tag > 0xffff) throw new RangeError(`PUT DATA tag must be 1..FFFF, got ${tag}`);
  return { cla: CLA, ins: INS_PUT_DATA, p1: tag >> 8, p2: tag & 0xff, data: value };
}

export async function putData(channel: CardChannel, tag: number, value: Uint8Array, opts: SendOptions = {}): Promise<void> {
  await channel.sendChecked(buildPutData(tag, value), opts);
}
