/**
 * An abstract model of an instance for the state-space tests, written independently of the
 * engine: per unit (admins installed as a prefix of Admin 1..3, imprint or not, importer key,
 * current ∈ {E, A, B}, new ∈ {E, U·, C·} with the keys A (first), B (rotation), X (wrong parts)),
 * and the key storage (K keys under A or B, how many staged under B, rotation open).
 *
 * - `transitions(s)`: every plan step applied to every subset of the units it would act on (a
 *   unit down mid-step leaves the others where they were), plus the store steps; this is how
 *   states become reachable.
 * - `oracle(s)`: the next safe action by rules written here, in the test.
 * - `effect(s, action)`: the state after the engine carries the action out on every unit, or
 *   null where that leaves the model (fewer than 3 admins; the wrong key X taken as the target
 *   once the real key was cleared beside it: the test then follows the engine to the end).
 */
export type Key = 'A' | 'B' | 'X';
export type Cur = 'E' | 'A' | 'B';
export type New = 'E' | `${'U' | 'C'}${Key}`;

export interface AUnit {
  adm: number;
  auth: boolean;
  imp: boolean;
  cur: Cur;
  nw: New;
}

export interface AState {
  u: AUnit[];
  keys: number;
  kv: 'A' | 'B' | null;
  staged: number;
  rot: boolean;
}

export const KEYS = 5;
export const BATCH = 2;

export type Op =
  | { op: 'add-admin'; admin: number; units: number[] }
  | { op: 'leave-imprint'; units: number[] }
  | { op: 'gen-importer'; units: number[] }
  | { op: 'import'; key: Key; units: number[] }
  | { op: 'commit'; key: Key; units: number[] }
  | { op: 'finalize'; key: Key; units: number[] }
  | { op: 'clear-new'; units: number[] }
  | { op: 'reencipher'; batches: number; open: boolean }
  | { op: 'promote' }
  | { op: 'keygen' };

export interface Expected {
  kind: string;
  units: number[];
  reencipherFirst?: boolean;
}

const unitKey = (x: AUnit): string => `${x.adm}${x.auth ? 'a' : 'i'}${x.imp ? 'I' : '-'}${x.cur}${x.nw}`;
export const stateKey = (s: AState): string => `${s.u.map(unitKey).sort().join(' ')} | k${s.keys}${s.kv ?? '-'} s${s.staged}${s.rot ? 'R' : ''}`;
export const describeState = (s: AState): string => `${s.u.map(unitKey).join(' ')} | keys ${s.keys}${s.kv ? ` under ${s.kv}` : ''}, staged ${s.staged}${s.rot ? ', rotation open' : ''}`;

export const fresh = (n: number): AState => ({
  u: Array.from({ length: n }, () => ({ adm: 0, auth: false, imp: false, cur: 'E' as Cur, nw: 'E' as New })),
  keys: 0,
  kv: null,
  staged: 0,
  rot: false,
});

const clone = (s: AState): AState => ({ ...s, u: s.u.map((x) => ({ ...x })) });
const idx = (s: AState, f: (x: AUnit) => boolean): number[] => s.u.flatMap((x, i) => (f(x) ? [i] : []));
const newKey = (x: AUnit): Key | null => (x.nw === 'E' ? null : (x.nw[1] as Key));
const committedKey = (x: AUnit): Key | null => (x.nw[0] === 'C' ? (x.nw[1] as Key) : null);

function subsets(ids: number[]): number[][] {
  const out: number[][] = [];
  for (let m = 1; m < 1 << ids.length; m++) out.push(ids.filter((_, b) => m & (1 << b)));
  return out;
}

/** The key the units are moving to, by this model's rules (null: none). */
function targetOf(s: AState): Key | null {
  const keys = [...new Set(s.u.map(newKey).filter((k): k is Key => k !== null && k !== 'X'))];
  if (keys.length === 1) return keys[0];
  const curs = [...new Set(s.u.map((x) => x.cur))];
  if (curs.includes('E') && curs.length === 2) return curs.find((c) => c !== 'E') as Key;
  return null;
}

