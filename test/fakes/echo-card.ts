/**
 * A strict ISO/IEC 7816-4 test card: echo, records, a generator and a PIN, behind any
 * transport (memory, the fake CCID reader, T1Card). Its interface is the card function
 * `(apdu) => Promise<response>`, the same one the PIV and OpenPGP virtual cards will use.
 *
 * Commands (CLA 80 for its own, 00 for the ISO ones; CLA b5 = chaining):
 *
 *   | command       | APDU                        | answer                                   |
 *   |---------------|-----------------------------|------------------------------------------|
 *   | ECHO          | 80 EE 00 00 Lc data Le      | data                                     |
 *   | PUT RECORD    | 80 DA 00 00 Lc data         | 90 00, the record is kept                |
 *   | GET RECORD    | 80 CA 00 00 Le              | the record                               |
 *   | GENERATE      | 80 E2 P1 P2 Le              | n = P1 P2 bytes, byte i = (i * 31 + 7) mod 256 |
 *   | VERIFY        | 00 20 00 81 [Lc PIN]        | 90 00, 63 Cx (x tries left), 69 83       |
 *   | GET RESPONSE  | 00/80 C0 00 00 Le           | the next part of the last answer         |
 *
 * Rules it enforces (the answers a careful real card gives):
 * - an APDU whose length fields do not match its length, or an extended APDU when the card has
 *   no extended length, is 67 00; ECHO without data or Le, GENERATE/GET RECORD with data, are 67 00;
 * - a response longer than Ne (or than 256 for a short command) is cut at Ne, and the rest is
 *   offered with 61 xx (xx = what is left, 00 = 256 or more) for GET RESPONSE;
 * - GENERATE and GET RECORD (case 2) in short form with Ne below the exact length n (n <= 256)
 *   answer 6C n, as T=0 cards do;
 * - command chains (CLA | 10) collect data until the last piece; a piece with Le, or a different
 *   INS/P1/P2 in the middle of a chain, is 68 83 and drops the chain; chaining off is 68 84;
 * - unknown class 6E 00, unknown instruction 6D 00, bad P1-P2 6A 86.
 */
import { parseCommand, type ParsedCommand } from '../../src/card/apdu.ts';

export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;

export const ECHO_CLA = 0x80;
export const INS_ECHO = 0xee;
export const INS_PUT_RECORD = 0xda;
export const INS_GET_RECORD = 0xca;
export const INS_GENERATE = 0xe2;
export const INS_VERIFY = 0x20;
export const INS_GET_RESPONSE = 0xc0;
export const PIN_REFERENCE = 0x81;

export interface EchoCardOptions {
  /** Accepts extended-length APDUs. Default true. */
  extended?: boolean;
  /** Accepts command chaining. Default true. */
  chaining?: boolean;
  /** Largest chained command data. Default 65535. */
  maxChain?: number;
  /** The PIN (ASCII). Default "123456". */
  pin?: string;
  /** PIN tries. Default 3. */
  pinTries?: number;
}

const sw = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
function withSw(data: Uint8Array, s: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = s >> 8;
  out[data.length + 1] = s & 0xff;
  return out;
}

export class EchoCard {
  /** Every APDU received, as sent (copies). */
  readonly received: Uint8Array[] = [];
  private record = new Uint8Array(0);
  private pending: Uint8Array | null = null;
  private chain: { ins: number; p1: number; p2: number; cla: number; parts: Uint8Array[]; size: number } | null = null;
  private triesLeft: number;
  private verified = false;
  private readonly pin: Uint8Array;
  private readonly o: Required<Omit<EchoCardOptions, 'pin'>>;

  constructor(opts: EchoCardOptions = {}) {
    this.o = { extended: opts.extended ?? true, chaining: opts.chaining ?? true, maxChain: opts.maxChain ?? 65535, pinTries: opts.pinTries ?? 3 };
    this.pin = new TextEncoder().encode(opts.pin ?? '123456');
    this.triesLeft = this.o.pinTries;
  }

  /** The card function. */
  readonly handle: CardFunction = async (apdu) => {
    this.received.push(apdu.slice());
    return this.process(apdu);
  };

  get pinTriesLeft(): number {
    return this.triesLeft;
  }
  get pinVerified(): boolean {
    return this.verified;
  }

