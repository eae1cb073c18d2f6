/**
 * Benchmark helpers. Benchmarks print figures measured in one run; ratios compare two
 * figures measured in the same process, one after the other, never against a stored number.
 */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run `fn` `runs` times (after `warmup` unmeasured runs) and return the durations in ms. */
export async function timeRuns(fn: () => Promise<unknown> | unknown, runs = 5, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Operations per second from a median duration (ms) for `ops` operations. */
export const rate = (ops: number, ms: number): number => (ops * 1000) / ms;

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One printed line: label, value, unit, and an optional note. */
export function line(label: string, value: string, note = ''): void {
  console.log(`  ${label.padEnd(58)} ${value.padStart(16)}${note ? `  ${note}` : ''}`);
}

export interface Bench {
  /** Section title. */
  title: string;
  run(): Promise<void>;
}
