import { decodeEcSpki, spkiFingerprint } from '../cryptounit/protocol/index.ts';
import { inTransaction, type StoreContext } from './context.ts';
import { InvalidRecordError, NotFoundError, RootPinConflictError } from './errors.ts';
import { checkBytes, checkKeys, checkObject, checkString, newId } from './fields.ts';
import { STORES } from './schema.ts';
import { assertNoSecrets } from './secret-guard.ts';

/**
 * Service instances and their crypto units (DESIGN §1, §5): one record per instance, its units
 * inside it, so an instance and its units always change together.
 *
 *   | field            | type                                                      |
 *   |------------------|-----------------------------------------------------------|
 *   | id               | 16-byte hex, made by the store                            |
 *   | name             | 1–100 characters                                          |
 *   | kind             | 'simulated' (units in Workers) or 'remote' (HTTP units)    |
 *   | units[].id       | 16-byte hex, made by the store                            |
 *   | units[].label    | 1–100 characters, unique in the instance                  |
 *   | units[].endpoint | {kind:'simulated', index} or {kind:'http', url}; must match the instance kind |
 *   | units[].pinnedRoot | {fingerprint "SHA256:…", spki DER, pinned time}, set on first use |
 *   | created          | ms since 1970                                             |
 */
export type InstanceKind = 'simulated' | 'remote';

export type UnitEndpoint =
  /** the index-th unit of the instance's simulated host */
  | { kind: 'simulated'; index: number }
  /** a remote unit speaking the protocol over HTTP(S) */
  | { kind: 'http'; url: string };

/** The host root a unit's OA chain must end in (DESIGN §3.2), pinned on first use. */
export interface PinnedRoot {
  /** "SHA256:" + unpadded base64 of SHA-256(spki), as spkiFingerprint shows it */
  fingerprint: string;
  /** DER SubjectPublicKeyInfo of the root */
  spki: Uint8Array;
  pinned: number;
}

export interface UnitRecord {
  id: string;
  label: string;
  endpoint: UnitEndpoint;
  pinnedRoot?: PinnedRoot;
  created: number;
}

export interface InstanceRecord {
  id: string;
  name: string;
  kind: InstanceKind;
  units: UnitRecord[];
  created: number;
}

export interface NewUnit {
  label: string;
  endpoint: UnitEndpoint;
}

export interface NewInstance {
  name: string;
  kind: InstanceKind;
  units?: readonly NewUnit[];
}

export interface UnitPatch {
  label?: string;
  endpoint?: UnitEndpoint;
}

export interface InstanceRepository {
  /** Create an instance (and its first units); ids and times are set by the store. */
  create(input: NewInstance): Promise<InstanceRecord>;
  get(id: string): Promise<InstanceRecord | undefined>;
  /** All instances, oldest first. */
  list(): Promise<InstanceRecord[]>;
  rename(id: string, name: string): Promise<InstanceRecord>;
  addUnit(instanceId: string, unit: NewUnit): Promise<UnitRecord>;
  /** Change a unit's label or endpoint; its pinned root stays (it is what catches a wrong unit). */
  updateUnit(instanceId: string, unitId: string, patch: UnitPatch): Promise<UnitRecord>;
  /** Remove a unit and its simulated state. */
  removeUnit(instanceId: string, unitId: string): Promise<void>;
  /**
   * Pin the unit's host root on first use (DESIGN §3.2). Pinning the same root again is a
   * no-op; a different root is RootPinConflictError and changes nothing.
   */
  pinRoot(instanceId: string, unitId: string, rootSpki: Uint8Array): Promise<UnitRecord>;
  /** Forget the pinned root (a deliberate act the caller journals first). */
  unpinRoot(instanceId: string, unitId: string): Promise<UnitRecord>;
  /**
   * Delete an instance with its key storage, rotation and simulated state, in one
   * transaction. Journal entries stay: the journal is append-only.
   */
  delete(id: string): Promise<void>;
}

