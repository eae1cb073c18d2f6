/**
 * Master key progress across the units of an instance: a pure reading of a snapshot that drift
 * detection and the next safe action share. It answers: which VP are the units moving to (the
 * target T), where each unit stands on the way there, and whether the key storage can follow.
 *
 * A loaded new VP is "anchored" when nothing is current anywhere (a first load), or a unit with
 * a VALID current register has it loaded or current, or it is the open rotation's toVp. A new
 * VP loaded only on units with an EMPTY current while others have a current key is a stray (a
 * catch-up load with the wrong parts) and is cleared.
 *
 * The target T, first rule that applies:
 *
 *   | situation                                                        | T                         |
 *   |------------------------------------------------------------------|---------------------------|
 *   | loaded new registers show one VP, anchored                        | that VP                   |
 *   | loaded new registers show several VPs, or a stray                 | a conflict: the reference VP (below), else the catch-up target |
 *   | nothing loaded; the current VPs are one VP V and some units EMPTY | V (the empty units catch up) |
 *   | nothing loaded; two current VPs = the open rotation's from → to   | the rotation's toVp       |
 *   | nothing loaded; otherwise                                         | none                      |
 *
 * Reference VP of a conflict (the one kept; the others are cleared): the only anchored VP; else,
 * among the anchored ones, the open rotation's toVp; else a VP that some unit already has as its
 * current one; else the one committed VP if exactly one is committed; else none (every loaded
 * register is cleared).
 *
 * With a target, each unit is in one group:
 *
 *   | group     | unit state                                  | what it still needs              |
 *   |-----------|---------------------------------------------|----------------------------------|
 *   | toLoad    | new EMPTY, current ≠ T                      | importer, IMPORT_WK, commit, set immediate |
 *   | loaded    | new FULL UNCOMMITTED with T                 | commit, set immediate            |
 *   | committed | new FULL COMMITTED with T                   | set immediate                    |
 *   | done      | current T, new EMPTY                        | nothing                          |
 *   | other     | new register with another VP (a conflict)   | clear new                        |
 *
 * Key storage (simulated instances): keys that some unit can open now, not under T and not
 * staged under T ("pending") need REENCRYPT before the last unit able to run it (current = the
 * keys' VP, new committed T) is finalized.
 * Keys that no unit can open any more (under a VP no unit has as current, and not staged under
 * one that some unit has) are "stranded".
 */
import {
  reachableUnits, type InstanceSnapshot, type ReachableUnit, type StorageSummary, type VpHex,
} from './snapshot.ts';

export interface NewVpConflict {
  /** the distinct VPs of loaded new registers */
  vps: VpHex[];
  /** the VP kept, or null when every loaded register should be cleared */
  reference: VpHex | null;
  /** units whose new register must be cleared */
  clearUnits: string[];
}

export interface StorageProgress {
  /** false for a remote instance (the host keeps the key storage) */
  known: boolean;
  keys: number;
  /** the VP the keys are under (the most common one when they differ) */
  keysVp: VpHex | null;
  /** keys whose current blob is under T */
  underTarget: number;
  /** keys with a blob staged under T (an open rotation to T) */
  stagedToTarget: number;
  /** keys some unit can open now that are neither under T nor staged under T */
  pending: number;
  /** pending > 0: REENCRYPT is needed before the last unit able to run it is finalized */
  needsReencipher: boolean;
  /** units that can run REENCRYPT toward T now: current = the pending keys' VP, new committed T */
  reencipherUnits: string[];
  /** keys no unit can open any more */
  stranded: { vp: VpHex; count: number }[];
  /** an open rotation whose toVp no unit holds (current or new): its staged blobs are useless */
  orphanRotation: boolean;
}

export interface KeyProgress {
  target: VpHex | null;
  targetReason: 'new-register' | 'catch-up' | 'rotation' | null;
  conflict: NewVpConflict | null;
  toLoad: string[];
  loaded: string[];
  committed: string[];
  done: string[];
  other: string[];
  /** distinct VALID current VPs, sorted */
  currents: VpHex[];
  /** the current VPs (VALID) of units not yet done, sorted and distinct */
  sources: VpHex[];
  storage: StorageProgress;
}

const distinct = (xs: readonly (string | null)[]): string[] => [...new Set(xs.filter((x): x is string => x !== null))].sort();

function conflictOf(units: readonly ReachableUnit[], anchored: VpHex[], vps: VpHex[], storage: StorageSummary | null): NewVpConflict {
  const currents = new Set(units.map((u) => u.current.vp).filter((v) => v !== null));
  const committed = distinct(units.filter((u) => u.next.state === 'FULL_COMMITTED' && anchored.includes(u.next.vp!)).map((u) => u.next.vp));
  let reference: VpHex | null = null;
  const rot = storage?.rotation?.toVp;
  if (anchored.length === 1) reference = anchored[0];
  else if (rot && anchored.includes(rot)) reference = rot;
  else if (anchored.some((v) => currents.has(v))) reference = anchored.filter((v) => currents.has(v))[0];
  else if (committed.length === 1) reference = committed[0];
  const clearUnits = units.filter((u) => u.next.vp !== null && u.next.vp !== reference).map((u) => u.unitId);
  return { vps, reference, clearUnits };
}

