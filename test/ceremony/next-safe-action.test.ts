/**
 * Drift and the next safe action on hand-built snapshots: a table of situations, each with the
 * answer worked out by hand from DESIGN §3.8 and §5 (not from the engine's code).
 */
import {
  analyzeDrift, nextSafeAction, type InstanceSnapshot, type ReachableUnit, type StorageSummary, type UnitSnapshot,
} from '../../src/ceremony/index.ts';
import { assert, describe, it } from '../harness.ts';

const vp = (b: string): string => b.repeat(28) + '00000000';
const VA = vp('aa');
const VB = vp('bb');
const VX = vp('cc');
const S = Array.from({ length: 10 }, (_, i) => (i + 1).toString(16).padStart(2, '0').repeat(32));

interface Spec {
  imprint?: boolean;
  admins?: number | string[];
  thr?: [number, number];
  importer?: boolean;
  cur?: string | null;
  nw?: null | ['U' | 'C', string];
}

function unit(i: number, s: Spec = {}): ReachableUnit {
  const admins = typeof s.admins === 'number' ? S.slice(0, s.admins) : s.admins ?? S.slice(0, 3);
  const imprint = s.imprint ?? false;
  return {
    unitId: `u${i}`,
    label: `Unit ${i}`,
    reachable: true,
    identity: { domainIndex: 0, domainInstance: '01020304', moduleSerial: `000000000000000${i}`, moduleInstance: '0'.repeat(16), rootFingerprint: 'SHA256:x' },
    counter: 7n,
    mode: imprint ? 'imprint' : 'authenticated',
    signThreshold: imprint ? 0 : s.thr?.[0] ?? 2,
    revokeThreshold: imprint ? 0 : s.thr?.[1] ?? 2,
    adminSkis: [...admins].sort(),
    importer: s.importer ? { curve: 'P-521', ski: 'ab'.repeat(32), spki: new Uint8Array([1]) } : null,
    current: s.cur ? { state: 'VALID', vp: s.cur } : { state: 'EMPTY', vp: null },
    next: s.nw ? { state: s.nw[0] === 'C' ? 'FULL_COMMITTED' : 'FULL_UNCOMMITTED', vp: s.nw[1] } : { state: 'EMPTY', vp: null },
    stable: true,
  };
}

const down = (i: number, kind: 'transport' | 'untrusted' = 'transport'): UnitSnapshot => ({
  unitId: `u${i}`, label: `Unit ${i}`, reachable: false, error: { kind, name: 'X', message: `unit ${i} ${kind} failure`, remedy: 'try again' },
});

function storage(byVp: Record<string, number> = {}, rotation?: [string, string, number]): StorageSummary {
  const total = Object.values(byVp).reduce((a, b) => a + b, 0);
  return { total, byVp, rotation: rotation ? { fromVp: rotation[0], toVp: rotation[1], total, staged: rotation[2] } : null };
}

const snap = (units: UnitSnapshot[], st: StorageSummary | null = storage()): InstanceSnapshot => ({ instanceId: 'i', takenAt: 1, units, storage: st });

interface Row {
  name: string;
  s: InstanceSnapshot;
  kind: string;
  units: string[];
  targetVp?: string;
  reencipherFirst?: boolean;
  destructive?: boolean;
  /** per unit: signatures per command and commands */
  requires?: [string, number | 'new-sign-threshold', number][];
  detail?: RegExp;
  check?: (a: ReturnType<typeof nextSafeAction>) => void;
}

const auth3 = (i: number, s: Spec = {}): ReachableUnit => unit(i, s);

