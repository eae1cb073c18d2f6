import { TransportAbortedError, TransportBusyError, TransportClosedError } from '../transport-errors.ts';

/**
 * One exchange at a time, with abort. Every CardTransport runs transmit() through a gate:
 * - a call while another runs rejects with TransportBusyError;
 * - the caller's AbortSignal rejects the call at once with TransportAbortedError;
 * - cancel(error) rejects the running call with `error` (card removed, transport closed);
 * - after close(), every call rejects with TransportClosedError.
 * The work function gets a signal that fires in all these cases, so it can stop early.
 */
export class ExchangeGate {
  private running: AbortController | null = null;
  private closed = false;

  get busy(): boolean {
    return this.running !== null;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  async run<T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) throw new TransportClosedError();
    if (this.running) throw new TransportBusyError();
    if (signal?.aborted) throw new TransportAbortedError();
    const ctl = new AbortController();
    this.running = ctl;
    const onAbort = (): void => ctl.abort(new TransportAbortedError());
    signal?.addEventListener('abort', onAbort, { once: true });
    let stop: () => void = () => {};
    const cancelled = new Promise<never>((_, reject) => {
      const f = (): void => reject(ctl.signal.reason);
      ctl.signal.addEventListener('abort', f, { once: true });
      stop = () => ctl.signal.removeEventListener('abort', f);
    });
    cancelled.catch(() => {});
    const p = work(ctl.signal);
    p.catch(() => {});
    try {
      return await Promise.race([p, cancelled]);
    } finally {
      stop();
      signal?.removeEventListener('abort', onAbort);
      if (this.running === ctl) this.running = null;
    }
  }

  /** Reject the running exchange (if any) with `error`. */
  cancel(error: Error): void {
    this.running?.abort(error);
  }

  /** Reject the running exchange with TransportClosedError and refuse all later ones. */
  close(): void {
    this.closed = true;
    this.cancel(new TransportClosedError());
  }
}

/** Reject with the signal's reason (or TransportAbortedError) if it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new TransportAbortedError();
}

/** A promise that rejects when `signal` fires, for racing a step that cannot be cancelled. */
export function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let dispose: () => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new TransportAbortedError());
      return;
    }
    const f = (): void => reject(signal.reason instanceof Error ? signal.reason : new TransportAbortedError());
    signal.addEventListener('abort', f, { once: true });
    dispose = () => signal.removeEventListener('abort', f);
  });
  promise.catch(() => {});
  return { promise, dispose };
}
