/**
 * A card's side of ISO/IEC 7816-3 §11 T=1, for tests: it follows the block rules strictly
 * (wrong N(S), broken chaining, oversize blocks, unexpected blocks all get an R-block with an
 * error indication) and plays scripted faults addressed by the number of the reply.
 *
 * Reply numbering: every receiveBlock() call produces reply n (1, 2, 3, ...), whether that
 * reply is delivered, lost or garbled. A fault `{ at: n }` acts on reply n. Faults that insert
 * a block (wtx, ifs-request, abort) make reply n that inserted block; the reply the card would
 * otherwise have given comes later, so later replies shift by one.
 */
import { concat } from '../../src/bytes/index.ts';
import { TransportAbortedError } from '../../src/card/transport-errors.ts';
import {
  buildBlock,
  DEFAULT_IFS,
  describeBlock,
  LEN_OFFSET,
  nadMatches,
  parseBlock,
  PCB_OFFSET,
  replyNad,
  T1BlockError,
  type Bit,
  type IBlock,
  type RBlock,
  type SBlock,
  type T1Block,
} from '../../src/card/transports/webusb-ccid/t1/block.ts';
import { computeEdc, edcSize, type EdcKind } from '../../src/card/transports/webusb-ccid/t1/edc.ts';
import { T1LinkError, type T1Link } from '../../src/card/transports/webusb-ccid/t1/link.ts';
import { PCB_I_RFU, PCB_R_RFU, R_ERROR_EDC, R_ERROR_NONE, R_ERROR_OTHER, type RError } from '../../src/card/transports/webusb-ccid/t1/pcb.ts';

/** How a garbled reply is broken on the wire. */
export type T1Garble =
  /** last EDC byte flipped */
  | 'edc'
  /** LEN one more than the INF carried (or FF) */
  | 'len'
  /** last byte missing */
  | 'truncate'
  /** an RFU PCB bit set, EDC recomputed so that only the PCB is wrong */
  | 'pcb'
  /** a NAD that is not the expected one, EDC recomputed */
  | 'nad';

export type T1Fault =
  /** Replies at..at+count-1 never arrive (the reader reports ICC mute). count may be Infinity. */
  | { kind: 'lose'; at: number; count?: number }
  /** Replies at..at+count-1 arrive broken. */
  | { kind: 'garble'; at: number; how?: T1Garble; count?: number }
  /** The host's block that reply n answers is taken as received with an EDC/parity error (R-block, error 1). */
  | { kind: 'reject'; at: number }
  /** Reply n is S(WTX request) with this multiplier; the real reply follows the S(WTX response). */
  | { kind: 'wtx'; at: number; multiplier: number }
  /** Reply n is S(IFS request) announcing a new IFSC; the real reply follows the S(IFS response). */
  | { kind: 'ifs-request'; at: number; ifsc: number }
  /** Reply n is S(ABORT request) instead of the next step of a chain (host's or card's); after S(ABORT response) the card gives the turn back with R(N(R)). */
  | { kind: 'abort'; at: number }
  /** Reply n, an I-block, goes out with the wrong N(S) (EDC valid). */
  | { kind: 'bad-seq'; at: number };

export interface T1CardOptions {
  /** The card's IFSC (its ATR TA3): the largest INF it accepts. Default 32. */
  ifsc?: number;
  /** The IFSD the card assumes until S(IFS request). Default 32. */
  ifsd?: number;
  faults?: T1Fault[];
  edc?: EdcKind;
  /** The host's NAD; the card answers with source and destination swapped. Default 0. */
  nad?: number;
}

export interface T1CardLogEntry {
  n: number;
  received: string;
  sent: string | null;
  faults: string[];
}

/** Largest command the card collects from a chain. */
const MAX_CARD_COMMAND = 65544;

export class T1Card {
  /** N(S) of the card's next I-block. */
  private ns: Bit = 0;
  /** N(S) expected in the host's next I-block. */
  private nr: Bit = 0;
  private ifsc: number;
  private ifsd: number;
  private readonly initialIfsc: number;
  private readonly initialIfsd: number;
  private readonly edc: EdcKind;
  private readonly hostNad: number;
  private readonly nad: number;
  /** Command chain received so far. */
  private rx: Uint8Array[] = [];
  private rxTotal = 0;
  /** Response being sent as a chain. */
  private tx: { data: Uint8Array; offset: number } | null = null;
  /** The card's last I-block, until the host acknowledges it. */
  private lastI: IBlock | null = null;
  /** The card's last R-block, resent when the host did not get it (rule 7.2). */
  private lastR: RBlock | null = null;
  /** The card sent an S(... request) and waits for the response; `then` gives the reply after it. */
  private awaiting: { request: SBlock; then: () => T1Block } | null = null;
  private replies = 0;
  private readonly faults: T1Fault[];
  private readonly fired = new Set<T1Fault>();
  /** One line per reply, for assertions and failure messages. */
  readonly log: T1CardLogEntry[] = [];
  /** Each complete command APDU the card ran, in order. */
  readonly commands: Uint8Array[] = [];

