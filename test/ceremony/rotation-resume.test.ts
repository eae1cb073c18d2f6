/**
 * A rotation (3 units, 5 keys, REENCRYPT batches of 2) interrupted at every step: a unit down
 * before the command reaches it, or the unit running it and the answer lost. Each time the engine
 * is rebuilt from the store and the units alone (a reload), must name the right next action, and
 * 'rotate' again must finish: every unit on B, every key re-enciphered and still opening, the
 * journal intact, and no FINALIZE_WK sent while a key was not staged.
 */
import { toHex } from '../../src/bytes/index.ts';
import { StepFailedError, PreconditionError, EARLY_FINALIZE_PHRASE } from '../../src/ceremony/index.ts';
import { Command, KeyStorageOp } from '../../src/cryptounit/protocol/index.ts';
import { after, assert, assertRejects, before, describe, it } from '../harness.ts';
import { assertIdentical, ceremony, checkProbes, probeKeys, type Probe } from './helpers.ts';
import { makeWorld, type World, type WorldImage } from './world.ts';

interface Case {
  name: string;
  unit: number;
  code: number;
  mode: 'down' | 'lose-answer';
  skip?: number;
  /** the next action after the reload, and its units (indexes) */
  next: string;
  units: number[];
  reencipherFirst?: boolean;
  /** staged blobs after the failure */
  staged?: number;
}

const CASES: Case[] = [
  { name: 'GEN_IMPORTER: unit 2 down', unit: 1, code: Command.GEN_IMPORTER, mode: 'down', next: 'ready', units: [] },
  { name: 'IMPORT_WK: unit 2 down (unit 1 loaded)', unit: 1, code: Command.IMPORT_WK, mode: 'down', next: 'finish-load', units: [1, 2] },
  { name: 'IMPORT_WK: unit 3 ran it, its answer was lost', unit: 2, code: Command.IMPORT_WK, mode: 'lose-answer', next: 'commit', units: [0, 1, 2] },
  { name: 'COMMIT_WK: unit 2 down (unit 1 committed)', unit: 1, code: Command.COMMIT_WK, mode: 'down', next: 'commit', units: [1, 2] },
  { name: 'COMMIT_WK: unit 1 ran it, its answer was lost', unit: 0, code: Command.COMMIT_WK, mode: 'lose-answer', next: 'commit', units: [1, 2] },
  { name: 'REENCRYPT: the runner down before the first batch', unit: 0, code: KeyStorageOp.REENCRYPT, mode: 'down', next: 'reencipher', units: [0], staged: 0 },
  { name: 'REENCRYPT: the runner down before batch 2', unit: 0, code: KeyStorageOp.REENCRYPT, mode: 'down', skip: 1, next: 'reencipher', units: [0], staged: 2 },
  { name: 'REENCRYPT: batch 3 ran, its answer was lost', unit: 0, code: KeyStorageOp.REENCRYPT, mode: 'lose-answer', skip: 2, next: 'reencipher', units: [0], staged: 4 },
  { name: 'FINALIZE_WK: unit 2 down (unit 1 finalized)', unit: 1, code: Command.FINALIZE_WK, mode: 'down', next: 'finish-set-immediate', units: [1, 2], reencipherFirst: false, staged: 5 },
  { name: 'FINALIZE_WK: unit 3 ran it, its answer was lost (all finalized)', unit: 2, code: Command.FINALIZE_WK, mode: 'lose-answer', next: 'finish-rotation', units: [], staged: 5 },
];

