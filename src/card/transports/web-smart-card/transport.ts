/**
 * CardTransport over the Web Smart Card API (navigator.smartCard, passed in).
 *
 * The browser hands APDUs to the operating system's PC/SC service (pcscd, WinSCard, ChromeOS's
 * smart-card stack), which runs T=0/T=1 itself. So this transport passes every APDU through
 * unchanged, extended-length ones included, and reads the ATR from status().
 *
 * Two PC/SC contexts are used, because a context runs one operation at a time (spec
 * [[operationInProgress]]): one owns the card connection and carries transmit(); the other
 * waits in getStatusChange() and raises card-removed / card-inserted.
 *
 * After the card was removed (or reset by another program, or the reader replugged) the PC/SC
 * handle is dead. The transmit that meets it fails with a typed error; the next transmit
 * reconnects, so a user who reinserts the card can repeat the step on the same transport.
 */
import type { CardEvent, CardTransport, ReaderInfo } from '../../transport.ts';
import {
  CardRemovedError,
  TransportAbortedError,
  TransportBusyError,
  TransportClosedError,
  TransportError,
} from '../../transport-errors.ts';
import type {
  SmartCardConnectionLike,
  SmartCardContextLike,
  SmartCardDisposition,
  SmartCardProtocol,
  SmartCardReaderStateOut,
  SmartCardResourceManagerLike,
} from './api.ts';
import { CardResetError, ReaderUnavailableError, UnsupportedCardError, mapSmartCardError, responseCodeOf } from './errors.ts';
import { knownStateFrom, presenceOf } from './reader-state.ts';

export interface OpenSmartCardReaderOptions {
  /**
   * 'exclusive' (default) keeps other programs off the card for the whole session, so nothing
   * can use a PIN verified by webtke between two of its commands. 'shared' lets other programs in.
   */
  access?: 'shared' | 'exclusive';
  /** Protocols offered to PC/SC, default ['t0', 't1']. */
  protocols?: Array<'t0' | 't1'>;
  /** What happens to the card at close(): default 'unpower' (the card forgets any verified PIN). */
  closeDisposition?: SmartCardDisposition;
  /** Watch for insertion and removal through a second context (default true). */
  watch?: boolean;
  /** How often to retry connect() on a sharing violation (default 2), e.g. while the OS probes a fresh card. */
  connectRetries?: number;
  /** Delay between those retries in ms (default 250). */
  retryDelayMs?: number;
  /** How long close() waits for a running exchange before disconnecting anyway (default 5000 ms). */
  closeWaitMs?: number;
  /** Cancels opening. */
  signal?: AbortSignal;
}

/** ReaderInfo of this transport; `note` says how extended APDUs are handled. */
export interface WebSmartCardReaderInfo extends ReaderInfo {
  readonly kind: 'web-smart-card';
  readonly extendedApdu: true;
  readonly note: string;
}

const EXTENDED_NOTE =
  'Extended-length APDUs are passed through unchanged; the operating system PC/SC service carries them to the card.';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TransportAbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new TransportAbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settle with `p`, unless one of the signals fires first: then reject with `onAbort(signal)`.
 * `p` keeps running; the caller decides what to do with it.
 */
function raceSignals<T>(p: Promise<T>, entries: Array<[AbortSignal | undefined, () => Error]>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanups: Array<() => void> = [];
    const done = (): void => cleanups.forEach((c) => c());
    for (const [signal, make] of entries) {
      if (!signal) continue;
      if (signal.aborted) {
        done();
        reject(make());
        return;
      }
      const on = (): void => {
        done();
        reject(make());
      };
      signal.addEventListener('abort', on, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', on));
    }
    p.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
  });
}

export class WebSmartCardTransport implements CardTransport {
  readonly reader: WebSmartCardReaderInfo;
  private conn: SmartCardConnectionLike | null = null;
  private protocol: SmartCardProtocol | undefined;
  private currentAtr: Uint8Array = new Uint8Array(0);
  /** The PC/SC handle is dead (card removed or reset, reader replugged): reconnect before the next exchange. */
  private stale = false;
  /** Last known card presence, shared by the watcher and transmit so each event is raised once. */
  private present = true;
  private closed = false;
  private closing: Promise<void> | null = null;
  private busy = false;
  /** The last exchange sent to PC/SC (settled or not); the next one starts after it. */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly closeCtl = new AbortController();
  private watchCtl: AbortController | null = null;
  private watchDone: Promise<void> = Promise.resolve();
  private readonly listeners = new Map<CardEvent, Set<() => void>>();
  private readonly opts: Required<Omit<OpenSmartCardReaderOptions, 'signal'>>;

