/**
 * The unit worker protocol over a MessageChannel (Node and Chromium): the app side
 * (WorkerUnitConnection) and the worker side (serveUnit) on the two ports of one channel.
 */
import { describe, it, assert, assertBytes, assertRejects, afterEach } from '../../harness.ts';
import { CryptoUnitClient } from '../../../src/cryptounit/client.ts';
import { UnitTransportError } from '../../../src/cryptounit/transport.ts';
import { TransportError } from '../../../src/card/transport-errors.ts';
import { serveUnit } from '../../../src/cryptounit/transports/worker-host.ts';
import { WorkerUnitConnection } from '../../../src/cryptounit/transports/worker.ts';
import { UNIT_PROTOCOL_TAG, DEFAULT_UNIT_ID, type MessagePortLike } from '../../../src/cryptounit/transports/worker-protocol.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { runSmallCeremony } from './small-ceremony.ts';

const c = globalThis.crypto;
const channels: MessageChannel[] = [];
afterEach(() => {
  for (const ch of channels.splice(0)) {
    ch.port1.close();
    ch.port2.close();
  }
});
function channel(): MessageChannel {
  const ch = new MessageChannel();
  channels.push(ch);
  return ch;
}
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A unit function that echoes the request reversed, so answers are checkable. */
const reverser = (tag: number) => async (r: Uint8Array): Promise<Uint8Array> => Uint8Array.of(tag, ...[...r].reverse());

/** Manual timers: a test fires them when it wants time to have passed. */
function manualTimers() {
  const t = new Map<number, () => void>();
  let n = 0;
  return {
    setTimeout: (fn: () => void) => (t.set(++n, fn), n),
    clearTimeout: (h: unknown) => void t.delete(h as number),
    fireAll: () => [...t.values()].forEach((fn) => fn()),
    get count() {
      return t.size;
    },
  };
}

