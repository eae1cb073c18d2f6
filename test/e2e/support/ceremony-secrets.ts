/**
 * Looking for secrets where none may be: everything the page keeps (every record of every
 * IndexedDB database and store, localStorage, sessionStorage) and files it exported, searched
 * for the bytes of key parts, private keys and passwords in every spelling we can think of.
 *
 * The secrets are obtained independently of the app: typed part values are known to the test;
 * private keys are read by opening the downloaded signature key files here, with node:crypto
 * (PBKDF2-SHA256 + AES-256-GCM with the header as additional data, docs/key-files.md), and
 * checked against the file's SKI before use.
 */
import { createDecipheriv, createHash, createPrivateKey, pbkdf2Sync } from 'node:crypto';
import type { Page } from 'playwright-core';
import { assert } from '../../harness.ts';

/** One piece of stored data: a string, or bytes (base64 for the trip out of the page). */
export type Chunk = { where: string; text: string } | { where: string; b64: string };

export interface PageStorage {
  chunks: Chunk[];
  /** database → store → record count */
  counts: Record<string, Record<string, number>>;
  /** CryptoKey objects met (non-extractable keys: their bytes cannot be read, by us or anyone) */
  cryptoKeys: number;
}

/**
 * What runs in the page: every IndexedDB database, store and record (values and keys walked
 * down to strings and bytes), then localStorage and sessionStorage. Kept as source text: the
 * test runner's transpiler would wrap named functions in a helper the page does not have.
 */
const READ_STORAGE = String.raw`(async () => {
  const chunks = [];
  const counts = {};
  let cryptoKeys = 0;
  function b64(u8) {
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return btoa(s);
  }
  async function walk(v, where, depth) {
    if (depth > 40 || v === null || v === undefined) return;
    if (typeof v === 'string') chunks.push({ where, text: v });
    else if (typeof v === 'bigint') chunks.push({ where, text: v.toString() });
    else if (v instanceof ArrayBuffer) chunks.push({ where, b64: b64(new Uint8Array(v)) });
    else if (ArrayBuffer.isView(v)) chunks.push({ where, b64: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) });
    else if (typeof CryptoKey !== 'undefined' && v instanceof CryptoKey) cryptoKeys++;
    else if (v instanceof Blob) chunks.push({ where, b64: b64(new Uint8Array(await v.arrayBuffer())) });
    else if (v instanceof Map) for (const [k, x] of v) { await walk(k, where + '/key', depth + 1); await walk(x, where + '/' + String(k), depth + 1); }
    else if (v instanceof Set) for (const x of v) await walk(x, where, depth + 1);
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) await walk(v[i], where + '[' + i + ']', depth + 1);
    else if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        chunks.push({ where: where + '.<name>', text: k });
        await walk(x, where + '.' + k, depth + 1);
      }
    }
  }
  function request(r) {
    return new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  }
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    const db = await request(indexedDB.open(info.name));
    counts[info.name] = {};
    try {
      for (const storeName of [...db.objectStoreNames]) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        counts[info.name][storeName] = values.length;
        for (let i = 0; i < values.length; i++) {
          const where = 'idb:' + info.name + '/' + storeName + '#' + i;
          await walk(keys[i], where + '(key)', 0);
          await walk(values[i], where, 0);
        }
      }
    } finally {
      db.close();
    }
  }
  for (const [name, s] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]]) {
    for (let i = 0; i < s.length; i++) {
      const k = s.key(i);
      chunks.push({ where: name + '.<name>', text: k }, { where: name + '.' + k, text: s.getItem(k) ?? '' });
    }
  }
  return { chunks, counts, cryptoKeys };
})()`;

/** Read every IndexedDB record, localStorage and sessionStorage, inside the page. */
export async function readPageStorage(page: Page): Promise<PageStorage> {
  return (await page.evaluate(READ_STORAGE)) as PageStorage;
}

/** A secret to look for, in bytes (a part, a scalar, a master key) or as text (a password). */
export interface Secret {
  label: string;
  bytes?: Uint8Array;
  text?: string;
  /** search only for the whole value (a PKCS#8 holds the public key too: its halves are not secret) */
  wholeOnly?: boolean;
}

interface Needle {
  label: string;
  spelling: string;
  bytes: Buffer;
  /** compare against lower-cased text */
  lower: boolean;
}

function needles(s: Secret): Needle[] {
  const out: Needle[] = [];
  const add = (spelling: string, bytes: Buffer, lower = false) => out.push({ label: s.label, spelling, bytes, lower });
  if (s.text !== undefined) {
    add('text (UTF-8)', Buffer.from(s.text.normalize('NFC'), 'utf8'));
    add('text (UTF-16LE)', Buffer.from(s.text, 'utf16le'));
  }
  if (s.bytes) {
    const b = Buffer.from(s.bytes);
    const hex = b.toString('hex');
    add('raw bytes', b);
    add('hex', Buffer.from(hex), true);
    add('grouped hex', Buffer.from(hex.match(/.{1,4}/g)!.join(' ')), true);
    add('hex with colons', Buffer.from(hex.match(/.{1,2}/g)!.join(':')), true);
    add('base64', Buffer.from(b.toString('base64')));
    add('base64 unpadded', Buffer.from(b.toString('base64').replace(/=+$/, '')));
    add('base64url', Buffer.from(b.toString('base64url')));
    // a comma-separated byte list (a typed array through JSON.stringify)
    add('decimal list', Buffer.from(Array.from(b).join(',')));
    // the first and last 16 bytes alone: a secret split across fields still shows a half
    if (b.length >= 32 && !s.wholeOnly) {
      add('raw first half', b.subarray(0, 16));
      add('raw second half', b.subarray(b.length - 16));
      add('hex first half', Buffer.from(hex.slice(0, 32)), true);
    }
  }
  return out;
}

