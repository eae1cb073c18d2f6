import { findTlv, parseTlv, TlvError, type Tlv } from '../../../tlv.ts';
import {
  DO_AID, DO_ALGORITHM_ATTRIBUTES_AUTHENTICATION, DO_ALGORITHM_ATTRIBUTES_DECRYPTION, DO_ALGORITHM_ATTRIBUTES_SIGNATURE,
  DO_APPLICATION_RELATED, DO_DISCRETIONARY, DO_EXTENDED_CAPABILITIES, DO_EXTENDED_LENGTH_INFO, DO_HISTORICAL_BYTES,
  DO_KEY_INFORMATION, DO_PW_STATUS, type KeySlot,
} from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';
import { parseAid, type OpenPgpAid } from './aid.ts';
import { parseAlgorithmAttributes, type AlgorithmAttributes } from './algorithm-attributes.ts';
import { parseExtendedCapabilities, type ExtendedCapabilities } from './extended-capabilities.ts';
import { parseExtendedLengthInfo, type ExtendedLengthInfo } from './extended-length-info.ts';
import { parseCardCapabilities, type CardCapabilities } from './historical-bytes.ts';
import { parseKeyInformation, type KeyInformation } from './key-information.ts';
import { parsePwStatus, type PwStatus } from './pw-status.ts';

/**
 * Application related data (DO 6E), §4.4.1 — what GET DATA 6E returns in one go:
 *
 *   6E
 *   ├─ 4F    application identifier (AID)
 *   ├─ 5F52  historical bytes (card capabilities: chaining, extended length)
 *   ├─ 7F74  general feature management (optional)
 *   ├─ 7F66  extended length information (optional; some cards put it inside 73)
 *   └─ 73    discretionary data objects
 *       ├─ C0  extended capabilities
 *       ├─ C1  algorithm attributes, signature key
 *       ├─ C2  algorithm attributes, decryption key
 *       ├─ C3  algorithm attributes, authentication key
 *       ├─ C4  PW status bytes
 *       ├─ C5  fingerprints, C6 CA fingerprints, CD generation dates
 *       └─ DE  key information (3.3+)
 *
 * Cards answer with the 6E object itself; a card that sends only its contents is accepted too.
 */
export interface ApplicationRelatedData {
  readonly aid: OpenPgpAid;
  readonly cardCapabilities: CardCapabilities | undefined;
  readonly extendedLengthInfo: ExtendedLengthInfo | undefined;
  readonly extendedCapabilities: ExtendedCapabilities;
  readonly algorithmAttributes: Readonly<Record<KeySlot, AlgorithmAttributes>>;
  readonly pwStatus: PwStatus;
  readonly keyInformation: KeyInformation | undefined;
}

/** Largest 6E accepted (a real card's is about 300 bytes). */
const MAX_LENGTH = 4096;

function need(list: readonly Tlv[], tag: number, where: string): Tlv {
  const t = findTlv(list, tag);
  if (!t) throw new OpenPgpDataError(where, `${tag.toString(16).toUpperCase()} is missing`);
  return t;
}

export function parseApplicationRelatedData(bytes: Uint8Array): ApplicationRelatedData {
  if (bytes.length > MAX_LENGTH) throw new OpenPgpDataError('6E', `application related data of ${bytes.length} bytes`);
  let top: Tlv[];
  try {
    top = parseTlv(bytes, { maxLength: MAX_LENGTH, maxDepth: 4 });
  } catch (e) {
    if (e instanceof TlvError) throw new OpenPgpDataError('6E', e.message);
    throw e;
  }
  const list = top.length === 1 && top[0].tag === DO_APPLICATION_RELATED ? top[0].children : top;
  const aid = parseAid(need(list, DO_AID, '6E').value);
  const historical = findTlv(list, DO_HISTORICAL_BYTES);
  const discretionary = need(list, DO_DISCRETIONARY, '6E').children;
  const eli = findTlv(list, DO_EXTENDED_LENGTH_INFO) ?? findTlv(discretionary, DO_EXTENDED_LENGTH_INFO);
  const keyInfo = findTlv(discretionary, DO_KEY_INFORMATION);
  return {
    aid,
    cardCapabilities: historical ? parseCardCapabilities(historical.value) : undefined,
    extendedLengthInfo: eli ? parseExtendedLengthInfo(eli.value) : undefined,
    extendedCapabilities: parseExtendedCapabilities(need(discretionary, DO_EXTENDED_CAPABILITIES, '73').value, aid.version.major),
    algorithmAttributes: {
      signature: parseAlgorithmAttributes(need(discretionary, DO_ALGORITHM_ATTRIBUTES_SIGNATURE, '73').value, 'C1'),
      decryption: parseAlgorithmAttributes(need(discretionary, DO_ALGORITHM_ATTRIBUTES_DECRYPTION, '73').value, 'C2'),
      authentication: parseAlgorithmAttributes(need(discretionary, DO_ALGORITHM_ATTRIBUTES_AUTHENTICATION, '73').value, 'C3'),
    },
    pwStatus: parsePwStatus(need(discretionary, DO_PW_STATUS, '73').value),
    keyInformation: keyInfo ? parseKeyInformation(keyInfo.value) : undefined,
  };
}
