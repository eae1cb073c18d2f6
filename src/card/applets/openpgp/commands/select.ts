import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { checkResponse } from '../../../errors.ts';
import { CLA, INS_SELECT, OPENPGP_AID_PREFIX, SELECT_P1_BY_NAME, SELECT_P2_FIRST, SW_FILE_NOT_FOUND, SW_TERMINATED } from '../constants.ts';
import { OpenPgpNotFoundError, OpenPgpTerminatedError } from '../errors.ts';

/**
 * §7.2.1 SELECT the OpenPGP application by its AID prefix:
 *
 *   00 A4 04 00 06 D2 76 00 01 24 01 00
 *
 * Selecting resets the security status of every password. A terminated application answers
 * 62 85; a card without it 6A 82.
 */
export function buildSelect(): Command {
  return { cla: CLA, ins: INS_SELECT, p1: SELECT_P1_BY_NAME, p2: SELECT_P2_FIRST, data: OPENPGP_AID_PREFIX.slice(), ne: 256 };
}

export async function selectOpenPgp(channel: CardChannel, opts: SendOptions = {}): Promise<void> {
  const cmd = buildSelect();
  const r = await channel.send(cmd, opts);
  if (r.sw === SW_FILE_NOT_FOUND) throw new OpenPgpNotFoundError(r.sw);
  if (r.sw === SW_TERMINATED) throw new OpenPgpTerminatedError();
  checkResponse(r, cmd);
}
