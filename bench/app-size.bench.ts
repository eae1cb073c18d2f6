/**
 * App size: what a browser downloads before the app can run, and the single file.
 *
 * Builds dist/ and dist-single/ when they are missing or older than their sources (as
 * `npm run test:e2e` does), then prints:
 *   - initial JS: the scripts dist/index.html loads (module scripts and modulepreloads), raw and
 *     gzip (node:zlib, level 9); goal <= 150 KB gzip;
 *   - worker scripts (loaded when a worker starts, not at first paint) and the whole of dist/;
 *   - the single file: size, gzip and SHA-256.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST_DIR, SINGLE_FILE, ensureBuilds } from '../test/e2e/support/builds.mjs';
import { fmt, line, type Bench } from './util.ts';

const GOAL_GZIP = 150 * 1024;

const kb = (n: number): string => `${fmt(n / 1024, 1)} KB`;
const gz = (b: Uint8Array): number => gzipSync(b, { level: 9 }).length;

/** Every file under `root`, as a path relative to it ("assets/x.js"). */
function files(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(root, p));
    else out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}

/** The JS files index.html makes the browser load at once: module scripts and modulepreloads. */
function initialScripts(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) out.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) out.add(m[1]);
  return [...out].map((u) => u.replace(/^\.\//, ''));
}

export const bench: Bench = {
  title: 'App size: initial JS, dist/, single file',
  async run() {
    ensureBuilds({ log: (l) => console.log(`  (${l})`) });
    const html = readFileSync(join(DIST_DIR, 'index.html'), 'utf8');
    const initial = initialScripts(html).map((p) => readFileSync(join(DIST_DIR, p)));
    const raw = initial.reduce((a, b) => a + b.length, 0);
    const gzip = initial.reduce((a, b) => a + gz(b), 0);
    line(`initial JS raw (${initial.length} file${initial.length === 1 ? '' : 's'})`, kb(raw));
    line('initial JS gzip', kb(gzip), `goal <= ${kb(GOAL_GZIP)}: ${gzip <= GOAL_GZIP ? 'met' : 'NOT MET'} (${fmt((100 * gzip) / GOAL_GZIP)} % of it)`);

    const all = files(DIST_DIR).filter((p) => !p.split('/').some((s) => s.startsWith('.')));
    const workers = all.filter((p) => /\.worker-[\w-]+\.js$/.test(p));
    const wBytes = workers.map((p) => readFileSync(join(DIST_DIR, p)));
    line(`worker scripts raw (${workers.length})`, kb(wBytes.reduce((a, b) => a + b.length, 0)));
    line('worker scripts gzip', kb(wBytes.reduce((a, b) => a + gz(b), 0)));
    const total = all.reduce((a, p) => a + statSync(join(DIST_DIR, p)).size, 0);
    line(`dist/ total (${all.length} files)`, kb(total));

    const single = readFileSync(SINGLE_FILE);
    line('single file (dist-single/index.html)', kb(single.length), `${fmt(single.length)} bytes`);
    line('single file gzip', kb(gz(single)));
    console.log(`  single file sha256 ${createHash('sha256').update(single).digest('hex')}`);
  },
};
