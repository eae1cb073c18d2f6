/**
 * The app side of the unit worker protocol (worker-protocol.ts): a connection over a port to
 * a worker that serves one or more units, handing out one UnitTransport per unit id.
 *
 *   const worker = new Worker(new URL('./units.worker.ts', import.meta.url), { type: 'module' });
 *   const conn = new WorkerUnitConnection(worker, { timeoutMs: 30_000 });
 *   const a = conn.transport('unit-a');           // a UnitTransport
 *
 * Failures are UnitTransportError:
 *   - 'timeout'      no answer within timeoutMs (the request may still run in the worker);
 *   - 'aborted'      the caller's signal fired;
 *   - 'dead'         the worker reported an uncaught error or failed to load ('error' on the
 *                    Worker), or the port closed ('close' on a MessagePort); every waiting and
 *                    later request fails at once;
 *   - 'closed'       close() was called;
 *   - 'unknown-unit' / 'unit-failed' / 'bad-message' as the worker reports them.
 */
import { throwIfUnitAborted, UnitTransportError, type UnitTransport, type UnitTransportFailure } from '../transport.ts';
import {
  DEFAULT_UNIT_ID, isUnitProtocolMessage, parseFromUnit, transferableCopy, UNIT_PROTOCOL_TAG, MAX_UNIT_MESSAGE_BYTES,
  type MessagePortLike, type ToUnitMessage,
} from './worker-protocol.ts';

export interface WorkerUnitConnectionOptions {
  /** time limit of one request, in ms (default 30 s) */
  timeoutMs?: number;
  /** timers, passed in for tests (default the global setTimeout/clearTimeout) */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Request ids are unique across every connection of this realm, so two connections on one
 * Worker (each sees every answer) never take each other's answers.
 */
let nextRequestId = 1;

interface Pending {
  unit: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: unknown;
  onAbort?: () => void;
  signal?: AbortSignal;
}

export type WorkerConnectionState = 'open' | 'dead' | 'closed';

export class WorkerUnitConnection {
  private readonly pending = new Map<number, Pending>();
  private stateValue: WorkerConnectionState = 'open';
  private deathReason = '';
  private readonly timeoutMs: number;
  private readonly timers: NonNullable<WorkerUnitConnectionOptions['timers']>;
  private readonly onMessage = (ev: Event): void => this.receive((ev as MessageEvent).data);
  private readonly onError = (ev: Event): void => {
    // handled here: the connection declares the worker dead and carries the message on
    ev.preventDefault();
    const msg = (ev as ErrorEvent).message;
    this.die(msg ? `the unit worker failed: ${msg}` : 'the unit worker failed (an uncaught error or a failed load)');
  };
  private readonly onClose = (): void => this.die('the unit worker\'s port was closed');

  constructor(
    private readonly port: MessagePortLike,
    opts: WorkerUnitConnectionOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    port.addEventListener('message', this.onMessage);
    port.addEventListener('error', this.onError);
    port.addEventListener('close', this.onClose);
    port.start?.();
  }

  get state(): WorkerConnectionState {
    return this.stateValue;
  }

  /** The transport of one unit served by the worker. */
  transport(unitId: string = DEFAULT_UNIT_ID): UnitTransport {
    return { send: (request, signal) => this.send(unitId, request, signal) };
  }

  /** Send one request to unit `unitId`. */
  async send(unitId: string, request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (request.length > MAX_UNIT_MESSAGE_BYTES) {
      throw new UnitTransportError('bad-message', `a request of ${request.length} bytes is too large`, unitId);
    }
    const buffer = transferableCopy(request);
    const answer = await this.call(unitId, signal, (id) => ({ webtke: UNIT_PROTOCOL_TAG, type: 'request', id, unit: unitId, request: buffer }), [buffer]);
    return new Uint8Array(answer as ArrayBuffer);
  }

