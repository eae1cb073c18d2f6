/**
 * A self-check of module workers, the way the app starts its simulated crypto units:
 * `new Worker(new URL('./x.ts', import.meta.url), { type: 'module' })`. The hosted build loads the
 * worker from a file beside the app; the single-file build carries it inline and starts it from a
 * blob: URL (see docs/builds.md).
 *
 * The probe sends a random nonce; the worker answers with SHA-256(LABEL || nonce), computed with
 * its own WebCrypto and encoded by a module it imports, and with its own location. The answer is
 * checked here against the same digest computed on this side, so "ok" means the worker really
 * loaded, ran its imports and answered.
 */
import { toHex } from '../bytes/hex.ts';

/** Prefix of the hashed message (UTF-8), shared with the worker. */
export const PROBE_LABEL = 'webtke worker probe\n';
export const PROBE_NONCE_BYTES = 16;

/** Message to the worker. */
export interface ProbeRequest {
  type: 'webtke-probe';
  nonce: Uint8Array;
}

/** Message from the worker. */
export interface ProbeReply {
  type: 'webtke-probe-reply';
  digestHex: string;
  /** The worker's own `location.href` (blob:… in the single file, http(s):… when hosted). */
  location: string;
}

export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (ev: Event) => void): void;
  terminate(): void;
}

export interface WorkerProbeResult {
  nonceHex: string;
  digestHex: string;
  /** The scheme the worker was loaded from, e.g. "blob:" or "http:". */
  workerScheme: string;
  ms: number;
}

export type WorkerProbeFailure = 'start' | 'error' | 'timeout' | 'mismatch' | 'bad-reply';

export class WorkerProbeError extends Error {
  override name = 'WorkerProbeError';
  constructor(
    message: string,
    readonly failure: WorkerProbeFailure,
  ) {
    super(message);
  }
}

export interface WorkerProbeDeps {
  createWorker(): WorkerLike;
  subtle: SubtleCrypto;
  random(bytes: Uint8Array): Uint8Array;
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  timeoutMs?: number;
}

export async function probeDigest(subtle: SubtleCrypto, nonce: Uint8Array): Promise<string> {
  const label = new TextEncoder().encode(PROBE_LABEL);
  const msg = new Uint8Array(label.length + nonce.length);
  msg.set(label);
  msg.set(nonce, label.length);
  return toHex(new Uint8Array(await subtle.digest('SHA-256', msg)));
}

function isReply(data: unknown): data is ProbeReply {
  const d = data as Partial<ProbeReply> | null;
  return !!d && d.type === 'webtke-probe-reply' && typeof d.digestHex === 'string' && typeof d.location === 'string';
}

/** Start a worker, ask it once, check the answer, terminate it. */
export async function runWorkerProbe(deps: WorkerProbeDeps): Promise<WorkerProbeResult> {
  const nonce = deps.random(new Uint8Array(PROBE_NONCE_BYTES));
  const expected = await probeDigest(deps.subtle, nonce);
  const t0 = deps.now();
  let worker: WorkerLike;
  try {
    worker = deps.createWorker();
  } catch (e) {
    throw new WorkerProbeError(`the worker could not be started: ${(e as Error).message}`, 'start');
  }
  try {
    const reply = await new Promise<ProbeReply>((resolve, reject) => {
      const timer = deps.setTimeout(
        () => reject(new WorkerProbeError('the worker did not answer in time', 'timeout')),
        deps.timeoutMs ?? 30_000,
      );
      worker.addEventListener('message', (ev) => {
        deps.clearTimeout(timer);
        const data = (ev as MessageEvent).data;
        if (isReply(data)) resolve(data);
        else reject(new WorkerProbeError('the worker sent an unexpected message', 'bad-reply'));
      });
      worker.addEventListener('error', (ev) => {
        deps.clearTimeout(timer);
        const msg = (ev as ErrorEvent).message;
        reject(new WorkerProbeError(`the worker failed${msg ? `: ${msg}` : ' to load'}`, 'error'));
      });
      worker.postMessage({ type: 'webtke-probe', nonce } satisfies ProbeRequest);
    });
    if (reply.digestHex !== expected) {
      throw new WorkerProbeError(`the worker's digest ${reply.digestHex} is not the expected ${expected}`, 'mismatch');
    }
    const scheme = URL.canParse(reply.location) ? new URL(reply.location).protocol : '?';
    return { nonceHex: toHex(nonce), digestHex: reply.digestHex, workerScheme: scheme, ms: deps.now() - t0 };
  } finally {
    worker.terminate();
  }
}
