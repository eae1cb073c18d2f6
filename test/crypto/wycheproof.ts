/** Types and loaders for the Wycheproof JSON files in ../shared/vectors/wycheproof/ (see its SOURCE.md). */
import { readSharedJson } from '../harness.ts';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

export async function loadWycheproof(name: string): Promise<WycheproofFile> {
  const f = await readSharedJson<WycheproofFile>(`vectors/wycheproof/${name}`);
  const count = f.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (count !== f.numberOfTests) throw new Error(`${name}: ${count} tests, header says ${f.numberOfTests}`);
  return f;
}
