import { encodeCommand, parseCommand, type Command, ApduFormatError } from '../apdu.ts';
import { SW_OK } from '../status-words.ts';
import { CLA_CHAINING_BIT } from './get-response.ts';
import { sw1Of, sw2Of, type Exchange } from './exchange.ts';

/**
 * ISO/IEC 7816-4 §5.4.1 command chaining: a command whose data is too long for one APDU is sent
 * as a chain of APDUs with the same INS P1 P2. Every APDU but the last has CLA b5 (0x10) set
 * and no Le; the card answers each with 90 00; the last has the class as given and carries Le.
 *
 *   | piece   | CLA        | Lc        | Le        | card answers          |
 *   |---------|------------|-----------|-----------|-----------------------|
 *   | 1..n-1  | CLA | 0x10 | <= max    | absent    | 90 00                 |
 *   | n       | CLA        | rest      | Ne        | the command's answer  |
 */
export interface CommandChainingOptions {
  /** Largest command data per APDU. Default 255 (short Lc). */
  maxData?: number;
}

/** The pieces of `cmd` as commands (the last one keeps `cmd.ne`). */
export function chainPieces(cmd: Command, maxData: number): Command[] {
  if (!Number.isInteger(maxData) || maxData < 1) throw new RangeError(`maxData must be at least 1, got ${maxData}`);
  if ((cmd.cla & CLA_CHAINING_BIT) !== 0) throw new ApduFormatError('command already has the chaining bit set');
  const data = cmd.data ?? new Uint8Array(0);
  if (data.length <= maxData) return [cmd];
  const out: Command[] = [];
  for (let at = 0; at < data.length; at += maxData) {
    const last = at + maxData >= data.length;
    const piece = data.subarray(at, Math.min(at + maxData, data.length));
    out.push(last ? { ...cmd, data: piece } : { cla: cmd.cla | CLA_CHAINING_BIT, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: piece });
  }
  return out;
}

/**
 * Send `pieces` (from chainPieces) in order. Stops at the first non-final piece that is not
 * answered 90 00 and returns that answer (the card refused the chain); otherwise returns the
 * answer to the last piece. Each encoded piece is wiped after it is sent.
 */
export async function sendChain(exchange: Exchange, pieces: Uint8Array[], signal?: AbortSignal): Promise<Uint8Array> {
  try {
    for (let i = 0; i < pieces.length - 1; i++) {
      const r = await exchange(pieces[i], signal);
      if (r.length < 2 || ((sw1Of(r) << 8) | sw2Of(r)) !== SW_OK) return r;
    }
    return await exchange(pieces[pieces.length - 1], signal);
  } finally {
    for (const p of pieces) p.fill(0);
  }
}

/** Processor: commands with more than `maxData` bytes of data are sent as ISO command chains. */
export function commandChaining(exchange: Exchange, opts: CommandChainingOptions = {}): Exchange {
  const maxData = opts.maxData ?? 255;
  return async (apdu, signal) => {
    const cmd = parseCommand(apdu);
    if (cmd.data.length <= maxData) return exchange(apdu, signal);
    const pieces = chainPieces(cmd, maxData).map((c) => encodeCommand(c));
    cmd.data.fill(0);
    return sendChain(exchange, pieces, signal);
  };
}