/** Every (op, resulting state) reachable in one partial or complete step. */
export function transitions(s: AState): { op: Op; next: AState }[] {
  const out: { op: Op; next: AState }[] = [];
  const apply = (op: Op, f: (t: AState) => void): void => {
    const t = clone(s);
    f(t);
    out.push({ op, next: t });
  };
  const imprint = s.u.every((x) => !x.auth);
  const minAdm = Math.min(...s.u.map((x) => x.adm));
  if (imprint && minAdm < 3) {
    for (const units of subsets(idx(s, (x) => x.adm === minAdm))) apply({ op: 'add-admin', admin: minAdm + 1, units }, (t) => units.forEach((i) => t.u[i].adm++));
  }
  if (s.u.every((x) => x.adm === 3) && s.u.some((x) => !x.auth)) {
    for (const units of subsets(idx(s, (x) => !x.auth))) apply({ op: 'leave-imprint', units }, (t) => units.forEach((i) => (t.u[i].auth = true)));
  }
  if (!s.u.every((x) => x.auth && x.adm === 3)) return out;

  const hasX = s.u.some((x) => newKey(x) === 'X');
  const loadedAny = s.u.some((x) => x.nw !== 'E');
  const curs = new Set(s.u.map((x) => x.cur));
  const T = targetOf(s);
  // load: a new key everywhere (first load: A; rotation start: B), or finish-load of T
  let loadKey: Key | null = null;
  let loadUnits: number[] = [];
  if (!hasX && !loadedAny && curs.size === 1 && !s.rot) {
    const only = [...curs][0];
    if (only === 'E') loadKey = 'A';
    else if (only === 'A') loadKey = 'B';
    if (loadKey) loadUnits = idx(s, () => true);
  } else if (!hasX && T !== null) {
    loadKey = T;
    loadUnits = idx(s, (x) => x.nw === 'E' && x.cur !== T);
  }
  if (loadKey && loadUnits.length) {
    const finishing = loadUnits.length < s.u.length;
    for (const units of subsets(loadUnits.filter((i) => !s.u[i].imp))) apply({ op: 'gen-importer', units }, (t) => units.forEach((i) => (t.u[i].imp = true)));
    const ready = loadUnits.filter((i) => s.u[i].imp);
    for (const units of subsets(ready)) apply({ op: 'import', key: loadKey, units }, (t) => units.forEach((i) => { t.u[i].imp = false; t.u[i].nw = `U${loadKey}`; }));
    // wrong parts: only where the other units already hold the key (a finish-load), one unit at a time
    if (finishing) for (const i of ready) apply({ op: 'import', key: 'X', units: [i] }, (t) => { t.u[i].imp = false; t.u[i].nw = 'UX'; });
  }
  if (hasX) {
    // only the clearing of X beside the real key; X alone is left to the engine (followed to the end)
    const e = oracle(s);
    if (e.kind === 'clear-new') for (const units of subsets(e.units)) apply({ op: 'clear-new', units }, (t) => units.forEach((i) => (t.u[i].nw = 'E')));
  }
  if (!hasX && T !== null) {
    const p0 = idx(s, (x) => x.nw === 'E' && x.cur !== T);
    const p1 = idx(s, (x) => x.nw === `U${T}`);
    const p2 = idx(s, (x) => x.nw === `C${T}`);
    if (p0.length === 0 && p1.length) for (const units of subsets(p1)) apply({ op: 'commit', key: T, units }, (t) => units.forEach((i) => (t.u[i].nw = `C${T}`)));
    if (p0.length === 0 && p1.length === 0 && p2.length) {
      const needRe = s.keys > 0 && s.kv !== T && s.staged < s.keys;
      if (!needRe) {
        for (const units of subsets(p2)) apply({ op: 'finalize', key: T, units }, (t) => units.forEach((i) => { t.u[i].cur = T as Cur; t.u[i].nw = 'E'; }));
      } else {
        const able = p2.filter((i) => s.u[i].cur === s.kv);
        // re-encipher: the first batch failed with the rotation open, or 1.. batches done
        if (able.length) {
          if (!s.rot) apply({ op: 'reencipher', batches: 0, open: true }, (t) => (t.rot = true));
          const left = Math.ceil((s.keys - s.staged) / BATCH);
          for (let b = 1; b <= left; b++) apply({ op: 'reencipher', batches: b, open: true }, (t) => { t.rot = true; t.staged = Math.min(s.keys, s.staged + b * BATCH); });
        }
        // set immediate forced on some units before the storage is re-enciphered (a typed confirmation), never on all that can re-encipher
        for (const units of subsets(able)) if (units.length < able.length) apply({ op: 'finalize', key: T, units }, (t) => units.forEach((i) => { t.u[i].cur = T as Cur; t.u[i].nw = 'E'; }));
      }
    }
  }
  if (s.rot && s.u.every((x) => x.cur === 'B' && x.nw === 'E') && s.staged === s.keys) {
    apply({ op: 'promote' }, (t) => { t.kv = 'B'; t.staged = 0; t.rot = false; });
  }
  if (s.keys === 0 && !s.rot && s.u.every((x) => x.cur === 'A' && x.nw === 'E')) {
    apply({ op: 'keygen' }, (t) => { t.keys = KEYS; t.kv = 'A'; });
  }
  return out;
}

