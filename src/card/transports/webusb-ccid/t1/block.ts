import { ByteReader } from '../../../../bytes/index.ts';
import { computeEdc, edcSize, type EdcKind } from './edc.ts';
import {
  PCB_I_MORE,
  PCB_I_NS,
  PCB_I_RFU,
  PCB_R_BLOCK,
  PCB_R_ERROR_MASK,
  PCB_R_NR,
  PCB_R_RFU,
  PCB_RS_MASK,
  PCB_S_BLOCK,
  PCB_S_FUNCTION_MASK,
  PCB_S_RESPONSE,
  PCB_TYPE_MASK,
  R_ERROR_EDC,
  R_ERROR_NONE,
  R_ERROR_OTHER,
  S_FUNCTION_CODES,
  S_FUNCTION_NAMES,
  type RError,
} from './pcb.ts';

/**
 * ISO/IEC 7816-3:2006 §11.3.1 block frame (Figure 17):
 *
 *   |            prologue field (mandatory)          | information field | epilogue field (mandatory) |
 *   | node address NAD | protocol control PCB | length LEN | INF (optional)  | EDC                        |
 *   | 1 byte           | 1 byte               | 1 byte     | 0 to 254 bytes  | LRC 1 byte or CRC 2 bytes  |
 *
 * §11.3.2.1 NAD: b7..b5 destination node address (DAD), b3..b1 source node address (SAD);
 * b8 and b4 are not used (the card sets them to 0, the interface device ignores them).
 * 'FF' is invalid (it is reserved for PPSS). Without addressing, NAD = '00'.
 * §11.3.2.3 LEN: the number of INF bytes, '00' to 'FE'; 'FF' is RFU.
 *
 * §11.3.3 INF by block kind:
 *   | I-block           | application data, 0..IFS bytes                                      |
 *   | R-block           | absent                                                                |
 *   | S(RESYNCH)/S(ABORT) | absent                                                              |
 *   | S(IFS ...)        | one byte: the new IFS, '01' to 'FE' ('00' and 'FF' RFU)              |
 *   | S(WTX ...)        | one byte: the multiplier of BWT (webtke: '01' to 'FF', 0 is refused) |
 */
export const NAD_OFFSET = 0;
export const PCB_OFFSET = 1;
export const LEN_OFFSET = 2;
export const PROLOGUE_SIZE = 3;
export const MAX_INF = 254;
export const LEN_RFU = 0xff;
export const NAD_INVALID = 0xff;
/** NAD bits b8 and b4: not used. */
export const NAD_UNUSED_BITS = 0x88;
export const NAD_DAD_MASK = 0x70;
export const NAD_SAD_MASK = 0x07;
/** IFS values allowed in S(IFS ...) and for IFSC/IFSD. */
export const MIN_IFS = 0x01;
export const MAX_IFS = 0xfe;
/** Default IFSC (without TA3) and IFSD (before S(IFS request)), §11.4.2. */
export const DEFAULT_IFS = 32;
export const MIN_WTX = 0x01;
export const MAX_WTX = 0xff;
/** The largest block on the wire: prologue, 254 INF bytes, CRC. */
export const MAX_BLOCK_SIZE = PROLOGUE_SIZE + MAX_INF + 2;

export type Bit = 0 | 1;

export interface IBlock {
  kind: 'I';
  ns: Bit;
  more: boolean;
  inf: Uint8Array;
}
export interface RBlock {
  kind: 'R';
  nr: Bit;
  error: RError;
}
export type SBlock =
  | { kind: 'S'; fn: 'resynch' | 'abort'; response: boolean }
  | { kind: 'S'; fn: 'ifs' | 'wtx'; response: boolean; value: number };
export type T1Block = IBlock | RBlock | SBlock;

export interface T1Frame {
  nad: number;
  block: T1Block;
}

export type T1BlockErrorReason =
  | 'truncated'
  | 'length-rfu'
  | 'length-mismatch'
  | 'edc'
  | 'nad'
  | 'pcb-rfu'
  | 'inf'
  | 'field';

/**
 * A block that is not a valid T=1 block. `rError` is the R-block error code the receiver
 * answers with (§11.6.3 rule 7.1): 1 for an EDC error, 2 for every other error.
 */
