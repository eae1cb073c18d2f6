#!/usr/bin/env node
// `npm test`: every test layer in turn (Node, browser, end-to-end), then one closing line.
// Each layer's output is shown as it runs; its pass/fail counts are read from its summary.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const layers = [
  { name: 'typecheck', script: 'typecheck', counts: () => ({ passed: 0, failed: 0 }) },
  { name: 'node', script: 'test:node', counts: nodeCounts },
  { name: 'browser', script: 'test:browser', counts: wtrCounts },
];
if (existsSync(new URL('../test/e2e', import.meta.url))) {
  layers.push({ name: 'e2e', script: 'test:e2e', counts: nodeCounts });
}

function nodeCounts(out) {
  const pass = [...out.matchAll(/^[ℹ#] pass (\d+)/gm)].map((m) => +m[1]);
  const fail = [...out.matchAll(/^[ℹ#] fail (\d+)/gm)].map((m) => +m[1]);
  return { passed: pass.reduce((a, b) => a + b, 0), failed: fail.reduce((a, b) => a + b, 0) };
}
function wtrCounts(out) {
  // "Chromium: |████| 12/12 test files | 345 passed, 0 failed" (last progress line wins)
  const all = [...out.matchAll(/(\d+) passed, (\d+) failed/g)];
  const m = all[all.length - 1];
  return m ? { passed: +m[1], failed: +m[2] } : { passed: 0, failed: 0 };
}

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, out: out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') }));
  });
}

let passed = 0;
let failed = 0;
const summary = [];
let exitCode = 0;
for (const layer of layers) {
  console.log(`\n=== test layer: ${layer.name} (npm run ${layer.script}) ===\n`);
  const { code, out } = await run(layer.script);
  const c = layer.counts(out);
  passed += c.passed;
  failed += c.failed;
  summary.push(`${layer.name}: ${c.passed} passed, ${c.failed} failed, exit ${code}`);
  if (code !== 0) exitCode = 1;
  if (code !== 0 && c.failed === 0) failed += 1; // a layer that crashed counts as a failure
}
console.log('\n=== summary ===');
for (const s of summary) console.log(s);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
