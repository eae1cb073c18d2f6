/**
 * The built artifacts, checked as files (no browser): dist/ uses only relative URLs; dist/sw.js
 * precaches exactly the files of dist/ under a cache named by the documented version recipe
 * (recomputed here with node:crypto); and the service worker, run in a Node vm with a fake
 * ServiceWorkerGlobalScope, answers only what it should: its own files, never other origins,
 * never non-GET requests, never anything outside its scope. And the single file is
 * reproducible: the same sources built elsewhere give the same bytes, so its SHA-256 can be
 * published and compared.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { describe, it, assert } from '../harness.ts';
import { REPO_ROOT } from './support/builds.mjs';
import { DIST_DIR, SINGLE_FILE, requireBuilt } from './support/env.ts';

function distFiles(): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else out.push(relative(DIST_DIR, p).split(sep).join('/'));
    }
  };
  visit(DIST_DIR);
  return out;
}

const SCOPE = 'https://ceremony.example/webtke/';

interface FakeEvent {
  waits: Promise<unknown>[];
  response?: Promise<Response>;
}

/** Load dist/sw.js into a fresh vm context whose `self` is a fake service worker scope. */
function loadServiceWorker(preexistingCaches: string[] = []) {
  const code = readFileSync(requireBuilt(join(DIST_DIR, 'sw.js')), 'utf8');
  const handlers: Record<string, (ev: unknown) => void> = {};
  const stores = new Map<string, Map<string, string>>(preexistingCaches.map((n) => [n, new Map()]));
  const added: Array<{ cache: string; url: string; mode: string }> = [];
  const network: string[] = [];
  let claimed = 0;
  const open = async (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    return {
      addAll: async (reqs: Request[]) => {
        for (const r of reqs) {
          added.push({ cache: name, url: r.url, mode: r.cache });
          store.set(r.url, `cached ${r.url}`);
        }
      },
      match: async (key: string) => (store.has(key) ? new Response(store.get(key)) : undefined),
    };
  };
  const scope = {
    URL, Request, Response, Promise, Set, decodeURIComponent,
    addEventListener: (type: string, fn: (ev: unknown) => void) => (handlers[type] = fn),
    registration: { scope: SCOPE },
    location: { href: `${SCOPE}sw.js`, origin: new URL(SCOPE).origin },
    clients: { claim: async () => void claimed++ },
    caches: { open, keys: async () => [...stores.keys()], delete: async (n: string) => stores.delete(n) },
    fetch: async (req: Request) => (network.push(req.url), new Response(`network ${req.url}`)),
  };
  createContext(scope);
  runInContext(code, scope);
  const dispatch = (type: string, extra: object = {}): FakeEvent => {
    const ev: FakeEvent = { waits: [] };
    handlers[type]({ ...extra, waitUntil: (p: Promise<unknown>) => ev.waits.push(p), respondWith: (p: Promise<Response>) => (ev.response = p) });
    return ev;
  };
  return { handlers, stores, added, network, dispatch, claimed: () => claimed };
}

const get = (url: string, mode = 'no-cors') => ({ request: { method: 'GET', url, mode } });