  constructor(
    private readonly handleApdu: (apdu: Uint8Array) => Promise<Uint8Array>,
    opts: T1CardOptions = {},
  ) {
    this.initialIfsc = this.ifsc = opts.ifsc ?? DEFAULT_IFS;
    this.initialIfsd = this.ifsd = opts.ifsd ?? DEFAULT_IFS;
    this.faults = opts.faults ?? [];
    this.edc = opts.edc ?? 'lrc';
    this.hostNad = opts.nad ?? 0;
    this.nad = replyNad(this.hostNad);
  }

  /** The card's protocol state, for assertions. */
  get state(): { ns: Bit; nr: Bit; ifsc: number; ifsd: number; replies: number } {
    return { ns: this.ns, nr: this.nr, ifsc: this.ifsc, ifsd: this.ifsd, replies: this.replies };
  }

  /** Faults that never acted (a test whose fault did not fire proves nothing). */
  unfiredFaults(): T1Fault[] {
    return this.faults.filter((f) => !this.fired.has(f));
  }

  /** Takes one block from the host; returns the card's reply block, or null when the reply is lost (the reader then reports ICC mute → the link throws T1LinkError). */
  async receiveBlock(block: Uint8Array): Promise<Uint8Array | null> {
    const n = ++this.replies;
    const here = this.faults.filter((f) => this.covers(f, n));
    const names: string[] = [];
    const fire = (f: T1Fault): void => {
      this.fired.add(f);
      names.push(f.kind);
    };

    let received: T1Block | null = null;
    let receivedText: string;
    let rError: RError = R_ERROR_OTHER;
    const reject = here.find((f) => f.kind === 'reject');
    if (reject) {
      fire(reject);
      receivedText = 'rejected';
    } else {
      try {
        const frame = parseBlock(block, { edc: this.edc });
        if (!nadMatches(frame.nad, this.hostNad)) throw new T1BlockError(`NAD ${frame.nad}`, 'nad');
        received = frame.block;
        receivedText = describeBlock(received);
      } catch (e) {
        if (!(e instanceof T1BlockError)) throw e;
        receivedText = `invalid (${e.message})`;
        rError = e.rError;
      }
    }

    let reply: T1Block;
    if (received === null) {
      reply = this.invalid(reject ? R_ERROR_EDC : rError);
    } else {
      const abort = here.find((f) => f.kind === 'abort');
      if (abort) {
        fire(abort);
        reply = this.abortChain(received);
      } else {
        reply = await this.process(received);
      }
    }

    // Blocks the card puts before its reply.
    const insert = here.find((f) => f.kind === 'wtx' || f.kind === 'ifs-request');
    if (insert) {
      if (reply.kind === 'S') throw new Error(`T1Card fault ${insert.kind} at reply ${n}: the reply is ${describeBlock(reply)}, not an I- or R-block`);
      fire(insert);
      const held = reply;
      if (insert.kind === 'wtx') {
        reply = { kind: 'S', fn: 'wtx', response: false, value: insert.multiplier };
        this.awaiting = { request: reply, then: () => this.emit(held) };
      } else {
        const v = insert.ifsc;
        reply = { kind: 'S', fn: 'ifs', response: false, value: v };
        this.awaiting = {
          request: reply,
          then: () => {
            this.ifsc = v;
            return this.emit(held);
          },
        };
      }
    }

    let bytes: Uint8Array | null = buildBlock(reply, { nad: this.nad, edc: this.edc });
    const badSeq = here.find((f) => f.kind === 'bad-seq');
    if (badSeq) {
      if (reply.kind !== 'I') throw new Error(`T1Card fault bad-seq at reply ${n}: the reply is ${describeBlock(reply)}`);
      fire(badSeq);
      bytes = buildBlock({ ...reply, ns: (reply.ns ^ 1) as Bit }, { nad: this.nad, edc: this.edc });
    }
    const garble = here.find((f) => f.kind === 'garble');
    if (garble) {
      fire(garble);
      bytes = this.garble(bytes, garble.how ?? 'edc');
    }
    const lose = here.find((f) => f.kind === 'lose');
    if (lose) {
      fire(lose);
      bytes = null;
    }
    this.log.push({ n, received: receivedText, sent: bytes === null ? null : describeBlock(reply), faults: names });
    return bytes;
  }

