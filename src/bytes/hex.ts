import { HexError } from './errors.ts';

const HEX = '0123456789abcdef';

/** Lowercase hex, no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

/**
 * Strict hex decoding: an even number of hex digits, upper or lower case. Spaces and colons
 * are allowed as separators only when `separators` is true (for pasted, grouped values).
 * Anything else is a HexError; when `length` is given, the decoded size must match.
 */
export function fromHex(text: string, opts: { separators?: boolean; length?: number } = {}): Uint8Array {
  const clean = opts.separators ? text.replace(/[\s:]+/g, '') : text;
  if (clean.length % 2 !== 0) throw new HexError('hex must have an even number of digits');
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new HexError('hex may contain only 0-9 and a-f');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(2 * i, 2), 16);
  if (opts.length !== undefined && out.length !== opts.length) {
    throw new HexError(`expected ${opts.length} bytes (${opts.length * 2} hex digits), got ${out.length}`);
  }
  return out;
}

/**
 * Uppercase hex in space-separated groups, for values people compare on paper (verification
 * patterns, fingerprints): groupedHex(vp) → "1A2B 3C4D …". `group` is in bytes.
 */
export function groupedHex(bytes: Uint8Array, group = 2): string {
  const h = toHex(bytes).toUpperCase();
  const parts: string[] = [];
  for (let i = 0; i < h.length; i += group * 2) parts.push(h.slice(i, i + group * 2));
  return parts.join(' ');
}
