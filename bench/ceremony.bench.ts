/**
 * Machine time of a full first ceremony through the engine: 3 simulated units × 3 P-521
 * administrators × 3 key parts, from a new runtime (connect and pin every unit) to 'ready':
 * add the 3 admins, leave imprint mode (thresholds 2/2), generate importers, load the 3 parts,
 * commit, set immediate. PBKDF2 is excluded: the admins' signature keys are opened before the
 * clock starts (the consent hands out thin wrappers of the open signers), and the key part files
 * use 1 PBKDF2 iteration (the cost of 600,000 is printed on its own). Unit creation (OA key
 * generation and certificates) is outside the timing too.
 *
 * Runs in Node, then in headless Chromium (the system one, through playwright-core) on a page
 * that loads this same file bundled by Vite. Also printed: the counts that bound the time (unit
 * exchanges, each one P-521 signature by the unit and one verification by the client; admin
 * signatures, each one P-521 signature, one check by the client and one by the unit) and the
 * P-521 sign/verify times measured in the same run.
 */
import { InstanceRuntime } from '../src/ceremony/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../src/cryptounit/simulated/index.ts';
import { MemoryUnitTransport } from '../src/cryptounit/transports/memory.ts';
import { createKeyPart, createSignatureKey, SoftKeyPartHolder, type SoftAdminSigner } from '../src/custodian/soft/index.ts';
import { openStore } from '../src/store/index.ts';
import { benchConsent, CountingTransport } from './ceremony-kit.ts';
import { fmt, line, median, type Bench } from './util.ts';

const UNITS = 3;
const ADMINS = 3;
const PARTS = 3;
const RUNS = 3;
const KDF = { insecureIterationsForTests: 1 };

export interface CeremonyTiming {
  /** total ms from a new runtime to 'ready' */
  ms: number;
  /** Node only: CPU ms of the process (all threads, WebCrypto's included) over the same span */
  cpuMs?: number;
  phases: { addAdmins: number; leaveImprint: number; load: number };
  exchanges: number;
  adminSignatures: number;
}

export interface P521Costs {
  signMs: number;
  verifyMs: number;
}

/** One full ceremony on fresh units and a fresh database. */
export async function runCeremonyOnce(indexedDB: IDBFactory, dbName: string): Promise<CeremonyTiming> {
  const c = globalThis.crypto;
  const host = await SimulatedHost.create({ crypto: c });
  const units: SimulatedCryptoUnit[] = [];
  for (let i = 0; i < UNITS; i++) units.push(await SimulatedCryptoUnit.create({ host, crypto: c }));
  const admins: SoftAdminSigner[] = [];
  for (let i = 0; i < ADMINS; i++) admins.push((await createSignatureKey(c, { name: `Admin ${i + 1}`, curve: 'P-521', password: `admin password ${i}` }, KDF)).signer);
  const holder = new SoftKeyPartHolder(c, KDF);
  const parts: { partId: string; password: string }[] = [];
  for (let i = 0; i < PARTS; i++) {
    const password = `part password ${i}`;
    const { text, info } = await createKeyPart(c, { description: `Part ${i + 1}`, password }, KDF);
    await holder.addFile(text);
    parts.push({ partId: info.id, password });
  }
  const store = await openStore({ indexedDB, crypto: c, name: dbName });
  const instance = await store.instances.create({
    name: 'Bench',
    kind: 'simulated',
    units: units.map((_, i) => ({ label: `Unit ${i + 1}`, endpoint: { kind: 'simulated' as const, index: i } })),
  });
  const transports = units.map((u) => new CountingTransport(new MemoryUnitTransport((r) => u.handle(r))));
  const signatures = { n: 0 };
  const consent = benchConsent(admins, signatures, (id) => parts.find((x) => x.partId === id)!.password);

  const proc = (globalThis as { process?: { cpuUsage(prev?: { user: number; system: number }): { user: number; system: number } } }).process;
  const cpu0 = proc?.cpuUsage();
  const t0 = performance.now();
  const rt = await InstanceRuntime.open({
    store, instanceId: instance.id, crypto: c, consent,
    transportFor: (u) => transports[instance.units.findIndex((x) => x.id === u.id)],
  });
  await rt.run({ plan: 'add-admins', certificates: admins.map((a) => a.certificate) });
  const t1 = performance.now();
  await rt.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
  const t2 = performance.now();
  const o = await rt.run({ plan: 'load-master-key', parts: parts.map((p) => ({ holder, partId: p.partId })), importerCurve: 'P-521' });
  const t3 = performance.now();
  const cpu = cpu0 && proc ? proc.cpuUsage(cpu0) : undefined;
  if (o.next.kind !== 'ready') throw new Error(`the ceremony ended at ${o.next.kind}`);
  store.close();
  for (const a of admins) a.close();
  return {
    ms: t3 - t0,
    ...(cpu ? { cpuMs: (cpu.user + cpu.system) / 1000 } : {}),
    phases: { addAdmins: t1 - t0, leaveImprint: t2 - t1, load: t3 - t2 },
    exchanges: transports.reduce((n, t) => n + t.count, 0),
    adminSignatures: signatures.n,
  };
}

