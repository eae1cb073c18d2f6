import { concat } from '../../../../bytes/index.ts';
import { TransportAbortedError, TransportBusyError } from '../../../transport-errors.ts';
import {
  buildBlock,
  DEFAULT_IFS,
  describeBlock,
  MAX_IFS,
  MIN_IFS,
  nadMatches,
  NAD_INVALID,
  NAD_UNUSED_BITS,
  parseBlock,
  replyNad,
  T1BlockError,
  type Bit,
  type IBlock,
  type SBlock,
  type T1Block,
} from './block.ts';
import type { EdcKind } from './edc.ts';
import { T1ProtocolError } from './errors.ts';
import { T1LinkError, type T1Link } from './link.ts';
import { R_ERROR_EDC, R_ERROR_NONE, R_ERROR_OTHER, type RError } from './pcb.ts';

export interface T1Options {
  /** IFSC from the ATR (TA3), or 32 without it: the largest INF the card accepts. */
  ifsc: number;
  /** The largest INF the host (reader) accepts; announced by negotiateIfsd(). */
  ifsd: number;
  /** NAD of our blocks (b7..b5 DAD, b3..b1 SAD); default 0 (no addressing). */
  nad?: number;
  /** Epilogue from TC3: LRC (default) or CRC. */
  edc?: EdcKind;
  /** Retransmissions per failed block before S(RESYNCH request); default 3 (ISO/IEC 7816-3 rule 7.4). */
  maxRetries?: number;
}

export const DEFAULT_MAX_RETRIES = 3;
export const MAX_RETRIES_LIMIT = 10;
/** Largest command APDU: extended case 4 = header 4 + Lc 3 + 65535 data + Le 2. */
export const MAX_COMMAND_APDU = 65544;
/** Largest response APDU: 65536 data bytes + SW1 SW2. */
export const MAX_RESPONSE_APDU = 65538;

/** Internal: a block failed more than maxRetries times in a row; the caller resynchronises. */
class RetriesExhausted extends Error {
  constructor(
    readonly why: string,
    /** The last I-block of the command went out at least once: the card may have run it. */
    readonly finalBlockSent: boolean,
  ) {
    super(why);
  }
}

type Received = { ok: true; block: T1Block } | { ok: false; rError: RError; why: string };

/** What the host waits for after its last block. */
type Awaiting =
  /** We sent an I-block: a chained one is acknowledged by R(N(S)+1), the last one by the card's I-block. */
  | { kind: 'i-reply' }
  /** We acknowledged a chained card I-block with R(N(R)): the next I-block of the chain follows. */
  | { kind: 'chain' }
  /** We sent an S(... request): the matching S(... response) follows. */
  | { kind: 's-reply'; request: SBlock; done: (b: SBlock) => Uint8Array | undefined }
  /** We answered S(ABORT request): the card gives the turn back with an R-block. */
  | { kind: 'abort-handover' };

function checkIfs(v: number, what: string): void {
  if (!Number.isInteger(v) || v < MIN_IFS || v > MAX_IFS) throw new RangeError(`${what} must be ${MIN_IFS}..${MAX_IFS}, got ${v}`);
}

/**
 * Host (interface device) side of the ISO/IEC 7816-3 §11 T=1 protocol over a T1Link.
 *
 * One session per card power-on. Not re-entrant: a second call while one runs is a
 * TransportBusyError. Errors other than T1LinkError (card removed, abort, closed) end the
 * call unchanged; the next call then starts with S(RESYNCH request), because the card may be
 * in the middle of a chain.
 */
export class T1Session {
  private readonly nad: number;
  private readonly expectNad: number;
  private readonly edc: EdcKind;
  private readonly maxRetries: number;
  /** N(S) of our next I-block. */
  private ns: Bit = 0;
  /** N(S) expected in the card's next I-block. */
  private nr: Bit = 0;
  private ifsc: number;
  /** IFSD the card currently assumes: 32 until S(IFS response). */
  private ifsd = DEFAULT_IFS;
  /** negotiateIfsd() succeeded once: after a resynchronisation it is repeated. */
  private ifsdWanted = false;
  private ifsdStale = false;
  private needsResynch = false;
  /** A block of an unfinished exchange is out: an error now leaves the card mid-exchange. */
  private midExchange = false;
  private busy = false;

