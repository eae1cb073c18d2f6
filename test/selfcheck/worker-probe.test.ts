import { sha256 } from '@noble/hashes/sha2.js';
import { describe, it, assert, assertRejects, hexOf } from '../harness.ts';
import {
  PROBE_LABEL, probeDigest, runWorkerProbe, WorkerProbeError, type WorkerLike, type WorkerProbeDeps,
} from '../../src/selfcheck/worker-probe.ts';

/** The digest by an independent SHA-256 (noble), for LABEL || nonce. */
function expectedDigest(nonce: Uint8Array): string {
  const label = new TextEncoder().encode(PROBE_LABEL);
  return hexOf(sha256(new Uint8Array([...label, ...nonce])));
}

type Behaviour = 'answer' | 'wrong' | 'error' | 'silent' | 'junk';

/** A fake worker that behaves like the probe worker (or misbehaves). */
function fakeWorker(behaviour: Behaviour) {
  const listeners: Record<string, Array<(ev: Event) => void>> = { message: [], error: [] };
  const state = { terminated: 0, posted: [] as unknown[] };
  const emit = (type: string, ev: unknown) => setTimeout(() => listeners[type].forEach((l) => l(ev as Event)), 0);
  const worker: WorkerLike = {
    addEventListener: (type, l) => listeners[type].push(l),
    terminate: () => void state.terminated++,
    postMessage: (msg) => {
      state.posted.push(msg);
      const nonce = (msg as { nonce: Uint8Array }).nonce;
      if (behaviour === 'answer') emit('message', { data: { type: 'webtke-probe-reply', digestHex: expectedDigest(nonce), location: 'blob:null/1234' } });
      if (behaviour === 'wrong') emit('message', { data: { type: 'webtke-probe-reply', digestHex: '00'.repeat(32), location: 'blob:null/1234' } });
      if (behaviour === 'junk') emit('message', { data: 'hello' });
      if (behaviour === 'error') emit('error', { message: 'SyntaxError: bad' });
    },
  };
  return { worker, state };
}

function deps(worker: () => WorkerLike, timers?: Pick<WorkerProbeDeps, 'setTimeout' | 'clearTimeout'>): WorkerProbeDeps {
  let t = 100;
  return {
    createWorker: worker,
    subtle: crypto.subtle,
    random: (b) => (b.set(b.map((_, i) => i * 17 + 3)), b),
    now: () => (t += 5),
    setTimeout: timers?.setTimeout ?? ((fn, ms) => setTimeout(fn, ms)),
    clearTimeout: timers?.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
    timeoutMs: 1000,
  };
}

describe('selfcheck/worker-probe: does this browser run the app\'s worker?', () => {
  it('computes SHA-256(label || nonce) as an independent SHA-256 does', async () => {
    const nonce = new Uint8Array([1, 2, 3, 250]);
    assert.equal(await probeDigest(crypto.subtle, nonce), expectedDigest(nonce));
  });

  it('reports a correct answer with nonce, digest, the worker\'s scheme and the time, and terminates the worker', async () => {
    const f = fakeWorker('answer');
    const r = await runWorkerProbe(deps(() => f.worker));
    const nonce = new Uint8Array(16).map((_, i) => i * 17 + 3);
    assert.equal(r.nonceHex, hexOf(nonce));
    assert.equal(r.digestHex, expectedDigest(nonce));
    assert.equal(r.workerScheme, 'blob:');
    assert.equal(r.ms, 5);
    assert.equal(f.state.terminated, 1);
    assert.equal((f.state.posted[0] as { type: string }).type, 'webtke-probe');
  });

  it('fails, typed, on a wrong digest, an unexpected message, a worker error, a start failure and silence', async () => {
    for (const [behaviour, failure] of [['wrong', 'mismatch'], ['junk', 'bad-reply'], ['error', 'error']] as const) {
      const f = fakeWorker(behaviour);
      const e = await assertRejects(runWorkerProbe(deps(() => f.worker)), WorkerProbeError, behaviour);
      assert.equal(e.failure, failure);
      assert.equal(f.state.terminated, 1, `terminated after ${behaviour}`);
    }
    const start = await assertRejects(
      runWorkerProbe(deps(() => { throw new DOMException('blocked by CSP', 'SecurityError'); })),
      WorkerProbeError,
    );
    assert.equal(start.failure, 'start');
    assert.include(start.message, 'blocked by CSP');

    const pending: Array<() => void> = [];
    const silent = fakeWorker('silent');
    const p = runWorkerProbe(deps(() => silent.worker, { setTimeout: (fn) => pending.push(fn), clearTimeout: () => {} }));
    while (pending.length === 0) await new Promise((r) => setTimeout(r, 1));
    pending[0]();
    const timeout = await assertRejects(p, WorkerProbeError);
    assert.equal(timeout.failure, 'timeout');
    assert.equal(silent.state.terminated, 1);
  });
});