  private covers(f: T1Fault, n: number): boolean {
    if (f.kind === 'lose' || f.kind === 'garble') return n >= f.at && n < f.at + (f.count ?? 1);
    return n === f.at;
  }

  /** Records what the card sends (for retransmission) and returns it. */
  private emit<B extends T1Block>(b: B): B {
    if (b.kind === 'R') this.lastR = b;
    if (b.kind === 'I') this.lastI = b;
    return b;
  }

  /** Rule 7.1-7.3 seen from the card: the host's block was invalid or broke the rules. */
  private invalid(error: RError): T1Block {
    if (this.awaiting) return this.awaiting.request; // rule 7.3: resend our S(... request)
    return this.emit({ kind: 'R', nr: this.nr, error });
  }

  private async process(b: T1Block): Promise<T1Block> {
    // Rule 6: the host may resynchronise at any time.
    if (b.kind === 'S' && b.fn === 'resynch' && !b.response) {
      this.ns = 0;
      this.nr = 0;
      this.ifsc = this.initialIfsc;
      this.ifsd = this.initialIfsd;
      this.clearChains();
      this.awaiting = null;
      return { kind: 'S', fn: 'resynch', response: true };
    }
    if (this.awaiting) {
      const req = this.awaiting.request;
      const matches = b.kind === 'S' && b.response && b.fn === req.fn && ('value' in req ? 'value' in b && b.value === req.value : true);
      if (!matches) return this.invalid(R_ERROR_OTHER);
      const then = this.awaiting.then;
      this.awaiting = null;
      return then();
    }
    switch (b.kind) {
      case 'S':
        return this.processS(b);
      case 'R':
        return this.processR(b);
      case 'I':
        return this.processI(b);
    }
  }

  private chainInProgress(): boolean {
    return this.rx.length > 0 || (this.lastI !== null && this.lastI.more);
  }

  private clearChains(): void {
    this.rx = [];
    this.rxTotal = 0;
    this.tx = null;
    this.lastI = null;
    this.lastR = null;
  }

  private processS(b: SBlock): T1Block {
    if (b.response) return this.invalid(R_ERROR_OTHER); // nothing asked
    switch (b.fn) {
      case 'ifs':
        if (this.chainInProgress()) return this.invalid(R_ERROR_OTHER);
        this.ifsd = b.value;
        return { kind: 'S', fn: 'ifs', response: true, value: b.value };
      case 'abort':
        if (!this.chainInProgress()) return this.invalid(R_ERROR_OTHER);
        this.clearChains();
        return { kind: 'S', fn: 'abort', response: true };
      default:
        return this.invalid(R_ERROR_OTHER); // S(WTX request) is the card's alone
    }
  }

  private processR(b: RBlock): T1Block {
    const last = this.lastI;
    if (last) {
      if (b.nr === last.ns) return last; // the host asks for our I-block again
      if (last.more) return this.nextChunk(); // rule 5: chained block acknowledged
      return this.invalid(R_ERROR_OTHER);
    }
    if (this.lastR) return this.lastR; // rule 7.2: the host did not get our R-block
    return this.invalid(R_ERROR_OTHER);
  }

  private async processI(b: IBlock): Promise<T1Block> {
    if (this.lastI?.more) return this.invalid(R_ERROR_OTHER); // our chain needs an R-block, not an I-block
    if (b.ns !== this.nr) return this.invalid(R_ERROR_OTHER);
    if (b.inf.length > this.ifsc) return this.invalid(R_ERROR_OTHER);
    if (this.rxTotal + b.inf.length > MAX_CARD_COMMAND) return this.invalid(R_ERROR_OTHER);
    this.nr = (this.nr ^ 1) as Bit;
    this.lastI = null; // the host's I-block acknowledges our last one
    this.rx.push(b.inf);
    this.rxTotal += b.inf.length;
    if (b.more) return this.emit({ kind: 'R', nr: this.nr, error: R_ERROR_NONE });
    const apdu = concat(...this.rx);
    this.rx = [];
    this.rxTotal = 0;
    this.lastR = null;
    this.commands.push(apdu.slice());
    const response = await this.handleApdu(apdu);
    this.tx = { data: response, offset: 0 };
    return this.nextChunk();
  }

