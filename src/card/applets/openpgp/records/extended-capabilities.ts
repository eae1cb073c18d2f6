import { ByteReader } from '../../../../bytes/index.ts';
import {
  EXT_CAP_AES, EXT_CAP_ALGORITHM_ATTRIBUTES_CHANGEABLE, EXT_CAP_GET_CHALLENGE, EXT_CAP_KDF, EXT_CAP_KEY_IMPORT,
  EXT_CAP_PRIVATE_DOS, EXT_CAP_PW_STATUS_CHANGEABLE, EXT_CAP_SECURE_MESSAGING,
} from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * Extended capabilities (DO C0), §4.4.3.7, 10 bytes:
 *
 *   | bytes | version 3.x                                  | version 2.x                    |
 *   |-------|----------------------------------------------|--------------------------------|
 *   | 1     | flags (see constants.ts)                     | flags                          |
 *   | 2     | secure messaging algorithm                   | same                           |
 *   | 3-4   | max. length of GET CHALLENGE                 | same                           |
 *   | 5-6   | max. length of the cardholder certificate    | same                           |
 *   | 7-8   | max. length of special DOs (private use, login data, URL, ...) | max. command data |
 *   | 9     | PIN block 2 format supported (00/01)         | (max. response data, 2 bytes)  |
 *   | 10    | MSE for key slots supported (00/01)          |                                |
 *
 * Version 2 cards do not state the private DO limit here; their specification fixes it at
 * 254 bytes, which is what this parser reports for them.
 */
export const EXTENDED_CAPABILITIES_LENGTH = 10;
/** Private DO size that version 2 of the specification fixes. */
export const V2_SPECIAL_DO_MAX = 254;

export interface ExtendedCapabilities {
  readonly secureMessaging: boolean;
  readonly getChallenge: boolean;
  readonly keyImport: boolean;
  readonly pwStatusChangeable: boolean;
  readonly privateDos: boolean;
  readonly algorithmAttributesChangeable: boolean;
  readonly aes: boolean;
  readonly kdf: boolean;
  readonly secureMessagingAlgorithm: number;
  /** Largest GET CHALLENGE (0 when not supported). */
  readonly maxChallenge: number;
  readonly maxCardholderCertificate: number;
  /** Largest private use DO (and other "special" DOs). */
  readonly maxSpecialDo: number;
}

export function parseExtendedCapabilities(bytes: Uint8Array, versionMajor: number): ExtendedCapabilities {
  if (bytes.length !== EXTENDED_CAPABILITIES_LENGTH) {
    throw new OpenPgpDataError('C0', `extended capabilities of ${bytes.length} bytes, expected ${EXTENDED_CAPABILITIES_LENGTH}`);
  }
  const r = new ByteReader(bytes);
  const flags = r.u8();
  const secureMessagingAlgorithm = r.u8();
  const maxChallenge = r.u16be();
  const maxCardholderCertificate = r.u16be();
  const bytes78 = r.u16be();
  const getChallenge = (flags & EXT_CAP_GET_CHALLENGE) !== 0;
  return {
    secureMessaging: (flags & EXT_CAP_SECURE_MESSAGING) !== 0,
    getChallenge,
    keyImport: (flags & EXT_CAP_KEY_IMPORT) !== 0,
    pwStatusChangeable: (flags & EXT_CAP_PW_STATUS_CHANGEABLE) !== 0,
    privateDos: (flags & EXT_CAP_PRIVATE_DOS) !== 0,
    algorithmAttributesChangeable: (flags & EXT_CAP_ALGORITHM_ATTRIBUTES_CHANGEABLE) !== 0,
    aes: (flags & EXT_CAP_AES) !== 0,
    kdf: (flags & EXT_CAP_KDF) !== 0,
    secureMessagingAlgorithm,
    maxChallenge: getChallenge ? maxChallenge : 0,
    maxCardholderCertificate,
    maxSpecialDo: versionMajor >= 3 ? bytes78 : V2_SPECIAL_DO_MAX,
  };
}
