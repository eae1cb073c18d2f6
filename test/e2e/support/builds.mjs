// The built artifacts the end-to-end tests and the size benchmark use, and whether they are
// older than their sources. Plain JS so that scripts/test-e2e.mjs runs it without tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const SINGLE_DIR = join(REPO_ROOT, 'dist-single');
export const SINGLE_FILE = join(SINGLE_DIR, 'index.html');

/** What a build reads: a change to any of these makes the artifacts stale. */
const INPUTS = ['index.html', 'vite.config.ts', 'package.json', 'package-lock.json', 'src', 'public'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when `artifact` is missing or older than any build input. */
export function isStale(artifact) {
  if (!existsSync(artifact)) return true;
  const built = statSync(artifact).mtimeMs;
  return INPUTS.some((p) => newestMtime(join(REPO_ROOT, p)) > built);
}

/** The npm scripts that make each artifact, and the file whose age stands for it. */
export const ARTIFACTS = [
  { name: 'dist/', script: 'build', marker: join(DIST_DIR, 'index.html') },
  { name: 'dist-single/index.html', script: 'build:single', marker: SINGLE_FILE },
];

/**
 * Build what is missing or stale (everything when `force`), through the package.json scripts.
 * Output goes to the caller's stdout/stderr. Throws when a build fails.
 */
export function ensureBuilds({ force = false, log = (line) => console.log(line) } = {}) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  for (const a of ARTIFACTS) {
    if (!force && !isStale(a.marker)) {
      log(`${a.name} is up to date`);
      continue;
    }
    log(`building ${a.name} (npm run ${a.script})`);
    const r = spawnSync(npm, ['run', '--silent', a.script], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm run ${a.script} failed (exit ${r.status ?? r.signal})`);
  }
}
