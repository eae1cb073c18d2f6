/**
 * A fake of the WICG Web Smart Card API (navigator.smartCard) that behaves like the spec and
 * like PC/SC where tests depend on it:
 *
 * - one operation per context at a time ([[operationInProgress]] -> InvalidStateError);
 * - getStatusChange() answers at once when the caller's known state (flags + event count) is
 *   out of date or `unaware`, otherwise waits for the next insert/remove/unplug; an aborted
 *   signal rejects it with the signal's reason;
 * - a connection's handle dies when its card is removed (removed-card from then on, even after
 *   reinsertion), when another program resets the card (reset-card, once), or when the reader
 *   is unplugged (reader-unavailable);
 * - exclusive access is refused (sharing-violation) while anyone else is connected, and any
 *   access while another program holds the card exclusively;
 * - transmit() copies the send buffer and routes it to an in-process card function;
 * - failures are `SmartCardError` DOMExceptions with a `responseCode`;
 * - `failNext(op, error)` scripts a failure for the next call of an operation.
 */
import type {
  SmartCardAccessMode,
  SmartCardConnectionLike,
  SmartCardConnectionStatus,
  SmartCardConnectOptions,
  SmartCardConnectResult,
  SmartCardContextLike,
  SmartCardDisposition,
  SmartCardGetStatusChangeOptions,
  SmartCardProtocol,
  SmartCardReaderStateFlagsIn,
  SmartCardReaderStateFlagsOut,
  SmartCardReaderStateIn,
  SmartCardReaderStateOut,
  SmartCardResourceManagerLike,
  SmartCardResponseCode,
  SmartCardTransmitOptions,
} from '../../src/card/transports/web-smart-card/api.ts';
import { toHex } from '../../src/bytes/index.ts';

/** The card: receives a command APDU, answers with a response APDU (data || SW1 SW2). */
export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;

export interface FakeCard {
  atr: Uint8Array;
  respond: CardFunction;
  /** Protocol the card speaks (default 't1'). */
  protocol?: 't0' | 't1';
}

/** SmartCardError as the spec defines it: a DOMException named SmartCardError with a responseCode. */
export class FakeSmartCardError extends DOMException {
  constructor(readonly responseCode: SmartCardResponseCode, message = `PC/SC: ${responseCode}`) {
    super(message, 'SmartCardError');
  }
}

export type FakeOp = 'establishContext' | 'listReaders' | 'getStatusChange' | 'connect' | 'transmit' | 'status' | 'disconnect';

function invalidState(msg: string): DOMException {
  return new DOMException(msg, 'InvalidStateError');
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

/** A promise with its resolvers, for cards a test answers by hand. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class FakeReader {
  card: FakeCard | null = null;
  /** Insertion + removal events so far (PC/SC's high word of the event state). */
  eventCount = 0;
  attached = true;
  /** Another program holds the card exclusively. */
  otherAppExclusive = false;
  /** Bumped at every insert/remove/unplug; a connection made under another generation is dead. */
  generation = 0;
  /** Bumped when another program resets the card. */
  resets = 0;
  readonly connections = new Set<FakeConnection>();
  private gone = deferred<'removed' | 'unplugged'>();

  constructor(private readonly api: FakeSmartCard, readonly name: string) {}

  insert(card: FakeCard): void {
    if (this.card) throw new Error(`fake: ${this.name} already has a card`);
    this.card = card;
    this.eventCount++;
    this.generation++;
    this.api.changed();
  }

  remove(): void {
    if (!this.card) throw new Error(`fake: ${this.name} has no card`);
    this.card = null;
    this.eventCount++;
    this.generation++;
    const g = this.gone;
    this.gone = deferred();
    g.resolve('removed');
    this.api.changed();
  }

  /** Pull the reader out of the computer. */
  unplug(): void {
    this.attached = false;
    this.generation++;
    const g = this.gone;
    this.gone = deferred();
    g.resolve('unplugged');
    this.api.changed();
  }

  /** Another program resets the card: every connection's next call fails once with reset-card. */
  resetByOtherProgram(): void {
    this.resets++;
  }

  /** Resolves when the current generation ends (card removed or reader unplugged). */
  whenGone(): Promise<'removed' | 'unplugged'> {
    return this.gone.promise;
  }

  eventState(): SmartCardReaderStateFlagsOut {
    if (!this.attached) return { unknown: true, unavailable: true };
    const anyExclusive = this.otherAppExclusive || [...this.connections].some((c) => c.mode === 'exclusive');
    return {
      empty: this.card === null,
      present: this.card !== null,
      exclusive: this.card !== null && anyExclusive,
      inuse: this.card !== null && (this.connections.size > 0 || this.otherAppExclusive),
    };
  }
}

const COMPARED_FLAGS: Array<keyof SmartCardReaderStateFlagsIn & keyof SmartCardReaderStateFlagsOut> = [
  'unavailable', 'empty', 'present', 'exclusive', 'inuse', 'mute', 'unpowered',
];