describe('built artifacts', () => {
  it('dist/index.html refers to everything by relative URL (works under any path)', () => {
    const html = readFileSync(requireBuilt(join(DIST_DIR, 'index.html')), 'utf8');
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
    assert.isNotEmpty(refs);
    assert.deepEqual(refs.filter((r) => !r.startsWith('./')), [], 'non-relative src/href');
    assert.match(html, /<meta charset="utf-8" \/>\s*<meta http-equiv="Content-Security-Policy" content="[^"]+" \/>/);
  });

  it('sw.js precaches every file of dist/ but itself, in a cache named by the build version', async () => {
    const sw = loadServiceWorker();
    const ev = sw.dispatch('install');
    await Promise.all(ev.waits);
    const files = distFiles().filter((p) => p !== 'sw.js');
    assert.sameMembers(sw.added.map((a) => a.url), files.map((p) => SCOPE + p));
    assert.isTrue(sw.added.every((a) => a.mode === 'reload'), 'stored fresh from the server, not from the HTTP cache');
    // The documented recipe (docs/builds.md), recomputed independently.
    const lines = [...files]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((p) => `${p}\n${createHash('sha256').update(readFileSync(join(DIST_DIR, p))).digest('hex')}\n`)
      .join('');
    const version = createHash('sha256').update(lines).digest('hex').slice(0, 16);
    assert.deepEqual([...new Set(sw.added.map((a) => a.cache))], [`webtke-${version}`]);
    assert.include(readFileSync(join(DIST_DIR, 'sw.js'), 'utf8'), `build ${version}`);
  });

  it('sw.js on activate drops older webtke caches only, and takes control of open pages', async () => {
    const sw = loadServiceWorker(['webtke-0000000000000000', 'some-other-app', 'webtke-1111111111111111']);
    await Promise.all(sw.dispatch('install').waits);
    const current = [...sw.stores.keys()].find((n) => !['webtke-0000000000000000', 'some-other-app', 'webtke-1111111111111111'].includes(n))!;
    await Promise.all(sw.dispatch('activate').waits);
    assert.sameMembers([...sw.stores.keys()], ['some-other-app', current]);
    assert.equal(sw.claimed(), 1);
  });

  it('sw.js answers its own files and start page from the cache, and leaves every other request alone', async () => {
    const sw = loadServiceWorker();
    await Promise.all(sw.dispatch('install').waits);
    const asset = distFiles().find((p) => /^assets\/index-.*\.js$/.test(p))!;
    const answered = async (extra: object) => {
      const ev = sw.dispatch('fetch', extra);
      return ev.response ? await (await ev.response).text() : null;
    };
    assert.equal(await answered(get(SCOPE, 'navigate')), `cached ${SCOPE}index.html`);
    assert.equal(await answered(get(`${SCOPE}?from=bookmark`, 'navigate')), `cached ${SCOPE}index.html`);
    assert.equal(await answered(get(`${SCOPE}index.html`, 'navigate')), `cached ${SCOPE}index.html`);
    assert.equal(await answered(get(SCOPE + asset)), `cached ${SCOPE}${asset}`);
    // Not answered at all: other origins (crypto units), non-GET, outside the scope, not a build file.
    assert.isNull(await answered(get('https://unit-a.example/webtke/index.html')));
    assert.isNull(await answered({ request: { method: 'POST', url: SCOPE + asset, mode: 'cors' } }));
    assert.isNull(await answered(get('https://ceremony.example/other/index.html', 'navigate')));
    assert.isNull(await answered(get(`${SCOPE}api/state`)));
    assert.isNull(await answered(get(`${SCOPE}${asset}?v=2`)));
    assert.isNull(await answered(get(`${SCOPE}deep/link`, 'navigate')));
    assert.deepEqual(sw.network, [], 'nothing went to the network');
    // A build file missing from the cache falls back to the network.
    sw.stores.forEach((s) => s.clear());
    assert.equal(await answered(get(SCOPE + asset)), `network ${SCOPE}${asset}`);
  });

  it('the single file is reproducible: the same sources built in another directory give the same bytes', () => {
    const expected = readFileSync(requireBuilt(SINGLE_FILE));
    const dir = mkdtempSync(join(tmpdir(), 'webtke-repro-'));
    try {
      for (const p of ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json', 'src', 'public']) {
        cpSync(join(REPO_ROOT, p), join(dir, p), { recursive: true });
      }
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      execFileSync(process.execPath, [join(dir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--mode', 'single', '--logLevel', 'error'], {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const again = readFileSync(join(dir, 'dist-single', 'index.html'));
      const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      assert.equal(hex(again), hex(expected), 'SHA-256 of a rebuild elsewhere');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