const ROWS: Row[] = [
  { name: 'a unit that does not answer: reconnect, nothing else', s: snap([auth3(1, { cur: VA }), down(2), auth3(3, { cur: VA, nw: ['C', VB] })]), kind: 'reconnect', units: ['u2'], detail: /unit 2 transport failure/ },
  { name: 'a unit whose answers fail verification: reconnect', s: snap([down(1, 'untrusted'), auth3(2)]), kind: 'reconnect', units: ['u1'], detail: /untrusted/ },
  { name: 'fresh units: add administrators, no signature needed', s: snap([unit(1, { imprint: true, admins: 0 }), unit(2, { imprint: true, admins: 0 })]), kind: 'add-admins', units: ['u1', 'u2'], requires: [['u1', 0, 1], ['u2', 0, 1]] },
  {
    name: 'admin added on unit 1, not yet on unit 2 (imprint): add it there',
    s: snap([unit(1, { imprint: true, admins: 2 }), unit(2, { imprint: true, admins: 1 })]),
    kind: 'add-admins', units: ['u2'], requires: [['u2', 0, 1]], check: (a) => assert.deepEqual(a.missingAdmins, [S[1]]),
  },
  {
    name: 'admin added to 2 of 3 authenticated units: add it to the third with threshold signatures',
    s: snap([auth3(1, { admins: 4, cur: VA }), auth3(2, { admins: 4, cur: VA }), auth3(3, { admins: 3, cur: VA })]),
    kind: 'add-admins', units: ['u3'], requires: [['u3', 2, 1]],
  },
  { name: 'admin sets that together exceed 8: true drift', s: snap([auth3(1, { admins: S.slice(0, 5) }), auth3(2, { admins: S.slice(4, 10) })]), kind: 'resolve-drift', units: ['u1', 'u2'], destructive: true },
  { name: 'every unit in imprint mode with the same admins: leave imprint, thresholds to choose', s: snap([unit(1, { imprint: true }), unit(2, { imprint: true })]), kind: 'leave-imprint', units: ['u1', 'u2'], requires: [['u1', 'new-sign-threshold', 1], ['u2', 'new-sign-threshold', 1]], check: (a) => assert.isUndefined(a.thresholds) },
  {
    name: 'one unit left imprint mode (2/2), the other did not: same thresholds there',
    s: snap([auth3(1), unit(2, { imprint: true })]),
    kind: 'leave-imprint', units: ['u2'], requires: [['u2', 2, 1]], check: (a) => assert.deepEqual(a.thresholds, { sign: 2, revoke: 2 }),
  },
  { name: 'thresholds differ between authenticated units: true drift', s: snap([auth3(1, { thr: [2, 2] }), auth3(2, { thr: [3, 2] })]), kind: 'resolve-drift', units: ['u1', 'u2'] },
  {
    name: 'no master key anywhere: load it (importer + import where no importer)',
    s: snap([auth3(1), auth3(2, { importer: true })]),
    kind: 'load-master-key', units: ['u1', 'u2'], requires: [['u1', 1, 2], ['u2', 1, 1]],
  },
  { name: 'first load stopped after unit 1: load the same parts on unit 2', s: snap([auth3(1, { nw: ['U', VA] }), auth3(2, { importer: true })]), kind: 'finish-load', units: ['u2'], targetVp: VA },
  { name: 'committed on unit 2 only: commit the remaining', s: snap([auth3(1, { nw: ['U', VA] }), auth3(2, { nw: ['C', VA] })]), kind: 'commit', units: ['u1'], targetVp: VA, requires: [['u1', 2, 1]], check: (a) => assert.match(a.title, /remaining/) },
  { name: 'committed everywhere, nothing current: set immediate (first activation)', s: snap([auth3(1, { nw: ['C', VA] }), auth3(2, { nw: ['C', VA] })]), kind: 'set-immediate', units: ['u1', 'u2'], targetVp: VA, destructive: false, detail: /First activation/ },
  { name: 'first activation done on unit 1 only: finalize the other', s: snap([auth3(1, { cur: VA }), auth3(2, { nw: ['C', VA] })]), kind: 'finish-set-immediate', units: ['u2'], reencipherFirst: false },
  { name: 'same current key everywhere: ready', s: snap([auth3(1, { cur: VA }), auth3(2, { cur: VA })], storage({ [VA]: 4 })), kind: 'ready', units: [] },
  {
    name: 'rotation: new B committed everywhere, 5 keys under A not staged: re-encipher on the first unit',
    s: snap([auth3(1, { cur: VA, nw: ['C', VB] }), auth3(2, { cur: VA, nw: ['C', VB] }), auth3(3, { cur: VA, nw: ['C', VB] })], storage({ [VA]: 5 })),
    kind: 'reencipher', units: ['u1'], targetVp: VB, detail: /5 of 5 key/,
  },
  {
    name: 'rotation: re-encipher stopped after 2 of 5: re-encipher (the rest)',
    s: snap([auth3(1, { cur: VA, nw: ['C', VB] }), auth3(2, { cur: VA, nw: ['C', VB] })], storage({ [VA]: 5 }, [VA, VB, 2])),
    kind: 'reencipher', units: ['u1'], detail: /3 of 5 key/,
  },
  {
    name: 'rotation: every key staged: set immediate everywhere',
    s: snap([auth3(1, { cur: VA, nw: ['C', VB] }), auth3(2, { cur: VA, nw: ['C', VB] })], storage({ [VA]: 5 }, [VA, VB, 5])),
    kind: 'set-immediate', units: ['u1', 'u2'], destructive: false,
  },
  {
    name: 'the issue\'s example: B committed everywhere, current A, one unit finalized, storage not under B: re-encipher first, then finalize the others',
    s: snap([auth3(1, { cur: VB }), auth3(2, { cur: VA, nw: ['C', VB] }), auth3(3, { cur: VA, nw: ['C', VB] })], storage({ [VA]: 5 }, [VA, VB, 3])),
    kind: 'finish-set-immediate', units: ['u2', 'u3'], reencipherFirst: true, targetVp: VB, detail: /re-encipher the 2 key/,
  },
  {
    name: 'one unit finalized, storage staged: finalize the others',
    s: snap([auth3(1, { cur: VB }), auth3(2, { cur: VA, nw: ['C', VB] })], storage({ [VA]: 5 }, [VA, VB, 5])),
    kind: 'finish-set-immediate', units: ['u2'], reencipherFirst: false,
  },
  { name: 'every unit finalized to B, staged blobs not promoted: finish the rotation', s: snap([auth3(1, { cur: VB }), auth3(2, { cur: VB })], storage({ [VA]: 5 }, [VA, VB, 5])), kind: 'finish-rotation', units: [], targetVp: VB },
  { name: 'after promotion: ready', s: snap([auth3(1, { cur: VB }), auth3(2, { cur: VB })], storage({ [VB]: 5 })), kind: 'ready', units: [] },
  {
    name: 'two uncommitted loads with different VPs: clear both (no way to tell which is right)',
    s: snap([auth3(1, { cur: VA, nw: ['U', VB] }), auth3(2, { cur: VA, nw: ['U', VX] })]),
    kind: 'clear-new', units: ['u1', 'u2'],
  },
  {
    name: 'B committed on unit 1, X loaded on unit 2: clear unit 2, keep B',
    s: snap([auth3(1, { cur: VA, nw: ['C', VB] }), auth3(2, { cur: VA, nw: ['U', VX] })]),
    kind: 'clear-new', units: ['u2'], targetVp: VB,
  },
  {
    name: 'a catch-up load gave another key on the empty unit (a stray): clear it',
    s: snap([auth3(1, { cur: VA }), auth3(2, { nw: ['U', VX] })]),
    kind: 'clear-new', units: ['u2'],
  },
  { name: 'a rotation open toward a key no unit holds: abandon it', s: snap([auth3(1, { cur: VA }), auth3(2, { cur: VA })], storage({ [VA]: 5 }, [VA, VB, 2])), kind: 'abandon-rotation', units: [] },
  { name: 'current keys differ with nothing under way: true drift', s: snap([auth3(1, { cur: VA }), auth3(2, { cur: VB })]), kind: 'resolve-drift', units: ['u1', 'u2'] },
  {
    name: 'unit 1 zeroized, the others set up: add the admins there first',
    s: snap([unit(1, { imprint: true, admins: 0 }), auth3(2, { cur: VA }), auth3(3, { cur: VA })], storage({ [VA]: 2 })),
    kind: 'add-admins', units: ['u1'], requires: [['u1', 0, 3]],
  },
  {
    name: 'unit 1 re-set up after a zeroize, no master key: load the others\' key there',
    s: snap([auth3(1), auth3(2, { cur: VA }), auth3(3, { cur: VA })], storage({ [VA]: 2 })),
    kind: 'finish-load', units: ['u1'], targetVp: VA,
  },
  {
    name: 'the others\' current key A, being loaded on unit 1 after its zeroize, committed: finalize it',
    s: snap([auth3(1, { nw: ['C', VA] }), auth3(2, { cur: VA }), auth3(3, { cur: VA })], storage({ [VA]: 2 })),
    kind: 'finish-set-immediate', units: ['u1'], reencipherFirst: false,
  },
  {
    name: 'keys whose master key no unit holds: a warning, the load proceeds',
    s: snap([auth3(1), auth3(2)], storage({ [VA]: 3 })),
    kind: 'load-master-key', units: ['u1', 'u2'], detail: /3 key\(s\) under AAAA/,
    check: (a) => assert.deepEqual(a.findings.map((f) => [f.field, f.class]), [['storage', 'warning']]),
  },
  {
    name: 'a remote instance (storage kept by the host): set immediate during a rotation is destructive',
    s: snap([auth3(1, { cur: VA, nw: ['C', VB] }), auth3(2, { cur: VA, nw: ['C', VB] })], null),
    kind: 'set-immediate', units: ['u1', 'u2'], destructive: true,
  },
  {
    name: 'unit 1 finalized to B, unit 2\'s new register cleared, rotation open: load B on unit 2',
    s: snap([auth3(1, { cur: VB }), auth3(2, { cur: VA })], storage({ [VA]: 5 }, [VA, VB, 5])),
    kind: 'finish-load', units: ['u2'], targetVp: VB,
  },
];

