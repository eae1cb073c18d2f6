import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import type { CurveName } from '../../../../crypto/index.ts';
import { CLA, CRT_OF, GENERATE_P1_GENERATE, GENERATE_P1_READ, INS_GENERATE_ASYMMETRIC_KEY_PAIR, type KeySlot } from '../constants.ts';
import { parseEcPublicKey } from '../records/public-key.ts';

/**
 * §7.2.14 GENERATE ASYMMETRIC KEY PAIR:
 *
 *   00 47 80 00 02 <CRT> 00 Le     generate a new key in the slot (after PW3)
 *   00 47 81 00 02 <CRT> 00 Le     read the slot's public key (always allowed)
 *
 * CRT: B6 signature, B8 decryption, A4 authentication (empty). The answer is the public key
 * template 7F49; for EC keys 7F49 { 86 <point> }, at most 139 bytes (P-521), so short Le.
 */
export function buildGenerateKeyPair(slot: KeySlot, mode: 'generate' | 'read'): Command {
  return {
    cla: CLA,
    ins: INS_GENERATE_ASYMMETRIC_KEY_PAIR,
    p1: mode === 'generate' ? GENERATE_P1_GENERATE : GENERATE_P1_READ,
    p2: 0x00,
    data: Uint8Array.of(CRT_OF[slot], 0x00),
    ne: 256,
  };
}

/** Run GENERATE (or read) and return the uncompressed public point. */
export async function generateKeyPair(channel: CardChannel, slot: KeySlot, mode: 'generate' | 'read', curve: CurveName, opts: SendOptions = {}): Promise<Uint8Array> {
  return parseEcPublicKey(await channel.sendChecked(buildGenerateKeyPair(slot, mode), opts), curve);
}