/** P-521 ECDSA sign and verify (SHA-512) with WebCrypto, ms each (median of 40). */
export async function p521Costs(): Promise<P521Costs> {
  const c = globalThis.crypto;
  const kp = await c.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, false, ['sign', 'verify']);
  const data = new Uint8Array(300);
  const alg = { name: 'ECDSA', hash: 'SHA-512' };
  const sign: number[] = [];
  const verify: number[] = [];
  let sig = new ArrayBuffer(0);
  for (let i = 0; i < 40; i++) {
    const a = performance.now();
    sig = await c.subtle.sign(alg, kp.privateKey, data);
    const b = performance.now();
    await c.subtle.verify(alg, kp.publicKey, sig, data);
    const d = performance.now();
    sign.push(b - a);
    verify.push(d - b);
  }
  return { signMs: median(sign), verifyMs: median(verify) };
}

/** PBKDF2-SHA256 at 600,000 iterations, ms (what a real key file costs, left out above). */
export async function pbkdf2Cost(): Promise<number> {
  const c = globalThis.crypto;
  const key = await c.subtle.importKey('raw', new TextEncoder().encode('a password'), 'PBKDF2', false, ['deriveBits']);
  const t = performance.now();
  await c.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations: 600_000 }, key, 256);
  return performance.now() - t;
}

export interface BenchReport {
  runs: CeremonyTiming[];
  p521: P521Costs;
  pbkdf2Ms: number;
}

/** Everything measured in one environment (Node or the page). */
export async function measure(indexedDB: IDBFactory, prefix: string): Promise<BenchReport> {
  await runCeremonyOnce(indexedDB, `${prefix}-warmup`);
  const runs: CeremonyTiming[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runCeremonyOnce(indexedDB, `${prefix}-${i}`));
  return { runs, p521: await p521Costs(), pbkdf2Ms: await pbkdf2Cost() };
}

