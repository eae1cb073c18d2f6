#!/usr/bin/env node
// `node scripts/print-sha256.mjs FILE...`: one line per file,
//   sha256  <hex>  <file>  (<bytes> bytes)
// so that a team can publish the single-file build's digest and anyone can compare it
// (`sha256sum FILE` prints the same hex).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/print-sha256.mjs FILE...');
  process.exit(2);
}
let status = 0;
for (const file of files) {
  try {
    const bytes = await readFile(file);
    console.log(`sha256  ${createHash('sha256').update(bytes).digest('hex')}  ${file}  (${bytes.length} bytes)`);
  } catch (e) {
    console.error(`print-sha256: cannot read ${file}: ${e.message}`);
    status = 1;
  }
}
process.exit(status);
