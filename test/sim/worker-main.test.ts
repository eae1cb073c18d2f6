/**
 * The simulation worker program over a MessageChannel (the same code sim.worker.ts runs in a
 * real Worker): configuration from the name, status messages, units served through the
 * WorkerUnitConnection, state kept across a "reload", the one-tab lock, and failures.
 */
import { describe, it, beforeEach, afterEach, assert, assertRejects } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { UnitTransportError } from '../../src/cryptounit/transport.ts';
import type { MessagePortLike } from '../../src/cryptounit/transports/worker-protocol.ts';
import type { InstanceRecord } from '../../src/store/index.ts';
import {
  decodeSimConfig, encodeSimConfig, runSimWorker, SimConfigError, simLockName, startSimulation, SimulationStartError,
  type LockManagerLike, type SimWorkerConfig,
} from '../../src/sim/index.ts';
import { createTestAdmin } from '../fakes/test-admins.ts';
import { c, setup, type Harness } from '../store/helpers.ts';

interface Channel {
  port1: MessagePortLike & { close(): void };
  port2: MessagePortLike & { close(): void };
}

/** A "worker" on a MessageChannel: port1 is the worker's scope (with its name), port2 the page's Worker. */
function fakeWorkerFactory(h: Harness, locks?: LockManagerLike, lockWaitMs = 0) {
  const started: { scope: MessagePortLike & { name: string }; done: Promise<unknown> }[] = [];
  const channels: Channel[] = [];
  const factory = (name: string) => {
    const ch = new MessageChannel() as unknown as Channel;
    channels.push(ch);
    const scope = Object.assign(ch.port1, { name });
    const done = runSimWorker(scope, { indexedDB: h.idb.indexedDB, crypto: c, locks, lockWaitMs });
    done.catch(() => undefined);
    started.push({ scope, done });
    return Object.assign(ch.port2, { terminate: () => { ch.port1.close(); ch.port2.close(); } });
  };
  return { factory, started, close: () => channels.forEach((ch) => { ch.port1.close(); ch.port2.close(); }) };
}

/** A lock manager that grants each name once until released (like a second tab finding it held). */
function fakeLocks(): LockManagerLike & { held: Set<string>; requests: number } {
  const held = new Set<string>();
  const out = {
    held,
    requests: 0,
    async request(name: string, _opts: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<unknown>) {
      out.requests++;
      if (held.has(name)) return cb(null);
      held.add(name);
      return cb({ name });
    },
  };
  return out;
}

