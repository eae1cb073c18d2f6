/**
 * Answer-to-reset (ISO/IEC 7816-3 §8.2).
 *
 *   | byte  | meaning                                                            |
 *   |-------|--------------------------------------------------------------------|
 *   | TS    | 3B direct convention, 3F inverse convention                        |
 *   | T0    | Y1 (b8-b5: TA1 TB1 TC1 TD1 present) and K (b4-b1: historical bytes)  |
 *   | TAi   | present when Yi b5; TA1 = Fi/Di, TA2 = specific mode, TAi (i>2, T=1) = IFSC |
 *   | TBi   | present when Yi b6; TBi (i>2, T=1) = BWI (b8-b5) and CWI (b4-b1)   |
 *   | TCi   | present when Yi b7; TC1 = extra guard time N, TC2 = WI (T=0), TCi (i>2, T=1) b1 = EDC (1 CRC, 0 LRC) |
 *   | TDi   | present when Yi b8; b8-b5 = Y(i+1), b4-b1 = protocol T of the next group |
 *   | T1..TK| historical bytes                                                   |
 *   | TCK   | check byte, absent when only T=0 is indicated; T0 ^ ... ^ TCK = 0   |
 *
 * The ATR is at most 33 bytes (TS and 32 more). T=15 in a TDi marks global interface bytes,
 * not a protocol.
 */

export const ATR_MAX_LENGTH = 33;
export const TS_DIRECT = 0x3b;
export const TS_INVERSE = 0x3f;
const Y_TA = 0x10;
const Y_TB = 0x20;
const Y_TC = 0x40;
const Y_TD = 0x80;
/** ISO/IEC 7816-3 §11.4 defaults for T=1. */
export const T1_DEFAULT_IFSC = 32;
export const T1_DEFAULT_BWI = 4;
export const T1_DEFAULT_CWI = 13;
const T_GLOBAL = 15;

export class AtrError extends Error {
  override name = 'AtrError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`ATR: ${message} (offset ${offset})`);
  }
}

/** One interface-byte group i (1-based) with the protocol its TD(i-1) named (group 1: none). */
export interface AtrGroup {
  readonly index: number;
  /** T from TD(i-1); undefined for group 1. */
  readonly protocol: number | undefined;
  readonly ta?: number;
  readonly tb?: number;
  readonly tc?: number;
  readonly td?: number;
}

export interface T1Parameters {
  /** Information field size of the card, 1..254 (TA(i) for T=1, default 32). */
  readonly ifsc: number;
  /** Block waiting time integer 0..9 (TB(i) b8-b5, default 4). */
  readonly bwi: number;
  /** Character waiting time integer 0..15 (TB(i) b4-b1, default 13). */
  readonly cwi: number;
  /** Error detection code (TC(i) b1). */
  readonly edc: 'lrc' | 'crc';
}

export interface Atr {
  readonly raw: Uint8Array;
  readonly convention: 'direct' | 'inverse';
  readonly groups: readonly AtrGroup[];
  /** Transmission protocols offered (T=15 excluded), ascending; [0] when no TD1. */
  readonly protocols: readonly number[];
  /** TA1 (Fi index b8-b5, Di index b4-b1), default 0x11. */
  readonly ta1: number;
  /** TC1, extra guard time N, default 0. */
  readonly extraGuardTime: number;
  /** TA2 present: the card is in specific mode. */
  readonly specificMode: boolean;
  readonly historical: Uint8Array;
  /** TCK when present. */
  readonly tck: number | undefined;
  /** T=1 parameters when T=1 is offered. */
  readonly t1: T1Parameters | undefined;
}

/** Parse and check an ATR strictly; bad structure or TCK is an AtrError. */
export function parseAtr(raw: Uint8Array): Atr {
  if (raw.length < 2) throw new AtrError(`${raw.length} bytes is too short`, raw.length);
  if (raw.length > ATR_MAX_LENGTH) throw new AtrError(`${raw.length} bytes is longer than ${ATR_MAX_LENGTH}`, ATR_MAX_LENGTH);
  const ts = raw[0];
  if (ts !== TS_DIRECT && ts !== TS_INVERSE) throw new AtrError(`TS ${ts.toString(16)} is neither 3B nor 3F`, 0);
  let at = 1;
  const t0 = raw[at++];
  const k = t0 & 0x0f;
  let y = t0 & 0xf0;
  const groups: AtrGroup[] = [];
  let protocol: number | undefined;
  const need = (what: string): number => {
    if (at >= raw.length) throw new AtrError(`${what} is missing`, at);
    return raw[at++];
  };
  for (let i = 1; ; i++) {
    const ta = y & Y_TA ? need(`TA${i}`) : undefined;
    const tb = y & Y_TB ? need(`TB${i}`) : undefined;
    const tc = y & Y_TC ? need(`TC${i}`) : undefined;
    const td = y & Y_TD ? need(`TD${i}`) : undefined;
    groups.push({ index: i, protocol, ta, tb, tc, td });
    if (td === undefined) break;
    y = td & 0xf0;
    protocol = td & 0x0f;
  }
  const offered = new Set<number>();
  for (const g of groups) if (g.td !== undefined && (g.td & 0x0f) !== T_GLOBAL) offered.add(g.td & 0x0f);
  if (offered.size === 0) offered.add(0);
  const protocols = [...offered].sort((a, b) => a - b);
  if (at + k > raw.length) throw new AtrError(`${k} historical bytes announced, ${raw.length - at} left`, at);
  const historical = raw.slice(at, at + k);
  at += k;
  // TCK is absent only when T=0 alone is indicated (ISO/IEC 7816-3 §8.2.5).
  const tckRequired = groups.some((g) => g.td !== undefined && (g.td & 0x0f) !== 0);
  let tck: number | undefined;
  if (tckRequired) {
    tck = need('TCK');
    let x = 0;
    for (let i = 1; i < at; i++) x ^= raw[i];
    if (x !== 0) throw new AtrError('TCK does not check', at - 1);
  }
  if (at !== raw.length) throw new AtrError(`${raw.length - at} bytes after the end`, at);

  let t1: T1Parameters | undefined;
  if (offered.has(1)) {
    // The first TA/TB/TC of a group i > 2 introduced by a TD(i-1) with T=1.
    const t1Groups = groups.filter((g) => g.index > 2 && g.protocol === 1);
    const first = <K extends 'ta' | 'tb' | 'tc'>(key: K): number | undefined => t1Groups.find((g) => g[key] !== undefined)?.[key];
    const ifsc = first('ta') ?? T1_DEFAULT_IFSC;
    if (ifsc < 1 || ifsc > 254) throw new AtrError(`IFSC ${ifsc} is not 1..254`, 0);
    const tb = first('tb');
    const bwi = tb === undefined ? T1_DEFAULT_BWI : tb >> 4;
    const cwi = tb === undefined ? T1_DEFAULT_CWI : tb & 0x0f;
    if (bwi > 9) throw new AtrError(`BWI ${bwi} is not 0..9`, 0);
    const tc = first('tc');
    t1 = { ifsc, bwi, cwi, edc: tc !== undefined && (tc & 1) === 1 ? 'crc' : 'lrc' };
  }
  return {
    raw: raw.slice(),
    convention: ts === TS_DIRECT ? 'direct' : 'inverse',
    groups,
    protocols,
    ta1: groups[0].ta ?? 0x11,
    extraGuardTime: groups[0].tc ?? 0,
    specificMode: groups.length > 1 && groups[1].ta !== undefined,
    historical,
    tck,
    t1,
  };
}
