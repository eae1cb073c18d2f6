import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { errorForStatus, PinError } from '../../../errors.ts';
import { SW_OK } from '../../../status-words.ts';
import { CLA, INS_VERIFY, VERIFY_P1_CHECK, VERIFY_P1_RESET, type PasswordReference } from '../constants.ts';

/**
 * §7.2.2 VERIFY:
 *
 *   | APDU                         | meaning                                              |
 *   |------------------------------|------------------------------------------------------|
 *   | 00 20 00 <ref> Lc <password> | check the password; wrong: 63 Cx or 69 82, blocked: 69 83 |
 *   | 00 20 00 <ref>               | status: 90 00 when verified, else 63 Cx (tries left) |
 *   | 00 20 FF <ref>               | reset the password's security status (3.4)          |
 *
 * <ref> is 81 / 82 (PW1) or 83 (PW3). The password is UTF-8, unpadded. Cards differ on a wrong
 * password: some answer 63 Cx, others (YubiKey) 69 82 — the counter is then read from C4.
 */
export function buildVerify(ref: PasswordReference, password: Uint8Array): Command {
  if (password.length === 0) throw new RangeError('VERIFY needs a password; use buildVerifyStatus to ask for the status');
  return { cla: CLA, ins: INS_VERIFY, p1: VERIFY_P1_CHECK, p2: ref, data: password };
}

export function buildVerifyStatus(ref: PasswordReference): Command {
  return { cla: CLA, ins: INS_VERIFY, p1: VERIFY_P1_CHECK, p2: ref };
}

export function buildResetSecurityStatus(ref: PasswordReference): Command {
  return { cla: CLA, ins: INS_VERIFY, p1: VERIFY_P1_RESET, p2: ref };
}

/** Check a password; throws PinError (63 Cx), PinBlockedError (69 83, 63 C0) or ApduError (69 82, 6A 80 ...). */
export async function verifyPassword(channel: CardChannel, ref: PasswordReference, password: Uint8Array, opts: SendOptions = {}): Promise<void> {
  await channel.sendChecked(buildVerify(ref, password), { ...opts, sensitive: 'command' });
}

export type VerifyStatus = { verified: true } | { verified: false; retriesLeft: number | undefined };

/** Ask whether a password is verified; tries left when the card says 63 Cx. */
export async function verifyStatus(channel: CardChannel, ref: PasswordReference, opts: SendOptions = {}): Promise<VerifyStatus> {
  const cmd = buildVerifyStatus(ref);
  const r = await channel.send(cmd, opts);
  if (r.sw === SW_OK) return { verified: true };
  const e = errorForStatus(r.sw, cmd);
  if (e instanceof PinError) return { verified: false, retriesLeft: e.retriesLeft };
  throw e;
}

export async function resetSecurityStatus(channel: CardChannel, ref: PasswordReference, opts: SendOptions = {}): Promise<void> {
  await channel.sendChecked(buildResetSecurityStatus(ref), opts);
}
