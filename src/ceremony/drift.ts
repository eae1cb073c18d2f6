/**
 * Drift detection (DESIGN §5): a pure function over a snapshot saying which units differ, in
 * which field, and whether the difference is the signature of a step that stopped half-way
 * ('incomplete': the next safe action catches up without a judgement call) or true drift
 * ('drift': a person must decide, and the decision is journaled, before any step runs).
 *
 *   | field      | difference                                                         | class      |
 *   |------------|--------------------------------------------------------------------|------------|
 *   | admins     | admin sets differ, their union has at most 8 admins                 | incomplete (add the missing ones) |
 *   | admins     | the union of the admin sets has more than 8 admins                  | drift      |
 *   | mode       | some units in imprint mode, others not                             | incomplete (leave imprint mode) |
 *   | thresholds | units out of imprint mode have different thresholds               | drift      |
 *   | new        | loaded new registers show different VPs, or a stray one (progress.ts) | incomplete (clear the odd ones) |
 *   | new        | same new key, some units behind (empty vs loaded vs committed)      | incomplete (load / commit the rest) |
 *   | current    | some units EMPTY, the others one VP that is the target             | incomplete (load, commit, set immediate) |
 *   | current    | two VPs: the units not yet done (source) and the target            | incomplete (rotation under way) |
 *   | current    | any other difference between current VPs                           | drift      |
 *   | storage    | keys under a VP no unit can open (not staged under one that can)   | warning    |
 *   | rotation   | a rotation is open toward a VP no unit holds any more              | incomplete (abandon it) |
 *
 * Only reachable units are compared; an unreachable unit is its own problem (reconnect), and
 * storage findings are left out while any unit is unreachable (its registers are unknown).
 * Importer keys are not compared: they are single-use and made per load.
 */
import { keyProgress, type KeyProgress } from './progress.ts';
import { reachableUnits, unreachableUnits, type InstanceSnapshot, type ReachableUnit } from './snapshot.ts';

export type DriftField = 'admins' | 'mode' | 'thresholds' | 'new' | 'current' | 'storage' | 'rotation';
export type DriftClass = 'incomplete' | 'drift' | 'warning';

export interface DriftFinding {
  field: DriftField;
  class: DriftClass;
  /** the units concerned (the ones that differ from the rest, or all when there is no majority) */
  units: string[];
  /** each reachable unit's value of the field, in words */
  values: { unitId: string; value: string }[];
  message: string;
}

export interface DriftReport {
  findings: DriftFinding[];
  /** any finding of class 'drift' */
  drifted: boolean;
  /** any finding of class 'incomplete' */
  incomplete: boolean;
  /**
   * A stable text naming exactly the true drift found (fields, units, values). A drift decision
   * is journaled with it, so the journal says what was accepted.
   */
  digest: string;
}

export const MAX_ADMINS = 8;
const short = (hex: string | null): string => (hex === null ? 'EMPTY' : `${hex.slice(0, 8).toUpperCase()}…`);

function registerWords(u: ReachableUnit): string {
  return u.next.state === 'EMPTY' ? 'EMPTY' : `${u.next.state === 'FULL_COMMITTED' ? 'committed' : 'uncommitted'} ${short(u.next.vp)}`;
}

function adminFindings(units: readonly ReachableUnit[]): DriftFinding[] {
  const sets = units.map((u) => u.adminSkis.join(','));
  if (new Set(sets).size <= 1) return [];
  const union = [...new Set(units.flatMap((u) => u.adminSkis))].sort();
  const lacking = units.filter((u) => u.adminSkis.length < union.length).map((u) => u.unitId);
  const values = units.map((u) => ({ unitId: u.unitId, value: `${u.adminSkis.length} admins: ${u.adminSkis.map((s) => short(s)).join(', ') || 'none'}` }));
  if (union.length > MAX_ADMINS) {
    return [{ field: 'admins', class: 'drift', units: units.map((u) => u.unitId), values, message: `the units' admin sets together hold ${union.length} admins, more than a unit can take (${MAX_ADMINS})` }];
  }
  return [{ field: 'admins', class: 'incomplete', units: lacking, values, message: `${lacking.length} unit(s) lack administrators the others have` }];
}

function modeFindings(units: readonly ReachableUnit[]): DriftFinding[] {
  const imprint = units.filter((u) => u.mode === 'imprint');
  if (imprint.length === 0 || imprint.length === units.length) return [];
  return [{
    field: 'mode', class: 'incomplete', units: imprint.map((u) => u.unitId),
    values: units.map((u) => ({ unitId: u.unitId, value: u.mode })),
    message: `${imprint.length} unit(s) are still in imprint mode`,
  }];
}

