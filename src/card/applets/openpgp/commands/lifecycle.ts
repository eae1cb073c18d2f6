import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { CLA, INS_ACTIVATE_FILE, INS_TERMINATE_DF } from '../constants.ts';

/**
 * §7.2.16-17 life cycle: the factory reset of the OpenPGP application.
 *
 *   00 E6 00 00   TERMINATE DF: allowed after VERIFY PW3, or when PW3 is blocked
 *   00 44 00 00   ACTIVATE FILE: brings a terminated application back in its initial state
 *                 (keys, private DOs, certificate gone; PW1 123456, PW3 12345678)
 */
export const buildTerminateDf = (): Command => ({ cla: CLA, ins: INS_TERMINATE_DF, p1: 0, p2: 0 });
export const buildActivateFile = (): Command => ({ cla: CLA, ins: INS_ACTIVATE_FILE, p1: 0, p2: 0 });

export async function terminateDf(channel: CardChannel, opts: SendOptions = {}): Promise<void> {
  await channel.sendChecked(buildTerminateDf(), opts);
}

export async function activateFile(channel: CardChannel, opts: SendOptions = {}): Promise<void> {
  await channel.sendChecked(buildActivateFile(), opts);
}
