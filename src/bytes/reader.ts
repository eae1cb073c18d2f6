import { ByteRangeError } from './errors.ts';

/**
 * Bounds-checked sequential reader. Every read checks that the bytes are there and throws a
 * ByteRangeError otherwise; `end()` asserts that nothing is left over.
 */
export class ByteReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > this.remaining) {
      throw new ByteRangeError(`need ${n} bytes at offset ${this.pos}, have ${this.remaining}`, this.pos, n, this.remaining);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf[this.take(1)];
  }
  u16be(): number {
    const o = this.take(2);
    return (this.buf[o] << 8) | this.buf[o + 1];
  }
  u16le(): number {
    const o = this.take(2);
    return this.buf[o] | (this.buf[o + 1] << 8);
  }
  u32be(): number {
    const o = this.take(4);
    return ((this.buf[o] << 24) | (this.buf[o + 1] << 16) | (this.buf[o + 2] << 8) | this.buf[o + 3]) >>> 0;
  }
  u32le(): number {
    const o = this.take(4);
    return (this.buf[o] | (this.buf[o + 1] << 8) | (this.buf[o + 2] << 16) | (this.buf[o + 3] << 24)) >>> 0;
  }
  /** A view of the next `n` bytes (not a copy). */
  bytes(n: number): Uint8Array {
    const o = this.take(n);
    return this.buf.subarray(o, o + n);
  }
  /** A view of everything left. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
  peek(): number {
    if (this.remaining < 1) throw new ByteRangeError(`need 1 byte at offset ${this.pos}, have 0`, this.pos, 1, 0);
    return this.buf[this.pos];
  }
  /** Throws unless every byte has been read. */
  end(): void {
    if (this.remaining !== 0) {
      throw new ByteRangeError(`${this.remaining} trailing bytes at offset ${this.pos}`, this.pos, 0, this.remaining);
    }
  }
}