/** A port that only records and lets the test deliver events. */
class FakePort extends EventTarget implements MessagePortLike {
  readonly sent: { message: unknown; transfer: Transferable[] }[] = [];
  postMessage(message: unknown, transfer: Transferable[]): void {
    this.sent.push({ message, transfer });
  }
  deliver(data: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
}

describe('cryptounit/transports/worker: protocol', () => {
  it('carries requests to the unit named, answers by id, and transfers copies', async () => {
    const ch = channel();
    serveUnit(ch.port2, reverser(0xaa), 'unit-a');
    serveUnit(ch.port2, reverser(0xbb), 'unit-b');
    const conn = new WorkerUnitConnection(ch.port1);
    const req = Uint8Array.of(1, 2, 3);
    const [ra, rb] = await Promise.all([conn.transport('unit-a').send(req), conn.transport('unit-b').send(Uint8Array.of(9))]);
    assertBytes(ra, Uint8Array.of(0xaa, 3, 2, 1));
    assertBytes(rb, Uint8Array.of(0xbb, 9));
    assertBytes(req, Uint8Array.of(1, 2, 3), 'the caller\'s buffer is not detached by the transfer');
    assert.sameMembers(await conn.ping(), ['unit-a', 'unit-b']);
    conn.close();
  });

  it('the default unit id, and answers in arrival order per unit', async () => {
    const ch = channel();
    const seen: number[] = [];
    serveUnit(ch.port2, async (r) => {
      await tick(r[0] === 1 ? 20 : 0); // the first request is slow
      seen.push(r[0]);
      return r;
    });
    const t = new WorkerUnitConnection(ch.port1).transport();
    const out = await Promise.all([t.send(Uint8Array.of(1)), t.send(Uint8Array.of(2)), t.send(Uint8Array.of(3))]);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(out.map((b) => b[0]), [1, 2, 3]);
    assert.equal(DEFAULT_UNIT_ID, 'default');
  });

  it('an unknown unit and a unit that throws are typed failures; the connection stays usable', async () => {
    const ch = channel();
    serveUnit(ch.port2, async () => { throw new Error('boom'); }, 'broken');
    serveUnit(ch.port2, reverser(1), 'fine');
    const conn = new WorkerUnitConnection(ch.port1);
    const e1 = await assertRejects(conn.transport('nobody').send(Uint8Array.of(1)), UnitTransportError);
    assert.equal(e1.failure, 'unknown-unit');
    assert.equal(e1.unitId, 'nobody');
    const e2 = await assertRejects(conn.transport('broken').send(Uint8Array.of(1)), UnitTransportError);
    assert.equal(e2.failure, 'unit-failed');
    assert.include(e2.message, 'boom');
    assert.instanceOf(e2, TransportError, 'a UnitTransportError is a TransportError');
    assert.isString(e2.remedy);
    assertBytes(await conn.transport('fine').send(Uint8Array.of(5, 6)), Uint8Array.of(1, 6, 5));
    assert.equal(conn.state, 'open');
  });

  it('serving an id twice is refused; the disposer stops serving it', async () => {
    const ch = channel();
    const stop = serveUnit(ch.port2, reverser(1), 'u');
    assert.throws(() => serveUnit(ch.port2, reverser(2), 'u'));
    serveUnit(ch.port2, reverser(3), 'v');
    stop();
    const conn = new WorkerUnitConnection(ch.port1);
    const e = await assertRejects(conn.transport('u').send(Uint8Array.of(1)), UnitTransportError);
    assert.equal(e.failure, 'unknown-unit');
    assert.deepEqual(await conn.ping(), ['v']);
  });

  it('no answer in time is a timeout; a late answer is ignored', async () => {
    const port = new FakePort();
    const timers = manualTimers();
    const conn = new WorkerUnitConnection(port, { timeoutMs: 1000, timers });
    const p = conn.transport('u').send(Uint8Array.of(1));
    assert.equal(port.sent.length, 1);
    const sent = port.sent[0].message as { id: number; request: ArrayBuffer };
    assert.instanceOf(port.sent[0].transfer[0], ArrayBuffer);
    assert.strictEqual(port.sent[0].transfer[0], sent.request);
    assert.equal(timers.count, 1);
    timers.fireAll();
    const e = await assertRejects(p, UnitTransportError);
    assert.equal(e.failure, 'timeout');
    assert.equal(timers.count, 0);
    port.deliver({ webtke: UNIT_PROTOCOL_TAG, type: 'response', id: sent.id, unit: 'u', response: new ArrayBuffer(1) });
    assert.equal(conn.state, 'open');
  });

  it('abort rejects at once and clears the timer', async () => {
    const port = new FakePort();
    const timers = manualTimers();
    const conn = new WorkerUnitConnection(port, { timers });
    const ac = new AbortController();
    const p = conn.transport('u').send(Uint8Array.of(1), ac.signal);
    ac.abort();
    const e = await assertRejects(p, UnitTransportError);
    assert.equal(e.failure, 'aborted');
    assert.equal(timers.count, 0);
    const e2 = await assertRejects(conn.transport('u').send(Uint8Array.of(1), ac.signal), UnitTransportError);
    assert.equal(e2.failure, 'aborted', 'an already-aborted signal fails before sending');
    assert.equal(port.sent.length, 1);
  });

  it('a worker error event kills the connection: waiting and later requests fail as dead', async () => {
    const port = new FakePort();
    const conn = new WorkerUnitConnection(port, { timers: manualTimers() });
    const p = conn.transport('u').send(Uint8Array.of(1));
    port.dispatchEvent(new Event('error'));
    const e = await assertRejects(p, UnitTransportError);
    assert.equal(e.failure, 'dead');
    assert.equal(conn.state, 'dead');
    const e2 = await assertRejects(conn.transport('u').send(Uint8Array.of(1)), UnitTransportError);
    assert.equal(e2.failure, 'dead');
    assert.equal(port.sent.length, 1, 'nothing is posted to a dead worker');
    await assertRejects(conn.ping(), UnitTransportError);
  });

  it('malformed answers: a bad message for a waiting id fails it; foreign traffic is ignored', async () => {
    const port = new FakePort();
    const conn = new WorkerUnitConnection(port, { timers: manualTimers() });
    const p = conn.transport('u').send(Uint8Array.of(1));
    const id = (port.sent[0].message as { id: number }).id;
    port.deliver({ hello: 'not ours', id });
    port.deliver('text');
    port.deliver({ webtke: UNIT_PROTOCOL_TAG, type: 'response', id, unit: 'u', response: 'not a buffer' });
    const e = await assertRejects(p, UnitTransportError);
    assert.equal(e.failure, 'bad-message');
    const p2 = conn.transport('u').send(Uint8Array.of(2));
    const id2 = (port.sent[1].message as { id: number }).id;
    port.deliver({ webtke: UNIT_PROTOCOL_TAG, type: 'response', id: id2, unit: 'other', response: new ArrayBuffer(2) });
    const e2 = await assertRejects(p2, UnitTransportError);
    assert.equal(e2.failure, 'bad-message');
    assert.include(e2.message, 'other');
  });

  it('two connections on one port never take each other\'s answers', async () => {
    const ch = channel();
    serveUnit(ch.port2, reverser(0x11), 'u');
    const one = new WorkerUnitConnection(ch.port1);
    const two = new WorkerUnitConnection(ch.port1);
    const out = await Promise.all([1, 2, 3, 4].map((i) => (i % 2 ? one : two).transport('u').send(Uint8Array.of(i))));
    assert.deepEqual(out.map((b) => [...b]), [[0x11, 1], [0x11, 2], [0x11, 3], [0x11, 4]]);
  });

  it('close() fails waiting requests as closed and refuses new ones', async () => {
    const port = new FakePort();
    const conn = new WorkerUnitConnection(port, { timers: manualTimers() });
    const p = conn.transport('u').send(Uint8Array.of(1));
    conn.close();
    assert.equal((await assertRejects(p, UnitTransportError)).failure, 'closed');
    assert.equal((await assertRejects(conn.transport('u').send(Uint8Array.of(1)), UnitTransportError)).failure, 'closed');
    assert.equal(conn.state, 'closed');
  });

  it('the worker side answers a malformed request with a bad-message failure', async () => {
    const port = new FakePort();
    serveUnit(port, reverser(1), 'u');
    port.deliver({ webtke: UNIT_PROTOCOL_TAG, type: 'request', id: 7, unit: 'u', request: 'nope' });
    port.deliver({ other: true });
    assert.deepEqual(port.sent.map((s) => s.message), [
      { webtke: UNIT_PROTOCOL_TAG, type: 'failure', id: 7, unit: '?', failure: 'bad-message', message: 'not a well-formed unit request' },
    ]);
  });
});

describe('cryptounit/transports/worker: a simulated instance over a MessageChannel', () => {
  it('runs a full small ceremony on one unit and keeps its sister unit apart', async () => {
    const ch = channel();
    const host = await SimulatedHost.create({ crypto: c });
    const a = await SimulatedCryptoUnit.create({ host, crypto: c });
    const b = await SimulatedCryptoUnit.create({ host, crypto: c });
    serveUnit(ch.port2, (r) => a.handle(r), 'unit-a');
    serveUnit(ch.port2, (r) => b.handle(r), 'unit-b');
    const conn = new WorkerUnitConnection(ch.port1, { timeoutMs: 60_000 });
    const clientA = new CryptoUnitClient({ transport: conn.transport('unit-a'), crypto: c });
    const clientB = new CryptoUnitClient({ transport: conn.transport('unit-b'), crypto: c });
    await clientA.connect();
    await clientB.connect();
    assert.equal(clientA.pinnedRoot, clientB.pinnedRoot, 'one host root');
    assert.notDeepEqual([...clientA.identity.moduleSerial], [...clientB.identity.moduleSerial]);
    await runSmallCeremony(c, clientA);
    const sb = await clientB.state();
    assert.equal(sb.admins.length, 0, 'unit B was not touched');
    assert.equal(sb.counter, 0n);
  });
});
