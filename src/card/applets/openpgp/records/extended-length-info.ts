import { parseTlv, TlvError } from '../../../tlv.ts';
import { DO_EXTENDED_LENGTH_INFO } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * Extended length information (DO 7F66), §4.1.3.1: two INTEGER (02) objects of two bytes,
 * the largest command data and the largest response data the card takes in one APDU.
 *
 *   02 02 <max. command bytes> 02 02 <max. response bytes>
 */
export interface ExtendedLengthInfo {
  readonly maxCommand: number;
  readonly maxResponse: number;
}

const INTEGER = 0x02;
const FIELD = '7F66';

/** `value` is the contents of 7F66. */
export function parseExtendedLengthInfo(value: Uint8Array): ExtendedLengthInfo {
  let items;
  try {
    items = parseTlv(value, { maxLength: 8, maxDepth: 1 });
  } catch (e) {
    if (e instanceof TlvError) throw new OpenPgpDataError(FIELD, e.message);
    throw e;
  }
  if (items.length !== 2 || items.some((t) => t.tag !== INTEGER || t.value.length !== 2)) {
    throw new OpenPgpDataError(FIELD, 'expected two 2-byte INTEGERs');
  }
  const n = (v: Uint8Array): number => (v[0] << 8) | v[1];
  return { maxCommand: n(items[0].value), maxResponse: n(items[1].value) };
}

export const EXTENDED_LENGTH_INFO_TAG = DO_EXTENDED_LENGTH_INFO;
