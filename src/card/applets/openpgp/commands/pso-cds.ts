import type { Command } from '../../../apdu.ts';
import type { CardChannel, SendOptions } from '../../../channel.ts';
import { CURVES, rawToDerSignature, type CurveName } from '../../../../crypto/index.ts';
import { CLA, INS_PSO, PSO_CDS_P1, PSO_CDS_P2 } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * §7.2.10 PSO: COMPUTE DIGITAL SIGNATURE with an ECDSA signature key. The data field is the
 * hash itself (no DigestInfo); the answer is the raw signature r ‖ s, each at the curve's
 * order size. Needs PW1 (81).
 *
 *   00 2A 9E 9A Lc <hash> Le
 */
export function buildComputeDigitalSignature(digest: Uint8Array, curve: CurveName): Command {
  if (digest.length === 0 || digest.length > 64) throw new RangeError(`a hash of 1..64 bytes, got ${digest.length}`);
  return { cla: CLA, ins: INS_PSO, p1: PSO_CDS_P1, p2: PSO_CDS_P2, data: digest, ne: 2 * CURVES[curve].size };
}

/** The card's raw r ‖ s as a DER Ecdsa-Sig-Value. */
export function parseEcdsaSignature(raw: Uint8Array, curve: CurveName): Uint8Array {
  const size = CURVES[curve].size;
  if (raw.length !== 2 * size) throw new OpenPgpDataError('PSO:CDS', `an ${curve} signature is ${2 * size} bytes, the card sent ${raw.length}`);
  try {
    return rawToDerSignature(raw);
  } catch (e) {
    throw new OpenPgpDataError('PSO:CDS', (e as Error).message);
  }
}

/** Sign a hash; returns a DER Ecdsa-Sig-Value. */
export async function computeDigitalSignature(channel: CardChannel, digest: Uint8Array, curve: CurveName, opts: SendOptions = {}): Promise<Uint8Array> {
  return parseEcdsaSignature(await channel.sendChecked(buildComputeDigitalSignature(digest, curve), opts), curve);
}
