/**
 * The worker transport with a real Worker in Chromium: a simulated instance of two units runs
 * in unit-worker.ts; the client drives a full small ceremony through it; a crashed or
 * terminated worker shows as UnitTransportError.
 */
import { describe, it, assert, assertRejects, afterEach } from '../../harness.ts';
import { CryptoUnitClient } from '../../../src/cryptounit/client.ts';
import { UnitTransportError } from '../../../src/cryptounit/transport.ts';
import { WorkerUnitConnection } from '../../../src/cryptounit/transports/worker.ts';
import { Query } from '../../../src/cryptounit/protocol/index.ts';
import { runSmallCeremony } from './small-ceremony.ts';

const c = globalThis.crypto;
const workers: Worker[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.terminate();
});
function startWorker(): Worker {
  const w = new Worker(new URL('./unit-worker.ts', import.meta.url), { type: 'module' });
  workers.push(w);
  return w;
}

describe('cryptounit/transports/worker: a real Worker', () => {
  it('serves two units by id; a full small ceremony on one leaves the other untouched', async () => {
    const conn = new WorkerUnitConnection(startWorker(), { timeoutMs: 60_000 });
    assert.sameMembers(await conn.ping(), ['unit-a', 'unit-b']);
    const a = new CryptoUnitClient({ transport: conn.transport('unit-a'), crypto: c });
    const b = new CryptoUnitClient({ transport: conn.transport('unit-b'), crypto: c });
    await a.connect();
    await b.connect();
    assert.equal(a.pinnedRoot, b.pinnedRoot);
    const { vp } = await runSmallCeremony(c, a);
    assert.equal(vp.length, 32);
    const sb = await b.state();
    assert.equal(sb.admins.length, 0);
    assert.equal(sb.registers.current, 'EMPTY');
    conn.close();
  });

  it('a worker that crashes is dead: waiting and later requests fail at once', async () => {
    const w = startWorker();
    const conn = new WorkerUnitConnection(w, { timeoutMs: 60_000 });
    await conn.ping();
    const t = conn.transport('unit-a');
    const client = new CryptoUnitClient({ transport: t, crypto: c });
    await client.connect();
    w.postMessage('crash');
    const e = await assertRejects(new Promise((_, reject) => {
      const deadline = Date.now() + 10_000;
      const loop = (): void => {
        client.query(Query.DOMAIN_INFO).then(
          () => (Date.now() > deadline ? reject(new Error('still alive')) : setTimeout(loop, 20)),
          reject,
        );
      };
      loop();
    }), UnitTransportError);
    assert.equal(e.failure, 'dead');
    assert.equal(conn.state, 'dead');
    const again = await assertRejects(client.domainInfo(), UnitTransportError);
    assert.equal(again.failure, 'dead');
  });

  it('a terminated worker shows as a timeout', async () => {
    const w = startWorker();
    const loader = new WorkerUnitConnection(w, { timeoutMs: 60_000 });
    await loader.ping(); // the module has loaded
    loader.close();
    const conn = new WorkerUnitConnection(w, { timeoutMs: 300 });
    await conn.ping();
    w.terminate();
    const e = await assertRejects(conn.transport('unit-a').send(Uint8Array.of(0x30, 0)), UnitTransportError);
    assert.equal(e.failure, 'timeout');
  });

  it('a worker script that fails to load is dead', async () => {
    const w = new Worker(new URL('./no-such-worker.ts', import.meta.url), { type: 'module' });
    workers.push(w);
    const conn = new WorkerUnitConnection(w, { timeoutMs: 30_000 });
    const e = await assertRejects(conn.ping(), UnitTransportError);
    assert.equal(e.failure, 'dead');
  });
});
