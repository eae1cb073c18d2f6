/**
 * Machine time of a full first ceremony in headless Chromium (the system one, through
 * playwright-core): 3 simulated units × 3 P-521 administrators × 3 key parts, driven through the
 * engine directly in a page (not the UI), from a new InstanceRuntime (connect and pin every unit)
 * to 'ready': add the 3 admins, leave imprint mode (thresholds 2/2), P-521 importer keys, load
 * the 3 parts, commit, set immediate. Goal: under 1 s.
 *
 * PBKDF2 is excluded: the administrators' signature keys are opened before the clock starts (the
 * consent lends the open signers; the engine closes only the loan), and the key parts are held
 * in memory by a bench custodian that wraps them without a password. Unit creation (P-521 OA
 * keys and certificates) is outside the timing too.
 *
 * Two set-ups, measured in the same page, interleaved run by run:
 *   memory  the units run in the page's thread behind memory transports;
 *   worker  the units run as the app runs them: in the simulation worker (src/sim/sim.worker.ts),
 *           over the worker protocol, each unit's state encrypted and saved to IndexedDB before
 *           every answer.
 * Printed: the median of 5 runs of each (after a warm-up run of each), every run, the ratio, and
 * the counts that bound the time (unit exchanges; admin signatures).
 *
 * The page loads this very file, bundled by Vite (with the worker) and served on 127.0.0.1.
 */
import { InstanceRuntime } from '../src/ceremony/index.ts';
import { verificationPattern, type WebCrypto } from '../src/crypto/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../src/cryptounit/simulated/index.ts';
import { wrapPartForImporter } from '../src/cryptounit/protocol/index.ts';
import { MemoryUnitTransport } from '../src/cryptounit/transports/memory.ts';
import type { UnitTransport } from '../src/cryptounit/transport.ts';
import type { KeyPartHolder, KeyPartInfo } from '../src/custodian/index.ts';
import { createSignatureKey, type SoftAdminSigner } from '../src/custodian/soft/index.ts';
import { startSimulation } from '../src/sim/connection.ts';
import { deleteStore, openStore, type UnitRecord } from '../src/store/index.ts';
import { benchConsent, CountingTransport } from './ceremony-kit.ts';
import { fmt, line, median, type Bench } from './util.ts';

const UNITS = 3;
const ADMINS = 3;
const PARTS = 3;
const RUNS = 5;

export type Mode = 'memory' | 'worker';

export interface RunTiming {
  mode: Mode;
  ms: number;
  exchanges: number;
  adminSignatures: number;
}

/** The bench's custodian: parts in memory, wrapped without a password (no PBKDF2 to time). */
class MemoryPartHolder implements KeyPartHolder {
  private constructor(
    private readonly c: WebCrypto,
    private readonly held: { info: KeyPartInfo; value: Uint8Array }[],
  ) {}

  static async create(c: WebCrypto, count: number): Promise<MemoryPartHolder> {
    const held = [];
    for (let i = 0; i < count; i++) {
      const value = c.getRandomValues(new Uint8Array(32));
      held.push({ info: { id: `part-${i + 1}`, description: `Part ${i + 1}`, vp: await verificationPattern(c, value) }, value });
    }
    return new MemoryPartHolder(c, held);
  }

  async parts(): Promise<readonly KeyPartInfo[]> {
    return this.held.map((h) => h.info);
  }

  async wrapForImporter(partId: string, spki: Uint8Array): Promise<Uint8Array> {
    const h = this.held.find((x) => x.info.id === partId);
    if (!h) throw new Error(`no part ${partId}`);
    return wrapPartForImporter(this.c, spki, h.value);
  }

  async wrapForImporters(partId: string, spkis: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const s of spkis) out.push(await this.wrapForImporter(partId, s));
    return out;
  }
}

/** One ceremony on fresh units and a fresh database, in the page. */
export async function runOnce(mode: Mode, db: string): Promise<RunTiming> {
  const c = globalThis.crypto;
  const admins: SoftAdminSigner[] = [];
  for (let i = 0; i < ADMINS; i++) {
    admins.push((await createSignatureKey(c, { name: `Admin ${i + 1}`, curve: 'P-521', password: `bench password ${i}` }, { insecureIterationsForTests: 1 })).signer);
  }
  const holder = await MemoryPartHolder.create(c, PARTS);
  const store = await openStore({ indexedDB, crypto: c, name: db });
  const instance = await store.instances.create({
    name: 'Bench',
    kind: 'simulated',
    units: Array.from({ length: UNITS }, (_, i) => ({ label: `Unit ${i + 1}`, endpoint: { kind: 'simulated' as const, index: i } })),
  });
  let stop = (): void => undefined;
  let transportOf: (u: UnitRecord) => UnitTransport;
  if (mode === 'memory') {
    const host = await SimulatedHost.create({ crypto: c });
    const units: SimulatedCryptoUnit[] = [];
    for (let i = 0; i < UNITS; i++) units.push(await SimulatedCryptoUnit.create({ host, crypto: c }));
    transportOf = (u) => new MemoryUnitTransport((r) => units[instance.units.findIndex((x) => x.id === u.id)].handle(r));
  } else {
    const sim = startSimulation({
      createWorker: (name) => new Worker(new URL('../src/sim/sim.worker.ts', import.meta.url), { type: 'module', name }),
      config: { db, instanceId: instance.id, units: instance.units.map((u) => u.id) },
    });
    await sim.ready; // the worker made the host and the units (outside the timing)
    stop = () => sim.terminate();
    transportOf = (u) => sim.transport(u.id);
  }
  const transports = new Map(instance.units.map((u) => [u.id, new CountingTransport(transportOf(u))]));
  const signatures = { n: 0 };
  const consent = benchConsent(admins, signatures, () => '');
  try {
    const t0 = performance.now();
    const rt = await InstanceRuntime.open({ store, instanceId: instance.id, crypto: c, consent, transportFor: (u) => transports.get(u.id)! });
    await rt.run({ plan: 'add-admins', certificates: admins.map((a) => a.certificate) });
    await rt.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
    const parts = (await holder.parts()).map((p) => ({ holder, partId: p.id }));
    const o = await rt.run({ plan: 'load-master-key', parts, importerCurve: 'P-521' });
    const ms = performance.now() - t0;
    if (o.next.kind !== 'ready') throw new Error(`the ceremony ended at ${o.next.kind}`);
    return { mode, ms, exchanges: [...transports.values()].reduce((n, t) => n + t.count, 0), adminSignatures: signatures.n };
  } finally {
    stop();
    for (const a of admins) a.close();
    store.close();
    await deleteStore({ indexedDB, name: db }).catch(() => undefined);
  }
}

