/**
 * The simulated instance of the app (src/sim/): units restored from and saved to the store's
 * encrypted simulated state, through the real unit protocol and client. Runs in Node
 * (fake-indexeddb, MessageChannel) and in Chromium (real IndexedDB).
 */
import { describe, it, beforeEach, afterEach, assert, assertRejects } from '../harness.ts';
import { CryptoUnitClient, UnitError } from '../../src/cryptounit/client.ts';
import { MemoryUnitTransport } from '../../src/cryptounit/transports/memory.ts';
import { HOST_SLOT, type InstanceRecord, type SimStateStore } from '../../src/store/index.ts';
import { UnitTransportError } from '../../src/cryptounit/transport.ts';
import { SimulatedInstance, SimulationStateError } from '../../src/sim/index.ts';
import { createTestAdmin } from '../fakes/test-admins.ts';
import { c, setup, type Harness } from '../store/helpers.ts';

/** store.simState with every save counted (and optionally failing). */
function counting(inner: SimStateStore): SimStateStore & { saves: string[]; fail: boolean } {
  const saves: string[] = [];
  const out = {
    saves,
    fail: false,
    load: (i: string, s: string) => inner.load(i, s),
    slots: (i: string) => inner.slots(i),
    reset: (i: string) => inner.reset(i),
    async save(i: string, s: string, state: Uint8Array) {
      if (out.fail) throw new Error('disk full (test)');
      saves.push(s);
      return inner.save(i, s, state);
    },
  };
  return out;
}

const clientOf = (inst: SimulatedInstance, unitId: string, pinnedRoot?: string) =>
  new CryptoUnitClient({ transport: new MemoryUnitTransport(inst.handler(unitId)), crypto: c, pinnedRoot });

describe('sim: simulated instance persisted in the store', () => {
  let h: Harness;
  let rec: InstanceRecord;
  beforeEach(async () => {
    h = await setup();
    rec = await h.store.instances.create({
      name: 'Sim', kind: 'simulated',
      units: [{ label: 'Unit 1', endpoint: { kind: 'simulated', index: 0 } }, { label: 'Unit 2', endpoint: { kind: 'simulated', index: 1 } }],
    });
  });
  afterEach(async () => h.done());

  it('creates a host and units on first load, saves them, and restores the same units on the next load', async () => {
    const ids = rec.units.map((u) => u.id);
    const first = await SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: ids });
    assert.isTrue(first.created);
    assert.sameMembers(await h.store.simState.slots(rec.id), [HOST_SLOT, ...ids]);

    const a1 = clientOf(first, ids[0]);
    const b1 = clientOf(first, ids[1]);
    const idA = await a1.connect();
    await b1.connect();
    assert.equal(a1.pinnedRoot, b1.pinnedRoot, 'both units are certified by the one simulated host');
    const alice = await createTestAdmin(c, 'Alice');
    await a1.addAdmin(alice.certificate);
    const counterA = a1.counter;

    // A reload: a new instance from the same store.
    const second = await SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: ids });
    assert.isFalse(second.created);
    const a2 = clientOf(second, ids[0], a1.pinnedRoot);
    const idA2 = await a2.connect();
    assert.equal(idA2.rootFingerprint, idA.rootFingerprint, 'the pinned root still matches');
    assert.deepEqual([...idA2.moduleSerial], [...idA.moduleSerial]);
    assert.equal(a2.counter, counterA);
    const s = await a2.state();
    assert.deepEqual(s.admins.map((x) => x.name), ['Alice']);
    const b2 = clientOf(second, ids[1], a1.pinnedRoot);
    await b2.connect();
    assert.lengthOf((await b2.state()).admins, 0, 'unit 2 kept its own (empty) admin list');
  });

  it('saves after a state-changing request only, and answers only after saving', async () => {
    const ids = rec.units.map((u) => u.id);
    const store = counting(h.store.simState);
    const inst = await SimulatedInstance.load({ simState: store, crypto: c, instanceId: rec.id, unitIds: ids });
    assert.deepEqual(store.saves, [HOST_SLOT, ...ids], 'the fresh host and units');
    store.saves.length = 0;
    const client = clientOf(inst, ids[0]);
    await client.connect();
    await client.state();
    assert.deepEqual(store.saves, [], 'queries change nothing and save nothing');
    const alice = await createTestAdmin(c, 'Alice');
    await client.addAdmin(alice.certificate);
    assert.deepEqual(store.saves, [ids[0]], 'one save, of the unit that changed');
    const dup = await assertRejects(client.addAdmin(alice.certificate), UnitError);
    assert.equal(dup.rc, 256);
    assert.deepEqual(store.saves, [ids[0]], 'a refused command changes nothing');

    store.fail = true;
    const bob = await createTestAdmin(c, 'Bob');
    const err = await assertRejects(client.addAdmin(bob.certificate), UnitTransportError);
    assert.equal(err.failure, 'unit-failed');
    assert.match(err.message, /could not be saved/);
    store.fail = false;
    // the unit did run it; the next request (a query) saves it after all
    await client.connect();
    assert.deepEqual(store.saves, [ids[0], ids[0]], 'the missed save is caught up by the next request');
    assert.deepEqual((await client.state()).admins.map((x) => x.name), ['Alice', 'Bob']);
    await client.zeroize([]);
    assert.deepEqual(store.saves, [ids[0], ids[0], ids[0]]);
    const again = await SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: ids });
    const c2 = clientOf(again, ids[0]);
    await c2.connect();
    assert.equal(c2.counter, client.counter, 'the zeroize was saved');
  });

  it('refuses saved state that does not open or fit, and overwrites nothing', async () => {
    const ids = rec.units.map((u) => u.id);
    await SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: ids });
    await h.store.simState.save(rec.id, ids[1], new TextEncoder().encode('{"format":"webtke.simulated-unit","version":1}'));
    const e = await assertRejects(SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: ids }), SimulationStateError);
    assert.equal((e as SimulationStateError).slot, ids[1]);
    assert.match((e as SimulationStateError).remedy, /Reset the simulation/);

    // units saved without their host: the root is gone
    const other = await h.store.instances.create({ name: 'Other', kind: 'simulated', units: [{ label: 'U', endpoint: { kind: 'simulated', index: 0 } }] });
    await h.store.simState.save(other.id, other.units[0].id, new Uint8Array([1, 2, 3]));
    const e2 = await assertRejects(SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: other.id, unitIds: [other.units[0].id] }), SimulationStateError);
    assert.equal((e2 as SimulationStateError).slot, HOST_SLOT);
    assert.sameMembers(await h.store.simState.slots(other.id), [other.units[0].id], 'nothing was written');
  });

  it('adds a fresh unit on the restored host for a unit id without saved state', async () => {
    const ids = rec.units.map((u) => u.id);
    const first = await SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: [ids[0]] });
    const a = clientOf(first, ids[0]);
    const idA = await a.connect();
    const both = await SimulatedInstance.load({ simState: h.store.simState, crypto: c, instanceId: rec.id, unitIds: ids });
    assert.isFalse(both.created);
    const b = clientOf(both, ids[1], a.pinnedRoot);
    const idB = await b.connect();
    assert.equal(idB.rootFingerprint, idA.rootFingerprint);
    assert.notDeepEqual([...idB.moduleSerial], [...idA.moduleSerial], 'the host gave it a new module serial');
  });
});
