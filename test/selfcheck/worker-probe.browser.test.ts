import { describe, it, assert } from '../harness.ts';
import { runWorkerProbe } from '../../src/selfcheck/worker-probe.ts';

describe('selfcheck/worker-probe in a real browser worker', () => {
  it('a module worker started the app\'s way loads its imports and answers correctly', async () => {
    const r = await runWorkerProbe({
      createWorker: () => new Worker(new URL('../../src/selfcheck/worker-probe.worker.ts', import.meta.url), { type: 'module' }),
      subtle: crypto.subtle,
      random: (b) => crypto.getRandomValues(b),
      now: () => performance.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    });
    assert.equal(r.workerScheme, location.protocol);
    assert.match(r.digestHex, /^[0-9a-f]{64}$/);
  });
});