  private process(apdu: Uint8Array): Uint8Array {
    let cmd: ParsedCommand;
    try {
      cmd = parseCommand(apdu);
    } catch {
      this.chain = null;
      this.pending = null;
      return sw(0x6700);
    }
    if (cmd.extended && !this.o.extended) {
      this.chain = null;
      this.pending = null;
      return sw(0x6700);
    }
    const cla = cmd.cla & ~0x10;
    const chained = (cmd.cla & 0x10) !== 0;
    if (cla !== ECHO_CLA && cla !== 0x00) return sw(0x6e00);
    if (cmd.ins === INS_GET_RESPONSE && !chained && !this.chain) return this.getResponse(cmd);
    this.pending = null;

    // Command chaining (ISO/IEC 7816-4 §5.4.1).
    if (chained || this.chain) {
      if (chained && !this.o.chaining) return sw(0x6884);
      if (this.chain && (this.chain.ins !== cmd.ins || this.chain.p1 !== cmd.p1 || this.chain.p2 !== cmd.p2 || this.chain.cla !== cla)) {
        this.chain = null;
        return sw(0x6883);
      }
      if (chained) {
        if (cmd.ne !== undefined || cmd.data.length === 0) {
          this.chain = null;
          return sw(0x6883);
        }
        const c = this.chain ?? { ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, cla, parts: [], size: 0 };
        c.parts.push(cmd.data);
        c.size += cmd.data.length;
        if (c.size > this.o.maxChain) {
          this.chain = null;
          return sw(0x6700);
        }
        this.chain = c;
        return sw(0x9000);
      }
      // The last piece.
      const c = this.chain!;
      this.chain = null;
      const all = new Uint8Array(c.size + cmd.data.length);
      let at = 0;
      for (const p of [...c.parts, cmd.data]) {
        all.set(p, at);
        at += p.length;
      }
      cmd = { ...cmd, data: all, case: cmd.ne === undefined ? 3 : 4 };
    }
    return this.execute(cla, cmd);
  }

  private execute(cla: number, cmd: ParsedCommand): Uint8Array {
    if (cla === 0x00 && cmd.ins === INS_VERIFY) return this.verify(cmd);
    if (cla !== ECHO_CLA) return sw(0x6d00);
    switch (cmd.ins) {
      case INS_ECHO:
        if (cmd.p1 !== 0 || cmd.p2 !== 0) return sw(0x6a86);
        if (cmd.data.length === 0 || cmd.ne === undefined) return sw(0x6700);
        return this.answer(cmd.data, cmd);
      case INS_PUT_RECORD:
        if (cmd.p1 !== 0 || cmd.p2 !== 0) return sw(0x6a86);
        if (cmd.data.length === 0 || cmd.ne !== undefined) return sw(0x6700);
        this.record = cmd.data.slice();
        return sw(0x9000);
      case INS_GET_RECORD:
        if (cmd.p1 !== 0 || cmd.p2 !== 0) return sw(0x6a86);
        if (cmd.data.length !== 0 || cmd.ne === undefined) return sw(0x6700);
        return this.answerCase2(this.record, cmd);
      case INS_GENERATE: {
        if (cmd.data.length !== 0 || cmd.ne === undefined) return sw(0x6700);
        const n = (cmd.p1 << 8) | cmd.p2;
        if (n === 0) return sw(0x6a86);
        return this.answerCase2(generated(n), cmd);
      }
      default:
        return sw(0x6d00);
    }
  }

  /** Case 2 in short form with Ne below an exact length of at most 256: 6C xx. */
  private answerCase2(data: Uint8Array, cmd: ParsedCommand): Uint8Array {
    if (!cmd.extended && data.length <= 256 && data.length > 0 && cmd.ne! < data.length) return sw(0x6c00 | (data.length & 0xff));
    return this.answer(data, cmd);
  }

  /** At most Ne bytes now (Ne <= 256 for a short command); the rest behind 61 xx. */
  private answer(data: Uint8Array, cmd: ParsedCommand): Uint8Array {
    const limit = cmd.ne!;
    if (data.length <= limit) return withSw(data, 0x9000);
    this.pending = data.slice(limit);
    return withSw(data.subarray(0, limit), 0x6100 | Math.min(this.pending.length, 256) & 0xff);
  }

  private getResponse(cmd: ParsedCommand): Uint8Array {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return sw(0x6a86);
    if (cmd.data.length !== 0 || cmd.ne === undefined) return sw(0x6700);
    const pending = this.pending;
    this.pending = null;
    if (!pending) return sw(0x6985);
    const part = pending.subarray(0, cmd.ne);
    const rest = pending.subarray(part.length);
    if (rest.length === 0) return withSw(part, 0x9000);
    this.pending = rest.slice();
    return withSw(part, 0x6100 | Math.min(rest.length, 256) & 0xff);
  }

  private verify(cmd: ParsedCommand): Uint8Array {
    if (cmd.p1 !== 0 || cmd.p2 !== PIN_REFERENCE) return sw(0x6a86);
    if (cmd.ne !== undefined) return sw(0x6700);
    if (cmd.data.length === 0) {
      if (this.triesLeft === 0) return sw(0x6983);
      return sw(this.verified ? 0x9000 : 0x63c0 | this.triesLeft);
    }
    if (this.triesLeft === 0) return sw(0x6983);
    const ok = cmd.data.length === this.pin.length && cmd.data.every((b, i) => b === this.pin[i]);
    if (ok) {
      this.triesLeft = this.o.pinTries;
      this.verified = true;
      return sw(0x9000);
    }
    this.verified = false;
    this.triesLeft--;
    return sw(0x63c0 | this.triesLeft);
  }
}

/** The GENERATE pattern: byte i = (i * 31 + 7) mod 256. */
export function generated(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}