describe('a rotation interrupted at each step resumes after a reload', () => {
  let w: World;
  let image: WorldImage;
  let probes: Probe[];

  before(async () => {
    w = await makeWorld({ units: 3, batchSize: 2 });
    const rt = await ceremony(w, 5);
    probes = await probeKeys(w, rt);
    image = await w.image();
  });
  after(async () => {
    await w.done();
  });

  /** Record any FINALIZE_WK sent while some key is neither under nor staged under its VP. */
  function watchFinalize(violations: string[]): void {
    for (const t of w.transports) {
      t.onCommand = async (code, payload) => {
        if (code !== Command.FINALIZE_WK) return;
        const rot = await w.store.keyStorage.rotation(w.instance.id);
        const recs = await w.store.keyStorage.list(w.instance.id);
        if (!(recs.every((r) => r.vp === toHex(payload)) || (rot && rot.toVp === toHex(payload) && rot.pending.length === 0))) violations.push('FINALIZE_WK before staging');
      };
    }
  }

  async function finish(): Promise<void> {
    const violations: string[] = [];
    watchFinalize(violations);
    const rt = await w.runtime();
    const o = await rt.run({ plan: 'rotate', parts: w.parts.B, importerCurve: 'P-256' });
    assert.equal(o.next.kind, 'ready', o.next.detail);
    assertIdentical(rt);
    const recs = await w.store.keyStorage.list(w.instance.id);
    assert.lengthOf(recs, 5);
    assert.isTrue(recs.every((r) => r.vp === w.vps.B && r.nextBlob === undefined), 'every key is stored under B, nothing staged');
    assert.isUndefined(await w.store.keyStorage.rotation(w.instance.id));
    await checkProbes(w, rt, probes);
    assert.deepEqual(violations, []);
    assert.isTrue((await rt.journal.verify()).ok);
  }

  for (const k of CASES) {
    it(k.name, async () => {
      await w.rebuild(image);
      const rt1 = await w.runtime();
      w.transports[k.unit].failOn(k.code, k.mode, k.skip ?? 0);
      const err = await assertRejects(rt1.run({ plan: 'rotate', parts: w.parts.B, importerCurve: 'P-256' }), StepFailedError);
      assert.equal(err.unitId, w.instance.units[k.unit].id);
      assert.equal(err.next?.kind, 'reconnect', 'while the unit is down, reconnecting is the only safe action');
      assert.deepEqual(err.next?.units, [w.instance.units[k.unit].id]);

      // the journal: an intent for the failed command on that unit, answered by an error entry, never a result
      const entries = await rt1.journal.entries();
      const intents = entries.filter((e) => e.kind === 'intent' && e.unitId === w.instance.units[k.unit].id && e.commandCode === k.code);
      const last = intents[intents.length - 1];
      assert.exists(last);
      assert.isFalse(entries.some((e) => e.kind === 'result' && e.ref === last.seq), 'no result for the interrupted command');
      assert.isTrue(entries.some((e) => e.kind === 'error' && e.ref === last.seq), 'an error entry answers the intent');

      // reload: a new engine, the unit back
      w.transports[k.unit].mode = 'up';
      const rt2 = await w.runtime();
      const s = await rt2.refresh();
      const a = rt2.next(s);
      assert.equal(a.kind, k.next, a.title);
      assert.deepEqual(a.units, k.units.map((i) => w.instance.units[i].id));
      if (k.reencipherFirst !== undefined) assert.equal(a.reencipherFirst, k.reencipherFirst);
      if (k.staged !== undefined) assert.equal(s.storage?.rotation?.staged ?? 0, k.staged);
      const importersBefore = w.transports.map((t) => t.commands.filter((x) => x === Command.GEN_IMPORTER).length);
      await finish();
      if (k.code === Command.GEN_IMPORTER) {
        const importersAfter = w.transports.map((t) => t.commands.filter((x) => x === Command.GEN_IMPORTER).length);
        assert.equal(importersAfter[0], importersBefore[0], 'unit 1 kept its importer key: no second GEN_IMPORTER');
        assert.equal(importersAfter[1], importersBefore[1] + 1);
      }
      if (k.code === KeyStorageOp.REENCRYPT) {
        const batches = w.transports[0].commands.filter((x) => x === KeyStorageOp.REENCRYPT).length;
        // batches of 2 over 5 keys: 3 in all; the resumed run sends only what was not staged
        assert.equal(batches, 3 + (k.mode === 'lose-answer' ? 1 : 0));
      }
    });
  }

  it('the issue\'s example: one unit set immediate before the storage was re-enciphered (confirmed), then re-encipher first and finalize the others', async () => {
    await w.rebuild(image);
    const rt = await w.runtime();
    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'commit' });
    const [u1, u2, u3] = w.instance.units.map((u) => u.id);
    const finalizes = (): number => w.transports.reduce((n, t) => n + t.commands.filter((x) => x === Command.FINALIZE_WK).length, 0);

    // every unit at once would leave no unit able to re-encipher: refused, nothing sent
    const refused = await assertRejects(rt.run({ plan: 'set-immediate' }), PreconditionError);
    assert.equal(refused.code, 'would-strand-keys');
    assert.equal(finalizes(), 0);

    // unit 1 alone, with the typed confirmation
    w.consent.confirms.length = 0;
    await rt.run({ plan: 'set-immediate', units: [u1] });
    assert.lengthOf(w.consent.confirms, 1);
    assert.equal(w.consent.confirms[0].typedPhrase, EARLY_FINALIZE_PHRASE);
    assert.equal(w.consent.confirms[0].kind, 'destructive');
    const decision = (await rt.journal.entries()).filter((e) => e.kind === 'decision').pop()!;
    assert.equal(decision.fields?.answer, 'accepted');

    // reload: re-encipher first (on unit 2 or 3, which still have A), then finalize the others
    const rt2 = await w.runtime();
    const a = rt2.next(await rt2.refresh());
    assert.equal(a.kind, 'finish-set-immediate');
    assert.isTrue(a.reencipherFirst);
    assert.deepEqual(a.units, [u2, u3]);
    const o = await rt2.run({ plan: 'next' });
    assert.deepEqual(o.steps.map((s) => s.step), ['reencipher', 'set-immediate']);
    assert.equal(o.steps[0].units[0].unitId, u2, 'unit 2 re-enciphers (unit 1 no longer has A)');
    assert.equal(o.next.kind, 'finish-rotation');
    await finish();
  });

  it('a refused early set immediate (confirmation declined) sends nothing and journals the refusal', async () => {
    await w.rebuild(image);
    const rt = await w.runtime();
    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'commit' });
    w.consent.answer = () => false;
    try {
      const finalizesBefore = w.transports.map((t) => t.commands.filter((x) => x === Command.FINALIZE_WK).length);
      await assertRejects(rt.run({ plan: 'set-immediate', units: [w.instance.units[0].id] }), Error);
      assert.deepEqual(w.transports.map((t) => t.commands.filter((x) => x === Command.FINALIZE_WK).length), finalizesBefore);
      const decision = (await rt.journal.entries()).filter((e) => e.kind === 'decision').pop()!;
      assert.equal(decision.fields?.answer, 'refused');
    } finally {
      w.consent.answer = () => true;
    }
    await finish();
  });
});
