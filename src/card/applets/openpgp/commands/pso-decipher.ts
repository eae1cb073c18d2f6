import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { encodeTlv } from '../../../tlv.ts';
import { CURVES, checkUncompressedPoint, wipe, type CurveName } from '../../../../crypto/index.ts';
import { CLA, DO_CIPHER, DO_EC_PUBLIC_POINT, DO_PUBLIC_KEY, INS_PSO, PSO_DECIPHER_P1, PSO_DECIPHER_P2 } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * §7.2.11 PSO: DECIPHER with an ECDH decryption key: the card multiplies the other party's
 * public point by its private key. Needs PW1 (82).
 *
 *   00 2A 80 86 Lc A6 { 7F49 { 86 <uncompressed point> } } Le
 *
 * Cards answer with the shared secret: most with its x-coordinate alone (YubiKey), some with
 * the whole point 04 ‖ X ‖ Y. Both are accepted and reduced to X at full field size.
 */
export function buildEcdhDecipher(point: Uint8Array, curve: CurveName): Command {
  checkUncompressedPoint(curve, point);
  const data = encodeTlv({ tag: DO_CIPHER, children: [{ tag: DO_PUBLIC_KEY, children: [{ tag: DO_EC_PUBLIC_POINT, value: point }] }] });
  return { cla: CLA, ins: INS_PSO, p1: PSO_DECIPHER_P1, p2: PSO_DECIPHER_P2, data, ne: 256 };
}

/** Z = the x-coordinate of the shared point, a fresh buffer; the card's answer is wiped. */
export function parseEcdhResult(answer: Uint8Array, curve: CurveName): Uint8Array {
  const { size, pointLength } = CURVES[curve];
  try {
    if (answer.length === size) return answer.slice();
    if (answer.length === pointLength && answer[0] === 0x04) return answer.slice(1, 1 + size);
    throw new OpenPgpDataError('PSO:DECIPHER', `an ${curve} shared secret is ${size} bytes (or a ${pointLength}-byte point), the card sent ${answer.length}`);
  } finally {
    wipe(answer);
  }
}

export async function ecdhDecipher(channel: CardChannel, point: Uint8Array, curve: CurveName, opts: SendOptions = {}): Promise<Uint8Array> {
  const answer = await channel.sendChecked(buildEcdhDecipher(point, curve), { ...opts, sensitive: 'response' });
  return parseEcdhResult(answer, curve);
}