describe('next safe action: a table of situations', () => {
  for (const r of ROWS) {
    it(r.name, () => {
      const a = nextSafeAction(r.s);
      assert.equal(a.kind, r.kind, a.title);
      assert.deepEqual(a.units, r.units);
      if (r.targetVp !== undefined) assert.equal(a.targetVp, r.targetVp);
      if (r.reencipherFirst !== undefined) assert.equal(a.reencipherFirst, r.reencipherFirst);
      if (r.destructive !== undefined) assert.equal(a.destructive, r.destructive);
      if (r.requires) assert.deepEqual(a.requires.map((q) => [q.unitId, q.perCommand, q.commands]), r.requires);
      if (r.detail) assert.match(a.detail, r.detail);
      assert.isString(a.title);
      assert.isAbove(a.title.length, 5);
      r.check?.(a);
    });
  }

  it('is a pure function: the same snapshot gives the same answer, and the snapshot is not changed', () => {
    const deepFreeze = (o: unknown): void => {
      if (o && typeof o === 'object' && !ArrayBuffer.isView(o)) {
        Object.freeze(o);
        Object.values(o as object).forEach(deepFreeze);
      }
    };
    for (const r of ROWS) {
      const copy = structuredClone(r.s);
      deepFreeze(copy);
      const a = nextSafeAction(copy);
      const b = nextSafeAction(copy);
      assert.deepEqual(a, b);
      assert.deepEqual(copy, r.s);
    }
  });
});

