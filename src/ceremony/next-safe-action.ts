/**
 * The next safe action (DESIGN §5): a PURE function of one snapshot. It has no memory of what it
 * said before, so after a reload, a crash, a unit that went down mid-step or a half-finished
 * rotation it still names the right next step.
 *
 * Rules, first match wins (T, the groups and the storage terms are those of progress.ts):
 *
 *   | # | situation                                                         | kind                 | units               |
 *   |---|-------------------------------------------------------------------|----------------------|---------------------|
 *   | 1 | a unit cannot be queried                                          | reconnect            | the unreachable ones |
 *   | 2 | a true drift finding (drift.ts)                                   | resolve-drift        | the drifted ones    |
 *   | 3 | admin sets differ                                                 | add-admins           | units lacking some  |
 *   | 4 | every unit in imprint mode without admins                         | add-admins           | all                 |
 *   | 5 | some unit in imprint mode                                         | leave-imprint        | the imprint ones    |
 *   | 6 | a rotation is open toward a VP no unit holds                      | abandon-rotation     | none (store only)   |
 *   | 7 | loaded new registers hold different VPs                           | clear-new            | the odd ones        |
 *   | 8 | no target, every current EMPTY                                    | load-master-key      | all                 |
 *   | 9 | no target, one current VP V, rotation to V open                   | finish-rotation      | none (store only)   |
 *   |10 | no target, one current VP                                         | ready                | none                |
 *   |11 | target T; some units toLoad                                       | finish-load          | toLoad              |
 *   |12 | target T; some units loaded (uncommitted)                         | commit               | loaded (also "the remaining" when some are committed) |
 *   |13 | all committed or done; keys need REENCRYPT; none done             | reencipher           | one unit able to run it |
 *   |14 | all committed or done; some done                                  | finish-set-immediate | committed (reencipherFirst when keys need it) |
 *   |15 | all committed; storage staged under T, or empty                   | set-immediate        | committed           |
 *
 * (Rule 11 is "finish-load" because with a target some unit already holds T: the same parts
 * must be loaded again. Rule 8 covers the first load of a fresh instance.)
 *
 * `requires` gives, per unit, the signatures each command of the action needs and how many
 * commands there are; IMPORT_WK needs one administrator signature per part.
 */
import { analyzeDrift, type DriftFinding, type DriftReport } from './drift.ts';
import { keyProgress, type KeyProgress } from './progress.ts';
import { reachableUnits, unreachableUnits, type InstanceSnapshot, type ReachableUnit, type VpHex } from './snapshot.ts';

export type NextActionKind =
  | 'reconnect' | 'resolve-drift' | 'add-admins' | 'leave-imprint' | 'abandon-rotation' | 'clear-new' | 'load-master-key'
  | 'finish-load' | 'commit' | 'reencipher' | 'set-immediate' | 'finish-set-immediate' | 'finish-rotation' | 'ready';

export interface SignatureNeed {
  unitId: string;
  /** admin signatures each command needs; 'new-sign-threshold' when it is the threshold you choose */
  perCommand: number | 'new-sign-threshold';
  /** how many commands the action sends to this unit */
  commands: number;
  note?: string;
}

export interface NextAction {
  kind: NextActionKind;
  /** the units the action acts on, in instance order */
  units: string[];
  /** a short imperative, e.g. "Commit the new master key on unit 2" */
  title: string;
  /** why, and what it will do, in words */
  detail: string;
  /** true when the action cannot be undone or needs an explicit decision */
  destructive: boolean;
  requires: SignatureNeed[];
  /** load, commit and set immediate: the VP the units should reach (64 hex digits) */
  targetVp?: VpHex;
  /** finish-set-immediate: re-encipher the key storage before finalizing */
  reencipherFirst?: boolean;
  /** add-admins: SKIs (hex) the units lack; empty when administrators must be chosen */
  missingAdmins?: string[];
  /** leave-imprint: the thresholds the other units have, when any */
  thresholds?: { sign: number; revoke: number };
  /** every drift finding of the snapshot (incomplete ones included) */
  findings: DriftFinding[];
}