export class T1BlockError extends Error {
  override name = 'T1BlockError';
  readonly rError: RError;
  constructor(
    message: string,
    readonly reason: T1BlockErrorReason,
  ) {
    super(message);
    this.rError = reason === 'edc' ? R_ERROR_EDC : R_ERROR_OTHER;
  }
}

export interface FrameOptions {
  /** NAD byte to write (build) — default 0. */
  nad?: number;
  edc: EdcKind;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Short form for logs and messages: I(0,M) I(1) R(0,err=1) S(WTX req 5) ... */
export function describeBlock(b: T1Block): string {
  switch (b.kind) {
    case 'I':
      return `I(${b.ns}${b.more ? ',M' : ''}; ${b.inf.length} bytes)`;
    case 'R':
      return `R(${b.nr}${b.error ? `,err=${b.error}` : ''})`;
    case 'S': {
      const v = b.fn === 'ifs' || b.fn === 'wtx' ? ` ${b.value}` : '';
      return `S(${b.fn.toUpperCase()} ${b.response ? 'response' : 'request'}${v})`;
    }
  }
}

/** The PCB of a block (validating its fields). */
export function encodePcb(b: T1Block): number {
  switch (b.kind) {
    case 'I':
      return (b.ns ? PCB_I_NS : 0) | (b.more ? PCB_I_MORE : 0);
    case 'R':
      if (b.error !== R_ERROR_NONE && b.error !== R_ERROR_EDC && b.error !== R_ERROR_OTHER) {
        throw new T1BlockError(`R-block error code ${b.error as number} is RFU`, 'field');
      }
      return PCB_R_BLOCK | (b.nr ? PCB_R_NR : 0) | b.error;
    case 'S':
      return PCB_S_BLOCK | (b.response ? PCB_S_RESPONSE : 0) | S_FUNCTION_CODES[b.fn];
  }
}

function checkInfValue(b: SBlock, value: number, where: 'build' | 'parse'): void {
  const reason: T1BlockErrorReason = where === 'build' ? 'field' : 'inf';
  if (b.fn === 'ifs' && !(Number.isInteger(value) && value >= MIN_IFS && value <= MAX_IFS)) {
    throw new T1BlockError(`S(IFS) value ${value} is outside ${MIN_IFS}..${MAX_IFS}`, reason);
  }
  if (b.fn === 'wtx' && !(Number.isInteger(value) && value >= MIN_WTX && value <= MAX_WTX)) {
    throw new T1BlockError(`S(WTX) multiplier ${value} is outside ${MIN_WTX}..${MAX_WTX}`, reason);
  }
}

/** Encode one block: NAD PCB LEN INF EDC. */
export function buildBlock(b: T1Block, opts: FrameOptions): Uint8Array {
  const nad = opts.nad ?? 0;
  if (!Number.isInteger(nad) || nad < 0 || nad >= NAD_INVALID) throw new T1BlockError(`NAD ${nad} is not 00..FE`, 'field');
  const pcb = encodePcb(b);
  let inf: Uint8Array;
  if (b.kind === 'I') {
    if (b.inf.length > MAX_INF) throw new T1BlockError(`I-block INF of ${b.inf.length} bytes exceeds ${MAX_INF}`, 'field');
    inf = b.inf;
  } else if (b.kind === 'S' && (b.fn === 'ifs' || b.fn === 'wtx')) {
    checkInfValue(b, b.value, 'build');
    inf = Uint8Array.of(b.value);
  } else {
    inf = new Uint8Array(0);
  }
  const ed = edcSize(opts.edc);
  const out = new Uint8Array(PROLOGUE_SIZE + inf.length + ed);
  out[NAD_OFFSET] = nad;
  out[PCB_OFFSET] = pcb;
  out[LEN_OFFSET] = inf.length;
  out.set(inf, PROLOGUE_SIZE);
  out.set(computeEdc(opts.edc, out.subarray(0, PROLOGUE_SIZE + inf.length)), PROLOGUE_SIZE + inf.length);
  return out;
}

/** Decode the PCB and INF into a block; throws T1BlockError for RFU codings. */
export function decodeBlock(pcb: number, inf: Uint8Array): T1Block {
  if ((pcb & PCB_TYPE_MASK) === 0) {
    if (pcb & PCB_I_RFU) throw new T1BlockError(`I-block PCB ${hex2(pcb)} has RFU bits set`, 'pcb-rfu');
    return { kind: 'I', ns: pcb & PCB_I_NS ? 1 : 0, more: (pcb & PCB_I_MORE) !== 0, inf: inf.slice() };
  }
  if ((pcb & PCB_RS_MASK) === PCB_R_BLOCK) {
    const error = pcb & PCB_R_ERROR_MASK;
    if (pcb & PCB_R_RFU || error > R_ERROR_OTHER) throw new T1BlockError(`R-block PCB ${hex2(pcb)} is RFU`, 'pcb-rfu');
    if (inf.length !== 0) throw new T1BlockError(`R-block with ${inf.length} INF bytes`, 'inf');
    return { kind: 'R', nr: pcb & PCB_R_NR ? 1 : 0, error: error as RError };
  }
  const code = pcb & PCB_S_FUNCTION_MASK;
  const fn = S_FUNCTION_NAMES[code];
  if (fn === undefined) throw new T1BlockError(`S-block PCB ${hex2(pcb)} is RFU`, 'pcb-rfu');
  const response = (pcb & PCB_S_RESPONSE) !== 0;
  if (fn === 'ifs' || fn === 'wtx') {
    if (inf.length !== 1) throw new T1BlockError(`S(${fn.toUpperCase()}) with ${inf.length} INF bytes, expected 1`, 'inf');
    const b: SBlock = { kind: 'S', fn, response, value: inf[0] };
    checkInfValue(b, inf[0], 'parse');
    return b;
  }
  if (inf.length !== 0) throw new T1BlockError(`S(${fn.toUpperCase()}) with ${inf.length} INF bytes, expected none`, 'inf');
  return { kind: 'S', fn, response };
}

/**
 * Decode one received block strictly: the size must be exactly prologue + LEN + EDC, LEN not
 * 'FF', the EDC must match, NAD not 'FF', the PCB not RFU, and the INF must fit the block kind.
 */
export function parseBlock(bytes: Uint8Array, opts: { edc: EdcKind }): T1Frame {
  const ed = edcSize(opts.edc);
  if (bytes.length < PROLOGUE_SIZE + ed) {
    throw new T1BlockError(`block of ${bytes.length} bytes is shorter than prologue and EDC`, 'truncated');
  }
  const r = new ByteReader(bytes);
  const nad = r.u8();
  const pcb = r.u8();
  const len = r.u8();
  if (len === LEN_RFU) throw new T1BlockError('LEN is FF (RFU)', 'length-rfu');
  if (bytes.length !== PROLOGUE_SIZE + len + ed) {
    throw new T1BlockError(`LEN ${len} does not match a block of ${bytes.length} bytes`, 'length-mismatch');
  }
  const inf = r.bytes(len);
  const edc = r.bytes(ed);
  r.end();
  const want = computeEdc(opts.edc, bytes.subarray(0, PROLOGUE_SIZE + len));
  for (let i = 0; i < ed; i++) {
    if (edc[i] !== want[i]) throw new T1BlockError(`${opts.edc.toUpperCase()} mismatch`, 'edc');
  }
  if (nad === NAD_INVALID) throw new T1BlockError('NAD FF is invalid (reserved for PPSS)', 'nad');
  return { nad, block: decodeBlock(pcb, inf) };
}

/** The NAD a reply carries for a request sent with `nad`: source and destination swapped (b8, b4 clear). */
export function replyNad(nad: number): number {
  return ((nad & NAD_SAD_MASK) << 4) | ((nad & NAD_DAD_MASK) >> 4);
}

/** True when a received NAD matches `expected`, ignoring the unused bits b8 and b4. */
export function nadMatches(received: number, expected: number): boolean {
  return (received & ~NAD_UNUSED_BITS & 0xff) === (expected & ~NAD_UNUSED_BITS & 0xff);
}
