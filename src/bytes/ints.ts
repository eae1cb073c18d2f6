import { ByteRangeError } from './errors.ts';

/** Fixed-size unsigned integers, named by byte order. */

export function u16be(n: number): Uint8Array {
  checkRange(n, 0xffff);
  return Uint8Array.of(n >>> 8, n & 0xff);
}
export function u16le(n: number): Uint8Array {
  checkRange(n, 0xffff);
  return Uint8Array.of(n & 0xff, n >>> 8);
}
export function u32be(n: number): Uint8Array {
  checkRange(n, 0xffffffff);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
export function u32le(n: number): Uint8Array {
  checkRange(n, 0xffffffff);
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

/** Unsigned big-endian of a bigint at exactly `size` bytes (e.g. the 16-byte counter). */
export function uintBe(n: bigint, size: number): Uint8Array {
  if (n < 0n || n >= 1n << BigInt(8 * size)) throw new RangeError(`value does not fit in ${size} bytes`);
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** Read an unsigned big-endian integer of any size as a bigint. */
export function readUintBe(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** Read a u32 big-endian from exactly 4 bytes. */
export function readU32be(bytes: Uint8Array): number {
  if (bytes.length !== 4) throw new ByteRangeError('u32 needs exactly 4 bytes', 0, 4, bytes.length);
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

function checkRange(n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${n} is not in 0..${max}`);
}