export interface Haystack {
  where: string;
  bytes: Buffer;
  lower: Buffer;
}

export function haystacks(chunks: readonly Chunk[]): Haystack[] {
  const out: Haystack[] = [];
  for (const c of chunks) {
    if ('text' in c) {
      out.push({ where: c.where, bytes: Buffer.from(c.text, 'utf8'), lower: Buffer.from(c.text.toLowerCase(), 'utf8') });
      out.push({ where: `${c.where} (latin1)`, bytes: Buffer.from(c.text, 'latin1'), lower: Buffer.from(c.text.toLowerCase(), 'latin1') });
      out.push({ where: `${c.where} (UTF-16LE)`, bytes: Buffer.from(c.text, 'utf16le'), lower: Buffer.from(c.text.toLowerCase(), 'utf16le') });
    } else {
      const b = Buffer.from(c.b64, 'base64');
      out.push({ where: c.where, bytes: b, lower: Buffer.from(b.toString('latin1').toLowerCase(), 'latin1') });
    }
  }
  return out;
}

/** Every place a secret shows up, as "label (spelling) in where". */
export function findSecrets(secrets: readonly Secret[], hay: readonly Haystack[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    for (const n of needles(s)) {
      if (n.bytes.length < 8) throw new Error(`test: the needle for ${n.label} (${n.spelling}) is too short to mean anything`);
      for (const h of hay) {
        if ((n.lower ? h.lower : h.bytes).includes(n.bytes)) found.push(`${n.label} (${n.spelling}) in ${h.where}`);
      }
    }
  }
  return found;
}

/** A self-test of the search: each secret must be found when planted in each spelling. */
export function assertSearchFinds(secrets: readonly Secret[]): void {
  for (const s of secrets) {
    for (const n of needles(s)) {
      const planted: Haystack[] = [{ where: 'planted', bytes: Buffer.concat([Buffer.from('xx'), n.bytes, Buffer.from('yy')]), lower: Buffer.concat([Buffer.from('xx'), n.bytes, Buffer.from('yy')]) }];
      if (n.lower) planted[0].lower = Buffer.from(planted[0].bytes.toString('latin1').toLowerCase(), 'latin1');
      assert.isNotEmpty(findSecrets([s], planted), `the search finds ${s.label} written as ${n.spelling}`);
    }
  }
}

// ---- private keys out of the downloaded signature key files ---------------------------------

interface SignatureKeyFileJson {
  format: string;
  version: number;
  name: string;
  curve: string;
  ski: string;
  certificate: string;
  kdf: { name: string; iterations: number; salt: string };
  cipher: { name: string; iv: string; ciphertext: string };
}

export interface OpenedKeyFile {
  /** PKCS#8 DER */
  pkcs8: Buffer;
  /** the private scalar, at the curve's full size */
  scalar: Buffer;
}

const CURVE_BYTES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/**
 * Decrypt a webtke signature key file with node:crypto alone (docs/key-files.md): PBKDF2-HMAC-
 * SHA256(NFC password, salt, iterations, 32) → AES-256-GCM with the public header as additional
 * data → PKCS#8. The key's public point must hash to the file's SKI.
 */
export function openSignatureKeyFileWithNode(text: string, password: string): OpenedKeyFile {
  const f = JSON.parse(text) as SignatureKeyFileJson;
  assert.equal(f.kdf.name, 'PBKDF2-SHA256');
  assert.equal(f.cipher.name, 'AES-256-GCM');
  const salt = Buffer.from(f.kdf.salt, 'base64');
  const key = pbkdf2Sync(Buffer.from(password.normalize('NFC'), 'utf8'), salt, f.kdf.iterations, 32, 'sha256');
  const aad = Buffer.from(JSON.stringify([f.format, f.version, f.name, f.curve, f.ski, f.certificate, 'PBKDF2-SHA256', f.kdf.iterations, f.kdf.salt, 'AES-256-GCM']), 'utf8');
  const ct = Buffer.from(f.cipher.ciphertext, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(f.cipher.iv, 'base64'));
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  const pkcs8 = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as { crv: string; d: string; x: string; y: string };
  const size = CURVE_BYTES[f.curve];
  const pad = (b64u: string) => {
    const b = Buffer.from(b64u, 'base64url');
    return Buffer.concat([Buffer.alloc(size - b.length), b]);
  };
  const point = Buffer.concat([Buffer.from([4]), pad(jwk.x), pad(jwk.y)]);
  assert.equal(createHash('sha256').update(point).digest('base64'), f.ski, 'the decrypted key is the one the file names');
  return { pkcs8, scalar: pad(jwk.d) };
}
