/**
 * A CardTransport over an in-process card: a function from command APDU to response APDU.
 * For tests and for virtual cards. It keeps the contract of the real transports: one exchange
 * at a time (TransportBusyError), abort (TransportAbortedError), card removal
 * (CardRemovedError and 'card-removed'), close (TransportClosedError).
 *
 * The card function never sees two calls at once: after an aborted exchange, the next one
 * waits until the card has finished the abandoned call.
 */
import type { CardEvent, CardTransport, ReaderInfo } from '../../transport.ts';
import { CardRemovedError } from '../../transport-errors.ts';
import { shortApduExchange } from '../../processors/short-apdu.ts';
import type { Exchange } from '../../processors/exchange.ts';
import { CardEvents } from '../card-events.ts';
import { ExchangeGate, throwIfAborted, whenAborted } from '../exchange-gate.ts';

/** The in-process card: command APDU in, response APDU (data ‖ SW) out. */
export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;

export interface MemoryTransportOptions {
  atr?: Uint8Array;
  name?: string;
  /**
   * Whether the card function takes extended APDUs. When false, extended APDUs are sent to it
   * as command chains and GET RESPONSE (shortApduExchange). Default true.
   */
  extendedApdu?: boolean;
}

export class MemoryTransport implements CardTransport {
  readonly reader: ReaderInfo;
  private currentAtr: Uint8Array;
  private card: CardFunction | null;
  private readonly events = new CardEvents();
  private readonly gate = new ExchangeGate();
  /** Settles when the card's last call has finished (even if its caller gave up). */
  private tail: Promise<unknown> = Promise.resolve();
  private readonly exchange: Exchange;

  constructor(card: CardFunction, opts: MemoryTransportOptions = {}) {
    this.card = card;
    this.currentAtr = opts.atr?.slice() ?? new Uint8Array(0);
    const extendedApdu = opts.extendedApdu ?? true;
    this.reader = { name: opts.name ?? 'In-memory card', kind: 'memory', extendedApdu };
    const raw: Exchange = (apdu, signal) => this.callCard(apdu, signal);
    this.exchange = extendedApdu ? raw : shortApduExchange(raw);
  }

  get atr(): Uint8Array {
    return this.currentAtr;
  }

  /** Whether a card is in the (virtual) slot. */
  get present(): boolean {
    return this.card !== null;
  }

  transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    return this.gate.run(signal, async (inner) => {
      if (!this.card) throw new CardRemovedError('No card is in the reader.');
      return this.exchange(apdu, inner);
    });
  }

  private async callCard(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const card = this.card;
    if (!card) throw new CardRemovedError();
    const abort = signal ? whenAborted(signal) : undefined;
    try {
      const before = this.tail;
      await (abort ? Promise.race([before, abort.promise]) : before);
      throwIfAborted(signal);
      if (this.card !== card) throw new CardRemovedError();
      const call = card(apdu.slice());
      this.tail = call.catch(() => {});
      const r = await (abort ? Promise.race([call, abort.promise]) : call);
      if (this.card !== card) throw new CardRemovedError();
      return r;
    } finally {
      abort?.dispose();
    }
  }

  on(event: CardEvent, listener: () => void): () => void {
    return this.events.on(event, listener);
  }

  /** Take the card out: a running exchange fails with CardRemovedError; 'card-removed' fires. */
  removeCard(): void {
    if (!this.card) return;
    this.card = null;
    this.gate.cancel(new CardRemovedError());
    this.events.emit('card-removed');
  }

  /** Put a card in (with its ATR, if it differs): 'card-inserted' fires. */
  insertCard(card: CardFunction, atr?: Uint8Array): void {
    this.card = card;
    this.tail = Promise.resolve(); // a call still running on the old card does not hold up the new one
    if (atr) this.currentAtr = atr.slice();
    this.events.emit('card-inserted');
  }

  async close(): Promise<void> {
    if (this.gate.isClosed) return;
    this.gate.close();
    this.card = null;
    this.events.clear();
  }
}

/** Shorthand for new MemoryTransport(card, opts). */
export function openMemoryTransport(card: CardFunction, opts?: MemoryTransportOptions): MemoryTransport {
  return new MemoryTransport(card, opts);
}
