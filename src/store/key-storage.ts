import type { IDBPTransaction } from 'idb';
import { toHex } from '../bytes/index.ts';
import { decodeKeyBlob, type KeyBlob } from '../cryptounit/protocol/index.ts';
import { inTransaction, isConstraintError, type StoreContext } from './context.ts';
import { AlreadyExistsError, InvalidRecordError, NotFoundError, RotationError } from './errors.ts';
import { checkBytes, checkHex, checkKeys, checkObject, checkString, normalizeVp } from './fields.ts';
import { INDEXES, STORES, type WebtkeDB } from './schema.ts';
import { assertNoSecrets } from './secret-guard.ts';

/**
 * Key storage of a simulated instance (DESIGN §3.8): the key blobs live here, the units only
 * open and re-seal them. A remote instance keeps its blobs on its host, so these operations
 * refuse a remote instance.
 *
 *   | field    | type                                                                 |
 *   |----------|----------------------------------------------------------------------|
 *   | instanceId, keyId | the key ([instanceId, keyId]); keyId = the blob's 16-byte keyId in hex |
 *   | label    | 1–200 characters                                                     |
 *   | created  | ms since 1970                                                        |
 *   | blob, vp | DER KeyBlob and the VP it is under (read from the blob, 64 hex digits) |
 *   | nextBlob, nextVp | during a rotation: the same key re-enciphered (REENCRYPT) under the new VP |
 *
 * A record always names the VP it is under, because the store reads it from the blob.
 *
 * Rotation is staged and crash-safe, and every step is one transaction:
 *   1. beginRotation(from, to): every record must be under `from`; from now on key creation
 *      is refused (RotationError 'rotation-open').
 *   2. stage(blobs): each REENCRYPT result goes beside the old blob (nextBlob, nextVp = to).
 *      Resumable: rotation() lists what is still pending; staging a key again overwrites.
 *   3. After set immediate on every unit: promote(to) swaps every record to its new blob and
 *      drops the old one, all or nothing. It refuses while any record is unstaged, so an old
 *      blob is never dropped before its replacement exists.
 *   abandonRotation() drops the staged blobs instead (the new register was cleared).
 */
export interface KeyRecord {
  instanceId: string;
  keyId: string;
  label: string;
  created: number;
  blob: Uint8Array;
  vp: string;
  nextBlob?: Uint8Array;
  nextVp?: string;
}

export interface RotationRecord {
  instanceId: string;
  /** the VP of the current register: every record is under it when the rotation starts */
  fromVp: string;
  /** the VP of the committed new register */
  toVp: string;
  started: number;
}

export interface RotationStatus extends RotationRecord {
  /** records of the instance */
  total: number;
  /** records with a blob staged under toVp */
  staged: number;
  /** keyIds still to re-encipher */
  pending: string[];
}

export interface NewKey {
  label: string;
  /** DER KeyBlob, as GENERATE_KEY returned it */
  blob: Uint8Array;
}

export interface KeyStorage {
  /** Store a new key's blob; refused while a rotation is open. */
  add(instanceId: string, key: NewKey): Promise<KeyRecord>;
  get(instanceId: string, keyId: string): Promise<KeyRecord | undefined>;
  /** All records of the instance, oldest first. */
  list(instanceId: string): Promise<KeyRecord[]>;
  /** Records whose current blob is under `vp`. */
  listByVp(instanceId: string, vp: string): Promise<KeyRecord[]>;
  /** How many records are under each VP (current blobs), e.g. { "ab12…": 3 }. */
  countByVp(instanceId: string): Promise<Record<string, number>>;
  relabel(instanceId: string, keyId: string, label: string): Promise<KeyRecord>;
  remove(instanceId: string, keyId: string): Promise<void>;
  /** The open rotation and its progress, if any. */
  rotation(instanceId: string): Promise<RotationStatus | undefined>;
  /** Open a rotation; calling it again with the same VPs resumes (returns the open one). */
  beginRotation(instanceId: string, vps: { fromVp: string; toVp: string }): Promise<RotationStatus>;
  /** Stage REENCRYPT results (DER KeyBlobs under toVp), all or none. */
  stage(instanceId: string, blobs: readonly Uint8Array[]): Promise<RotationStatus>;
  /** After set immediate: every record takes its staged blob; returns how many. */
  promote(instanceId: string, toVp: string): Promise<number>;
  /** Drop every staged blob and close the rotation. */
  abandonRotation(instanceId: string): Promise<void>;
}

const MAX_BLOB = 1024;
const MAX_LABEL = 200;

