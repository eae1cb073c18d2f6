/**
 * ISO/IEC 7816-4 §5.1.3 status words (SW1 SW2), each with a meaning a person can act on.
 *
 *   | SW1 SW2  | class                                   |
 *   |----------|-----------------------------------------|
 *   | 90 00    | normal processing                       |
 *   | 61 xx    | normal processing, xx more bytes ready  |
 *   | 62 xx    | warning, non-volatile memory unchanged  |
 *   | 63 xx    | warning, non-volatile memory changed    |
 *   | 64 xx    | execution error, memory unchanged       |
 *   | 65 xx    | execution error, memory changed         |
 *   | 66 xx    | security-related issues                 |
 *   | 67 00    | wrong length                            |
 *   | 68 xx    | functions in CLA not supported          |
 *   | 69 xx    | command not allowed                     |
 *   | 6A xx    | wrong parameters P1-P2                  |
 *   | 6B 00    | wrong parameters P1-P2                  |
 *   | 6C xx    | wrong Le field, xx = exact length       |
 *   | 6D 00    | instruction not supported               |
 *   | 6E 00    | class not supported                     |
 *   | 6F 00    | no precise diagnosis                    |
 */

export type StatusKind = 'ok' | 'more-data' | 'wrong-le' | 'warning' | 'error';

export interface StatusInfo {
  readonly sw: number;
  readonly kind: StatusKind;
  /** Plain-language meaning, one sentence. */
  readonly meaning: string;
}

export const SW_OK = 0x9000;
export const SW1_MORE_DATA = 0x61;
export const SW1_WRONG_LE = 0x6c;
export const SW_WRONG_LENGTH = 0x6700;
export const SW_SECURITY_STATUS_NOT_SATISFIED = 0x6982;
export const SW_AUTH_METHOD_BLOCKED = 0x6983;
export const SW_LAST_COMMAND_OF_CHAIN_EXPECTED = 0x6883;
export const SW_CHAINING_NOT_SUPPORTED = 0x6884;
export const SW_CONDITIONS_NOT_SATISFIED = 0x6985;
export const SW_INS_NOT_SUPPORTED = 0x6d00;
export const SW_CLA_NOT_SUPPORTED = 0x6e00;
export const SW_INCORRECT_P1P2 = 0x6a86;
export const SW_NO_PRECISE_DIAGNOSIS = 0x6f00;
/** 63 Cx: verification failed, x tries left. */
export const SW1_WARNING_CHANGED = 0x63;