/** Loaded new VPs that a unit with a current key (or the open rotation) vouches for. */
function anchoredVps(units: readonly ReachableUnit[], newVps: VpHex[], storage: StorageSummary | null): VpHex[] {
  const valid = units.filter((u) => u.current.state === 'VALID');
  if (valid.length === 0) return newVps;
  return newVps.filter((n) => storage?.rotation?.toVp === n || valid.some((u) => u.next.vp === n || u.current.vp === n));
}

function storageProgress(units: readonly ReachableUnit[], storage: StorageSummary | null, target: VpHex | null): StorageProgress {
  if (!storage) {
    return { known: false, keys: 0, keysVp: null, underTarget: 0, stagedToTarget: 0, pending: 0, needsReencipher: false, reencipherUnits: [], stranded: [], orphanRotation: false };
  }
  const entries = Object.entries(storage.byVp).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const keysVp = entries.length ? entries[0][0] : null;
  const rot = storage.rotation;
  const currentVps = new Set(units.map((u) => u.current.vp).filter((v): v is string => v !== null));
  const underTarget = target ? storage.byVp[target] ?? 0 : 0;
  const stagedToTarget = target && rot && rot.toVp === target ? rot.staged : 0;
  // keys some unit can open now that are neither under T nor staged under T
  let pending = 0;
  const pendingVps: VpHex[] = [];
  if (target) {
    for (const [vp, n] of entries) {
      if (vp === target || !currentVps.has(vp)) continue;
      const left = n - (rot && rot.fromVp === vp && rot.toVp === target ? rot.staged : 0);
      if (left > 0) {
        pending += left;
        pendingVps.push(vp);
      }
    }
  }
  const reencipherUnits = units
    .filter((u) => u.current.vp !== null && pendingVps.includes(u.current.vp) && u.next.state === 'FULL_COMMITTED' && u.next.vp === target)
    .map((u) => u.unitId);
  const stranded: { vp: VpHex; count: number }[] = [];
  for (const [vp, n] of entries) {
    if (currentVps.has(vp)) continue;
    const staged = rot && rot.fromVp === vp && currentVps.has(rot.toVp) ? rot.staged : 0;
    if (n - staged > 0) stranded.push({ vp, count: n - staged });
  }
  const held = new Set(units.flatMap((u) => [u.current.vp, u.next.vp]).filter((v) => v !== null));
  const orphanRotation = rot !== null && !held.has(rot.toVp);
  return {
    known: true, keys: storage.total, keysVp, underTarget, stagedToTarget, pending, needsReencipher: pending > 0, reencipherUnits, stranded, orphanRotation,
  };
}

/** Read the master key progress of the reachable units of a snapshot. */
export function keyProgress(snapshot: InstanceSnapshot): KeyProgress {
  const units = reachableUnits(snapshot);
  const storage = snapshot.storage;
  const newVps = distinct(units.map((u) => u.next.vp));
  const currents = distinct(units.map((u) => u.current.vp));
  let target: VpHex | null = null;
  let targetReason: KeyProgress['targetReason'] = null;
  let conflict: NewVpConflict | null = null;
  const anchored = anchoredVps(units, newVps, storage);
  const catchUp = currents.length === 1 && units.some((u) => u.current.state === 'EMPTY') ? currents[0] : null;
  if (newVps.length === 1 && anchored.length === 1) {
    target = newVps[0];
    targetReason = 'new-register';
  } else if (newVps.length > 0) {
    conflict = conflictOf(units, anchored, newVps, storage);
    target = conflict.reference ?? catchUp;
    targetReason = conflict.reference ? 'new-register' : catchUp ? 'catch-up' : null;
  } else if (catchUp) {
    target = catchUp;
    targetReason = 'catch-up';
  } else if (currents.length === 2 && storage?.rotation) {
    const { fromVp, toVp } = storage.rotation;
    if (currents.includes(fromVp) && currents.includes(toVp)) {
      target = toVp;
      targetReason = 'rotation';
    }
  }
  const toLoad: string[] = [];
  const loaded: string[] = [];
  const committed: string[] = [];
  const done: string[] = [];
  const other: string[] = [];
  if (target !== null) {
    for (const u of units) {
      if (u.next.state === 'EMPTY') (u.current.vp === target ? done : toLoad).push(u.unitId);
      else if (u.next.vp !== target) other.push(u.unitId);
      else (u.next.state === 'FULL_COMMITTED' ? committed : loaded).push(u.unitId);
    }
  }
  const sources = target === null ? [] : distinct(units.filter((u) => !done.includes(u.unitId)).map((u) => (u.current.vp === target ? null : u.current.vp)));
  return { target, targetReason, conflict, toLoad, loaded, committed, done, other, currents, sources, storage: storageProgress(units, storage, target) };
}
