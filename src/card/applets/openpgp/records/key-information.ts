import { DO_KEY_INFORMATION } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * Key information (DO DE, version 3.3+), §4.4.3.13: pairs of key reference and status.
 *
 *   | key reference | key            |   | status | meaning                  |
 *   |---------------|----------------|---|--------|--------------------------|
 *   | 01            | signature      |   | 00     | no key                   |
 *   | 02            | decryption     |   | 01     | generated on the card    |
 *   | 03            | authentication |   | 02     | imported                 |
 */
export type KeyStatus = 'absent' | 'generated' | 'imported';
export interface KeyInformation {
  readonly signature?: KeyStatus;
  readonly decryption?: KeyStatus;
  readonly authentication?: KeyStatus;
}

const STATUS: readonly KeyStatus[] = ['absent', 'generated', 'imported'];
const SLOT: Readonly<Record<number, keyof KeyInformation>> = { 1: 'signature', 2: 'decryption', 3: 'authentication' };

export function parseKeyInformation(value: Uint8Array): KeyInformation {
  if (value.length % 2 !== 0) throw new OpenPgpDataError('DE', 'key information must be pairs of bytes');
  const out: { -readonly [K in keyof KeyInformation]: KeyStatus } = {};
  for (let i = 0; i < value.length; i += 2) {
    const slot = SLOT[value[i]];
    const status = STATUS[value[i + 1]];
    // Other key references (vendor attestation keys, 81 ...) are skipped.
    if (!slot) continue;
    if (!status) throw new OpenPgpDataError('DE', `key status ${value[i + 1]} is not 00, 01 or 02`);
    out[slot] = status;
  }
  return out;
}

export const KEY_INFORMATION_TAG = DO_KEY_INFORMATION;