export const MAX_UNITS = 64;
const MAX_LABEL = 100;
const MAX_SIM_INDEX = 1023;
const MAX_URL = 2048;
const MAX_SPKI = 1024;

function checkEndpoint(v: unknown, kind: InstanceKind, field: string): UnitEndpoint {
  const e = checkObject(v, field);
  if (kind === 'simulated') {
    if (e.kind !== 'simulated') throw new InvalidRecordError(`${field}.kind`, "a simulated instance's units have simulated endpoints");
    checkKeys(e, field, ['kind', 'index']);
    const index = e.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_SIM_INDEX) {
      throw new InvalidRecordError(`${field}.index`, `must be an integer in 0..${MAX_SIM_INDEX}`);
    }
    return { kind: 'simulated', index };
  }
  if (e.kind !== 'http') throw new InvalidRecordError(`${field}.kind`, "a remote instance's units have http endpoints");
  checkKeys(e, field, ['kind', 'url']);
  const text = checkString(e.url, `${field}.url`, { max: MAX_URL });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidRecordError(`${field}.url`, 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidRecordError(`${field}.url`, 'must be http: or https:');
  if (url.username !== '' || url.password !== '') throw new InvalidRecordError(`${field}.url`, 'may not carry a user name or password');
  if (url.hash !== '') throw new InvalidRecordError(`${field}.url`, 'may not have a #fragment');
  return { kind: 'http', url: url.href };
}

const endpointKey = (e: UnitEndpoint): string => (e.kind === 'simulated' ? `sim:${e.index}` : `http:${e.url}`);

/** Labels and endpoints are unique inside an instance. */
function checkUnique(units: readonly UnitRecord[]): void {
  const labels = new Set<string>();
  const endpoints = new Set<string>();
  for (const u of units) {
    if (labels.has(u.label)) throw new InvalidRecordError('label', `two units are labelled "${u.label}"`);
    const k = endpointKey(u.endpoint);
    if (endpoints.has(k)) throw new InvalidRecordError('endpoint', `two units share the endpoint ${k}`);
    labels.add(u.label);
    endpoints.add(k);
  }
  if (units.length > MAX_UNITS) throw new InvalidRecordError('units', `an instance has at most ${MAX_UNITS} units`);
}

function checkKind(v: unknown): InstanceKind {
  if (v !== 'simulated' && v !== 'remote') throw new InvalidRecordError('kind', "must be 'simulated' or 'remote'");
  return v;
}

function findUnit(inst: InstanceRecord, unitId: string): UnitRecord {
  const u = inst.units.find((x) => x.id === unitId);
  if (!u) throw new NotFoundError('unit', unitId);
  return u;
}