type Tx = IDBPTransaction<WebtkeDB, ('instances' | 'keyRecords' | 'rotations')[], 'readwrite'>;

function readBlob(v: unknown, field: string): { der: Uint8Array; blob: KeyBlob; keyId: string; vp: string } {
  const der = checkBytes(v, field, MAX_BLOB);
  let blob: KeyBlob;
  try {
    blob = decodeKeyBlob(der);
  } catch (e) {
    throw new InvalidRecordError(field, `is not a KeyBlob: ${(e as Error).message}`);
  }
  return { der, blob, keyId: toHex(blob.keyId), vp: normalizeVp(toHex(blob.vp), `${field}.vp`) };
}

const checkKeyId = (v: unknown): string => checkHex(v, 'keyId', 16);

function status(rot: RotationRecord, records: readonly KeyRecord[]): RotationStatus {
  const pending = records.filter((r) => r.nextVp !== rot.toVp).map((r) => r.keyId);
  return { ...rot, total: records.length, staged: records.length - pending.length, pending };
}

export function keyStorage(ctx: StoreContext): KeyStorage {

  /** The instance must exist and be simulated. */
  async function requireSimulated(tx: Tx, instanceId: string): Promise<void> {
    const inst = await tx.objectStore(STORES.instances).get(instanceId);
    if (!inst) throw new NotFoundError('instance', instanceId);
    if (inst.kind !== 'simulated') throw new InvalidRecordError('instanceId', 'a remote instance keeps its key storage on its host');
  }

  const recordsIn = (tx: Tx, instanceId: string): Promise<KeyRecord[]> =>
    tx.objectStore(STORES.keyRecords).index(INDEXES.keyRecordsByInstance).getAll(instanceId);
  const recordsOf = (instanceId: string): Promise<KeyRecord[]> =>
    ctx.db().getAllFromIndex(STORES.keyRecords, INDEXES.keyRecordsByInstance, instanceId);

  const write = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> =>
    inTransaction(ctx, [STORES.instances, STORES.keyRecords, STORES.rotations], 'readwrite', fn);

  async function openRotation(tx: Tx, instanceId: string): Promise<RotationRecord> {
    const rot = await tx.objectStore(STORES.rotations).get(instanceId);
    if (!rot) throw new RotationError(instanceId, 'no-rotation', 'no rotation is open for this instance');
    return rot;
  }

  return {
    async add(instanceId, key) {
      assertNoSecrets(key);
      const o = checkObject(key, 'key');
      checkKeys(o, '', ['label', 'blob']);
      const label = checkString(o.label, 'label', { max: MAX_LABEL });
      const b = readBlob(o.blob, 'blob');
      const rec: KeyRecord = { instanceId, keyId: b.keyId, label, created: ctx.now(), blob: b.der, vp: b.vp };
      try {
        await write(async (tx) => {
          await requireSimulated(tx, instanceId);
          if (await tx.objectStore(STORES.rotations).get(instanceId)) {
            throw new RotationError(instanceId, 'rotation-open', 'a rotation is open: finish or abandon it before creating keys');
          }
          await tx.objectStore(STORES.keyRecords).add(rec);
        });
      } catch (e) {
        if (isConstraintError(e)) throw new AlreadyExistsError('key', rec.keyId);
        throw e;
      }
      return rec;
    },

    get: async (instanceId, keyId) => ctx.db().get(STORES.keyRecords, [instanceId, checkKeyId(keyId)]),

    async list(instanceId) {
      const all = await recordsOf(instanceId);
      return all.sort((a, b) => a.created - b.created || (a.keyId < b.keyId ? -1 : 1));
    },

    listByVp: async (instanceId, vp) => ctx.db().getAllFromIndex(STORES.keyRecords, INDEXES.keyRecordsByVp, [instanceId, normalizeVp(vp, 'vp')]),

    async countByVp(instanceId) {
      const counts: Record<string, number> = {};
      for (const r of await recordsOf(instanceId)) counts[r.vp] = (counts[r.vp] ?? 0) + 1;
      return counts;
    },

    async relabel(instanceId, keyId, label) {
      const id = checkKeyId(keyId);
      const l = checkString(label, 'label', { max: MAX_LABEL });
      return write(async (tx) => {
        const s = tx.objectStore(STORES.keyRecords);
        const rec = await s.get([instanceId, id]);
        if (!rec) throw new NotFoundError('key', id);
        rec.label = l;
        await s.put(rec);
        return rec;
      });
    },

    async remove(instanceId, keyId) {
      const id = checkKeyId(keyId);
      await write(async (tx) => {
        const s = tx.objectStore(STORES.keyRecords);
        if (!(await s.get([instanceId, id]))) throw new NotFoundError('key', id);
        await s.delete([instanceId, id]);
      });
    },

    async rotation(instanceId) {
      const tx = ctx.db().transaction([STORES.rotations, STORES.keyRecords]);
      const rot = await tx.objectStore(STORES.rotations).get(instanceId);
      if (!rot) return undefined;
      return status(rot, await tx.objectStore(STORES.keyRecords).index(INDEXES.keyRecordsByInstance).getAll(instanceId));
    },

    async beginRotation(instanceId, vps) {
      const o = checkObject(vps, 'vps');
      checkKeys(o, '', ['fromVp', 'toVp']);
      const fromVp = normalizeVp(o.fromVp, 'fromVp');
      const toVp = normalizeVp(o.toVp, 'toVp');
      if (fromVp === toVp) throw new InvalidRecordError('toVp', 'a rotation goes to a different VP');
      return write(async (tx) => {
        await requireSimulated(tx, instanceId);
        const records = await recordsIn(tx, instanceId);
        const open = await tx.objectStore(STORES.rotations).get(instanceId);
        if (open) {
          if (open.fromVp === fromVp && open.toVp === toVp) return status(open, records);
          throw new RotationError(instanceId, 'rotation-open', `a rotation to ${open.toVp} is open: finish or abandon it first`);
        }
        const strays = records.filter((r) => r.vp !== fromVp).map((r) => r.keyId);
        if (strays.length) throw new RotationError(instanceId, 'wrong-vp', `${strays.length} key(s) are not under ${fromVp}`, strays);
        const rot: RotationRecord = { instanceId, fromVp, toVp, started: ctx.now() };
        await tx.objectStore(STORES.rotations).add(rot);
        return status(rot, records);
      });
    },

    async stage(instanceId, blobs) {
      if (!Array.isArray(blobs) || blobs.length === 0) throw new InvalidRecordError('blobs', 'must be a non-empty list');
      const read = blobs.map((b, i) => readBlob(b, `blobs[${i}]`));
      return write(async (tx) => {
        const rot = await openRotation(tx, instanceId);
        const s = tx.objectStore(STORES.keyRecords);
        const wrong = read.filter((b) => b.vp !== rot.toVp).map((b) => b.keyId);
        if (wrong.length) throw new RotationError(instanceId, 'wrong-vp', `blob(s) not under the rotation's new VP ${rot.toVp}`, wrong);
        const changed: KeyRecord[] = [];
        for (const b of read) {
          const rec = await s.get([instanceId, b.keyId]);
          if (!rec) throw new NotFoundError('key', b.keyId);
          rec.nextBlob = b.der;
          rec.nextVp = b.vp;
          changed.push(rec);
        }
        for (const rec of changed) await s.put(rec);
        return status(rot, await recordsIn(tx, instanceId));
      });
    },

    async promote(instanceId, toVp) {
      const vp = normalizeVp(toVp, 'toVp');
      return write(async (tx) => {
        const rot = await openRotation(tx, instanceId);
        if (rot.toVp !== vp) throw new RotationError(instanceId, 'wrong-vp', `the open rotation goes to ${rot.toVp}, not ${vp}`);
        const s = tx.objectStore(STORES.keyRecords);
        const records = await recordsIn(tx, instanceId);
        const st = status(rot, records);
        if (st.pending.length) {
          throw new RotationError(instanceId, 'incomplete', `${st.pending.length} key(s) are not re-enciphered yet; their old blobs are kept`, st.pending);
        }
        for (const rec of records) {
          const next: KeyRecord = { instanceId: rec.instanceId, keyId: rec.keyId, label: rec.label, created: rec.created, blob: rec.nextBlob!, vp: rec.nextVp! };
          await s.put(next);
        }
        await tx.objectStore(STORES.rotations).delete(instanceId);
        return records.length;
      });
    },

    async abandonRotation(instanceId) {
      await write(async (tx) => {
        await openRotation(tx, instanceId);
        const s = tx.objectStore(STORES.keyRecords);
        for (const rec of await recordsIn(tx, instanceId)) {
          if (rec.nextBlob === undefined && rec.nextVp === undefined) continue;
          delete rec.nextBlob;
          delete rec.nextVp;
          await s.put(rec);
        }
        await tx.objectStore(STORES.rotations).delete(instanceId);
      });
    },
  };
}
