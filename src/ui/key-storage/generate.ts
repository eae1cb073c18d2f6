/**
 * Generate several keys in a row (GENERATE_KEY on the instance's first unit, each stored with
 * the VP it is under). The engine refuses each one while a rotation is open, a new register is
 * loaded or the units' current keys differ; the first refusal stops the run.
 */
import type { InstanceSnapshot, KeyStorageService, KeyView } from '../../ceremony/index.ts';

export const MAX_KEYS_PER_RUN = 1000;
export const MAX_LABEL = 200;

/** "payments" × 3 → "payments 1", "payments 2", "payments 3"; × 1 → "payments". */
export function keyLabels(prefix: string, count: number): string[] {
  const p = prefix.trim();
  if (p.length === 0) throw new RangeError('give the keys a label');
  if (!Number.isInteger(count) || count < 1 || count > MAX_KEYS_PER_RUN) throw new RangeError(`generate 1 to ${MAX_KEYS_PER_RUN} keys at a time`);
  const labels = count === 1 ? [p] : Array.from({ length: count }, (_, i) => `${p} ${i + 1}`);
  if (labels.some((l) => [...l].length > MAX_LABEL)) throw new RangeError(`a label has at most ${MAX_LABEL} characters`);
  return labels;
}

export async function generateKeys(
  keys: KeyStorageService,
  labels: readonly string[],
  snapshot: InstanceSnapshot,
  progress: (done: number, total: number) => void,
): Promise<KeyView[]> {
  const out: KeyView[] = [];
  progress(0, labels.length);
  for (const label of labels) {
    out.push(await keys.generate(label, snapshot));
    progress(out.length, labels.length);
  }
  return out;
}