export function instanceRepository(ctx: StoreContext): InstanceRepository {
  const newUnit = (v: unknown, kind: InstanceKind, field: string, now: number): UnitRecord => {
    const u = checkObject(v, field);
    checkKeys(u, field, ['label', 'endpoint']);
    return { id: newId(ctx.crypto), label: checkString(u.label, `${field}.label`, { max: MAX_LABEL }), endpoint: checkEndpoint(u.endpoint, kind, `${field}.endpoint`), created: now };
  };

  /** Read-modify-write of one instance in one transaction. */
  const modify = <T>(id: string, change: (inst: InstanceRecord) => T): Promise<T> =>
    inTransaction(ctx, [STORES.instances], 'readwrite', async (tx) => {
      const inst = await tx.store.get(id);
      if (!inst) throw new NotFoundError('instance', id);
      const result = change(inst);
      checkUnique(inst.units);
      await tx.store.put(inst);
      return result;
    });

  return {
    async create(input) {
      assertNoSecrets(input);
      const o = checkObject(input, 'instance');
      checkKeys(o, '', ['name', 'kind', 'units']);
      const now = ctx.now();
      const kind = checkKind(o.kind);
      const units = o.units === undefined ? [] : o.units;
      if (!Array.isArray(units)) throw new InvalidRecordError('units', 'must be a list');
      const rec: InstanceRecord = {
        id: newId(ctx.crypto),
        name: checkString(o.name, 'name', { max: MAX_LABEL }),
        kind,
        units: units.map((u, i) => newUnit(u, kind, `units[${i}]`, now)),
        created: now,
      };
      checkUnique(rec.units);
      await inTransaction(ctx, [STORES.instances], 'readwrite', async (tx) => {
        await tx.store.add(rec);
      });
      return rec;
    },

    get: async (id) => ctx.db().get(STORES.instances, id),

    async list() {
      const all = await ctx.db().getAll(STORES.instances);
      return all.sort((a, b) => a.created - b.created || a.name.localeCompare(b.name));
    },

    async rename(id, name) {
      const n = checkString(name, 'name', { max: MAX_LABEL });
      return modify(id, (inst) => {
        inst.name = n;
        return inst;
      });
    },

    async addUnit(instanceId, unit) {
      assertNoSecrets(unit);
      return modify(instanceId, (inst) => {
        const u = newUnit(unit, inst.kind, 'unit', ctx.now());
        inst.units.push(u);
        return u;
      });
    },

    async updateUnit(instanceId, unitId, patch) {
      assertNoSecrets(patch);
      const p = checkObject(patch, 'patch');
      checkKeys(p, '', ['label', 'endpoint']);
      return modify(instanceId, (inst) => {
        const u = findUnit(inst, unitId);
        if (p.label !== undefined) u.label = checkString(p.label, 'label', { max: MAX_LABEL });
        if (p.endpoint !== undefined) u.endpoint = checkEndpoint(p.endpoint, inst.kind, 'endpoint');
        return u;
      });
    },

    async removeUnit(instanceId, unitId) {
      await inTransaction(ctx, [STORES.instances, STORES.simState], 'readwrite', async (tx) => {
        const inst = await tx.objectStore(STORES.instances).get(instanceId);
        if (!inst) throw new NotFoundError('instance', instanceId);
        findUnit(inst, unitId);
        inst.units = inst.units.filter((u) => u.id !== unitId);
        await tx.objectStore(STORES.instances).put(inst);
        await tx.objectStore(STORES.simState).delete([instanceId, unitId]);
      });
    },

    async pinRoot(instanceId, unitId, rootSpki) {
      const spki = checkBytes(rootSpki, 'rootSpki', MAX_SPKI);
      try {
        decodeEcSpki(spki);
      } catch (e) {
        throw new InvalidRecordError('rootSpki', `is not an EC SubjectPublicKeyInfo: ${(e as Error).message}`);
      }
      const fingerprint = await spkiFingerprint(ctx.crypto, spki);
      return modify(instanceId, (inst) => {
        const u = findUnit(inst, unitId);
        if (u.pinnedRoot && u.pinnedRoot.fingerprint !== fingerprint) throw new RootPinConflictError(unitId, u.pinnedRoot.fingerprint, fingerprint);
        u.pinnedRoot ??= { fingerprint, spki, pinned: ctx.now() };
        return u;
      });
    },

    async unpinRoot(instanceId, unitId) {
      return modify(instanceId, (inst) => {
        const u = findUnit(inst, unitId);
        delete u.pinnedRoot;
        return u;
      });
    },

    async delete(id) {
      await inTransaction(
        ctx,
        [STORES.instances, STORES.keyRecords, STORES.rotations, STORES.simState, STORES.simKeys],
        'readwrite',
        async (tx) => {
          if (!(await tx.objectStore(STORES.instances).get(id))) throw new NotFoundError('instance', id);
          await tx.objectStore(STORES.instances).delete(id);
          const range = IDBKeyRange.bound([id], [id, []]);
          await tx.objectStore(STORES.keyRecords).delete(range);
          await tx.objectStore(STORES.simState).delete(range);
          await tx.objectStore(STORES.rotations).delete(id);
          await tx.objectStore(STORES.simKeys).delete(id);
        },
      );
    },
  };
}