export class FakeSmartCard implements SmartCardResourceManagerLike {
  readonly readers = new Map<string, FakeReader>();
  readonly contexts: FakeContext[] = [];
  /** Everything the API was asked to do, in order ("transmit R 00a4..."), for assertions. */
  readonly log: string[] = [];
  /** getStatusChange() calls currently waiting for a change. */
  waiting = 0;
  /** When set, connect() rejects as if the user declined the permission prompt. */
  denyPermission = false;
  private readonly scripted: Array<{ op: FakeOp; error: SmartCardResponseCode | Error }> = [];
  private watchers = new Set<() => void>();

  addReader(name: string, card?: FakeCard): FakeReader {
    const r = new FakeReader(this, name);
    if (card) {
      r.card = card;
      r.eventCount = 1;
      r.generation = 1;
    }
    this.readers.set(name, r);
    this.changed();
    return r;
  }

  reader(name: string): FakeReader {
    const r = this.readers.get(name);
    if (!r) throw new Error(`fake: no reader ${name}`);
    return r;
  }

  /** The next call of `op` fails with `error` (a response code becomes a SmartCardError). */
  failNext(op: FakeOp, error: SmartCardResponseCode | Error): void {
    this.scripted.push({ op, error });
  }

  /** Throws the scripted failure for `op`, if any. */
  scriptedFailure(op: FakeOp): void {
    const i = this.scripted.findIndex((s) => s.op === op);
    if (i < 0) return;
    const [{ error }] = this.scripted.splice(i, 1);
    throw typeof error === 'string' ? new FakeSmartCardError(error) : error;
  }

  /** Called by readers when their state changes: wake every waiting getStatusChange(). */
  changed(): void {
    const ws = [...this.watchers];
    this.watchers.clear();
    for (const w of ws) w();
  }

  onChange(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  async establishContext(): Promise<SmartCardContextLike> {
    this.log.push('establishContext');
    await Promise.resolve();
    this.scriptedFailure('establishContext');
    const ctx = new FakeContext(this);
    this.contexts.push(ctx);
    return ctx;
  }

  /** All connections still open, across readers. */
  openConnections(): FakeConnection[] {
    return [...this.readers.values()].flatMap((r) => [...r.connections]);
  }
}

export class FakeContext implements SmartCardContextLike {
  operationInProgress = false;

  constructor(readonly api: FakeSmartCard) {}

  /** Run `body` as this context's one operation (spec: reject InvalidStateError if one runs). */
  async run<T>(op: FakeOp, body: () => Promise<T>): Promise<T> {
    if (this.operationInProgress) throw invalidState(`fake: ${op} while another operation runs on this context`);
    this.operationInProgress = true;
    try {
      await Promise.resolve();
      this.api.scriptedFailure(op);
      return await body();
    } finally {
      this.operationInProgress = false;
    }
  }

  listReaders(): Promise<string[]> {
    return this.run('listReaders', async () => {
      this.api.log.push('listReaders');
      return [...this.api.readers.values()].filter((r) => r.attached).map((r) => r.name);
    });
  }

  getStatusChange(readerStates: SmartCardReaderStateIn[], options: SmartCardGetStatusChangeOptions = {}): Promise<SmartCardReaderStateOut[]> {
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.run('getStatusChange', async () => {
      for (;;) {
        const outs = readerStates.map((s) => this.stateOf(s));
        if (outs.some((o) => o.eventState.changed)) return outs;
        // Nothing new: wait for a change, the timeout, or the abort.
        const woke = await new Promise<'change' | 'timeout'>((resolve, reject) => {
          this.api.waiting++;
          let timer: ReturnType<typeof setTimeout> | undefined;
          const finish = (): void => {
            this.api.waiting--;
            off();
            if (timer) clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
          };
          const off = this.api.onChange(() => {
            finish();
            resolve('change');
          });
          const onAbort = (): void => {
            finish();
            reject(signal?.reason);
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          if (timeout !== undefined) {
            timer = setTimeout(() => {
              finish();
              resolve('timeout');
            }, timeout);
          }
        });
        if (woke === 'timeout') throw new DOMException('fake: getStatusChange timed out', 'UnknownError');
      }
    });
  }

  private stateOf(s: SmartCardReaderStateIn): SmartCardReaderStateOut {
    const r = this.api.readers.get(s.readerName);
    if (!r || !r.attached) {
      return { readerName: s.readerName, eventState: { unknown: true, unavailable: true, changed: true }, eventCount: r?.eventCount ?? 0 };
    }
    const eventState = r.eventState();
    const known = s.currentState;
    const differs =
      known.unaware === true ||
      COMPARED_FLAGS.some((f) => (known[f] === true) !== (eventState[f] === true)) ||
      (s.currentCount !== undefined && s.currentCount !== r.eventCount);
    const out: SmartCardReaderStateOut = { readerName: r.name, eventState: { ...eventState, changed: differs }, eventCount: r.eventCount };
    if (r.card) out.answerToReset = toArrayBuffer(r.card.atr);
    return out;
  }

  connect(readerName: string, accessMode: SmartCardAccessMode, options: SmartCardConnectOptions = {}): Promise<SmartCardConnectResult> {
    return this.run('connect', async () => {
      this.api.log.push(`connect ${readerName} ${accessMode} ${(options.preferredProtocols ?? []).join(',')}`);
      if (this.api.denyPermission) throw new DOMException('fake: the user denied access', 'NotAllowedError');
      const r = this.api.readers.get(readerName);
      if (!r) throw new FakeSmartCardError('unknown-reader');
      if (!r.attached) throw new FakeSmartCardError('reader-unavailable');
      if (!r.card) throw new FakeSmartCardError('no-smartcard');
      const others = [...r.connections];
      if (r.otherAppExclusive || others.some((c) => c.mode === 'exclusive') || (accessMode === 'exclusive' && others.length > 0)) {
        throw new FakeSmartCardError('sharing-violation');
      }
      const cardProtocol = r.card.protocol ?? 't1';
      const offered = options.preferredProtocols ?? [];
      if (!offered.includes(cardProtocol)) throw new FakeSmartCardError('proto-mismatch');
      const conn = new FakeConnection(this, r, accessMode, cardProtocol);
      r.connections.add(conn);
      this.api.changed();
      return { connection: conn, activeProtocol: cardProtocol };
    });
  }
}

export class FakeConnection implements SmartCardConnectionLike {
  open = true;
  readonly generation: number;
  private resetsSeen: number;
  /** Dispositions passed to disconnect(), in order. */
  readonly disconnects: SmartCardDisposition[] = [];