/** The next safe action, by this test's own rules. */
export function oracle(s: AState): Expected {
  const all = idx(s, () => true);
  const maxAdm = Math.max(...s.u.map((x) => x.adm));
  const lacking = idx(s, (x) => x.adm < maxAdm);
  if (lacking.length) return { kind: 'add-admins', units: lacking };
  if (s.u.every((x) => !x.auth && x.adm === 0)) return { kind: 'add-admins', units: all };
  const imprint = idx(s, (x) => !x.auth);
  if (imprint.length) return { kind: 'leave-imprint', units: imprint };
  const loadedKeys = new Set(s.u.map(newKey).filter((k) => k !== null));
  if (loadedKeys.has('X') && loadedKeys.size > 1) {
    // X beside the real key: keep the real one if it is committed somewhere, else clear all
    const other = [...loadedKeys].find((k) => k !== 'X')!;
    const ref = s.u.some((x) => committedKey(x) === other) ? other : null;
    return { kind: 'clear-new', units: idx(s, (x) => newKey(x) === 'X' || (ref === null && x.nw !== 'E')) };
  }
  // X alone in the new registers (its partner was cleared): from the units alone it is the key
  // being loaded, like any other
  const T = loadedKeys.has('X') ? 'X' : targetOf(s);
  if (T === null) {
    if (s.u.every((x) => x.cur === 'E')) return { kind: 'load-master-key', units: all };
    if (s.rot) return { kind: 'finish-rotation', units: [] };
    return { kind: 'ready', units: [] };
  }
  const p0 = idx(s, (x) => x.nw === 'E' && x.cur !== T);
  if (p0.length) return { kind: 'finish-load', units: p0 };
  const p1 = idx(s, (x) => x.nw === `U${T}`);
  if (p1.length) return { kind: 'commit', units: p1 };
  const p2 = idx(s, (x) => x.nw === `C${T}`);
  const p3 = idx(s, (x) => x.cur === T && x.nw === 'E');
  const needRe = s.keys > 0 && s.kv !== T && s.staged < s.keys;
  if (p3.length === 0) {
    if (needRe) return { kind: 'reencipher', units: p2.filter((i) => s.u[i].cur === s.kv).slice(0, 1) };
    return { kind: 'set-immediate', units: p2 };
  }
  return { kind: 'finish-set-immediate', units: p2, reencipherFirst: needRe };
}

/**
 * The state after the engine carries out `e` on every unit it names, or null when the result
 * leaves this model (leaving imprint mode with fewer than 3 administrators).
 */
export function effect(s: AState, e: Expected): AState | null {
  const t = clone(s);
  if (e.kind !== 'clear-new' && s.u.some((x) => newKey(x) === 'X')) return null;
  const T = targetOf(s);
  switch (e.kind) {
    case 'add-admins': {
      const to = Math.max(3 * Number(s.u.every((x) => x.adm === 0)), ...s.u.map((x) => x.adm));
      e.units.forEach((i) => (t.u[i].adm = to));
      return t;
    }
    case 'leave-imprint':
      if (s.u.some((x) => x.adm !== 3)) return null;
      e.units.forEach((i) => (t.u[i].auth = true));
      return t;
    case 'clear-new':
      e.units.forEach((i) => (t.u[i].nw = 'E'));
      return t;
    case 'load-master-key':
    case 'finish-load': {
      const key = e.kind === 'load-master-key' ? 'A' : T!;
      e.units.forEach((i) => { t.u[i].imp = false; t.u[i].nw = `U${key}`; });
      return t;
    }
    case 'commit':
      e.units.forEach((i) => (t.u[i].nw = `C${T!}`));
      return t;
    case 'reencipher':
      t.rot = true;
      t.staged = s.keys;
      return t;
    case 'set-immediate':
    case 'finish-set-immediate':
      if (e.reencipherFirst) {
        t.rot = true;
        t.staged = s.keys;
      }
      e.units.forEach((i) => { t.u[i].cur = T as Cur; t.u[i].nw = 'E'; });
      return t;
    case 'finish-rotation':
      t.kv = 'B';
      t.staged = 0;
      t.rot = false;
      return t;
    default:
      return t;
  }
}

/** Every state reachable from the fresh instance of `n` units, with the op path to it. */
export function reachable(n: number): Map<string, { state: AState; parent: string | null; op: Op | null }> {
  const seen = new Map<string, { state: AState; parent: string | null; op: Op | null }>();
  const start = fresh(n);
  seen.set(stateKey(start), { state: start, parent: null, op: null });
  const queue = [start];
  while (queue.length) {
    const s = queue.shift()!;
    for (const { op, next } of transitions(s)) {
      const k = stateKey(next);
      if (seen.has(k)) continue;
      seen.set(k, { state: next, parent: stateKey(s), op });
      queue.push(next);
    }
  }
  return seen;
}