  private constructor(
    private readonly api: SmartCardResourceManagerLike,
    private readonly ctx: SmartCardContextLike,
    readonly readerName: string,
    options: OpenSmartCardReaderOptions,
  ) {
    this.opts = {
      access: options.access ?? 'exclusive',
      protocols: options.protocols ?? ['t0', 't1'],
      closeDisposition: options.closeDisposition ?? 'unpower',
      watch: options.watch ?? true,
      connectRetries: options.connectRetries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 250,
      closeWaitMs: options.closeWaitMs ?? 5000,
    };
    this.reader = { name: readerName, kind: 'web-smart-card', extendedApdu: true, note: EXTENDED_NOTE };
  }

  /** Establish a context, connect to the card in `readerName`, read its ATR, start watching. */
  static async open(
    api: SmartCardResourceManagerLike,
    readerName: string,
    options: OpenSmartCardReaderOptions = {},
  ): Promise<WebSmartCardTransport> {
    if (options.signal?.aborted) throw new TransportAbortedError();
    let ctx: SmartCardContextLike;
    try {
      ctx = await api.establishContext();
    } catch (e) {
      throw mapSmartCardError(e, readerName, 'context setup');
    }
    const t = new WebSmartCardTransport(api, ctx, readerName, options);
    await t.connect(options.signal);
    if (t.opts.watch) t.startWatch();
    return t;
  }

  get atr(): Uint8Array {
    return this.currentAtr.slice();
  }

  /** The protocol PC/SC chose: 't0' or 't1'. */
  get activeProtocol(): SmartCardProtocol | undefined {
    return this.protocol;
  }

  on(event: CardEvent, listener: () => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  async transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.closed) throw new TransportClosedError();
    if (this.busy) throw new TransportBusyError();
    if (signal?.aborted) throw new TransportAbortedError();
    this.busy = true;
    try {
      const exchange = this.exchange(apdu, signal);
      this.tail = exchange.catch(() => undefined);
      return await raceSignals(exchange, [
        [signal, () => new TransportAbortedError()],
        [this.closeCtl.signal, () => new TransportClosedError()],
      ]);
    } finally {
      this.busy = false;
    }
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  // ---- internals ----

