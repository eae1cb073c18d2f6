/**
 * Plans and their refusals: what the person is shown and asked (consent), what happens when the
 * answer is no or unusable (nothing is sent), drift decisions, destructive confirmations, a unit
 * down mid-step, the catch-up of a zeroized unit, key storage rules, root pinning.
 */
import { fromHex, groupedHex } from '../../src/bytes/index.ts';
import {
  ConsentError, DRIFT_PHRASE, DriftRefusedError, EngineBusyError, KeyCreationBlockedError, PreconditionError, StepFailedError,
  UnitsUnreachableError, ZEROIZE_PHRASE, CLEAR_CURRENT_PHRASE, type InstanceRuntime,
} from '../../src/ceremony/index.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { Command } from '../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit } from '../../src/cryptounit/simulated/index.ts';
import { MemoryUnitTransport } from '../../src/cryptounit/transports/memory.ts';
import { openSignatureKeyFile } from '../../src/custodian/soft/index.ts';
import { after, assert, assertRejects, before, describe, it } from '../harness.ts';
import { assertIdentical, ceremony, checkProbes, probeKeys, type Probe } from './helpers.ts';
import { c, FlakyTransport, KDF, makeAdminFile, makeWorld, type World, type WorldImage } from './world.ts';

const count = (w: World, code: number): number => w.transports.reduce((n, t) => n + t.commands.filter((x) => x === code).length, 0);

