import { EXTENDED_MAX_NE, type Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { CLA, INS_GET_DATA } from '../constants.ts';

/**
 * §7.2.6 GET DATA: P1 P2 = the tag of a simple or constructed DO (e.g. 00 6E, 01 01, 7F 21).
 * The answer is the DO's value (constructed DOs such as 6E come with their own tag).
 *
 *   00 CA <tag hi> <tag lo> Le
 *
 * Le asks for everything; the channel turns that into short Le 00 and GET RESPONSE for cards
 * without extended length.
 */
export function buildGetData(tag: number, ne: number = EXTENDED_MAX_NE): Command {
  if (!Number.isInteger(tag) || tag < 1 || tag > 0xffff) throw new RangeError(`GET DATA tag must be 1..FFFF, got ${tag}`);
  return { cla: CLA, ins: INS_GET_DATA, p1: tag >> 8, p2: tag & 0xff, ne };
}

export function getData(channel: CardChannel, tag: number, opts: SendOptions = {}): Promise<Uint8Array> {
  return channel.sendChecked(buildGetData(tag), opts);
}