  private emit(event: CardEvent): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        l();
      } catch {
        // A listener's failure must not stop card tracking.
      }
    }
  }

  private cardGone(): void {
    this.stale = true;
    if (this.present) {
      this.present = false;
      this.emit('card-removed');
    }
  }

  private cardBack(): void {
    if (!this.present) {
      this.present = true;
      this.emit('card-inserted');
    }
  }

  private async connect(signal?: AbortSignal): Promise<void> {
    const name = this.readerName;
    let result;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await raceSignals(
          this.ctx.connect(name, this.opts.access, { preferredProtocols: [...this.opts.protocols] }),
          [[signal, () => new TransportAbortedError()]],
        );
        break;
      } catch (e) {
        if (responseCodeOf(e) === 'sharing-violation' && attempt < this.opts.connectRetries) {
          await sleep(this.opts.retryDelayMs, signal);
          continue;
        }
        throw mapSmartCardError(e, name, 'connect');
      }
    }
    const conn = result.connection;
    const protocol = result.activeProtocol;
    if (protocol !== 't0' && protocol !== 't1') {
      await conn.disconnect('leave').catch(() => undefined);
      throw new UnsupportedCardError(name, protocol === undefined ? 'no protocol' : `protocol ${protocol}`);
    }
    let atr: Uint8Array;
    try {
      const st = await conn.status();
      atr = st.answerToReset ? new Uint8Array(st.answerToReset.slice(0)) : new Uint8Array(0);
    } catch (e) {
      await conn.disconnect('leave').catch(() => undefined);
      throw mapSmartCardError(e, name, 'status');
    }
    this.conn = conn;
    this.protocol = protocol;
    this.currentAtr = atr;
    this.stale = false;
  }

  /** Drop a dead handle and connect again. Throws CardRemovedError when there is still no card. */
  private async reconnect(signal?: AbortSignal): Promise<void> {
    const old = this.conn;
    this.conn = null;
    if (old) await old.disconnect('leave').catch(() => undefined);
    await this.connect(signal);
    this.cardBack();
    if (this.opts.watch && !this.watchCtl) this.startWatch();
  }

  private async exchange(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    await this.tail; // an earlier exchange whose caller gave up may still be running in PC/SC
    if (this.closed) throw new TransportClosedError();
    if (signal?.aborted) throw new TransportAbortedError(); // never send a command the caller cancelled
    if (this.stale || !this.conn) await this.reconnect(signal);
    if (this.closed) throw new TransportClosedError();
    if (signal?.aborted) throw new TransportAbortedError();
    const conn = this.conn;
    if (!conn) throw new TransportClosedError();
    let raw: ArrayBuffer;
    try {
      raw = await conn.transmit(apdu, this.protocol ? { protocol: this.protocol } : {});
    } catch (e) {
      const err = mapSmartCardError(e, this.readerName, 'exchange');
      if (err instanceof CardRemovedError) this.cardGone();
      else if (err instanceof CardResetError || err instanceof ReaderUnavailableError) this.stale = true;
      if (err instanceof ReaderUnavailableError) this.cardGone();
      throw err;
    }
    const response = new Uint8Array(raw.slice(0));
    if (response.length < 2) {
      throw new TransportError(
        `The reader "${this.readerName}" returned ${response.length} bytes, without a status word.`,
        'Remove and reinsert the card, then repeat the step.',
      );
    }
    return response;
  }

  private startWatch(): void {
    const ctl = new AbortController();
    this.watchCtl = ctl;
    this.watchDone = this.watch(ctl.signal).finally(() => {
      if (this.watchCtl === ctl) this.watchCtl = null;
    });
  }

  private async watch(signal: AbortSignal): Promise<void> {
    let wctx: SmartCardContextLike;
    try {
      wctx = await this.api.establishContext();
    } catch {
      return; // no tracking context: transmit still reports removal through its errors
    }
    let last: SmartCardReaderStateOut | undefined;
    while (!signal.aborted) {
      let states: SmartCardReaderStateOut[];
      try {
        states = await wctx.getStatusChange(
          [
            last
              ? { readerName: this.readerName, currentState: knownStateFrom(last.eventState), currentCount: last.eventCount }
              : { readerName: this.readerName, currentState: { unaware: true } },
          ],
          { signal },
        );
      } catch (e) {
        if (signal.aborted) return;
        const code = responseCodeOf(e);
        if (code === 'reader-unavailable' || code === 'unknown-reader') this.cardGone();
        return; // stop tracking; a later reconnect starts it again
      }
      if (signal.aborted) return;
      const out = states.find((s) => s.readerName === this.readerName) ?? states[0];
      if (!out) return;
      const now = presenceOf(out);
      if (now.gone) {
        this.cardGone();
        return; // polling an unplugged reader would return at once, forever
      }
      const before = last ? presenceOf(last) : undefined;
      if (!now.cardPresent) {
        this.cardGone();
      } else if (before && before.cardPresent && now.eventCount - before.eventCount >= 2) {
        // removed and reinserted between two polls: the old handle is dead all the same
        this.cardGone();
        this.cardBack();
      } else if (before && !before.cardPresent) {
        this.cardBack();
      }
      last = out;
    }
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.closeCtl.abort();
    this.watchCtl?.abort();
    // disconnect() is refused while an exchange runs on the context: let it finish first.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.tail,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.opts.closeWaitMs);
      }),
    ]);
    clearTimeout(timer);
    const conn = this.conn;
    this.conn = null;
    if (conn) await conn.disconnect(this.opts.closeDisposition).catch(() => undefined);
    await this.watchDone;
    this.listeners.clear();
  }
}

/** Open the card in `readerName` through the Web Smart Card API (`api` = navigator.smartCard). */
export function openSmartCardReader(
  api: SmartCardResourceManagerLike,
  readerName: string,
  options?: OpenSmartCardReaderOptions,
): Promise<WebSmartCardTransport> {
  return WebSmartCardTransport.open(api, readerName, options);
}