describe('plans on a ready instance (3 units, 3 keys)', () => {
  let w: World;
  let image: WorldImage;
  let probes: Probe[];

  before(async () => {
    w = await makeWorld({ units: 3, batchSize: 2 });
    const rt = await ceremony(w, 3);
    probes = await probeKeys(w, rt);
    image = await w.image();
  });
  after(async () => {
    await w.done();
  });

  async function fresh(): Promise<InstanceRuntime> {
    await w.rebuild(image);
    w.consent.pick = null;
    w.consent.answer = () => true;
    return w.runtime();
  }

  it('shows each unit\'s block (words and SHA-256) to the signers, signs every unit with each, and closes them', async () => {
    const rt = await fresh();
    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'import' });
    w.consent.signerRequests.length = 0;
    w.consent.opened.length = 0;
    await rt.run({ plan: 'commit' });
    assert.lengthOf(w.consent.signerRequests, 1);
    const r = w.consent.signerRequests[0];
    assert.equal(r.required, 2);
    assert.equal(r.step.step, 'commit');
    assert.deepEqual(r.units.map((u) => u.unitId), w.instance.units.map((u) => u.id));
    for (const u of r.units) {
      assert.equal(u.description, u.prepared.description);
      assert.match(u.description, new RegExp(`Commit the new master key register with verification pattern ${groupedHex(fromHex(w.vps.B))}`));
      const digest = new Uint8Array(await c.subtle.digest('SHA-256', u.prepared.adminBlock as Uint8Array<ArrayBuffer>));
      assert.equal(u.blockSha256, groupedHex(digest));
    }
    assert.deepEqual(r.candidates.map((a) => a.name).sort(), ['Admin 1', 'Admin 2', 'Admin 3']);
    assert.lengthOf(w.consent.opened, 2);
    assert.isTrue(w.consent.opened.every((o) => o.closed()), 'every signer was closed after the step');
  });

  it('offers the directory\'s record of an admin when it has one', async () => {
    const rt = await fresh();
    await w.store.admins.add(w.admins[0].certificate, { kind: 'software', fileName: 'admin1.json' });
    w.consent.signerRequests.length = 0;
    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'import' });
    const cands = w.consent.signerRequests[0].candidates;
    assert.deepEqual(cands.find((x) => x.name === 'Admin 1')!.location, { kind: 'software', fileName: 'admin1.json' });
    assert.deepEqual(cands.find((x) => x.name === 'Admin 2')!.location, { kind: 'unit' });
  });

  it('refuses too few signers, or a signer that is not an admin, before anything is sent', async () => {
    const rt = await fresh();
    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'import' });
    w.consent.pick = () => [w.admins[0]];
    w.consent.opened.length = 0;
    const few = await assertRejects(rt.run({ plan: 'commit' }), ConsentError);
    assert.equal(few.problem, 'too-few-signers');
    assert.isTrue(w.consent.opened.every((o) => o.closed()));
    const stranger = await makeAdminFile('Stranger');
    w.consent.pick = () => [w.admins[0], stranger];
    const unknown = await assertRejects(rt.run({ plan: 'commit' }), ConsentError);
    assert.equal(unknown.problem, 'unknown-signer');
    w.consent.pick = () => {
      throw new Error('the person closed the dialog');
    };
    const declined = await assertRejects(rt.run({ plan: 'commit' }), ConsentError);
    assert.equal(declined.problem, 'declined');
    assert.equal(count(w, Command.COMMIT_WK), 0, 'no COMMIT_WK was sent');
    w.consent.pick = null;
    const o = await rt.run({ plan: 'commit' });
    assert.equal(o.next.kind, 'reencipher');
  });

  it('refuses wrapped parts that name another unit\'s importer key', async () => {
    const rt = await fresh();
    const wrap = w.consent.wrapParts.bind(w.consent);
    w.consent.wrapParts = async (r) => (await wrap(r)).map((row) => [row[1], row[0], row[2]]);
    try {
      const e = await assertRejects(rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256' }), ConsentError);
      assert.equal(e.problem, 'bad-envelopes');
      assert.equal(count(w, Command.IMPORT_WK), 0);
    } finally {
      w.consent.wrapParts = wrap;
    }
    // the importers made on the way are reused by the next try
    const importers = count(w, Command.GEN_IMPORTER);
    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'import' });
    assert.equal(count(w, Command.GEN_IMPORTER), importers);
  });

  it('asks for a journaled decision before running on drifted units, and sends nothing when refused', async () => {
    const rt = await fresh();
    // another workstation changed unit 1's thresholds
    const s1 = await openSignatureKeyFile(c, w.admins[0].text, w.admins[0].password, KDF);
    const s2 = await openSignatureKeyFile(c, w.admins[1].text, w.admins[1].password, KDF);
    const other = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => w.sims[0].handle(r)), crypto: c });
    await other.connect();
    await other.setThresholds(3, 2, [s1, s2]);
    const snap = await rt.refresh();
    const a = rt.next(snap);
    assert.equal(a.kind, 'resolve-drift');
    assert.match(a.detail, /different thresholds \(3\/2 vs 2\/2\)/);

    w.consent.answer = () => false;
    const before = count(w, Command.DOM_SET_ATTR);
    const refused = await assertRejects(rt.run({ plan: 'set-thresholds', sign: 2, revoke: 2 }), DriftRefusedError);
    assert.equal(refused.findings[0].field, 'thresholds');
    assert.equal(count(w, Command.DOM_SET_ATTR), before);
    let d = (await rt.journal.entries()).filter((e) => e.kind === 'decision').pop()!;
    assert.equal(d.fields?.answer, 'refused');

    w.consent.answer = () => true;
    w.consent.confirms.length = 0;
    const o = await rt.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
    assert.equal(w.consent.confirms[0].kind, 'drift');
    assert.equal(w.consent.confirms[0].typedPhrase, DRIFT_PHRASE);
    d = (await rt.journal.entries()).filter((e) => e.kind === 'decision').pop()!;
    assert.equal(d.fields?.answer, 'accepted');
    assert.include(d.fields?.drift, `${w.instance.units[0].id}=signature 3, revocation 2`);
    assert.deepEqual(o.steps[0].units.map((u) => u.unitId), [w.instance.units[0].id], 'only the drifted unit needed the command');
    assert.equal(o.next.kind, 'ready');
    s1.close();
    s2.close();
  });

  it('one unit down mid-step: the step stops there, the journal shows it, and the next action says what to do', async () => {
    const rt = await fresh();
    w.transports[2].failOn(Command.GEN_IMPORTER, 'down');
    const e = await assertRejects(rt.run({ plan: 'rotate', parts: w.parts.B, importerCurve: 'P-256' }), StepFailedError);
    assert.equal(e.unitLabel, 'Unit 3');
    assert.deepEqual(e.completed, [w.instance.units[0].id, w.instance.units[1].id]);
    assert.equal(e.next?.kind, 'reconnect');
    const stillDown = await assertRejects(rt.run({ plan: 'next' }), UnitsUnreachableError);
    assert.equal(stillDown.units[0].label, 'Unit 3');
    w.transports[2].mode = 'up';
    const o = await rt.run({ plan: 'rotate', parts: w.parts.B, importerCurve: 'P-256' });
    assert.equal(o.next.kind, 'ready');
    await checkProbes(w, rt, probes);
  });

  it('a load with other parts than the units already hold stops, and clear-new then brings the units back', async () => {
    const rt = await fresh();
    w.transports[1].failOn(Command.IMPORT_WK, 'down');
    await assertRejects(rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256' }), StepFailedError);
    w.transports[1].mode = 'up';
    let a = rt.next(await rt.refresh());
    assert.equal(a.kind, 'finish-load');
    assert.equal(a.targetVp, w.vps.B);
    const e = await assertRejects(rt.run({ plan: 'next', inputs: { parts: w.parts.X, importerCurve: 'P-256' } }), StepFailedError);
    assert.match((e.cause as Error).message, new RegExp(`not the expected ${w.vps.B.slice(0, 4).toUpperCase()}`));
    assert.deepEqual(e.completed, [w.instance.units[1].id], 'unit 2 loaded X; unit 3 was not loaded');
    assert.equal(e.next?.kind, 'clear-new');
    assert.deepEqual(e.next?.units, [w.instance.units[0].id, w.instance.units[1].id], 'neither B nor X is committed: clear both');
    await rt.run({ plan: 'next' });
    a = rt.next(await rt.refresh());
    assert.equal(a.kind, 'ready');
    const o = await rt.run({ plan: 'rotate', parts: w.parts.B, importerCurve: 'P-256' });
    assert.equal(o.next.kind, 'ready');
    assert.equal(reachableCurrent(o.snapshot), w.vps.B);
  });

  it('refuses to remove an administrator when a unit would keep fewer than a threshold', async () => {
    const rt = await fresh();
    const o = await rt.run({ plan: 'remove-admin', ski: w.admins[2].ski });
    assert.equal(o.steps[0].units.length, 3);
    assert.equal(w.consent.signerRequests.pop()!.required, 2, 'the revocation threshold');
    const before = count(w, Command.DOM_ADMIN_LOGOUT);
    const e = await assertRejects(rt.run({ plan: 'remove-admin', ski: w.admins[1].ski }), PreconditionError);
    assert.equal(e.code, 'protocol-rule');
    assert.equal(count(w, Command.DOM_ADMIN_LOGOUT), before);
  });

  it('zeroizes one unit after a typed confirmation, then catches it up from the other units', async () => {
    const rt = await fresh();
    w.consent.confirms.length = 0;
    const u3 = w.instance.units[2].id;
    await rt.run({ plan: 'zeroize', units: [u3] });
    assert.equal(w.consent.confirms[0].typedPhrase, ZEROIZE_PHRASE);
    assert.notMatch(w.consent.confirms[0].detail, /can no longer be opened/, 'units 1 and 2 still hold the keys\' master key');
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const a = rt.next(await rt.refresh());
      kinds.push(a.kind);
      if (a.kind === 'ready') break;
      assert.deepEqual(a.units.length ? a.units : [u3], [u3]);
      await rt.run({ plan: 'next', inputs: { parts: w.parts.A, importerCurve: 'P-256' } });
    }
    assert.deepEqual(kinds, ['add-admins', 'leave-imprint', 'finish-load', 'commit', 'finish-set-immediate', 'ready']);
    assertIdentical(rt);
    await checkProbes(w, rt, probes);
  });

  it('zeroizing every unit says how many keys are lost, and afterwards warns about them', async () => {
    const rt = await fresh();
    w.consent.confirms.length = 0;
    await rt.run({ plan: 'zeroize' });
    assert.match(w.consent.confirms[0].detail, /3 stored key\(s\) can no longer be opened by any unit/);
    const a = rt.next(await rt.refresh());
    assert.equal(a.kind, 'add-admins');
    assert.deepEqual(a.findings.map((f) => `${f.field}:${f.class}`), ['storage:warning']);
  });

  it('clears the current master key only after a typed confirmation; loading the same parts brings the keys back', async () => {
    const rt = await fresh();
    w.consent.answer = () => false;
    await assertRejects(rt.run({ plan: 'clear-current' }), ConsentError);
    assert.equal(count(w, Command.CLEAR_WK), 0);
    w.consent.answer = () => true;
    w.consent.confirms.length = 0;
    await rt.run({ plan: 'clear-current' });
    assert.equal(w.consent.confirms[0].typedPhrase, CLEAR_CURRENT_PHRASE);
    const a = rt.next(await rt.refresh());
    assert.equal(a.kind, 'load-master-key');
    assert.match(a.detail, /3 key\(s\) under/);
    const o = await rt.run({ plan: 'load-master-key', parts: w.parts.A, importerCurve: 'P-256' });
    assert.equal(o.next.kind, 'ready');
    assert.deepEqual(o.next.findings, []);
    await checkProbes(w, rt, probes);
  });

  it('blocks key creation while a rotation is under way, lists keys with their VP, and tests wrap/unwrap on every unit', async () => {
    const rt = await fresh();
    const listed = await rt.keys!.list();
    assert.lengthOf(listed, 3);
    assert.isTrue(listed.every((k) => k.vp === w.vps.A && k.openableOn.length === 3 && k.stagedVp === undefined));
    const t = await rt.keys!.test(listed[0].keyId);
    assert.deepEqual(t.unwrap.map((x) => x.ok), [true, true, true]);

    await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'commit' });
    const loaded = await assertRejects(rt.keys!.generate('too early'), KeyCreationBlockedError);
    assert.equal(loaded.reason, 'new-register-loaded');
    await rt.run({ plan: 'reencipher' });
    const open = await assertRejects(rt.keys!.generate('too early'), KeyCreationBlockedError);
    assert.equal(open.reason, 'rotation-open');
    const staged = await rt.keys!.list();
    assert.isTrue(staged.every((k) => k.vp === w.vps.A && k.stagedVp === w.vps.B));
    const progress = w.consent.progressReports.filter((p) => p.step.step === 'reencipher');
    assert.deepEqual(progress.slice(-3).map((p) => [p.done, p.total]), [[0, 3], [2, 3], [3, 3]]);
    await rt.run({ plan: 'rotate' });
    const made = await rt.keys!.generate('after the rotation');
    assert.equal(made.vp, w.vps.B);
    assert.lengthOf(await rt.keys!.list(), 4);
  });

  it('one plan at a time', async () => {
    const rt = await fresh();
    const first = rt.run({ plan: 'next' });
    await assertRejects(rt.run({ plan: 'next' }), EngineBusyError);
    await first;
  });
});

