import { CARD_CAP_COMMAND_CHAINING, CARD_CAP_EXTENDED_LENGTH, COMPACT_TAG_CARD_CAPABILITIES } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * Historical bytes (DO 5F52), §6 and ISO/IEC 7816-4 §8.1.1:
 *
 *   | byte(s)      | meaning                                                          |
 *   |--------------|------------------------------------------------------------------|
 *   | 1            | category indicator: 00 = compact-TLV objects, then a 3-byte       |
 *   |              | status indicator (LCS, SW1, SW2) at the end; 80 = compact-TLV     |
 *   |              | objects only                                                      |
 *   | 2..          | compact-TLV objects: one byte tag (high nibble) ‖ length (low     |
 *   |              | nibble), then the value                                           |
 *
 * The card capabilities object is tag 7, length 3 ("73 xx xx xx"); its third byte says:
 * b8 command chaining, b7 extended Lc and Le fields, b6 extended length information (7F66).
 */
export interface CardCapabilities {
  readonly commandChaining: boolean;
  readonly extendedLength: boolean;
}

const CATEGORY_WITH_STATUS = 0x00;
const CATEGORY_TLV_ONLY = 0x80;
const STATUS_INDICATOR_LENGTH = 3;
const CARD_CAPABILITIES_LENGTH = 3;

/** The card capabilities, or undefined when the historical bytes do not carry them. */
export function parseCardCapabilities(historical: Uint8Array): CardCapabilities | undefined {
  if (historical.length === 0) return undefined;
  const category = historical[0];
  let end: number;
  if (category === CATEGORY_WITH_STATUS) end = historical.length - STATUS_INDICATOR_LENGTH;
  else if (category === CATEGORY_TLV_ONLY) end = historical.length;
  else return undefined; // proprietary format
  if (end < 1) throw new OpenPgpDataError('5F52', 'historical bytes too short for their category');
  let at = 1;
  while (at < end) {
    const tag = historical[at] >> 4;
    const len = historical[at] & 0x0f;
    if (at + 1 + len > end) throw new OpenPgpDataError('5F52', `compact-TLV object ${tag} runs past the end`);
    if (tag === COMPACT_TAG_CARD_CAPABILITIES) {
      if (len !== CARD_CAPABILITIES_LENGTH) throw new OpenPgpDataError('5F52', `card capabilities of ${len} bytes, expected 3`);
      const third = historical[at + 3];
      return {
        commandChaining: (third & CARD_CAP_COMMAND_CHAINING) !== 0,
        extendedLength: (third & CARD_CAP_EXTENDED_LENGTH) !== 0,
      };
    }
    at += 1 + len;
  }
  return undefined;
}