/** Exact status words. */
const EXACT: ReadonlyMap<number, string> = new Map([
  [0x9000, 'Success.'],
  [0x6200, 'Warning: no further information; the card memory is unchanged.'],
  [0x6281, 'Warning: part of the returned data may be corrupted.'],
  [0x6282, 'Warning: the end of the file or record was reached before all requested bytes were read.'],
  [0x6283, 'Warning: the selected file or application is deactivated.'],
  [0x6284, 'Warning: the file control information is not formatted as expected.'],
  [0x6285, 'Warning: the selected file is in termination state.'],
  [0x6286, 'Warning: no input data is available from a sensor on the card.'],
  [0x6300, 'Warning: the card memory changed, or a verification failed; no further information.'],
  [0x6381, 'Warning: the file was filled up by the last write.'],
  [0x6400, 'Execution error: the card memory is unchanged.'],
  [0x6401, 'Execution error: the card requires an immediate response.'],
  [0x6500, 'Execution error: the card memory changed.'],
  [0x6581, 'Memory failure: the card could not write to its memory.'],
  [0x6600, 'Security-related error reported by the card.'],
  [0x6700, 'Wrong length: the command data length (Lc) or expected length (Le) is not what the command needs.'],
  [0x6800, 'The card does not support the functions requested in the class byte.'],
  [0x6881, 'The card does not support logical channels.'],
  [0x6882, 'The card does not support secure messaging.'],
  [0x6883, 'The card expected the last command of a command chain.'],
  [0x6884, 'The card does not support command chaining.'],
  [0x6900, 'Command not allowed.'],
  [0x6981, 'Command incompatible with the file structure.'],
  [0x6982, 'Security status not satisfied: a PIN or authentication is needed first.'],
  [0x6983, 'Authentication method blocked: the PIN or key is blocked after too many wrong tries.'],
  [0x6984, 'Reference data not usable: the PIN or key is not set or has been invalidated.'],
  [0x6985, 'Conditions of use not satisfied.'],
  [0x6986, 'Command not allowed: no current file is selected.'],
  [0x6987, 'Expected secure messaging data objects are missing.'],
  [0x6988, 'Secure messaging data objects are incorrect.'],
  [0x6a00, 'Wrong parameters P1-P2.'],
  [0x6a80, 'Incorrect parameters in the command data.'],
  [0x6a81, 'Function not supported by the card or application.'],
  [0x6a82, 'File or application not found.'],
  [0x6a83, 'Record not found.'],
  [0x6a84, 'Not enough memory space on the card.'],
  [0x6a85, 'The command data length is inconsistent with its TLV structure.'],
  [0x6a86, 'Incorrect parameters P1-P2.'],
  [0x6a87, 'The command data length is inconsistent with P1-P2.'],
  [0x6a88, 'Referenced data not found (for example a key or data object that does not exist).'],
  [0x6a89, 'The file already exists.'],
  [0x6a8a, 'The application name already exists.'],
  [0x6b00, 'Wrong parameters P1-P2: offset outside the file.'],
  [0x6d00, 'Instruction not supported by the card or application.'],
  [0x6e00, 'Class not supported by the card.'],
  [0x6f00, 'The card reported an internal error with no precise diagnosis.'],
]);

const GROUPS: ReadonlyMap<number, string> = new Map([
  [0x62, 'Warning: the card memory is unchanged'],
  [0x63, 'Warning: the card memory changed'],
  [0x64, 'Execution error: the card memory is unchanged'],
  [0x65, 'Execution error: the card memory changed'],
  [0x66, 'Security-related error'],
  [0x68, 'The card does not support a function requested in the class byte'],
  [0x69, 'Command not allowed'],
  [0x6a, 'Wrong parameters P1-P2'],
]);

const hex4 = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');

/** What a status word means. Unknown status words get a generic meaning by their SW1 group. */
export function describeStatusWord(sw: number): StatusInfo {
  if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) throw new RangeError(`status word must be 0..FFFF, got ${sw}`);
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  const exact = EXACT.get(sw);
  if (sw === SW_OK) return { sw, kind: 'ok', meaning: exact! };
  if (sw1 === SW1_MORE_DATA) {
    const n = sw2 === 0 ? '256 or more' : String(sw2);
    return { sw, kind: 'more-data', meaning: `Success; ${n} more response bytes are available (GET RESPONSE).` };
  }
  if (sw1 === SW1_WRONG_LE) {
    return { sw, kind: 'wrong-le', meaning: `Wrong expected length (Le); the exact length is ${sw2 === 0 ? 256 : sw2}.` };
  }
  if (sw1 === SW1_WARNING_CHANGED && (sw2 & 0xf0) === 0xc0) {
    const x = sw2 & 0x0f;
    return {
      sw,
      kind: 'warning',
      meaning: x === 0 ? 'Wrong PIN or key: no tries left, it is now blocked.' : `Wrong PIN or key: ${x} ${x === 1 ? 'try' : 'tries'} left.`,
    };
  }
  const kind: StatusKind = sw1 === 0x62 || sw1 === 0x63 ? 'warning' : 'error';
  if (exact !== undefined) return { sw, kind, meaning: exact };
  const group = GROUPS.get(sw1);
  if (group !== undefined) return { sw, kind, meaning: `${group} (status ${hex4(sw)}).` };
  return { sw, kind: 'error', meaning: `Unknown status word ${hex4(sw)}.` };
}

/** "6A82" style text of a status word. */
export const statusWordHex = hex4;
