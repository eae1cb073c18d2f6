/** Shared helpers of the T=1 tests (not a test file). */
import { parseBlock, type T1Block } from '../../../../../src/card/transports/webusb-ccid/t1/block.ts';
import type { EdcKind } from '../../../../../src/card/transports/webusb-ccid/t1/edc.ts';
import type { T1Exchange } from '../../../../fakes/t1-card.ts';

/** Deterministic bytes: byte i = (seed + 31·i + i>>8) mod 256. */
export function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + 31 * i + (i >> 8)) & 0xff;
  return out;
}

/**
 * A card application that answers `responseLength` bytes computed from the command (each
 * command byte summed into a running value), so that a response proves the whole command
 * arrived intact.
 */
export function sizedEcho(responseLength: () => number): (apdu: Uint8Array) => Promise<Uint8Array> {
  return async (apdu) => expectedAnswer(apdu, responseLength());
}

export function expectedAnswer(apdu: Uint8Array, length: number): Uint8Array {
  let sum = 0;
  for (const b of apdu) sum = (sum * 33 + b) >>> 0;
  return pattern(length, (sum ^ apdu.length) & 0xff);
}

/** The blocks the host sent over a T1CardLink, decoded. */
export function hostBlocks(exchanges: T1Exchange[], edc: EdcKind = 'lrc'): T1Block[] {
  return exchanges.map((x) => parseBlock(x.sent, { edc }).block);
}
