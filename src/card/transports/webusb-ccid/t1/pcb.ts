/**
 * ISO/IEC 7816-3:2006 §11.3.2.2 protocol control byte (PCB) coding.
 *
 * I-block (information), b8 = 0:
 *   | b8 | b7   | b6 | b5..b1 |
 *   | 0  | N(S) | M  | 00000  |   N(S) send-sequence number; M = more data (chaining); b5..b1 RFU
 *
 * R-block (receive ready), b8 b7 = 10:
 *   | b8 b7 | b6 | b5   | b4..b1                                      |
 *   | 1 0   | 0  | N(R) | 0000 error-free                             |
 *   |       |    |      | 0001 EDC and/or parity error                |
 *   |       |    |      | 0010 other errors                           |
 *   |       |    |      | other values RFU                            |
 *
 * S-block (supervisory), b8 b7 = 11:
 *   | b8 b7 | b6                       | b5..b1           |
 *   | 1 1   | 0 = request, 1 = response | 00000 RESYNCH    |
 *   |       |                          | 00001 IFS        |
 *   |       |                          | 00010 ABORT      |
 *   |       |                          | 00011 WTX        |
 *   |       |                          | other values RFU |
 *
 * So the valid PCB values are: I 00 20 40 60; R 80 81 82 90 91 92;
 * S C0/E0 RESYNCH, C1/E1 IFS, C2/E2 ABORT, C3/E3 WTX (request/response).
 */
export const PCB_TYPE_MASK = 0x80;
export const PCB_I_BLOCK = 0x00;
export const PCB_RS_MASK = 0xc0;
export const PCB_R_BLOCK = 0x80;
export const PCB_S_BLOCK = 0xc0;

/** I-block: b7 = N(S). */
export const PCB_I_NS = 0x40;
/** I-block: b6 = M, more data follows (chaining). */
export const PCB_I_MORE = 0x20;
/** I-block: b5..b1 reserved (must be 0). */
export const PCB_I_RFU = 0x1f;

/** R-block: b6 reserved (must be 0). */
export const PCB_R_RFU = 0x20;
/** R-block: b5 = N(R). */
export const PCB_R_NR = 0x10;
/** R-block: b4..b1 error code. */
export const PCB_R_ERROR_MASK = 0x0f;
export const R_ERROR_NONE = 0;
export const R_ERROR_EDC = 1;
export const R_ERROR_OTHER = 2;
export type RError = typeof R_ERROR_NONE | typeof R_ERROR_EDC | typeof R_ERROR_OTHER;

/** S-block: b6 = 1 for a response. */
export const PCB_S_RESPONSE = 0x20;
/** S-block: b5..b1 function. */
export const PCB_S_FUNCTION_MASK = 0x1f;
export const S_RESYNCH = 0x00;
export const S_IFS = 0x01;
export const S_ABORT = 0x02;
export const S_WTX = 0x03;

export type SFunction = 'resynch' | 'ifs' | 'abort' | 'wtx';
export const S_FUNCTION_CODES: Readonly<Record<SFunction, number>> = {
  resynch: S_RESYNCH,
  ifs: S_IFS,
  abort: S_ABORT,
  wtx: S_WTX,
};
export const S_FUNCTION_NAMES: readonly SFunction[] = ['resynch', 'ifs', 'abort', 'wtx'];