function reachableCurrent(s: { units: { reachable: boolean; current?: { vp: string | null } }[] }): string | null {
  const vps = new Set(s.units.map((u) => (u.reachable ? u.current!.vp : 'down')));
  return vps.size === 1 ? [...vps][0] : null;
}

describe('unit roots: pinned on first use, checked afterwards', () => {
  it('pins each unit\'s root in the store and journals it; a unit of another host is refused', async () => {
    const w = await makeWorld({ units: 2 });
    try {
      const rt = await w.runtime();
      const s = await rt.refresh();
      assert.isTrue(s.units.every((u) => u.reachable));
      const inst = (await w.store.instances.get(w.instance.id))!;
      const fp = inst.units[0].pinnedRoot!.fingerprint;
      assert.match(fp, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(inst.units[1].pinnedRoot!.fingerprint, fp, 'one host, one root');
      assert.equal(s.units[0].reachable && s.units[0].identity.rootFingerprint, fp);
      const notes = (await rt.journal.entries()).filter((e) => e.kind === 'note' && e.fields?.fingerprint === fp);
      assert.lengthOf(notes, 2);

      // unit 2's endpoint now leads to a unit of another host
      const stranger = await SimulatedCryptoUnit.create({ crypto: c });
      w.transports[1] = new FlakyTransport(new MemoryUnitTransport((r) => stranger.handle(r)), w.instance.units[1].id);
      const rt2 = await w.runtime();
      const s2 = await rt2.refresh();
      const u2 = s2.units[1];
      assert.isFalse(u2.reachable);
      if (!u2.reachable) {
        assert.equal(u2.error.kind, 'untrusted');
        assert.match(u2.error.message, /pinned/);
      }
      assert.equal(rt2.next(s2).kind, 'reconnect');
    } finally {
      await w.done();
    }
  });

  it('a unit refused at first use (onFirstUse throws) stays unpinned and unreachable', async () => {
    const w = await makeWorld({ units: 2 });
    try {
      const { InstanceRuntime } = await import('../../src/ceremony/index.ts');
      const shown: string[] = [];
      const rt = await InstanceRuntime.open({
        store: w.store, instanceId: w.instance.id, crypto: c, consent: w.consent,
        transportFor: (u) => w.transports[w.instance.units.findIndex((x) => x.id === u.id)],
        onFirstUse: (u, fp) => {
          shown.push(`${u.label} ${fp}`);
          if (u.label === 'Unit 2') throw new Error('the fingerprint does not match the paper');
        },
      });
      const s = await rt.refresh();
      assert.lengthOf(shown, 2);
      assert.isTrue(s.units[0].reachable);
      assert.isFalse(s.units[1].reachable);
      const inst = (await w.store.instances.get(w.instance.id))!;
      assert.exists(inst.units[0].pinnedRoot);
      assert.notExists(inst.units[1].pinnedRoot);
    } finally {
      await w.done();
    }
  });
});

describe('a remote instance (its host keeps the key storage)', () => {
  it('has no key storage here, and set immediate during a rotation asks for a confirmation', async () => {
    const w = await makeWorld({ units: 2 });
    try {
      const { InstanceRuntime } = await import('../../src/ceremony/index.ts');
      const inst = await w.store.instances.create({
        name: 'Remote',
        kind: 'remote',
        units: [{ label: 'A', endpoint: { kind: 'http', url: 'https://unit-a.example/' } }, { label: 'B', endpoint: { kind: 'http', url: 'https://unit-b.example/' } }],
      });
      const rt = await InstanceRuntime.open({
        store: w.store, instanceId: inst.id, crypto: c, consent: w.consent,
        transportFor: (u) => w.transports[inst.units.findIndex((x) => x.id === u.id)],
      });
      assert.isNull(rt.keys);
      await rt.run({ plan: 'add-admins', certificates: w.admins.map((a) => a.certificate) });
      await rt.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
      w.consent.confirms.length = 0;
      const first = await rt.run({ plan: 'load-master-key', parts: w.parts.A, importerCurve: 'P-256' });
      assert.equal(first.next.kind, 'ready');
      assert.lengthOf(w.consent.confirms, 0, 'a first activation has nothing to lose');
      assert.isNull(first.snapshot.storage);
      await rt.run({ plan: 'load-master-key', parts: w.parts.B, importerCurve: 'P-256', through: 'commit' });
      const a = rt.next(await rt.refresh());
      assert.equal(a.kind, 'set-immediate');
      assert.isTrue(a.destructive);
      assert.equal((await assertRejects(rt.run({ plan: 'reencipher' }), PreconditionError)).code, 'no-key-storage');
      w.consent.answer = () => false;
      await assertRejects(rt.run({ plan: 'set-immediate' }), ConsentError);
      assert.equal(count(w, Command.FINALIZE_WK), 2, 'only the first activation\'s two');
      w.consent.answer = () => true;
      const o = await rt.run({ plan: 'set-immediate' });
      assert.match(w.consent.confirms.pop()!.detail, /kept by the unit host/);
      assert.equal(o.next.kind, 'ready');
      assert.equal(reachableCurrent(o.snapshot), w.vps.B);
    } finally {
      await w.done();
    }
  });
});