  /** Ask the worker whether it is alive; resolves with the ids of the units it serves. */
  async ping(signal?: AbortSignal): Promise<string[]> {
    return (await this.call('', signal, (id) => ({ webtke: UNIT_PROTOCOL_TAG, type: 'ping', id }), [])) as string[];
  }

  /** Stop listening; waiting and later requests fail with 'closed'. Does not end the worker. */
  close(): void {
    if (this.stateValue === 'open') this.stateValue = 'closed';
    this.detach();
    this.rejectAll('closed', 'The unit connection was closed.');
  }

  private call(unit: string, signal: AbortSignal | undefined, build: (id: number) => ToUnitMessage, transfer: ArrayBuffer[]): Promise<unknown> {
    if (this.stateValue === 'dead') return Promise.reject(new UnitTransportError('dead', `The unit worker is not running: ${this.deathReason}.`, unit || undefined));
    if (this.stateValue === 'closed') return Promise.reject(new UnitTransportError('closed', 'The unit connection is closed.', unit || undefined));
    try {
      throwIfUnitAborted(signal, unit || undefined);
    } catch (e) {
      return Promise.reject(e);
    }
    const id = nextRequestId++;
    return new Promise((resolve, reject) => {
      const p: Pending = {
        unit,
        resolve,
        reject,
        timer: this.timers.setTimeout(() => this.settle(id, new UnitTransportError('timeout', `The unit did not answer within ${this.timeoutMs} ms.`, unit || undefined)), this.timeoutMs),
      };
      if (signal) {
        p.signal = signal;
        p.onAbort = () => this.settle(id, new UnitTransportError('aborted', 'The unit exchange was cancelled.', unit || undefined));
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.pending.set(id, p);
      try {
        this.port.postMessage(build(id), transfer);
      } catch (e) {
        this.settle(id, new UnitTransportError('dead', `The unit worker cannot be reached: ${(e as Error)?.message ?? e}`, unit || undefined));
      }
    });
  }

  /** Finish a pending call with a value or an error; later answers to it are ignored. */
  private settle(id: number, outcome: Error | { value: unknown }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.timers.clearTimeout(p.timer);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome.value);
  }

  private receive(data: unknown): void {
    if (!isUnitProtocolMessage(data)) return;
    const m = parseFromUnit(data);
    if (!m) {
      const id = (data as { id?: unknown }).id;
      if (typeof id === 'number' && this.pending.has(id)) {
        this.settle(id, new UnitTransportError('bad-message', 'The unit worker sent a malformed answer.', this.pending.get(id)!.unit || undefined));
      }
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return; // a late answer to a request that timed out or was aborted
    const unit = p.unit || undefined;
    if (m.type === 'pong') {
      if (p.unit !== '') return this.settle(m.id, new UnitTransportError('bad-message', 'The unit worker answered a request with a pong.', unit));
      return this.settle(m.id, { value: m.units });
    }
    if (m.unit !== p.unit) {
      return this.settle(m.id, new UnitTransportError('bad-message', `The answer came from unit "${m.unit}", not "${p.unit}".`, unit));
    }
    if (m.type === 'failure') {
      const failure: UnitTransportFailure = m.failure;
      return this.settle(m.id, new UnitTransportError(failure, `The unit worker reports: ${m.message}`, unit));
    }
    this.settle(m.id, { value: m.response });
  }

  private die(reason: string): void {
    if (this.stateValue !== 'open') return;
    this.stateValue = 'dead';
    this.deathReason = reason;
    this.detach();
    this.rejectAll('dead', `The unit worker stopped: ${reason}.`);
  }

  private detach(): void {
    this.port.removeEventListener('message', this.onMessage);
    this.port.removeEventListener('error', this.onError);
    this.port.removeEventListener('close', this.onClose);
  }

  private rejectAll(failure: UnitTransportFailure, message: string): void {
    for (const [id, p] of [...this.pending]) this.settle(id, new UnitTransportError(failure, message, p.unit || undefined));
  }
}
