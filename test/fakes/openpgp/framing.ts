/**
 * The ISO/IEC 7816-4 framing a strict card applies around its applet, for the virtual OpenPGP
 * card (test only):
 *
 * - length fields must match the APDU (else 67 00); extended APDUs only when the card has
 *   extended length (else 67 00); command data over the card's maximum is 67 00;
 * - command chaining (CLA b5 = 10, §5.4.1): pieces are collected until the last one; a piece
 *   with Le, an empty piece, or a change of INS/P1/P2 in the middle is 68 83 and drops the
 *   chain; chaining off is 68 84;
 * - a response longer than Ne (short Le 00 = 256) or than the card's maximum response is cut
 *   there; the rest waits behind 61 xx (xx = bytes left, 00 = 256 or more) for GET RESPONSE
 *   (00 C0 00 00 Le); any other command drops it;
 * - class bytes other than 00 / 10 are 6E 00.
 *
 * The applet behind it sees whole commands: { ins, p1, p2, data, ne } with ne undefined when
 * the APDU had no Le field.
 */
import { parseCommand, type ParsedCommand } from '../../../src/card/apdu.ts';

export interface AppletCommand {
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  ne: number | undefined;
}

export interface AppletAnswer {
  data?: Uint8Array;
  sw: number;
}

export interface FramingOptions {
  extendedLength: boolean;
  chaining: boolean;
  /** Largest command data, chained or not. */
  maxCommand: number;
  /** Largest response data in one APDU. */
  maxResponse: number;
}

const INS_GET_RESPONSE = 0xc0;
const CHAIN_BIT = 0x10;

export const swOnly = (sw: number): Uint8Array => Uint8Array.of(sw >> 8, sw & 0xff);
export function withSw(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export class Framing {
  private chain: { ins: number; p1: number; p2: number; parts: Uint8Array[]; size: number } | null = null;
  private pending: Uint8Array | null = null;

  constructor(private readonly o: FramingOptions) {}

  /** Drop chains and pending responses (power cycle, SELECT). */
  reset(): void {
    this.chain = null;
    this.pending = null;
  }

  /** One APDU in, one response APDU out; `run` executes whole commands. */
  handle(apdu: Uint8Array, run: (cmd: AppletCommand) => AppletAnswer): Uint8Array {
    let cmd: ParsedCommand;
    try {
      cmd = parseCommand(apdu);
    } catch {
      this.reset();
      return swOnly(0x6700);
    }
    if (cmd.extended && !this.o.extendedLength) {
      this.reset();
      return swOnly(0x6700);
    }
    const chained = (cmd.cla & CHAIN_BIT) !== 0;
    if ((cmd.cla & ~CHAIN_BIT) !== 0x00) {
      this.reset();
      return swOnly(0x6e00);
    }
    if (cmd.ins === INS_GET_RESPONSE && !chained && !this.chain) return this.getResponse(cmd);
    this.pending = null;

    let data = cmd.data;
    if (chained || this.chain) {
      if (chained && !this.o.chaining) return swOnly(0x6884);
      if (this.chain && (this.chain.ins !== cmd.ins || this.chain.p1 !== cmd.p1 || this.chain.p2 !== cmd.p2)) {
        this.chain = null;
        return swOnly(0x6883);
      }
      if (chained) {
        if (cmd.ne !== undefined || cmd.data.length === 0) {
          this.chain = null;
          return swOnly(0x6883);
        }
        const c = this.chain ?? { ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, parts: [], size: 0 };
        c.parts.push(cmd.data);
        c.size += cmd.data.length;
        if (c.size > this.o.maxCommand) {
          this.chain = null;
          return swOnly(0x6700);
        }
        this.chain = c;
        return swOnly(0x9000);
      }
      const c = this.chain!;
      this.chain = null;
      data = new Uint8Array(c.size + cmd.data.length);
      let at = 0;
      for (const p of [...c.parts, cmd.data]) {
        data.set(p, at);
        at += p.length;
      }
    }
    if (data.length > this.o.maxCommand) return swOnly(0x6700);
    const answer = run({ ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data, ne: cmd.ne });
    const out = answer.data ?? new Uint8Array(0);
    if (out.length > 0 && cmd.ne === undefined) {
      // ISO 7816-4 case 3: a command without Le gets no response data.
      return swOnly(0x6700);
    }
    return this.respond(out, answer.sw, cmd.ne ?? 0);
  }

  private respond(data: Uint8Array, sw: number, ne: number): Uint8Array {
    const limit = Math.min(ne, this.o.maxResponse);
    if (data.length <= limit) return withSw(data, sw);
    this.pending = data.slice(limit);
    return withSw(data.subarray(0, limit), 0x6100 | (Math.min(this.pending.length, 256) & 0xff));
  }

  private getResponse(cmd: ParsedCommand): Uint8Array {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return swOnly(0x6a86);
    if (cmd.data.length !== 0 || cmd.ne === undefined) return swOnly(0x6700);
    const pending = this.pending;
    this.pending = null;
    if (!pending) return swOnly(0x6985);
    return this.respond(pending, 0x9000, cmd.ne);
  }
}
