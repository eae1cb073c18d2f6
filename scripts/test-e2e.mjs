#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end layer. Builds dist/ and dist-single/ when they are missing
// or older than their sources (--rebuild: always), serves dist/ on 127.0.0.1 (a free port) with a
// tiny static server, and runs test/e2e/**/*.e2e.ts with node:test through tsx, one file at a
// time, in the system Chromium (CHROME_PATH or /usr/bin/chromium; never a downloaded browser).
//
//   npm run test:e2e                      every e2e test
//   npm run test:e2e -- single offline    files whose path contains "single" or "offline"
//   npm run test:e2e -- --rebuild         rebuild both artifacts first
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DIST_DIR, REPO_ROOT, SINGLE_FILE, ensureBuilds } from '../test/e2e/support/builds.mjs';
import { startStaticServer } from '../test/e2e/support/static-server.mjs';

const args = process.argv.slice(2);
const rebuild = args.includes('--rebuild');
const filters = args.filter((a) => !a.startsWith('--'));
const chrome = process.env.CHROME_PATH || '/usr/bin/chromium';

if (!existsSync(chrome)) {
  console.error(`test:e2e: no Chromium at ${chrome}. Install it (Debian: apt-get install -y chromium) or set CHROME_PATH.`);
  process.exit(1);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const e2eDir = join(REPO_ROOT, 'test', 'e2e');
const files = walk(e2eDir)
  .map((p) => relative(REPO_ROOT, p))
  .filter((p) => p.endsWith('.e2e.ts'))
  .filter((p) => filters.length === 0 || filters.some((f) => p.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('test:e2e: no test/e2e/**/*.e2e.ts file matched');
  process.exit(1);
}

try {
  ensureBuilds({ force: rebuild, log: (line) => console.log(`test:e2e: ${line}`) });
} catch (e) {
  console.error(`test:e2e: ${e.message}`);
  process.exit(1);
}

const server = await startStaticServer({ root: DIST_DIR });
console.log(`test:e2e: serving dist/ at ${server.url}; single file ${relative(REPO_ROOT, SINGLE_FILE)}`);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=180000', ...files],
  { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, WEBTKE_E2E_URL: server.url, CHROME_PATH: chrome } },
);
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await server.close();
process.exit(code);
