import { ByteReader } from '../bytes/index.ts';

/**
 * ISO/IEC 7816-4 §5.1 command and response APDUs.
 *
 *   Command APDU = CLA INS P1 P2 [Lc field] [data field] [Le field]
 *
 *   | case | short form                  | extended form                         |
 *   |------|-----------------------------|---------------------------------------|
 *   | 1    | header                      | header                                |
 *   | 2    | header Le(1)                | header 00 Le(2)                       |
 *   | 3    | header Lc(1) data           | header 00 Lc(2) data                  |
 *   | 4    | header Lc(1) data Le(1)     | header 00 Lc(2) data Le(2)            |
 *
 *   Lc: 1..255 (short), 1..65535 (extended). Le = Ne, the maximum expected response length:
 *   short 01..FF = 1..255, 00 = 256; extended 0001..FFFF = 1..65535, 0000 = 65536.
 *   In case 4 extended, Le is 2 bytes (no leading 00). Short and extended fields are never
 *   mixed in one APDU.
 *
 *   Response APDU = [data field] SW1 SW2
 */
export const HEADER_LENGTH = 4;
export const SHORT_MAX_LC = 255;
export const SHORT_MAX_NE = 256;
export const EXTENDED_MAX_LC = 65535;
export const EXTENDED_MAX_NE = 65536;

/** A command APDU as fields. `ne` absent = no Le field. */
export interface Command {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Ne: 1..65536, or undefined for no Le field. */
  ne?: number;
}

export interface ParsedCommand extends Required<Pick<Command, 'cla' | 'ins' | 'p1' | 'p2'>> {
  data: Uint8Array;
  ne: number | undefined;
  extended: boolean;
  /** ISO 7816-3 case 1..4. */
  case: 1 | 2 | 3 | 4;
}

export interface Response {
  data: Uint8Array;
  /** SW1 << 8 | SW2 */
  sw: number;
}

/** A malformed APDU (bad length fields, out-of-range values). */
export class ApduFormatError extends Error {
  override name = 'ApduFormatError';
}

function checkByte(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ApduFormatError(`${what} must be a byte, got ${v}`);
}

/** True when the command cannot be written in short form. */
export function needsExtended(cmd: Command): boolean {
  return (cmd.data?.length ?? 0) > SHORT_MAX_LC || (cmd.ne ?? 0) > SHORT_MAX_NE;
}

/**
 * Encode a command. Short form is used when it fits, unless `extended` forces the extended
 * form; an APDU that does not fit short form is always extended.
 */
export function encodeCommand(cmd: Command, opts: { extended?: boolean } = {}): Uint8Array {
  checkByte(cmd.cla, 'CLA');
  checkByte(cmd.ins, 'INS');
  checkByte(cmd.p1, 'P1');
  checkByte(cmd.p2, 'P2');
  const data = cmd.data ?? new Uint8Array(0);
  const ne = cmd.ne;
  if (data.length > EXTENDED_MAX_LC) throw new ApduFormatError(`data of ${data.length} bytes exceeds ${EXTENDED_MAX_LC}`);
  if (ne !== undefined && (!Number.isInteger(ne) || ne < 1 || ne > EXTENDED_MAX_NE)) {
    throw new ApduFormatError(`Ne must be 1..${EXTENDED_MAX_NE}, got ${ne}`);
  }
  const ext = opts.extended === true || needsExtended(cmd);
  const out: number[] = [cmd.cla, cmd.ins, cmd.p1, cmd.p2];
  if (!ext) {
    if (data.length > 0) out.push(data.length, ...data);
    if (ne !== undefined) out.push(ne === SHORT_MAX_NE ? 0 : ne);
    return Uint8Array.from(out);
  }
  const hasData = data.length > 0;
  const hasLe = ne !== undefined;
  if (!hasData && !hasLe) return Uint8Array.from(out); // case 1 has no extended form
  out.push(0);
  if (hasData) out.push(data.length >> 8, data.length & 0xff);
  const head = Uint8Array.from(out);
  const le = hasLe ? (ne === EXTENDED_MAX_NE ? [0, 0] : [ne >> 8, ne & 0xff]) : [];
  const buf = new Uint8Array(head.length + data.length + le.length);
  buf.set(head, 0);
  buf.set(data, head.length);
  buf.set(le, head.length + data.length);
  return buf;
}

/** Decode a command APDU strictly per ISO 7816-3 §12.1.3; anything else is ApduFormatError. */
export function parseCommand(apdu: Uint8Array): ParsedCommand {
  if (apdu.length < HEADER_LENGTH) throw new ApduFormatError(`APDU of ${apdu.length} bytes is shorter than the header`);
  const [cla, ins, p1, p2] = apdu;
  const base = { cla, ins, p1, p2 };
  const L = apdu.length;
  if (L === 4) return { ...base, data: new Uint8Array(0), ne: undefined, extended: false, case: 1 };
  const c5 = apdu[4];
  if (L === 5) return { ...base, data: new Uint8Array(0), ne: c5 === 0 ? 256 : c5, extended: false, case: 2 };
  if (c5 !== 0) {
    if (L === 5 + c5) return { ...base, data: apdu.slice(5), ne: undefined, extended: false, case: 3 };
    if (L === 6 + c5) {
      const le = apdu[L - 1];
      return { ...base, data: apdu.slice(5, 5 + c5), ne: le === 0 ? 256 : le, extended: false, case: 4 };
    }
    throw new ApduFormatError(`short Lc ${c5} does not match an APDU of ${L} bytes`);
  }
  // c5 == 0 and L > 5: extended
  if (L < 7) throw new ApduFormatError(`extended APDU of ${L} bytes is too short`);
  const r = new ByteReader(apdu.subarray(5));
  const c67 = r.u16be();
  if (L === 7) return { ...base, data: new Uint8Array(0), ne: c67 === 0 ? 65536 : c67, extended: true, case: 2 };
  if (c67 === 0) throw new ApduFormatError('extended Lc of 0 with more bytes after it');
  if (L === 7 + c67) return { ...base, data: apdu.slice(7), ne: undefined, extended: true, case: 3 };
  if (L === 9 + c67) {
    const le = (apdu[L - 2] << 8) | apdu[L - 1];
    return { ...base, data: apdu.slice(7, 7 + c67), ne: le === 0 ? 65536 : le, extended: true, case: 4 };
  }
  throw new ApduFormatError(`extended Lc ${c67} does not match an APDU of ${L} bytes`);
}

/** Split a response APDU into data and status word. */
export function parseResponse(rapdu: Uint8Array): Response {
  if (rapdu.length < 2) throw new ApduFormatError(`response of ${rapdu.length} bytes has no status word`);
  return { data: rapdu.slice(0, -2), sw: (rapdu[rapdu.length - 2] << 8) | rapdu[rapdu.length - 1] };
}

/** Join data and status word into a response APDU. */
export function encodeResponse(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
