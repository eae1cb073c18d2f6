import { concat, u32be } from '../bytes/index.ts';
import type { HashName } from './curves.ts';
import { digest } from './sha.ts';
import { wipe } from './wipe.ts';
import type { WebCrypto } from './webcrypto.ts';

/**
 * ANSI X9.63 key derivation (SEC1 §3.6.1), as CMS ECC uses it (RFC 5753 §7.2):
 *
 *   K = Hash(Z ‖ Counter ‖ SharedInfo), Counter = 00000001, 00000002, … (u32 big-endian),
 *   concatenated and truncated to `length` bytes.
 */
export async function x963Kdf(
  c: WebCrypto,
  hash: HashName,
  z: Uint8Array,
  sharedInfo: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  if (!Number.isInteger(length) || length < 0 || length > 1 << 16) throw new RangeError('KDF output length out of range');
  const out = new Uint8Array(length);
  let off = 0;
  for (let counter = 1; off < length; counter++) {
    const input = concat(z, u32be(counter), sharedInfo);
    const block = await digest(c, hash, input);
    wipe(input);
    out.set(block.subarray(0, Math.min(block.length, length - off)), off);
    off += block.length;
    wipe(block);
  }
  return out;
}
