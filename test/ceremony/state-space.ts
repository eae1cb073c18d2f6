/**
 * Every reachable combination of unit states across 2 and 3 units (test/ceremony/model.ts):
 * the states are reached by applying the plans' steps to every subset of the units they act on
 * (a unit down mid-step leaves the others behind), driving real SimulatedCryptoUnits through the
 * unit client. For each state:
 *   (a) the engine's next safe action (kind and units) is the oracle's (rules written in the test);
 *   (b) carrying it out with the engine gives exactly the state the model expects (so, as the
 *       model shows every chain of expected states ends in 'ready', following the suggestions
 *       converges); where the result leaves the model, the engine is followed to 'ready' and the
 *       units must end identical. No blob is lost (every key still unwraps its probe) and no
 *       FINALIZE_WK goes out while a key is neither under nor staged under the new VP;
 *   (c) the journal verifies.
 * Node only: about 140 states, each driven from its parent's exported image. Run by
 * state-space-2units.node.test.ts and state-space-3units.node.test.ts (two files, so they can run
 * side by side).
 */
import { toHex } from '../../src/bytes/index.ts';
import { reachableUnits } from '../../src/ceremony/index.ts';
import { Command } from '../../src/cryptounit/protocol/index.ts';
import { assert } from '../harness.ts';
import { applyOp, driver, readState, type Driver } from './drive.ts';
import { describeState, effect, oracle, reachable, stateKey, BATCH, type AState } from './model.ts';
import { c, makeWorld, type KeyName, type World, type WorldImage } from './world.ts';

interface Probe {
  ct: Uint8Array;
  pt: Uint8Array;
}

async function addProbes(w: World, d: Driver, probes: Map<string, Probe>): Promise<void> {
  for (const r of await w.store.keyStorage.list(w.instance.id)) {
    if (probes.has(r.keyId)) continue;
    const pt = c.getRandomValues(new Uint8Array(24));
    const holder = (await Promise.all(d.clients.map((cl) => cl.domainInfo()))).findIndex((x) => toHex(x.currentVp) === r.vp);
    probes.set(r.keyId, { pt, ct: await d.clients[holder].wrap(r.blob, pt) });
  }
}

/** Every stored key still opens (its blob, or its staged copy) on a unit holding that VP. */
async function checkProbes(w: World, d: Driver, probes: Map<string, Probe>): Promise<string[]> {
  const out: string[] = [];
  const infos = await Promise.all(d.clients.map((cl) => cl.domainInfo()));
  const holder = (vp: string | undefined): number => (vp === undefined ? -1 : infos.findIndex((x) => toHex(x.currentVp) === vp));
  for (const r of await w.store.keyStorage.list(w.instance.id)) {
    const p = probes.get(r.keyId)!;
    const [blob, unit] = holder(r.vp) >= 0 ? [r.blob, holder(r.vp)] : [r.nextBlob, holder(r.nextVp)];
    if (!blob || unit < 0) {
      out.push(`key ${r.keyId.slice(0, 8)} is under a VP no unit has, and has no staged copy one has`);
      continue;
    }
    const back = await d.clients[unit].unwrap(blob, p.ct);
    if (toHex(back) !== toHex(p.pt)) out.push(`key ${r.keyId.slice(0, 8)} opens to other bytes`);
  }
  return out;
}

const keyOf = (w: World, vp: string | undefined): KeyName => (Object.keys(w.vps) as KeyName[]).find((k) => w.vps[k] === vp) ?? 'A';

function watchFinalize(w: World, violations: string[]): void {
  for (const t of w.transports) {
    t.onCommand = async (code, payload) => {
      if (code !== Command.FINALIZE_WK) return;
      const to = toHex(payload);
      const recs = await w.store.keyStorage.list(w.instance.id);
      const rot = await w.store.keyStorage.rotation(w.instance.id);
      const ok = recs.every((r) => r.vp === to) || (rot !== undefined && rot.toVp === to && rot.pending.length === 0);
      if (!ok) violations.push(`FINALIZE_WK to ${to.slice(0, 8)} sent while ${rot ? rot.pending.length : recs.length} key(s) were not staged`);
    };
  }
}