describe('sim: the worker program', () => {
  let h: Harness;
  let rec: InstanceRecord;
  let config: SimWorkerConfig;
  const cleanups: (() => void)[] = [];
  beforeEach(async () => {
    h = await setup();
    rec = await h.store.instances.create({
      name: 'Sim', kind: 'simulated',
      units: [{ label: 'Unit 1', endpoint: { kind: 'simulated', index: 0 } }, { label: 'Unit 2', endpoint: { kind: 'simulated', index: 1 } }],
    });
    config = { db: h.idb.name, instanceId: rec.id, units: rec.units.map((u) => u.id) };
  });
  afterEach(async () => {
    for (const f of cleanups.splice(0)) f();
    await h.done();
  });

  it('encodes the configuration in the worker name and refuses anything else', () => {
    assert.deepEqual(decodeSimConfig(encodeSimConfig(config)), config);
    for (const bad of ['', 'x', '{}', JSON.stringify({ ...config, webtke: 'sim/1', extra: 1 }), JSON.stringify({ webtke: 'sim/1', ...config, units: [] }),
      JSON.stringify({ webtke: 'sim/1', ...config, units: [...config.units, ...config.units] })]) {
      assert.throws(() => decodeSimConfig(bad), SimConfigError, undefined, bad);
    }
    assert.throws(() => encodeSimConfig({ ...config, units: ['a', 'b', 'c', 'd'] }), SimConfigError);
  });

  it('starts, serves each unit by id, and a restarted worker finds the saved units', async () => {
    const w = fakeWorkerFactory(h);
    cleanups.push(w.close);
    const sim = startSimulation({ createWorker: w.factory, config });
    assert.deepEqual(await sim.ready, { created: true, units: config.units });
    assert.sameMembers(await sim.connection.ping(), config.units);
    const a = new CryptoUnitClient({ transport: sim.transport(config.units[0]), crypto: c });
    await a.connect();
    const alice = await createTestAdmin(c, 'Alice');
    await a.addAdmin(alice.certificate);
    const counter = a.counter;
    sim.terminate();
    await assertRejects(a.state(), UnitTransportError);

    const sim2 = startSimulation({ createWorker: w.factory, config });
    assert.deepEqual(await sim2.ready, { created: false, units: config.units });
    const a2 = new CryptoUnitClient({ transport: sim2.transport(config.units[0]), crypto: c, pinnedRoot: a.pinnedRoot });
    await a2.connect();
    assert.equal(a2.counter, counter);
    assert.deepEqual((await a2.state()).admins.map((x) => x.name), ['Alice']);
    sim2.terminate();
  });

  it('runs an instance in one tab only: a second start finds the lock held and says so', async () => {
    const locks = fakeLocks();
    const w = fakeWorkerFactory(h, locks);
    cleanups.push(w.close);
    const first = startSimulation({ createWorker: w.factory, config });
    await first.ready;
    assert.isTrue(locks.held.has(simLockName(rec.id)));
    const second = startSimulation({ createWorker: w.factory, config });
    const e = await assertRejects(second.ready, SimulationStartError);
    assert.equal((e as SimulationStartError).problem, 'locked');
    assert.match((e as SimulationStartError).remedy, /other tab/);
    const client = new CryptoUnitClient({ transport: second.transport(config.units[0]), crypto: c });
    const err = await assertRejects(client.connect(), UnitTransportError);
    assert.equal((err as UnitTransportError).failure, 'unit-failed');
    assert.match(err.message, /another tab/);
    first.terminate();
    second.terminate();
  });

  it('waits a moment for the lock: a reloading page\'s old worker lets go of it', async () => {
    const locks = fakeLocks();
    locks.held.add(simLockName(rec.id)); // still held by the page being reloaded
    const w = fakeWorkerFactory(h, locks, 5000);
    cleanups.push(w.close);
    setTimeout(() => locks.held.delete(simLockName(rec.id)), 450);
    const sim = startSimulation({ createWorker: w.factory, config });
    assert.deepEqual((await sim.ready).units, config.units);
    assert.isAtLeast(locks.requests, 3, 'asked again until it was free');
    sim.terminate();
  });

  it('reports damaged state as a failed start with the reset remedy', async () => {
    const w = fakeWorkerFactory(h);
    cleanups.push(w.close);
    const sim = startSimulation({ createWorker: w.factory, config });
    await sim.ready;
    sim.terminate();
    await h.store.simState.save(rec.id, config.units[0], new Uint8Array([0x7b, 0x7d]));
    const again = startSimulation({ createWorker: w.factory, config });
    const e = await assertRejects(again.ready, SimulationStartError);
    assert.equal((e as SimulationStartError).problem, 'state');
    assert.match(e.message, /Reset the simulation/);
    again.terminate();
  });

  it('reports a worker name that is not a configuration', async () => {
    const w = fakeWorkerFactory(h);
    cleanups.push(w.close);
    const ch = new MessageChannel() as unknown as Channel;
    cleanups.push(() => { ch.port1.close(); ch.port2.close(); });
    const got = new Promise<unknown>((resolve) => ch.port2.addEventListener('message', (ev) => resolve((ev as MessageEvent).data)));
    ch.port2.start?.();
    await assertRejects(runSimWorker(Object.assign(ch.port1, { name: 'not json' }), { indexedDB: h.idb.indexedDB, crypto: c }), SimConfigError);
    const m = (await got) as { type: string; problem: string };
    assert.equal(m.type, 'failed');
    assert.equal(m.problem, 'config');
  });
});
