import { DO_PW_STATUS, PW1_VALID_ONCE, PW1_VALID_SEVERAL } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * PW status bytes (DO C4), §4.4.3.8:
 *
 *   | byte | meaning                                                              |
 *   |------|----------------------------------------------------------------------|
 *   | 1    | 00 = PW1 (81) valid for one PSO:CDS only, 01 = valid for several     |
 *   | 2    | max. length of PW1 (b8 set: PIN block format 2, length in b7-b1)      |
 *   | 3    | max. length of the resetting code (RC)                               |
 *   | 4    | max. length of PW3 (b8 as for PW1)                                    |
 *   | 5    | error counter of PW1: tries left, 0 = blocked                        |
 *   | 6    | error counter of RC: tries left, 0 = blocked or not set               |
 *   | 7    | error counter of PW3: tries left, 0 = blocked                        |
 *
 * PUT DATA C4 takes byte 1 alone (or bytes 1-4).
 */
export const PW_STATUS_LENGTH = 7;
const FORMAT2_BIT = 0x80;
const LENGTH_BITS = 0x7f;

export interface PwStatus {
  /** true: one VERIFY (81) allows one signature; false: it allows signatures until reset. */
  readonly pw1ValidOnce: boolean;
  readonly maxLength: { readonly pw1: number; readonly rc: number; readonly pw3: number };
  /** PIN block format 2 required for PW1 / PW3. */
  readonly pinBlockFormat2: { readonly pw1: boolean; readonly pw3: boolean };
  /** Tries left; 0 = blocked (RC: or not set). */
  readonly retries: { readonly pw1: number; readonly rc: number; readonly pw3: number };
}

export function parsePwStatus(bytes: Uint8Array): PwStatus {
  if (bytes.length !== PW_STATUS_LENGTH) throw new OpenPgpDataError('C4', `PW status of ${bytes.length} bytes, expected ${PW_STATUS_LENGTH}`);
  const [validity, pw1, rc, pw3, c1, crc, c3] = bytes;
  if (validity !== PW1_VALID_ONCE && validity !== PW1_VALID_SEVERAL) throw new OpenPgpDataError('C4', `PW1 validity byte ${validity} is neither 00 nor 01`);
  const len = (b: number, what: string): number => {
    const n = b & LENGTH_BITS;
    if (n === 0) throw new OpenPgpDataError('C4', `max. length of ${what} is 0`);
    return n;
  };
  for (const [c, what] of [[c1, 'PW1'], [crc, 'RC'], [c3, 'PW3']] as const) {
    if (c > 15) throw new OpenPgpDataError('C4', `error counter of ${what} is ${c}`);
  }
  return {
    pw1ValidOnce: validity === PW1_VALID_ONCE,
    maxLength: { pw1: len(pw1, 'PW1'), rc: rc & LENGTH_BITS, pw3: len(pw3, 'PW3') },
    pinBlockFormat2: { pw1: (pw1 & FORMAT2_BIT) !== 0, pw3: (pw3 & FORMAT2_BIT) !== 0 },
    retries: { pw1: c1, rc: crc, pw3: c3 },
  };
}

/** The one-byte PUT DATA C4 value that sets PW1 (81) validity. */
export function encodePw1Validity(validOnce: boolean): Uint8Array {
  return Uint8Array.of(validOnce ? PW1_VALID_ONCE : PW1_VALID_SEVERAL);
}

export const PW_STATUS_TAG = DO_PW_STATUS;
