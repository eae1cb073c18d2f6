import { describe, it, assert, assertBytes, assertRejects } from '../../harness.ts';
import { MemoryUnitTransport } from '../../../src/cryptounit/transports/memory.ts';
import { UnitTransportError } from '../../../src/cryptounit/transport.ts';

describe('cryptounit/transports/memory', () => {
  it('passes copies both ways: neither side sees the other change its buffer later', async () => {
    let seen: Uint8Array | undefined;
    const answer = Uint8Array.of(7, 8, 9);
    const t = new MemoryUnitTransport(async (r) => {
      seen = r;
      return answer;
    });
    const req = Uint8Array.of(1, 2, 3);
    const res = await t.send(req);
    req[0] = 0xff;
    answer[0] = 0xff;
    assertBytes(seen!, Uint8Array.of(1, 2, 3));
    assertBytes(res, Uint8Array.of(7, 8, 9));
  });

  it('abort: before sending nothing reaches the unit; during, the caller is released at once', async () => {
    let calls = 0;
    let release!: () => void;
    const t = new MemoryUnitTransport(async (r) => {
      calls++;
      await new Promise<void>((ok) => (release = ok));
      return r;
    });
    const ac = new AbortController();
    ac.abort();
    assert.equal((await assertRejects(t.send(Uint8Array.of(1), ac.signal), UnitTransportError)).failure, 'aborted');
    assert.equal(calls, 0);
    const ac2 = new AbortController();
    const p = t.send(Uint8Array.of(2), ac2.signal);
    await Promise.resolve();
    ac2.abort();
    assert.equal((await assertRejects(p, UnitTransportError)).failure, 'aborted');
    assert.equal(calls, 1);
    release();
  });

  it('a unit that throws or answers non-bytes, and a closed transport, are typed failures', async () => {
    const boom = new MemoryUnitTransport(async () => { throw new Error('boom'); }, { unitId: 'u1' });
    const e = await assertRejects(boom.send(Uint8Array.of(1)), UnitTransportError);
    assert.equal(e.failure, 'unit-failed');
    assert.equal(e.unitId, 'u1');
    const odd = new MemoryUnitTransport(async () => 'text' as unknown as Uint8Array);
    assert.equal((await assertRejects(odd.send(Uint8Array.of(1)), UnitTransportError)).failure, 'bad-message');
    const t = new MemoryUnitTransport(async (r) => r);
    t.close();
    assert.equal((await assertRejects(t.send(Uint8Array.of(1)), UnitTransportError)).failure, 'closed');
  });
});
