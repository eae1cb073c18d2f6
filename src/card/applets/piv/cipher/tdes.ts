/**
 * DES and three-key Triple DES (TDEA, EDE) on single 8-byte blocks: FIPS 46-3 and NIST
 * SP 800-67. WebCrypto has no DES, and PIV cards (YubiKeys before firmware 5.7 by default)
 * authenticate the card management key with 3DES in ECB mode on one block, so this is all
 * the client needs. It is written for clarity, not speed: an authentication enciphers three
 * blocks.
 *
 *   TDEA encrypt: C = E_K3(D_K2(E_K1(P)));  decrypt: P = D_K1(E_K2(D_K3(C)))
 *   key = K1 ‖ K2 ‖ K3 (8 bytes each; the low bit of each byte is parity and is ignored)
 *
 * The tables below are FIPS 46-3's, 1-based bit numbers, bit 1 = the most significant bit.
 */

/** Initial permutation IP. */
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
/** Final permutation IP⁻¹. */
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
/** Expansion E: 32 → 48 bits. */
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
/** Permutation P of the S-box output. */
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
/** Permuted choice 1: 64 key bits → C0 ‖ D0 (56 bits). */
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
/** Permuted choice 2: Cn ‖ Dn → the 48-bit round key. */
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
/** Left shifts of C and D per round. */
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
/** S-boxes S1..S8, each 4 rows of 16. */
const S = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

export const DES_BLOCK = 8;
export const DES_KEY_LENGTH = 8;
export const TDES_KEY_LENGTH = 24;

/** Bytes → array of bits (0/1), most significant bit first. */
function toBits(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < out.length; i++) out[i] = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}

function fromBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(bits.length / 8);
  for (let i = 0; i < bits.length; i++) out[i >> 3] |= bits[i] << (7 - (i & 7));
  return out;
}

function permute(bits: Uint8Array, table: readonly number[]): Uint8Array {
  const out = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = bits[table[i] - 1];
  return out;
}

function rotateLeft(half: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = half[(i + n) % half.length];
  return out;
}

/** The 16 round keys (48 bits each) of an 8-byte DES key. The caller wipes them. */
function roundKeys(key: Uint8Array): Uint8Array[] {
  const kb = toBits(key);
  const cd = permute(kb, PC1);
  kb.fill(0);
  let c: Uint8Array = cd.slice(0, 28);
  let d: Uint8Array = cd.slice(28);
  cd.fill(0);
  const keys: Uint8Array[] = [];
  for (const s of SHIFTS) {
    const c2 = rotateLeft(c, s);
    const d2 = rotateLeft(d, s);
    c.fill(0);
    d.fill(0);
    c = c2;
    d = d2;
    const joined = new Uint8Array(56);
    joined.set(c, 0);
    joined.set(d, 28);
    keys.push(permute(joined, PC2));
    joined.fill(0);
  }
  c.fill(0);
  d.fill(0);
  return keys;
}

/** The cipher function f(R, K). */
function f(r: Uint8Array, k: Uint8Array): Uint8Array {
  const x = permute(r, E);
  for (let i = 0; i < 48; i++) x[i] ^= k[i];
  const out = new Uint8Array(32);
  for (let box = 0; box < 8; box++) {
    const b = x.subarray(box * 6, box * 6 + 6);
    const row = (b[0] << 1) | b[5];
    const col = (b[1] << 3) | (b[2] << 2) | (b[3] << 1) | b[4];
    const v = S[box][row * 16 + col];
    for (let j = 0; j < 4; j++) out[box * 4 + j] = (v >> (3 - j)) & 1;
  }
  x.fill(0);
  return permute(out, P);
}

function desBlock(keys: Uint8Array[], block: Uint8Array, decrypt: boolean): Uint8Array {
  const bits = permute(toBits(block), IP);
  let l: Uint8Array = bits.slice(0, 32);
  let r: Uint8Array = bits.slice(32);
  for (let round = 0; round < 16; round++) {
    const k = keys[decrypt ? 15 - round : round];
    const fr = f(r, k);
    const next = new Uint8Array(32);
    for (let i = 0; i < 32; i++) next[i] = l[i] ^ fr[i];
    l = r;
    r = next;
  }
  // Pre-output block R16 ‖ L16.
  const pre = new Uint8Array(64);
  pre.set(r, 0);
  pre.set(l, 32);
  return fromBits(permute(pre, FP));
}

function checkBlock(block: Uint8Array): void {
  if (block.length !== DES_BLOCK) throw new RangeError(`a DES block is ${DES_BLOCK} bytes, got ${block.length}`);
}

/** Single DES on one block (used by tests and by TDEA). */
export function desEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (key.length !== DES_KEY_LENGTH) throw new RangeError('a DES key is 8 bytes');
  checkBlock(block);
  const ks = roundKeys(key);
  try {
    return desBlock(ks, block, false);
  } finally {
    for (const k of ks) k.fill(0);
  }
}

export function desDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (key.length !== DES_KEY_LENGTH) throw new RangeError('a DES key is 8 bytes');
  checkBlock(block);
  const ks = roundKeys(key);
  try {
    return desBlock(ks, block, true);
  } finally {
    for (const k of ks) k.fill(0);
  }
}

function tdes(key: Uint8Array, block: Uint8Array, decrypt: boolean): Uint8Array {
  if (key.length !== TDES_KEY_LENGTH) throw new RangeError(`a three-key TDEA key is ${TDES_KEY_LENGTH} bytes`);
  checkBlock(block);
  const k1 = roundKeys(key.subarray(0, 8));
  const k2 = roundKeys(key.subarray(8, 16));
  const k3 = roundKeys(key.subarray(16, 24));
  try {
    if (!decrypt) {
      const a = desBlock(k1, block, false);
      const b = desBlock(k2, a, true);
      a.fill(0);
      const out = desBlock(k3, b, false);
      b.fill(0);
      return out;
    }
    const a = desBlock(k3, block, true);
    const b = desBlock(k2, a, false);
    a.fill(0);
    const out = desBlock(k1, b, true);
    b.fill(0);
    return out;
  } finally {
    for (const k of [...k1, ...k2, ...k3]) k.fill(0);
  }
}

/** Three-key TDEA (EDE) encryption of one 8-byte block. */
export const tdesEncryptBlock = (key: Uint8Array, block: Uint8Array): Uint8Array => tdes(key, block, false);
/** Three-key TDEA (EDE) decryption of one 8-byte block. */
export const tdesDecryptBlock = (key: Uint8Array, block: Uint8Array): Uint8Array => tdes(key, block, true);