function thresholdFindings(units: readonly ReachableUnit[]): DriftFinding[] {
  const auth = units.filter((u) => u.mode === 'authenticated');
  const t = (u: ReachableUnit): string => `${u.signThreshold}/${u.revokeThreshold}`;
  if (new Set(auth.map(t)).size <= 1) return [];
  return [{
    field: 'thresholds', class: 'drift', units: auth.map((u) => u.unitId),
    values: auth.map((u) => ({ unitId: u.unitId, value: `signature ${u.signThreshold}, revocation ${u.revokeThreshold}` })),
    message: `the units have different thresholds (${[...new Set(auth.map(t))].join(' vs ')})`,
  }];
}

function registerFindings(units: readonly ReachableUnit[], p: KeyProgress): DriftFinding[] {
  const out: DriftFinding[] = [];
  if (p.conflict) {
    out.push({
      field: 'new', class: 'incomplete', units: p.conflict.clearUnits,
      values: units.map((u) => ({ unitId: u.unitId, value: registerWords(u) })),
      message: p.conflict.vps.length > 1
        ? `the new registers hold different master keys (${p.conflict.vps.map(short).join(', ')})`
        : `a new register holds a master key (${short(p.conflict.vps[0])}) that no unit with a current master key has`,
    });
  }
  if (!p.conflict && p.target !== null) {
    // the units not yet done, at different stages of the same load: behind the furthest one
    const stage = (id: string): number => (p.committed.includes(id) ? 2 : p.loaded.includes(id) ? 1 : 0);
    const open = [...p.toLoad, ...p.loaded, ...p.committed];
    const furthest = Math.max(...open.map(stage));
    const behind = units.filter((u) => open.includes(u.unitId) && stage(u.unitId) < furthest).map((u) => u.unitId);
    if (behind.length) {
      out.push({
        field: 'new', class: 'incomplete', units: behind,
        values: units.map((u) => ({ unitId: u.unitId, value: registerWords(u) })),
        message: `${behind.length} unit(s) are behind the others in loading or committing the new master key ${short(p.target)}`,
      });
    }
  }
  const values = units.map((u) => ({ unitId: u.unitId, value: short(u.current.vp) }));
  const empty = units.filter((u) => u.current.state === 'EMPTY').map((u) => u.unitId);
  if (p.currents.length >= 1 && (p.currents.length > 1 || empty.length > 0)) {
    // Allowed: the target T, and (while T is not everywhere) one source VP; EMPTY units catch up.
    const allowed = new Set<string>();
    if (p.target !== null) {
      allowed.add(p.target);
      if (p.sources.length <= 1) p.sources.forEach((s) => allowed.add(s));
    }
    const odd = p.currents.filter((v) => !allowed.has(v));
    if (p.target === null || odd.length > 0) {
      out.push({
        field: 'current', class: 'drift', units: units.map((u) => u.unitId), values,
        message: `the units' current master keys differ (${[...p.currents.map(short), ...(empty.length ? ['EMPTY'] : [])].join(', ')}) and no step under way explains it`,
      });
    } else {
      const behind = units.filter((u) => u.current.vp !== p.target).map((u) => u.unitId);
      out.push({
        field: 'current', class: 'incomplete', units: behind, values,
        message: `${behind.length} unit(s) do not have the current master key ${short(p.target)} yet`,
      });
    }
  }
  return out;
}

function storageFindings(units: readonly ReachableUnit[], p: KeyProgress): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const s of p.storage.stranded) {
    out.push({
      field: 'storage', class: 'warning', units: [],
      values: units.map((u) => ({ unitId: u.unitId, value: `current ${short(u.current.vp)}` })),
      message: `${s.count} key(s) are under ${short(s.vp)}, which no unit holds as its current master key: no unit can open them until that master key is loaded again`,
    });
  }
  if (p.storage.orphanRotation) {
    out.push({
      field: 'rotation', class: 'incomplete', units: [],
      values: units.map((u) => ({ unitId: u.unitId, value: `new ${registerWords(u)}` })),
      message: 'a key storage rotation is open toward a master key no unit holds any more',
    });
  }
  return out;
}

/** Compare the reachable units of a snapshot. */
export function analyzeDrift(snapshot: InstanceSnapshot, progress: KeyProgress = keyProgress(snapshot)): DriftReport {
  const units = reachableUnits(snapshot);
  const findings: DriftFinding[] = [
    ...adminFindings(units),
    ...modeFindings(units),
    ...thresholdFindings(units),
    ...registerFindings(units, progress),
    ...(unreachableUnits(snapshot).length === 0 ? storageFindings(units, progress) : []),
  ];
  const drift = findings.filter((f) => f.class === 'drift');
  return {
    findings,
    drifted: drift.length > 0,
    incomplete: findings.some((f) => f.class === 'incomplete'),
    digest: drift.map((f) => `${f.field}: ${f.values.map((v) => `${v.unitId}=${v.value}`).join('; ')}`).join(' | '),
  };
}
