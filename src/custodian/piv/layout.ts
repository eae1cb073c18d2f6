import {
  KEY_KEY_MANAGEMENT, KEY_SIGNATURE, OBJ_CERT_SIGNATURE, OBJ_RETIRED_CERT_FIRST, OBJ_RETIRED_CERT_LAST,
} from '../../card/applets/piv/index.ts';

/**
 * Where webtke keeps things on a PIV card (docs/smart-cards-piv.md):
 *
 *   | what                          | where                                     | read       | write          |
 *   |-------------------------------|-------------------------------------------|------------|----------------|
 *   | admin signature key           | key slot 9C (P-256 / P-384)               | -          | management key |
 *   | admin certificate             | 5FC10A (9C's certificate object)          | always     | management key |
 *   | key-part key (ECDH)           | key slot 9D (P-256 / P-384)               | -          | management key |
 *   | key-part key record           | 5FC120 (retired certificate 20)           | always     | management key |
 *   | key part records (19)         | 5FC11F down to 5FC10D (retired 19 .. 1)   | always     | management key |
 *
 * The retired key-management certificate objects are readable without the PIN (so the parts
 * can be listed without it) and writable with the management key; their key slots (82..95)
 * stay unused. Parts are placed from the top (5FC11F) down, so tools that fill retired slots
 * from 82 upwards meet them last. A YubiKey 5 object holds up to 3052 bytes; a part record is
 * under 900.
 */
export const ADMIN_SLOT = KEY_SIGNATURE;
export const ADMIN_CERT_OBJECT = OBJ_CERT_SIGNATURE;
export const PART_KEY_SLOT = KEY_KEY_MANAGEMENT;
export const KEY_PART_KEY_OBJECT = OBJ_RETIRED_CERT_LAST;
/** Part objects in the order they are filled: 5FC11F, 5FC11E, …, 5FC10D. */
export const PART_OBJECTS: readonly number[] = Array.from(
  { length: OBJ_RETIRED_CERT_LAST - OBJ_RETIRED_CERT_FIRST },
  (_, i) => OBJ_RETIRED_CERT_LAST - 1 - i,
);

export const objectName = (tag: number): string => tag.toString(16).toUpperCase();