  constructor(
    readonly context: FakeContext,
    readonly reader: FakeReader,
    readonly mode: SmartCardAccessMode,
    readonly protocol: SmartCardProtocol,
  ) {
    this.generation = reader.generation;
    this.resetsSeen = reader.resets;
  }

  /** The PC/SC checks every call on a handle goes through. */
  private checkHandle(): void {
    if (!this.open) throw invalidState('fake: connection is disconnected');
    if (!this.reader.attached) throw new FakeSmartCardError('reader-unavailable');
    if (this.reader.generation !== this.generation) throw new FakeSmartCardError('removed-card');
    if (this.reader.resets !== this.resetsSeen) {
      this.resetsSeen = this.reader.resets;
      throw new FakeSmartCardError('reset-card');
    }
  }

  transmit(sendBuffer: Uint8Array, options: SmartCardTransmitOptions = {}): Promise<ArrayBuffer> {
    const apdu = Uint8Array.from(sendBuffer); // the spec copies the buffer source
    return this.context.run('transmit', async () => {
      this.context.api.log.push(`transmit ${this.reader.name} ${toHex(apdu)}`);
      this.checkHandle();
      if (options.protocol !== undefined && options.protocol !== this.protocol) throw new FakeSmartCardError('proto-mismatch');
      const card = this.reader.card;
      if (!card) throw new FakeSmartCardError('removed-card');
      const gone = this.reader.whenGone();
      const answer = await Promise.race([card.respond(apdu).then((r) => ({ r })), gone.then((why) => ({ why }))]);
      if ('why' in answer) throw new FakeSmartCardError(answer.why === 'removed' ? 'removed-card' : 'reader-unavailable');
      return toArrayBuffer(answer.r);
    });
  }

  status(): Promise<SmartCardConnectionStatus> {
    return this.context.run('status', async () => {
      this.context.api.log.push(`status ${this.reader.name}`);
      this.checkHandle();
      const card = this.reader.card;
      if (!card) throw new FakeSmartCardError('removed-card');
      return { readerName: this.reader.name, state: this.protocol, answerToReset: toArrayBuffer(card.atr) };
    });
  }

  disconnect(disposition: SmartCardDisposition = 'leave'): Promise<void> {
    return this.context.run('disconnect', async () => {
      if (!this.open) throw invalidState('fake: already disconnected');
      this.context.api.log.push(`disconnect ${this.reader.name} ${disposition}`);
      this.disconnects.push(disposition);
      this.open = false;
      this.reader.connections.delete(this);
      this.context.api.changed();
    });
  }
}

// ---- cards ----

/** A card that answers every command with `data || 90 00`, computed by `fn`, and records what it saw. */
export function recordingCard(atr: Uint8Array, fn: (apdu: Uint8Array) => Uint8Array = () => Uint8Array.of(0x90, 0x00)): FakeCard & { seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  return {
    atr,
    seen,
    respond: async (apdu) => {
      seen.push(apdu);
      return fn(apdu);
    },
  };
}

/** A card whose answers the test gives by hand: each command waits in `pending` until resolved. */
export function manualCard(atr: Uint8Array): FakeCard & { pending: Array<{ apdu: Uint8Array; answer: Deferred<Uint8Array> }>; next(): Promise<{ apdu: Uint8Array; answer: Deferred<Uint8Array> }> } {
  const pending: Array<{ apdu: Uint8Array; answer: Deferred<Uint8Array> }> = [];
  let waiter: Deferred<void> | null = null;
  return {
    atr,
    pending,
    respond: (apdu) => {
      const answer = deferred<Uint8Array>();
      pending.push({ apdu, answer });
      waiter?.resolve();
      return answer.promise;
    },
    async next() {
      while (pending.length === 0) {
        waiter = deferred<void>();
        await waiter.promise;
      }
      return pending.shift()!;
    },
  };
}
