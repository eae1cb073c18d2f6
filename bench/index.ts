/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (each exports `bench: Bench`).
 * Extra arguments filter by file name substring.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bench } from './util.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

console.log(`webtke benchmarks: node ${process.version}, ${new Date().toISOString()}`);
for (const f of files) {
  const mod = (await import(new URL(f, import.meta.url).href)) as { bench: Bench };
  console.log(`\n## ${mod.bench.title} (${f})`);
  await mod.bench.run();
}
if (files.length === 0) console.log('no benchmarks matched');