export async function runSpace(n: number): Promise<void> {
  const model = reachable(n);
  const w = await makeWorld({ units: n, batchSize: BATCH });
  const signers = (await driver(w)).signers;
  const images = new Map<string, WorldImage>();
  const probes = new Map<string, Probe>();
  const problems: string[] = [];
  let checked = 0;
  let followed = 0;
  for (const [key, node] of model) {
    const where = describeState(node.state);
    // build the state from its parent's image
    if (node.parent === null) await w.rebuild(null);
    else await w.rebuild(images.get(node.parent)!);
    const d = await driver(w, signers);
    if (node.op) await applyOp(w, d, node.op);
    const got = await readState(w, d);
    assert.deepEqual(got, node.state, `driving into ${where}`);
    await addProbes(w, d, probes);
    images.set(key, await w.image());

    // (a) the next safe action
    const rt = await w.runtime();
    const snap = await rt.refresh();
    const action = rt.next(snap);
    const want = oracle(node.state);
    const ids = w.instance.units.map((u) => u.id);
    const wantUnits = want.units.map((i) => ids[i]);
    if (action.kind !== want.kind || action.units.join() !== wantUnits.join() || (want.reencipherFirst !== undefined && action.reencipherFirst !== want.reencipherFirst)) {
      problems.push(`${where}: engine says ${action.kind} [${action.units.map((u) => ids.indexOf(u)).join(',')}]${action.reencipherFirst ? ' (reencipher first)' : ''}, oracle ${want.kind} [${want.units.join(',')}]${want.reencipherFirst ? ' (reencipher first)' : ''}`);
      continue;
    }
    checked++;
    if (action.kind === 'ready') continue;

    // (b) carry it out
    const violations: string[] = [];
    watchFinalize(w, violations);
    const inputs = { parts: w.parts[action.kind === 'load-master-key' ? 'A' : keyOf(w, action.targetVp)], thresholds: { sign: 2, revoke: 2 }, certificates: w.admins.map((a) => a.certificate) };
    const expected = effect(node.state, want);
    try {
      if (expected) {
        await rt.run({ plan: 'next', inputs });
      } else {
        followed++;
        const last = await rt.run({ plan: 'next', untilReady: true, inputs: { ...inputs, thresholds: { sign: 1, revoke: 1 } } });
        if (last.next.kind !== 'ready') problems.push(`${where}: following the actions ended at ${last.next.kind}`);
        const us = reachableUnits(last.snapshot);
        const same = (f: (u: (typeof us)[number]) => string): boolean => new Set(us.map(f)).size === 1;
        if (!same((u) => u.adminSkis.join()) || !same((u) => `${u.signThreshold}/${u.revokeThreshold}/${u.mode}`) || !same((u) => `${u.current.vp}/${u.next.vp}`)) {
          problems.push(`${where}: the units differ at the end`);
        }
      }
    } catch (e) {
      problems.push(`${where}: running ${action.kind} failed: ${(e as Error).message}`);
      continue;
    }
    if (expected) {
      const after = await readState(w, d);
      if (stateKey(after) !== stateKey(expected) || JSON.stringify(after) !== JSON.stringify(expected)) {
        problems.push(`${where}: after ${action.kind} the units are ${describeState(after)}, expected ${describeState(expected)}`);
      }
    }
    problems.push(...violations.map((v) => `${where}: ${v}`));
    problems.push(...(await checkProbes(w, d, probes)).map((p) => `${where}: ${p}`));
    const v = await rt.journal.verify();
    if (!v.ok) problems.push(`${where}: the journal does not verify: ${v.message}`);
  }
  // the model's expected chain from every state ends in 'ready' (or leaves the model, followed above)
  for (const [, node] of model) {
    let s: AState | null = node.state;
    for (let i = 0; i < 40 && s && oracle(s).kind !== 'ready'; i++) {
      const nx: AState | null = effect(s, oracle(s));
      if (nx && !model.has(stateKey(nx))) problems.push(`model: ${describeState(s)} leads to ${describeState(nx)}, not a reachable state`);
      s = nx;
    }
    if (s && oracle(s).kind !== 'ready') problems.push(`model: no end from ${describeState(node.state)}`);
  }
  for (const s of signers) s.close();
  await w.done();
  assert.deepEqual(problems, [], `${problems.length} problem(s)`);
  assert.equal(checked, model.size, 'every state was checked');
  assert.isAbove(followed, 0);
  console.log(`  ${n} units: ${model.size} states checked, ${followed} followed to ready`);
}