  private nextChunk(): IBlock {
    const tx = this.tx!;
    const len = Math.min(this.ifsd, tx.data.length - tx.offset);
    const inf = tx.data.slice(tx.offset, tx.offset + len);
    tx.offset += len;
    const more = tx.offset < tx.data.length;
    if (!more) this.tx = null;
    const block: IBlock = { kind: 'I', ns: this.ns, more, inf };
    this.ns = (this.ns ^ 1) as Bit;
    return this.emit(block);
  }

  /** The abort fault: S(ABORT request) in place of the next step of a chain. */
  private abortChain(b: T1Block): T1Block {
    const hostChain = b.kind === 'I' && b.more && b.ns === this.nr && !this.lastI?.more && !this.awaiting;
    const cardChain = b.kind === 'R' && this.lastI !== null && this.lastI.more && b.nr !== this.lastI.ns && !this.awaiting;
    if (!hostChain && !cardChain) {
      throw new Error(`T1Card fault abort: ${describeBlock(b)} does not continue a chain`);
    }
    const request: SBlock = { kind: 'S', fn: 'abort', response: false };
    this.awaiting = {
      request,
      then: () => {
        this.clearChains();
        return this.emit({ kind: 'R', nr: this.nr, error: R_ERROR_NONE });
      },
    };
    return request;
  }

  private garble(bytes: Uint8Array, how: T1Garble): Uint8Array {
    const out = bytes.slice();
    const covered = (b: Uint8Array): Uint8Array => {
      const ed = edcSize(this.edc);
      const body = b.subarray(0, b.length - ed);
      return concat(body, computeEdc(this.edc, body));
    };
    switch (how) {
      case 'edc':
        out[out.length - 1] ^= 0x01;
        return out;
      case 'len':
        out[LEN_OFFSET] = Math.min(0xff, out[LEN_OFFSET] + 1);
        return out;
      case 'truncate':
        return out.slice(0, out.length - 1);
      case 'pcb': {
        const pcb = out[PCB_OFFSET];
        if ((pcb & 0x80) === 0) out[PCB_OFFSET] = pcb | PCB_I_RFU;
        else if ((pcb & 0xc0) === 0x80) out[PCB_OFFSET] = pcb | PCB_R_RFU;
        else out[PCB_OFFSET] = pcb | 0x04; // S function 4..7: RFU
        return covered(out);
      }
      case 'nad':
        out[0] = out[0] === 0x12 ? 0x21 : 0x12;
        return covered(out);
    }
  }
}

/** Scripted events of a T1CardLink. */
export interface T1LinkScript {
  /** At exchange n (1-based), throw this error instead of delivering the block. */
  failAt?: { n: number; error: Error };
  /** Called before exchange n is delivered (e.g. to abort a controller). */
  before?: (n: number) => void;
  /** Called after exchange n has been answered, before the reply is returned. */
  after?: (n: number) => void;
}

export interface T1Exchange {
  sent: Uint8Array;
  received: Uint8Array | null;
  bwtMultiplier: number;
}

/** An in-memory T1Link to a T1Card: a lost reply becomes T1LinkError('mute'), like a CCID reader's ICC mute. */
export class T1CardLink implements T1Link {
  readonly exchanges: T1Exchange[] = [];

  constructor(
    readonly card: T1Card,
    private readonly script: T1LinkScript = {},
  ) {}

  async exchangeBlock(block: Uint8Array, opts: { bwtMultiplier: number; signal?: AbortSignal }): Promise<Uint8Array> {
    const n = this.exchanges.length + 1;
    this.script.before?.(n);
    if (opts.signal?.aborted) throw new TransportAbortedError();
    const sent = block.slice();
    if (this.script.failAt?.n === n) {
      this.exchanges.push({ sent, received: null, bwtMultiplier: opts.bwtMultiplier });
      throw this.script.failAt.error;
    }
    const received = await this.card.receiveBlock(sent);
    this.exchanges.push({ sent, received, bwtMultiplier: opts.bwtMultiplier });
    this.script.after?.(n);
    if (received === null) throw new T1LinkError('ICC mute', 'mute');
    return received;
  }
}