  constructor(
    private readonly link: T1Link,
    private readonly options: T1Options,
  ) {
    checkIfs(options.ifsc, 'IFSC');
    checkIfs(options.ifsd, 'IFSD');
    const nad = options.nad ?? 0;
    const sad = nad & 0x07;
    const dad = (nad >> 4) & 0x07;
    if (!Number.isInteger(nad) || nad < 0 || nad >= NAD_INVALID || (nad & NAD_UNUSED_BITS) !== 0 || (sad === dad && sad !== 0)) {
      throw new RangeError(`NAD ${nad} is not a valid node address (b8, b4 zero; SAD = DAD only when both are 0)`);
    }
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
      throw new RangeError(`maxRetries must be 0..${MAX_RETRIES_LIMIT}, got ${maxRetries}`);
    }
    const edc = options.edc ?? 'lrc';
    if (edc !== 'lrc' && edc !== 'crc') throw new RangeError(`EDC must be 'lrc' or 'crc', got ${String(edc)}`);
    this.nad = nad;
    this.expectNad = replyNad(nad);
    this.edc = edc;
    this.maxRetries = maxRetries;
    this.ifsc = options.ifsc;
  }

  /** The IFSC in force (changed by the card's S(IFS request), reset by resynchronisation). */
  get currentIfsc(): number {
    return this.ifsc;
  }
  /** The IFSD the card was told (32 until negotiateIfsd()). */
  get currentIfsd(): number {
    return this.ifsd;
  }
  /** The send-sequence numbers: ours (N(S) of our next I-block) and the one expected from the card. */
  get sequence(): { host: Bit; card: Bit } {
    return { host: this.ns, card: this.nr };
  }

  /** S(IFS request) with our IFSD, once after power-on. */
  async negotiateIfsd(signal?: AbortSignal): Promise<void> {
    await this.operate(signal, false, () => this.negotiate(signal));
    this.ifsdWanted = true;
  }

  /** One whole APDU exchange: chains the command into I-blocks of at most IFSC, collects the chained response; returns the response APDU (data ‖ SW). */
  async transceive(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (!(apdu instanceof Uint8Array) || apdu.length < 1 || apdu.length > MAX_COMMAND_APDU) {
      throw new RangeError(`a command APDU has 1..${MAX_COMMAND_APDU} bytes`);
    }
    return this.operate(signal, true, () => this.converse(apdu, signal));
  }

  /**
   * Runs one operation with the recovery of rule 7.4: when a block fails more than
   * maxRetries times, S(RESYNCH request); then the operation starts again once, unless the
   * card may already have run the command.
   */
  private async operate<T>(signal: AbortSignal | undefined, renegotiate: boolean, run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new TransportBusyError();
    this.busy = true;
    try {
      for (let round = 0; ; round++) {
        try {
          if (this.needsResynch) await this.resynch(signal);
          if (renegotiate && this.ifsdStale) await this.negotiate(signal);
          const result = await run();
          this.midExchange = false;
          return result;
        } catch (e) {
          if (!(e instanceof RetriesExhausted)) throw e;
          await this.resynch(signal);
          if (e.finalBlockSent) {
            throw new T1ProtocolError(
              `T=1 exchange failed (${e.why}); the link was resynchronised, but the card may have run the command`,
              'outcome-unknown',
            );
          }
          if (round >= 1) {
            throw new T1ProtocolError(`T=1 exchange failed again after resynchronisation (${e.why})`, 'repeated-failure');
          }
        }
      }
    } catch (e) {
      if (this.midExchange) this.needsResynch = true;
      throw e;
    } finally {
      this.midExchange = false;
      this.busy = false;
    }
  }

  /** Sends one block and classifies the reply: a valid block, or an invalid/lost one with its R-block error code. */
  private async send(block: T1Block, bwtMultiplier: number, signal: AbortSignal | undefined): Promise<Received> {
    if (signal?.aborted) throw new TransportAbortedError();
    const bytes = buildBlock(block, { nad: this.nad, edc: this.edc });
    this.midExchange = true;
    let reply: Uint8Array;
    try {
      reply = await this.link.exchangeBlock(bytes, { bwtMultiplier, signal });
    } catch (e) {
      if (e instanceof T1LinkError) return { ok: false, rError: e.failure === 'parity' ? R_ERROR_EDC : R_ERROR_OTHER, why: e.message };
      throw e;
    } finally {
      bytes.fill(0);
    }
    let frame;
    try {
      frame = parseBlock(reply, { edc: this.edc });
    } catch (e) {
      if (e instanceof T1BlockError) return { ok: false, rError: e.rError, why: e.message };
      throw e;
    }
    if (!nadMatches(frame.nad, this.expectNad)) return { ok: false, rError: R_ERROR_OTHER, why: `reply NAD ${frame.nad}` };
    const b = frame.block;
    if (b.kind === 'I' && b.inf.length > this.options.ifsd) {
      return { ok: false, rError: R_ERROR_OTHER, why: `I-block of ${b.inf.length} bytes exceeds IFSD ${this.options.ifsd}` };
    }
    return { ok: true, block: b };
  }

  /** Rule 6: S(RESYNCH request), at most maxRetries times (at least once); resets N(S), N(R), IFSC and IFSD. */
  private async resynch(signal: AbortSignal | undefined): Promise<void> {
    const attempts = Math.max(1, this.maxRetries);
    for (let i = 0; i < attempts; i++) {
      const got = await this.send({ kind: 'S', fn: 'resynch', response: false }, 1, signal);
      if (got.ok && got.block.kind === 'S' && got.block.fn === 'resynch' && got.block.response) {
        this.ns = 0;
        this.nr = 0;
        this.ifsc = this.options.ifsc;
        this.ifsd = DEFAULT_IFS;
        this.ifsdStale = this.ifsdWanted;
        this.needsResynch = false;
        this.midExchange = false;
        return;
      }
    }
    this.needsResynch = true;
    throw new T1ProtocolError(`no valid S(RESYNCH response) after ${attempts} attempts`, 'resynch-failed');
  }

  /** Rule 4: S(IFS request) with our IFSD; the card answers S(IFS response) with the same value. */
  private async negotiate(signal: AbortSignal | undefined): Promise<void> {
    const value = this.options.ifsd;
    await this.converse(undefined, signal, {
      kind: 's-reply',
      request: { kind: 'S', fn: 'ifs', response: false, value },
      done: () => {
        this.ifsd = value;
        this.ifsdStale = false;
        return undefined;
      },
    });
  }

  /**
   * The block engine (§11.6). With an APDU: sends it as a chain of I-blocks and collects the
   * card's chained answer. Without: runs the given S(... request) to its response.
   */
  private async converse(apdu: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array>;
  private async converse(apdu: undefined, signal: AbortSignal | undefined, sRequest: Awaiting & { kind: 's-reply' }): Promise<Uint8Array | undefined>;
  private async converse(
    apdu: Uint8Array | undefined,
    signal: AbortSignal | undefined,
    sRequest?: Awaiting & { kind: 's-reply' },
  ): Promise<Uint8Array | undefined> {
    const command = apdu ?? new Uint8Array(0);
    /** Command bytes the card has acknowledged. */
    let acked = 0;
    /** Our unacknowledged I-block: its N(S), INF length and M bit. */
    let pending: { ns: Bit; len: number; more: boolean } | null = null;
    let finalSent = false;
    const parts: Uint8Array[] = [];
    let total = 0;
    let errors = 0;
    let bwt = 1;
    let awaiting: Awaiting;
    let next: T1Block;

    /** The I-block carrying the next unacknowledged command bytes (also the retransmission, re-cut to the current IFSC). */
    const chunk = (): IBlock => {
      const len = Math.min(this.ifsc, command.length - acked);
      const more = acked + len < command.length;
      pending = { ns: this.ns, len, more };
      if (!more) finalSent = true;
      return { kind: 'I', ns: this.ns, more, inf: command.subarray(acked, acked + len) };
    };
    /** Counts a failure (rule 7.4) and returns the block that asks for recovery (rules 7.1-7.3). */
    const failed = (rError: RError, why: string, retransmit?: () => T1Block): T1Block => {
      errors++;
      if (errors > this.maxRetries) throw new RetriesExhausted(why, finalSent);
      if (retransmit) return retransmit();
      // Rule 7.3: an unanswered S(... request) is sent again.
      if (awaiting.kind === 's-reply') return awaiting.request;
      // Rules 7.1, 7.2: an R-block asking for the I-block we expect.
      return { kind: 'R', nr: this.nr, error: rError };
    };
    const wipe = (): void => {
      for (const p of parts) p.fill(0);
    };

    if (sRequest) {
      awaiting = sRequest;
      next = sRequest.request;
    } else {
      awaiting = { kind: 'i-reply' };
      next = chunk();
    }

    try {
      for (;;) {
        const got = await this.send(next, bwt, signal);
        bwt = 1;
        if (!got.ok) {
          next = failed(got.rError, got.why);
          continue;
        }
        const b = got.block;

        // Rule 3: more time for the card. The multiplier applies to the next exchange only.
        if (b.kind === 'S' && b.fn === 'wtx' && !b.response) {
          next = { kind: 'S', fn: 'wtx', response: true, value: b.value };
          bwt = b.value;
          continue;
        }
        // Rule 4: the card announces a new IFSC; it applies to our following I-blocks.
        if (b.kind === 'S' && b.fn === 'ifs' && !b.response) {
          this.ifsc = b.value;
          next = { kind: 'S', fn: 'ifs', response: true, value: b.value };
          continue;
        }
        const abortRequest = b.kind === 'S' && b.fn === 'abort' && !b.response;

        switch (awaiting.kind) {
          case 'i-reply': {
            const p = pending!;
            if (b.kind === 'R') {
              if (b.nr === p.ns) {
                // The card asks again for our I-block: it did not receive it intact.
                next = failed(R_ERROR_OTHER, `card asked again for our I-block N(S) ${p.ns}`, chunk);
              } else if (p.more) {
                // Rule 5: chained block acknowledged; send the next one.
                acked += p.len;
                this.ns = (this.ns ^ 1) as Bit;
                errors = 0;
                next = chunk();
              } else {
                next = failed(R_ERROR_OTHER, 'R-block in reply to the last block of a command');
              }
              continue;
            }
            if (b.kind === 'I') {
              if (p.more) {
                next = failed(R_ERROR_OTHER, 'card sent an I-block before the command chain ended');
                continue;
              }
              if (b.ns !== this.nr) {
                next = failed(R_ERROR_OTHER, `card I-block has N(S) ${b.ns}, expected ${this.nr}`);
                continue;
              }
              // Rule 2: the card's I-block acknowledges our last one.
              this.ns = (this.ns ^ 1) as Bit;
              acked = command.length;
              pending = null;
              const r = this.takeCardBlock(b, parts, total);
              if (r === 'too-long') return this.abortResponse(b.more, signal);
              total += b.inf.length;
              errors = 0;
              if (!b.more) return concat(...parts);
              next = { kind: 'R', nr: this.nr, error: R_ERROR_NONE };
              awaiting = { kind: 'chain' };
              continue;
            }
            if (abortRequest && p.more) {
              next = { kind: 'S', fn: 'abort', response: true };
              awaiting = { kind: 'abort-handover' };
              continue;
            }
            next = failed(R_ERROR_OTHER, `unexpected ${describeBlock(b)} after an I-block`);
            continue;
          }
          case 'chain': {
            if (b.kind === 'I') {
              if (b.ns !== this.nr) {
                next = failed(R_ERROR_OTHER, `card I-block has N(S) ${b.ns}, expected ${this.nr}`);
                continue;
              }
              const r = this.takeCardBlock(b, parts, total);
              if (r === 'too-long') return this.abortResponse(b.more, signal);
              total += b.inf.length;
              errors = 0;
              if (!b.more) return concat(...parts);
              next = { kind: 'R', nr: this.nr, error: R_ERROR_NONE };
              continue;
            }
            if (abortRequest) {
              next = { kind: 'S', fn: 'abort', response: true };
              awaiting = { kind: 'abort-handover' };
              continue;
            }
            if (b.kind === 'R') {
              // Rule 7.2 seen from the card: it did not get our acknowledgement; send it again.
              next = failed(R_ERROR_OTHER, 'card did not receive our acknowledgement', () => ({ kind: 'R', nr: this.nr, error: R_ERROR_NONE }));
              continue;
            }
            next = failed(R_ERROR_OTHER, `unexpected ${describeBlock(b)} in a response chain`);
            continue;
          }
          case 's-reply': {
            const req = awaiting.request;
            if (b.kind === 'S' && b.response && b.fn === req.fn && ('value' in req ? 'value' in b && b.value === req.value : true)) {
              return awaiting.done(b);
            }
            next = failed(R_ERROR_OTHER, `unexpected ${describeBlock(b)} after ${describeBlock(req)}`);
            continue;
          }
          case 'abort-handover': {
            if (b.kind === 'R') {
              // Rule 9: the chain is abandoned; the card's R-block names the N(S) it expects next.
              this.ns = b.nr;
              this.midExchange = false;
              throw new T1ProtocolError('the card aborted the chain (S(ABORT request))', 'aborted-by-card');
            }
            next = failed(R_ERROR_OTHER, `unexpected ${describeBlock(b)} after S(ABORT response)`);
            continue;
          }
        }
      }
    } finally {
      wipe();
    }
  }

  /** Accepts the card's next I-block (N(S) already checked): advances N(R) and keeps its INF. */
  private takeCardBlock(b: IBlock, parts: Uint8Array[], total: number): 'ok' | 'too-long' {
    this.nr = (this.nr ^ 1) as Bit;
    if (total + b.inf.length > MAX_RESPONSE_APDU) {
      b.inf.fill(0);
      return 'too-long';
    }
    parts.push(b.inf);
    return 'ok';
  }

  /**
   * The card's answer outgrew any response APDU. When more blocks were coming, abort its chain
   * (rule 9) first. The command has run, so a failure here is never answered by sending it again.
   */
  private async abortResponse(chained: boolean, signal: AbortSignal | undefined): Promise<never> {
    if (chained) {
      try {
        await this.converse(undefined, signal, {
          kind: 's-reply',
          request: { kind: 'S', fn: 'abort', response: false },
          done: () => undefined,
        });
      } catch (e) {
        if (e instanceof RetriesExhausted) throw new RetriesExhausted(e.why, true);
        throw e;
      }
    }
    this.midExchange = false;
    throw new T1ProtocolError(`the card's answer exceeds ${MAX_RESPONSE_APDU} bytes`, 'response-too-long');
  }
}
