/**
 * Strict standard base64 (RFC 4648 §4, with padding) for the text forms of prepared commands
 * and signatures. Decoding refuses other alphabets, missing or extra padding, and non-zero
 * padding bits, so one byte string has exactly one text.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map([...ALPHABET].map((ch, i) => [ch, i]));

export class Base64Error extends Error {
  override name = 'Base64Error';
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
    s += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    s += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return s;
}

export function fromBase64(text: string, maxBytes = 1 << 20): Uint8Array {
  if (text.length % 4 !== 0) throw new Base64Error('base64 length must be a multiple of 4');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const n = (text.length / 4) * 3 - pad;
  if (n > maxBytes) throw new Base64Error(`base64 text decodes to more than ${maxBytes} bytes`);
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const q = [0, 1, 2, 3].map((k) => {
      const ch = text[i + k];
      if (ch === '=' && last && k >= 4 - pad) return 0;
      const v = VALUE.get(ch);
      if (v === undefined) throw new Base64Error(`not a base64 character at ${i + k}`);
      return v;
    });
    const v = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
    if (last && pad === 2 && v & 0xffff) throw new Base64Error('base64 padding bits are not zero');
    if (last && pad === 1 && v & 0xff) throw new Base64Error('base64 padding bits are not zero');
    out[o++] = v >> 16;
    if (o < n) out[o++] = (v >> 8) & 0xff;
    if (o < n) out[o++] = v & 0xff;
  }
  return out;
}
