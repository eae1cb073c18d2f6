import { describe, it, assert } from '../harness.ts';
import { registerServiceWorker, type OfflineStatus, type ServiceWorkerContainerLike } from '../../src/sw/register.ts';

function fakeContainer(opts: { fail?: string; existingActive?: boolean } = {}) {
  const calls: Array<{ url: string; options: unknown }> = [];
  const scopes: Array<string | undefined> = [];
  const container: ServiceWorkerContainerLike = {
    register: async (url, options) => {
      calls.push({ url, options });
      if (opts.fail) throw new TypeError(opts.fail);
      return {};
    },
    ready: Promise.resolve({}),
    getRegistration: async (scope) => {
      scopes.push(scope);
      return opts.existingActive ? { active: {} } : undefined;
    },
  };
  return { container, calls, scopes };
}

async function run(pageUrl: string, container: ServiceWorkerContainerLike | undefined) {
  const seen: OfflineStatus[] = [];
  const details: Array<string | undefined> = [];
  const result = await registerServiceWorker({ pageUrl, container, onStatus: (s, d) => (seen.push(s), details.push(d)) });
  return { result, seen, details };
}

describe('sw/register: the hosted build registers its service worker', () => {
  it('registers sw.js beside index.html, scoped to that directory, never from the HTTP cache', async () => {
    const f = fakeContainer();
    const r = await run('https://ceremony.example/some/path/index.html?x=1#/settings', f.container);
    assert.equal(r.result, 'ready');
    assert.deepEqual(r.seen, ['installing', 'ready']);
    assert.deepEqual(f.calls, [
      { url: 'https://ceremony.example/some/path/sw.js', options: { scope: 'https://ceremony.example/some/path/', updateViaCache: 'none' } },
    ]);
    const root = fakeContainer();
    await run('http://127.0.0.1:8080/', root.container);
    assert.equal(root.calls[0].url, 'http://127.0.0.1:8080/sw.js');
  });

  it('is not used from file:// or inside an Isolated Web App, and says so', async () => {
    for (const page of ['file:///home/op/webtke/index.html', 'isolated-app://abc/index.html']) {
      const f = fakeContainer();
      const r = await run(page, f.container);
      assert.equal(r.result, 'not-used', page);
      assert.deepEqual(r.seen, ['not-used']);
      assert.lengthOf(f.calls, 0);
    }
  });

  it('reports a browser without service workers as unsupported', async () => {
    const r = await run('https://ceremony.example/', undefined);
    assert.deepEqual(r.seen, ['unsupported']);
  });

  it('offline, a failed update check with an installed worker is still ready; without one it failed', async () => {
    const offline = fakeContainer({ fail: 'Failed to fetch', existingActive: true });
    const r1 = await run('https://ceremony.example/app/', offline.container);
    assert.deepEqual(r1.seen, ['installing', 'ready']);
    assert.deepEqual(offline.scopes, ['https://ceremony.example/app/']);
    const broken = fakeContainer({ fail: 'bad MIME type' });
    const r2 = await run('https://ceremony.example/app/', broken.container);
    assert.deepEqual(r2.seen, ['installing', 'failed']);
    assert.equal(r2.details[1], 'bad MIME type');
  });
});
