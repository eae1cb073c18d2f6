/**
 * AES (FIPS 197) on single 16-byte blocks, for 128-, 192- and 256-bit keys. PIV management
 * keys are AES in ECB mode on one block; WebCrypto has no ECB and Chromium refuses 192-bit AES
 * keys, yet AES-192 is the YubiKey's default management key from firmware 5.7 on. So the
 * client carries this small byte-oriented implementation. Written for clarity: an
 * authentication enciphers three blocks.
 *
 *   | key bits | Nk (words) | Nr (rounds) |
 *   |----------|------------|-------------|
 *   | 128      | 4          | 10          |
 *   | 192      | 6          | 12          |
 *   | 256      | 8          | 14          |
 *
 * The S-box is computed at load from its definition (multiplicative inverse in GF(2^8) with
 * the polynomial x^8 + x^4 + x^3 + x + 1, then the affine map with constant 0x63).
 */
export const AES_BLOCK = 16;

/** Multiply in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
function gmul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return p;
}

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
(() => {
  for (let x = 0; x < 256; x++) {
    // Inverse: x^254 (0 maps to 0).
    let inv = 0;
    if (x !== 0) {
      inv = 1;
      for (let i = 0; i < 254; i++) inv = gmul(inv, x);
    }
    let s = inv;
    let r = inv;
    for (let i = 0; i < 4; i++) {
      r = ((r << 1) | (r >> 7)) & 0xff;
      s ^= r;
    }
    s ^= 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
  }
})();

function roundsFor(keyLength: number): number {
  if (keyLength === 16) return 10;
  if (keyLength === 24) return 12;
  if (keyLength === 32) return 14;
  throw new RangeError(`an AES key is 16, 24 or 32 bytes, got ${keyLength}`);
}

/** Key expansion: (Nr + 1) round keys of 16 bytes, as one array. The caller wipes it. */
function expandKey(key: Uint8Array): Uint8Array {
  const nk = key.length / 4;
  const nr = roundsFor(key.length);
  const w = new Uint8Array(16 * (nr + 1));
  w.set(key);
  let rcon = 1;
  const t = new Uint8Array(4);
  for (let i = nk; i < 4 * (nr + 1); i++) {
    t.set(w.subarray(4 * (i - 1), 4 * i));
    if (i % nk === 0) {
      const first = t[0];
      t[0] = SBOX[t[1]] ^ rcon;
      t[1] = SBOX[t[2]];
      t[2] = SBOX[t[3]];
      t[3] = SBOX[first];
      rcon = gmul(rcon, 2);
    } else if (nk > 6 && i % nk === 4) {
      for (let j = 0; j < 4; j++) t[j] = SBOX[t[j]];
    }
    for (let j = 0; j < 4; j++) w[4 * i + j] = w[4 * (i - nk) + j] ^ t[j];
  }
  t.fill(0);
  return w;
}

// The state is column-major: byte r + 4c is row r, column c (FIPS 197 §3.4).
function addRoundKey(s: Uint8Array, w: Uint8Array, round: number): void {
  for (let i = 0; i < 16; i++) s[i] ^= w[16 * round + i];
}

function shiftRows(s: Uint8Array, inverse: boolean): void {
  const t = s.slice();
  for (let r = 1; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const from = inverse ? (c - r + 4) % 4 : (c + r) % 4;
      s[r + 4 * c] = t[r + 4 * from];
    }
  }
  t.fill(0);
}

function mixColumns(s: Uint8Array, inverse: boolean): void {
  const m = inverse ? [14, 11, 13, 9] : [2, 3, 1, 1];
  for (let c = 0; c < 4; c++) {
    const col = s.slice(4 * c, 4 * c + 4);
    for (let r = 0; r < 4; r++) {
      s[4 * c + r] = gmul(col[0], m[(4 - r) % 4]) ^ gmul(col[1], m[(5 - r) % 4]) ^ gmul(col[2], m[(6 - r) % 4]) ^ gmul(col[3], m[(7 - r) % 4]);
    }
    col.fill(0);
  }
}

function checkBlock(block: Uint8Array): void {
  if (block.length !== AES_BLOCK) throw new RangeError(`an AES block is ${AES_BLOCK} bytes, got ${block.length}`);
}

/** Encrypt one 16-byte block (AES-ECB on one block). */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  checkBlock(block);
  const nr = roundsFor(key.length);
  const w = expandKey(key);
  const s = block.slice();
  try {
    addRoundKey(s, w, 0);
    for (let round = 1; round <= nr; round++) {
      for (let i = 0; i < 16; i++) s[i] = SBOX[s[i]];
      shiftRows(s, false);
      if (round !== nr) mixColumns(s, false);
      addRoundKey(s, w, round);
    }
    return s;
  } finally {
    w.fill(0);
  }
}

/** Decrypt one 16-byte block. */
export function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  checkBlock(block);
  const nr = roundsFor(key.length);
  const w = expandKey(key);
  const s = block.slice();
  try {
    addRoundKey(s, w, nr);
    for (let round = nr - 1; round >= 0; round--) {
      shiftRows(s, true);
      for (let i = 0; i < 16; i++) s[i] = INV_SBOX[s[i]];
      addRoundKey(s, w, round);
      if (round !== 0) mixColumns(s, true);
    }
    return s;
  } finally {
    w.fill(0);
  }
}
