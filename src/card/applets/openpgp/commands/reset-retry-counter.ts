import { concat } from '../../../../bytes/index.ts';
import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { CLA, INS_RESET_RETRY_COUNTER, PW1_SIGN, RRC_P1_AFTER_PW3, RRC_P1_WITH_RESETTING_CODE } from '../constants.ts';

/**
 * §7.2.4 RESET RETRY COUNTER: unblock PW1 and set it anew.
 *
 *   00 2C 00 81 Lc <resetting code ‖ new PW1>     (the resetting code, if one is set)
 *   00 2C 02 81 Lc <new PW1>                      (after VERIFY of PW3)
 */
export function buildResetRetryCounterWithCode(resettingCode: Uint8Array, newPw1: Uint8Array): Command {
  return { cla: CLA, ins: INS_RESET_RETRY_COUNTER, p1: RRC_P1_WITH_RESETTING_CODE, p2: PW1_SIGN, data: concat(resettingCode, newPw1) };
}

export function buildResetRetryCounterAfterPw3(newPw1: Uint8Array): Command {
  return { cla: CLA, ins: INS_RESET_RETRY_COUNTER, p1: RRC_P1_AFTER_PW3, p2: PW1_SIGN, data: newPw1.slice() };
}

export async function resetRetryCounter(channel: CardChannel, cmd: Command, opts: SendOptions = {}): Promise<void> {
  try {
    await channel.sendChecked(cmd, { ...opts, sensitive: 'command' });
  } finally {
    cmd.data?.fill(0);
  }
}
