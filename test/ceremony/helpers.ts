/** Shared steps of the ceremony tests. */
import { toHex } from '../../src/bytes/index.ts';
import type { InstanceRuntime } from '../../src/ceremony/index.ts';
import { assert } from '../harness.ts';
import { c, type World } from './world.ts';

/** The first ceremony through the engine: admins, thresholds 2/2, master key A; then `keys` keys. */
export async function ceremony(w: World, keys = 0): Promise<InstanceRuntime> {
  const rt = await w.runtime();
  await rt.run({ plan: 'add-admins', certificates: w.admins.map((a) => a.certificate) });
  await rt.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
  const o = await rt.run({ plan: 'load-master-key', parts: w.parts.A, importerCurve: 'P-256' });
  assert.equal(o.next.kind, 'ready');
  for (let i = 0; i < keys; i++) await rt.keys!.generate(`key ${i + 1}`);
  return rt;
}

export interface Probe {
  keyId: string;
  pt: Uint8Array;
  ct: Uint8Array;
}

/** Wrap fresh bytes with every stored key (on the first unit holding its VP). */
export async function probeKeys(w: World, rt: InstanceRuntime): Promise<Probe[]> {
  const s = await rt.refresh();
  const out: Probe[] = [];
  for (const k of await rt.keys!.list(s)) {
    const pt = c.getRandomValues(new Uint8Array(20));
    const link = rt.context.units.find((u) => u.unitId === k.openableOn[0])!;
    const rec = (await w.store.keyStorage.get(w.instance.id, k.keyId))!;
    out.push({ keyId: k.keyId, pt, ct: await link.client.wrap(rec.blob, pt) });
  }
  return out;
}

/** Every probe opens to its bytes on every unit, with the stored blob (none lost). */
export async function checkProbes(w: World, rt: InstanceRuntime, probes: readonly Probe[]): Promise<void> {
  const s = await rt.refresh();
  for (const p of probes) {
    const rec = await w.store.keyStorage.get(w.instance.id, p.keyId);
    assert.exists(rec, `key ${p.keyId} is still stored`);
    for (const u of rt.context.units) {
      const unit = s.units.find((x) => x.unitId === u.unitId)!;
      assert.isTrue(unit.reachable && unit.current.vp === rec!.vp, 'the key is under the unit\'s current master key');
      assert.equal(toHex(await u.client.unwrap(rec!.blob, p.ct)), toHex(p.pt));
    }
  }
}

/** Every unit of the snapshot the same (admins, thresholds, mode, registers). */
export function assertIdentical(rt: InstanceRuntime): void {
  const s = rt.lastSnapshot!;
  const sig = s.units.map((u) => (u.reachable ? JSON.stringify([u.adminSkis, u.mode, u.signThreshold, u.revokeThreshold, u.current, u.next]) : 'down'));
  assert.equal(new Set(sig).size, 1, 'every unit is the same');
}
