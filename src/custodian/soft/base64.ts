/**
 * Base64 (RFC 4648 §4, standard alphabet, with padding), strict: the only accepted text for
 * some bytes is the one `encodeBase64` writes. No whitespace, no missing or extra padding,
 * and the unused bits of the last character must be zero, so one value has one spelling and
 * a changed character is always a changed value or an error.
 *
 * Two decoders: one for strings (public file fields) and one over ASCII bytes, for secrets
 * (PEM bodies) that must never become JavaScript strings, which cannot be wiped.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
const INVALID = 0xff;

const DECODE = new Uint8Array(256).fill(INVALID);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export class Base64Error extends Error {
  override name = 'Base64Error';
}

export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + '=';
  }
  return s;
}

/** Decode character codes (string or bytes) strictly. */
function decodeCodes(len: number, code: (i: number) => number): Uint8Array {
  if (len % 4 !== 0) throw new Base64Error('base64 length must be a multiple of 4');
  let pad = 0;
  if (len > 0 && code(len - 1) === PAD) pad = len > 1 && code(len - 2) === PAD ? 2 : 1;
  const out = new Uint8Array((len / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const v: number[] = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const ch = code(i + j);
      if (last && j >= 4 - pad) {
        if (ch !== PAD) throw new Base64Error('bad base64 padding');
        continue;
      }
      const d = ch < 256 ? DECODE[ch] : INVALID;
      if (d === INVALID) throw new Base64Error('base64 may contain only A-Z, a-z, 0-9, +, / and final = padding');
      v[j] = d;
    }
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    if (last && pad === 2 && (n & 0xffff) !== 0) throw new Base64Error('base64 has non-zero unused bits');
    if (last && pad === 1 && (n & 0xff) !== 0) throw new Base64Error('base64 has non-zero unused bits');
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** Strict base64 text → bytes; a Base64Error otherwise. */
export function decodeBase64(text: string): Uint8Array {
  return decodeCodes(text.length, (i) => text.charCodeAt(i));
}

/** Strict base64 held as ASCII bytes → bytes (for secret material; the caller wipes both). */
export function decodeBase64Bytes(ascii: Uint8Array): Uint8Array {
  return decodeCodes(ascii.length, (i) => ascii[i]);
}