describe('drift: which differences are a half-finished step and which need a decision', () => {
  const cls = (s: InstanceSnapshot): string[] => analyzeDrift(s).findings.map((f) => `${f.field}:${f.class}:${f.units.join(',')}`);

  it('identical units have no findings', () => {
    const r = analyzeDrift(snap([auth3(1, { cur: VA }), auth3(2, { cur: VA })], storage({ [VA]: 1 })));
    assert.deepEqual(r.findings, []);
    assert.isFalse(r.drifted);
    assert.equal(r.digest, '');
  });

  it('an admin on units 1 and 2 but not 3 is an incomplete step naming unit 3', () => {
    assert.deepEqual(cls(snap([auth3(1, { admins: 4 }), auth3(2, { admins: 4 }), auth3(3, { admins: 3 })])), ['admins:incomplete:u3']);
  });

  it('new committed on unit 1, not on unit 2, same VP: incomplete, naming unit 2', () => {
    assert.deepEqual(cls(snap([auth3(1, { cur: VA, nw: ['C', VB] }), auth3(2, { cur: VA, nw: ['U', VB] })])), ['new:incomplete:u2']);
    assert.deepEqual(cls(snap([auth3(1, { cur: VA, nw: ['U', VB] }), auth3(2, { cur: VA }), auth3(3, { cur: VA, nw: ['U', VB] })])), ['new:incomplete:u2']);
  });

  it('unit 1 finalized to B, unit 2 still committed B: current differs, incomplete', () => {
    assert.deepEqual(cls(snap([auth3(1, { cur: VB }), auth3(2, { cur: VA, nw: ['C', VB] })])), ['current:incomplete:u2']);
  });

  it('mode: one unit still in imprint mode is incomplete; thresholds of the authenticated ones compared only', () => {
    assert.deepEqual(cls(snap([auth3(1, { thr: [3, 1] }), unit(2, { imprint: true })])), ['mode:incomplete:u2']);
  });

  it('thresholds and unexplained current keys are true drift; the digest names the values', () => {
    const r = analyzeDrift(snap([auth3(1, { thr: [2, 2], cur: VA }), auth3(2, { thr: [3, 3], cur: VB })]));
    assert.deepEqual(r.findings.map((f) => `${f.field}:${f.class}`), ['thresholds:drift', 'current:drift']);
    assert.isTrue(r.drifted);
    assert.include(r.digest, 'u1=signature 2, revocation 2');
    assert.include(r.digest, 'u2=signature 3, revocation 3');
    assert.include(r.digest, 'u2=BBBBBBBB…');
  });

  it('three different current keys are drift even with a rotation open', () => {
    assert.include(cls(snap([auth3(1, { cur: VA }), auth3(2, { cur: VB }), auth3(3, { cur: VX })], storage({ [VA]: 1 }, [VA, VB, 1]))), 'current:drift:u1,u2,u3');
  });

  it('a rotation open toward a key nobody holds is incomplete; stranded keys are a warning', () => {
    assert.deepEqual(cls(snap([auth3(1, { cur: VA }), auth3(2, { cur: VA })], storage({ [VA]: 2, [VX]: 1 }, [VA, VB, 0]))), ['storage:warning:', 'rotation:incomplete:']);
  });

  it('an unreachable unit is left out of the comparison, and storage findings wait for it', () => {
    const r = analyzeDrift(snap([auth3(1, { cur: VB }), down(2)], storage({ [VA]: 2 })));
    assert.deepEqual(r.findings, []);
  });
});
