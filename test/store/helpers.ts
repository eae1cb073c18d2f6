/** Shared setup for the store tests: a fresh database, a controllable clock, raw access, fixtures. */
import { wrap, type IDBPDatabase } from 'idb';
import { ecdsaSign, exportPublicPoint, generateEcKeyPair, randomBytes, type CurveName } from '../../src/crypto/index.ts';
import { buildAdminCertificate, encodeKeyBlob } from '../../src/cryptounit/protocol/index.ts';
import { openStore, type Migration, type WebtkeStore } from '../../src/store/index.ts';
import { testIdb, type TestIdb } from './idb-env.ts';

export const c = globalThis.crypto;
export const T0 = 1_700_000_000_000;

export interface Harness {
  idb: TestIdb;
  store: WebtkeStore;
  /** the store's clock; set `time.now` to move it */
  time: { now: number };
  /** open another connection to the same database (same clock) */
  open(migrations?: readonly Migration[]): Promise<WebtkeStore>;
  /** raw (untyped) connection for inspecting or tampering with records */
  raw(): Promise<IDBPDatabase<unknown>>;
  /** close every connection made through this harness and delete the database */
  done(): Promise<void>;
}

export async function setup(): Promise<Harness> {
  const idb = await testIdb();
  const time = { now: T0 };
  const stores: WebtkeStore[] = [];
  const raws: IDBPDatabase<unknown>[] = [];
  const open = async (migrations?: readonly Migration[]): Promise<WebtkeStore> => {
    const s = await openStore({ indexedDB: idb.indexedDB, crypto: c, name: idb.name, clock: () => time.now, migrations });
    stores.push(s);
    return s;
  };
  const store = await open();
  return {
    idb,
    store,
    time,
    open,
    async raw() {
      const db = (await wrap(idb.indexedDB.open(idb.name))) as unknown as IDBPDatabase<unknown>;
      raws.push(db);
      return db;
    },
    async done() {
      for (const s of stores) s.close();
      for (const r of raws) r.close();
      await idb.cleanup();
    },
  };
}

/** A real self-signed admin certificate (the directory runs the unit's checks on it). */
export async function adminCertificate(name: string, curve: CurveName = 'P-256'): Promise<Uint8Array> {
  const kp = await generateEcKeyPair(c, curve, 'ECDSA');
  const publicPoint = await exportPublicPoint(c, kp.publicKey);
  return buildAdminCertificate(c, { name, curve, publicPoint, sign: (tbs) => ecdsaSign(c, curve, kp.privateKey, tbs) });
}

/** A 32-byte VP in hex: 28 random bytes and 4 zero bytes (the form of DESIGN §3.6). */
export function randomVp(): string {
  const b = randomBytes(c, 32);
  b.fill(0, 28);
  return hex(b);
}

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const unhex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** A DER KeyBlob for `keyId` under `vp` (iv and sealed are random: the store never opens it). */
export function keyBlob(keyId: Uint8Array, vp: string): Uint8Array {
  return encodeKeyBlob({ keyId, vp: unhex(vp).subarray(0, 28), iv: randomBytes(c, 12), sealed: randomBytes(c, 48) });
}

/** Every record of one object store, read with a raw connection. */
export async function rawAll(h: Harness, store: string): Promise<Record<string, unknown>[]> {
  const db = await h.raw();
  try {
    return (await db.getAll(store)) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