/** Warm-up, then RUNS of each mode, interleaved. Runs in the page. */
export async function measureInPage(): Promise<RunTiming[]> {
  const tag = Date.now().toString(36);
  await runOnce('memory', `bench-${tag}-warm-m`);
  await runOnce('worker', `bench-${tag}-warm-w`);
  const out: RunTiming[] = [];
  for (let i = 0; i < RUNS; i++) {
    out.push(await runOnce('memory', `bench-${tag}-m${i}`));
    out.push(await runOnce('worker', `bench-${tag}-w${i}`));
  }
  return out;
}

/** Bundle this file (and the simulation worker) with Vite, serve it on 127.0.0.1, run it in Chromium. */
async function inChromium(): Promise<RunTiming[] | string> {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  const chromePath = env.CHROME_PATH || '/usr/bin/chromium';
  const [fsSpec, viteSpec, pwSpec, httpSpec, urlSpec] = ['node:fs', 'vite', 'playwright-core', 'node:http', 'node:url'];
  const { existsSync } = (await import(/* @vite-ignore */ fsSpec)) as typeof import('node:fs');
  if (!existsSync(chromePath)) return `no Chromium at ${chromePath} (set CHROME_PATH)`;
  const vite = (await import(/* @vite-ignore */ viteSpec)) as typeof import('vite');
  const { chromium } = (await import(/* @vite-ignore */ pwSpec)) as typeof import('playwright-core');
  const http = (await import(/* @vite-ignore */ httpSpec)) as typeof import('node:http');
  const { fileURLToPath } = (await import(/* @vite-ignore */ urlSpec)) as typeof import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  type Output = { type: string; fileName: string; code?: string; source?: string | Uint8Array };
  const built = (await vite.build({
    configFile: false,
    root,
    logLevel: 'silent',
    worker: { format: 'es' },
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: fileURLToPath(import.meta.url), formats: ['es'], fileName: 'bench' },
      rollupOptions: { external: [/^node:/, 'vite', 'playwright-core'] },
    },
  })) as { output: Output[] } | { output: Output[] }[];
  const outputs = (Array.isArray(built) ? built : [built]).flatMap((o) => o.output);
  const files = new Map(outputs.map((o) => [`/${o.fileName}`, o.type === 'chunk' ? o.code! : o.source!]));
  const entry = outputs.find((o) => o.type === 'chunk' && o.fileName.startsWith('bench'))!.fileName;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = files.get(path);
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
  const browser = await chromium.launch({
    executablePath: chromePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return (await page.evaluate(async (src: string) => {
      const m = (await import(src)) as { measureInPage(): Promise<RunTiming[]> };
      return m.measureInPage();
    }, `/${entry}`)) as RunTiming[];
  } finally {
    await browser.close();
    server.close();
  }
}

export const bench: Bench = {
  title: `Ceremony in headless Chromium: ${UNITS} units × ${ADMINS} P-521 admins × ${PARTS} parts, engine driven in a page (PBKDF2 excluded)`,
  async run() {
    const r = await inChromium();
    if (typeof r === 'string') {
      line('chromium', 'skipped', r);
      return;
    }
    const of = (m: Mode) => r.filter((x) => x.mode === m);
    const med = (m: Mode) => median(of(m).map((x) => x.ms));
    for (const m of ['memory', 'worker'] as const) {
      const runs = of(m);
      line(`${m === 'memory' ? 'units in the page (memory transports)' : 'units in the sim worker, state saved to IndexedDB'}: median of ${runs.length}`, `${fmt(med(m))} ms`,
        `goal < 1000 ms; runs ${runs.map((x) => fmt(x.ms)).join(', ')}`);
      line(`  fastest run (the others share the machine)`, `${fmt(Math.min(...runs.map((x) => x.ms)))} ms`);
    }
    line('worker / memory (same page, interleaved)', `${fmt(med('worker') / med('memory'), 2)}×`);
    const one = r[0];
    line('unit exchanges, admin signatures per ceremony', `${one.exchanges}, ${one.adminSignatures}`);
  },
};