function print(where: string, r: BenchReport): void {
  const ms = median(r.runs.map((x) => x.ms));
  const at = r.runs.find((x) => x.ms === ms) ?? r.runs[0];
  const floor = at.exchanges * (r.p521.signMs + r.p521.verifyMs) + at.adminSignatures * (r.p521.signMs + 2 * r.p521.verifyMs);
  line(`${where}: full ceremony, median of ${r.runs.length}`, `${fmt(ms)} ms`, `goal < 1000 ms; runs ${r.runs.map((x) => fmt(x.ms)).join(', ')}`);
  line(`${where}:   fastest run (others share the machine)`, `${fmt(Math.min(...r.runs.map((x) => x.ms)))} ms`);
  if (at.cpuMs !== undefined) line(`${where}:   CPU time of the process in the median run`, `${fmt(median(r.runs.map((x) => x.cpuMs!)))} ms`, 'all threads; 2 cores here');
  line(`${where}:   add 3 admins / leave imprint / load+commit+set immediate`, `${fmt(at.phases.addAdmins)} / ${fmt(at.phases.leaveImprint)} / ${fmt(at.phases.load)} ms`);
  line(`${where}:   unit exchanges, admin signatures`, `${at.exchanges}, ${at.adminSignatures}`);
  line(`${where}:   P-521 sign, verify (WebCrypto)`, `${fmt(r.p521.signMs, 2)}, ${fmt(r.p521.verifyMs, 2)} ms`);
  line(`${where}:   P-521 floor of those counts (serial)`, `${fmt(floor)} ms`, `${fmt((100 * floor) / ms)}% of the measured time`);
  line(`${where}:   PBKDF2-SHA256 600k (excluded; once per key file opened)`, `${fmt(r.pbkdf2Ms)} ms`);
}

async function nodeIndexedDb(): Promise<IDBFactory> {
  const spec = 'fake-indexeddb';
  const fake = (await import(/* @vite-ignore */ spec)) as Record<string, unknown> & { IDBFactory: new () => IDBFactory };
  const g = globalThis as Record<string, unknown>;
  for (const n of ['IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBFactory', 'IDBIndex', 'IDBKeyRange', 'IDBObjectStore', 'IDBOpenDBRequest', 'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent']) {
    g[n] ??= fake[n];
  }
  return new fake.IDBFactory();
}

/** Bundle this file with Vite, serve it on 127.0.0.1 and run `measure` in headless Chromium. */
async function inChromium(): Promise<BenchReport | string> {
  const chromePath = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.CHROME_PATH || '/usr/bin/chromium';
  const fsSpec = 'node:fs';
  const { existsSync } = (await import(/* @vite-ignore */ fsSpec)) as typeof import('node:fs');
  if (!existsSync(chromePath)) return `no Chromium at ${chromePath} (set CHROME_PATH)`;
  const [viteSpec, pwSpec, httpSpec, urlSpec] = ['vite', 'playwright-core', 'node:http', 'node:url'];
  const vite = (await import(/* @vite-ignore */ viteSpec)) as typeof import('vite');
  const { chromium } = (await import(/* @vite-ignore */ pwSpec)) as typeof import('playwright-core');
  const http = (await import(/* @vite-ignore */ httpSpec)) as typeof import('node:http');
  const { fileURLToPath } = (await import(/* @vite-ignore */ urlSpec)) as typeof import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = (await vite.build({
    configFile: false,
    root,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: fileURLToPath(import.meta.url), formats: ['es'], fileName: 'bench' },
      rollupOptions: { external: [/^node:/, 'vite', 'playwright-core', 'fake-indexeddb'] },
    },
  })) as { output: { type: string; code?: string; fileName: string }[] }[] | { output: { type: string; code?: string; fileName: string }[] };
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((x) => x.type === 'chunk');
  const files = new Map(chunks.map((ch) => [`/${ch.fileName}`, ch.code!]));
  const entry = chunks.find((ch) => ch.fileName.startsWith('bench'))!.fileName;
  const server = http.createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (body !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(body);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>ceremony bench</title>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: chromePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return (await page.evaluate(async (src: string) => {
      const m = (await import(src)) as { measure: (idb: IDBFactory, prefix: string) => Promise<BenchReport> };
      return m.measure(indexedDB, `bench-${Date.now()}`);
    }, `/${entry}`)) as BenchReport;
  } finally {
    await browser.close();
    server.close();
  }
}

export const bench: Bench = {
  title: 'Ceremony engine: full first ceremony, 3 units × 3 P-521 admins × 3 parts (PBKDF2 excluded)',
  async run() {
    print('node', await measure(await nodeIndexedDb(), 'bench'));
    const chrome = await inChromium();
    if (typeof chrome === 'string') line('chromium', 'skipped', chrome);
    else print('chromium', chrome);
  },
};
