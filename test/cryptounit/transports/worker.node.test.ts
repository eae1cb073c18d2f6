/**
 * Node only: a Node MessagePort fires 'close' when the other end closes, and the connection
 * takes that as a dead worker. (Chromium 156 fires no 'close' when the entangled port is
 * closed explicitly, so in the browser a dead worker shows by the Worker's 'error' event or a
 * timeout; see worker.browser.test.ts.)
 */
import { describe, it, assert, assertRejects } from '../../harness.ts';
import { UnitTransportError } from '../../../src/cryptounit/transport.ts';
import { WorkerUnitConnection } from '../../../src/cryptounit/transports/worker.ts';

describe('cryptounit/transports/worker (Node MessagePort)', () => {
  it('the other end of the channel closing kills the connection', async () => {
    const ch = new MessageChannel();
    const conn = new WorkerUnitConnection(ch.port1, { timeoutMs: 60_000 });
    const p = conn.transport('u').send(Uint8Array.of(1));
    ch.port2.close();
    const e = await assertRejects(p, UnitTransportError);
    assert.equal(e.failure, 'dead');
    assert.equal(conn.state, 'dead');
    ch.port1.close();
  });
});
