/**
 * An independent AES (FIPS-197) and AES key unwrap (RFC 3394 §2.2.2), written from the specs
 * for tests only, so that custodian output is checked by code that shares nothing with
 * WebCrypto. The S-box is computed from its definition (inverse in GF(2^8), then the affine
 * map), not copied from a table. Slow and not constant-time: never use it outside tests.
 */
const xtime = (a: number): number => ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;

function gmul(a: number, b: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return r;
}

function ginv(a: number): number {
  if (a === 0) return 0;
  // a^254 = a^-1 in GF(2^8)
  let r = 1;
  let x = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) r = gmul(r, x);
    x = gmul(x, x);
  }
  return r;
}

const rotl8 = (b: number, n: number): number => ((b << n) | (b >> (8 - n))) & 0xff;

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
for (let a = 0; a < 256; a++) {
  const b = ginv(a);
  const s = b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63;
  SBOX[a] = s;
  INV_SBOX[s] = a;
}

/** Round keys as 4(Nr+1) words of 4 bytes (FIPS-197 §5.2). */
function expandKey(key: Uint8Array): Uint8Array[] {
  if (![16, 24, 32].includes(key.length)) throw new Error('AES key must be 16, 24 or 32 bytes');
  const nk = key.length / 4;
  const nr = nk + 6;
  const w: Uint8Array[] = [];
  for (let i = 0; i < nk; i++) w.push(key.slice(4 * i, 4 * i + 4));
  let rcon = 1;
  for (let i = nk; i < 4 * (nr + 1); i++) {
    let t = w[i - 1].slice();
    if (i % nk === 0) {
      t = Uint8Array.of(SBOX[t[1]] ^ rcon, SBOX[t[2]], SBOX[t[3]], SBOX[t[0]]);
      rcon = xtime(rcon);
    } else if (nk > 6 && i % nk === 4) {
      t = t.map((x) => SBOX[x]);
    }
    w.push(w[i - nk].map((x, j) => x ^ t[j]));
  }
  return w;
}

/** AES inverse cipher of one 16-byte block (FIPS-197 §5.3). State index = row + 4 × column. */
export function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const w = expandKey(key);
  const nr = key.length / 4 + 6;
  let s = block.slice();
  const addRoundKey = (round: number): void => {
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) s[r + 4 * c] ^= w[4 * round + c][r];
  };
  const invShiftRows = (): void => {
    const o = s.slice();
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) s[r + 4 * ((c + r) % 4)] = o[r + 4 * c];
  };
  const invSubBytes = (): void => {
    s = s.map((x) => INV_SBOX[x]);
  };
  const invMixColumns = (): void => {
    for (let c = 0; c < 4; c++) {
      const [a0, a1, a2, a3] = [s[4 * c], s[4 * c + 1], s[4 * c + 2], s[4 * c + 3]];
      s[4 * c] = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
      s[4 * c + 1] = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
      s[4 * c + 2] = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
      s[4 * c + 3] = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
    }
  };
  addRoundKey(nr);
  for (let round = nr - 1; round >= 1; round--) {
    invShiftRows();
    invSubBytes();
    addRoundKey(round);
    invMixColumns();
  }
  invShiftRows();
  invSubBytes();
  addRoundKey(0);
  return s;
}

const KW_IV = Uint8Array.of(0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6);

/** RFC 3394 key unwrap; returns undefined when the integrity check fails. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined {
  if (wrapped.length % 8 !== 0 || wrapped.length < 24) throw new Error('wrapped data must be 8n bytes, n ≥ 3');
  const n = wrapped.length / 8 - 1;
  let a = wrapped.slice(0, 8);
  const r: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) r[i] = wrapped.slice(8 * i, 8 * i + 8);
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      const t = n * j + i;
      const x = a.slice();
      for (let k = 0; k < 8; k++) x[7 - k] ^= Math.floor(t / 2 ** (8 * k)) & 0xff;
      const b = aesDecryptBlock(kek, new Uint8Array([...x, ...r[i]]));
      a = b.slice(0, 8);
      r[i] = b.slice(8);
    }
  }
  if (!a.every((v, i) => v === KW_IV[i])) return undefined;
  const out = new Uint8Array(8 * n);
  for (let i = 1; i <= n; i++) out.set(r[i], 8 * (i - 1));
  return out;
}