const short = (hex: string | null | undefined): string => (hex ? `${hex.slice(0, 4).toUpperCase()} ${hex.slice(4, 8).toUpperCase()} …` : 'EMPTY');

function labels(s: InstanceSnapshot, ids: readonly string[]): string {
  const names = ids.map((id) => s.units.find((u) => u.unitId === id)?.label ?? id);
  if (names.length === 0) return 'no unit';
  if (names.length === s.units.length && names.length > 1) return 'every unit';
  return names.join(', ');
}

const inOrder = (s: InstanceSnapshot, ids: readonly string[]): string[] => s.units.map((u) => u.unitId).filter((id) => ids.includes(id));

/** Decide the next safe action from a snapshot alone. */
export function nextSafeAction(snapshot: InstanceSnapshot, drift?: DriftReport, progress?: KeyProgress): NextAction {
  const p = progress ?? keyProgress(snapshot);
  const d = drift ?? analyzeDrift(snapshot, p);
  const findings = d.findings;
  const units = reachableUnits(snapshot);
  const byId = new Map(units.map((u) => [u.unitId, u]));
  const base = { findings, destructive: false, requires: [] as SignatureNeed[] };
  const need = (ids: readonly string[], per: (u: ReachableUnit) => number | 'new-sign-threshold', commands: (u: ReachableUnit) => number, note?: string): SignatureNeed[] =>
    ids.map((id) => byId.get(id)!).map((u) => ({ unitId: u.unitId, perCommand: per(u), commands: commands(u), ...(note ? { note } : {}) }));

  // 1. reconnect
  const down = unreachableUnits(snapshot);
  if (down.length) {
    return {
      ...base, kind: 'reconnect', units: down.map((u) => u.unitId),
      title: `Reconnect ${labels(snapshot, down.map((u) => u.unitId))}`,
      detail: `${down.map((u) => `${u.label}: ${u.error.message}${u.error.remedy ? ` (${u.error.remedy})` : ''}`).join(' ')} Nothing else is safe while a unit cannot be queried: its state is unknown.`,
    };
  }

  // 2. resolve-drift
  const drifted = findings.filter((f) => f.class === 'drift');
  if (drifted.length) {
    const ids = inOrder(snapshot, [...new Set(drifted.flatMap((f) => f.units))]);
    return {
      ...base, kind: 'resolve-drift', units: ids, destructive: true,
      title: 'Decide how to bring the units back in line',
      detail: `${drifted.map((f) => f.message).join('. ')}. No step runs on these units until someone decides, and the decision is journaled.`,
    };
  }

  // 3, 4. add-admins
  const union = [...new Set(units.flatMap((u) => u.adminSkis))].sort();
  const lacking = units.filter((u) => u.adminSkis.length < union.length);
  if (lacking.length) {
    const missing = union.filter((ski) => lacking.some((u) => !u.adminSkis.includes(ski)));
    return {
      ...base, kind: 'add-admins', units: lacking.map((u) => u.unitId), missingAdmins: missing,
      title: `Add the missing administrators to ${labels(snapshot, lacking.map((u) => u.unitId))}`,
      detail: `${missing.length} administrator(s) are installed on some units but not on ${labels(snapshot, lacking.map((u) => u.unitId))}. Their certificates are read from the units that have them. (If an administrator was being removed, remove it from the others instead.)`,
      requires: need(lacking.map((u) => u.unitId), (u) => (u.mode === 'imprint' ? 0 : u.signThreshold), (u) => union.filter((s) => !u.adminSkis.includes(s)).length),
    };
  }
  if (units.every((u) => u.mode === 'imprint' && u.adminSkis.length === 0)) {
    return {
      ...base, kind: 'add-admins', units: units.map((u) => u.unitId), missingAdmins: [],
      title: 'Add administrators',
      detail: 'The units are in imprint mode and have no administrators. Add the administrators\' certificates (no signatures are needed in imprint mode), then leave imprint mode.',
      requires: need(units.map((u) => u.unitId), () => 0, () => 1, 'one command per administrator'),
    };
  }

  // 5. leave-imprint
  const imprint = units.filter((u) => u.mode === 'imprint');
  if (imprint.length) {
    const auth = units.find((u) => u.mode === 'authenticated');
    const thresholds = auth ? { sign: auth.signThreshold, revoke: auth.revokeThreshold } : undefined;
    const ids = imprint.map((u) => u.unitId);
    return {
      ...base, kind: 'leave-imprint', units: ids, ...(thresholds ? { thresholds } : {}),
      title: `Leave imprint mode on ${labels(snapshot, ids)}`,
      detail: thresholds
        ? `The other units have signature threshold ${thresholds.sign} and revocation threshold ${thresholds.revoke}; set the same. It needs ${thresholds.sign} administrator signature(s) per unit.`
        : 'Choose the signature and revocation thresholds (1..8, at most the number of administrators). Leaving imprint mode needs as many administrator signatures as the new signature threshold.',
      requires: need(ids, () => thresholds?.sign ?? 'new-sign-threshold', () => 1),
    };
  }

  // 6. abandon-rotation
  if (p.storage.orphanRotation) {
    return {
      ...base, kind: 'abandon-rotation', units: [],
      title: 'Abandon the key storage rotation',
      detail: `A rotation toward ${short(snapshot.storage?.rotation?.toVp)} is open, but no unit holds that master key any more. Drop the staged copies; the keys stay under their current master key.`,
    };
  }

  // 7. clear-new
  if (p.conflict) {
    const ids = inOrder(snapshot, p.conflict.clearUnits);
    return {
      ...base, kind: 'clear-new', units: ids, ...(p.conflict.reference ? { targetVp: p.conflict.reference } : {}),
      title: `Clear the new master key register on ${labels(snapshot, ids)}`,
      detail: p.conflict.reference
        ? `The new registers hold different master keys (${p.conflict.vps.map(short).join(', ')}). Keep ${short(p.conflict.reference)} and clear the others, then load the same parts again.`
        : p.conflict.vps.length === 1
          ? `The new register holds a master key (${short(p.conflict.vps[0])}) that no unit with a current master key has: the parts were not the right ones. Clear it and load the right parts.`
          : `The new registers hold different master keys (${p.conflict.vps.map(short).join(', ')}) and none is committed or current anywhere. Clear them all and load again with the right parts.`,
      requires: need(ids, () => 1, () => 1),
    };
  }

  const T = p.target;
  if (T === null) {
    // 8. load-master-key
    if (p.currents.length === 0) {
      const ids = units.map((u) => u.unitId);
      return {
        ...base, kind: 'load-master-key', units: ids,
        title: 'Load the master key',
        detail: `No unit has a master key. Generate an importer key on each unit, load the custodians' 2 or 3 key parts, commit, and set immediate.${
          p.storage.stranded.length ? ` The key storage holds ${p.storage.stranded.map((x) => `${x.count} key(s) under ${short(x.vp)}`).join(', ')}: load the parts of that master key to open them again.` : ''}`,
        requires: need(ids, () => 1, (u) => (u.importer ? 1 : 2), 'GEN_IMPORTER needs 1 signature; IMPORT_WK 1 per part'),
      };
    }
    const V = p.currents[0];
    const rot = snapshot.storage?.rotation;
    // 9. finish-rotation
    if (rot && rot.toVp === V) {
      return {
        ...base, kind: 'finish-rotation', units: [], targetVp: V,
        title: 'Finish the key storage rotation',
        detail: `Every unit has the master key ${short(V)} as its current one. Make the ${rot.staged} re-enciphered key(s) the stored ones and drop the old blobs.`,
      };
    }
    // 10. ready
    const warnings = findings.filter((f) => f.class === 'warning').map((f) => f.message);
    return {
      ...base, kind: 'ready', units: [], targetVp: V, title: 'Nothing pending',
      detail: `Every unit has the same administrators, thresholds and current master key ${short(V)}.${warnings.length ? ` Note: ${warnings.join('; ')}.` : ''}`,
    };
  }

  // 11. finish-load
  if (p.toLoad.length) {
    const ids = inOrder(snapshot, p.toLoad);
    return {
      ...base, kind: 'finish-load', units: ids, targetVp: T,
      title: `Load the master key ${short(T)} on ${labels(snapshot, ids)}`,
      detail: `The other units hold the master key ${short(T)}. Load the same key parts on ${labels(snapshot, ids)} (an importer key is generated where there is none); the result must show ${short(T)}.`,
      requires: need(ids, () => 1, (u) => (u.importer ? 1 : 2), 'GEN_IMPORTER needs 1 signature; IMPORT_WK 1 per part'),
    };
  }
  // 12. commit
  if (p.loaded.length) {
    const ids = inOrder(snapshot, p.loaded);
    const remaining = p.committed.length + p.done.length > 0;
    return {
      ...base, kind: 'commit', units: ids, targetVp: T,
      title: `Commit the new master key ${short(T)}${remaining ? ' on the remaining units' : ''}`,
      detail: `Commit the new register (VP ${short(T)}) on ${labels(snapshot, ids)}; it needs the signature threshold number of administrators on each unit.`,
      requires: need(ids, (u) => u.signThreshold, () => 1),
    };
  }
  const committed = inOrder(snapshot, p.committed);
  const storage = p.storage;
  // 13. reencipher
  if (storage.needsReencipher && p.done.length === 0) {
    const runner = inOrder(snapshot, storage.reencipherUnits).slice(0, 1);
    const left = storage.pending;
    return {
      ...base, kind: 'reencipher', units: runner, targetVp: T,
      title: `Re-encipher the key storage under ${short(T)}`,
      detail: `${left} of ${storage.keys} key(s) are not yet re-enciphered under the new master key. Every blob must have its copy under ${short(T)} before any unit is set immediate (the old blobs are kept until every unit is finalized).`,
    };
  }
  // 14. finish-set-immediate
  if (p.done.length) {
    const first = storage.needsReencipher;
    return {
      ...base, kind: 'finish-set-immediate', units: committed, targetVp: T, reencipherFirst: first,
      title: `${first ? 'Re-encipher the key storage, then finalize' : 'Finalize'} ${labels(snapshot, committed)}`,
      detail: `${labels(snapshot, inOrder(snapshot, p.done))} already ${p.done.length === 1 ? 'has' : 'have'} ${short(T)} as the current master key. ${first ? `First re-encipher the ${storage.pending} key(s) not yet under ${short(T)} (on a unit that is not finalized yet), then set` : 'Set'} immediate on the others.`,
      requires: need(committed, () => 1, () => 1),
    };
  }
  // 15. set-immediate
  const unknownStorage = !storage.known && units.some((u) => u.current.state === 'VALID');
  return {
    ...base, kind: 'set-immediate', units: committed, targetVp: T, destructive: unknownStorage,
    title: `Set immediate: make ${short(T)} the current master key`,
    detail: units.every((u) => u.current.state === 'EMPTY')
      ? `First activation: the committed master key ${short(T)} becomes the current one on ${labels(snapshot, committed)}.`
      : unknownStorage
        ? `The key storage is kept by the host: make sure it was re-enciphered under ${short(T)} first. The old master key is gone from every unit afterwards.`
        : `The key storage is ${storage.keys ? `re-enciphered under ${short(T)}` : 'empty'}. The committed master key becomes the current one on ${labels(snapshot, committed)}; the old one is gone afterwards.`,
    requires: need(committed, () => 1, () => 1),
  };
}
