import type { WebCrypto } from '../../../src/crypto/index.ts';

/**
 * A WebCrypto that forwards to the real one and records every SubtleCrypto call with its
 * arguments and result, so tests can look at the very buffers the custodian handed to
 * WebCrypto (to check they were wiped) and at the flags it used (extractable).
 * `failOn` makes one method reject, to check that wipes also happen on errors.
 */
export interface RecordedCall {
  method: string;
  args: unknown[];
  result?: unknown;
}

export function recordingCrypto(base: WebCrypto, failOn?: string): { crypto: WebCrypto; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const subtle = new Proxy(base.subtle, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const call: RecordedCall = { method: String(prop), args };
        calls.push(call);
        if (prop === failOn) throw new Error(`injected failure of ${String(prop)}`);
        call.result = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        return call.result;
      };
    },
  });
  return { crypto: { subtle, getRandomValues: <T extends ArrayBufferView>(a: T): T => base.getRandomValues(a) }, calls };
}

/** Raw-key imports whose algorithm name is `alg` (e.g. HMAC: how AES-KW receives key data). */
export function rawImports(calls: RecordedCall[], alg: string): Uint8Array[] {
  return calls
    .filter((c) => c.method === 'importKey' && c.args[0] === 'raw' && algName(c.args[2]) === alg)
    .map((c) => c.args[1] as Uint8Array);
}

export function algName(a: unknown): string {
  return typeof a === 'string' ? a : (a as { name: string }).name;
}

export const allZero = (b: Uint8Array | ArrayBuffer): boolean => new Uint8Array(b as ArrayBuffer).every((x) => x === 0);
