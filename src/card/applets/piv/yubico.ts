import type { Command } from '../../apdu.ts';
import { concat } from '../../../bytes/index.ts';
import { MANAGEMENT_KEY_ALGORITHMS, type ManagementKeyAlgorithm } from './algorithms.ts';
import {
  CLA_PIV, INS_YK_ATTEST, INS_YK_GET_SERIAL, INS_YK_GET_VERSION, INS_YK_RESET, INS_YK_SET_MANAGEMENT_KEY, KEY_CARD_MANAGEMENT,
  YK_SET_MGMT_NO_TOUCH, YK_SET_MGMT_P1, YK_SET_MGMT_TOUCH, isAsymmetricSlot,
} from './constants.ts';
import { PivInputError, PivResponseError } from './errors.ts';

/**
 * Yubico PIV extensions (YubiKey 4 and 5):
 *
 *   | command            | CLA | INS | P1   | P2       | data                         | answer                 |
 *   |--------------------|-----|-----|------|----------|------------------------------|------------------------|
 *   | GET VERSION        | 00  | FD  | 00   | 00       | -                            | major minor patch      |
 *   | GET SERIAL         | 00  | F8  | 00   | 00       | -                            | u32 big-endian         |
 *   | ATTEST             | 00  | F9  | slot | 00       | -                            | DER X.509 certificate  |
 *   | SET MANAGEMENT KEY | 00  | FF  | FF   | FF / FE  | alg 9B L key                 | -                      |
 *   | RESET              | 00  | FB  | 00   | 00       | -                            | - (PIN and PUK blocked)|
 *
 * ATTEST returns a certificate for the key in `slot`, signed by the attestation key (F9)
 * whose certificate is data object 5FFF01; only keys generated on the card can be attested.
 */
export interface FirmwareVersion {
  major: number;
  minor: number;
  patch: number;
}

export const formatVersion = (v: FirmwareVersion): string => `${v.major}.${v.minor}.${v.patch}`;

/** a ≥ b */
export function versionAtLeast(a: FirmwareVersion, major: number, minor = 0, patch = 0): boolean {
  if (a.major !== major) return a.major > major;
  if (a.minor !== minor) return a.minor > minor;
  return a.patch >= patch;
}

export function buildGetVersion(): Command {
  return { cla: CLA_PIV, ins: INS_YK_GET_VERSION, p1: 0, p2: 0, ne: 256 };
}

export function parseVersion(data: Uint8Array): FirmwareVersion {
  if (data.length !== 3) throw new PivResponseError('GET VERSION', `expected 3 bytes, got ${data.length}`);
  return { major: data[0], minor: data[1], patch: data[2] };
}

export function buildGetSerial(): Command {
  return { cla: CLA_PIV, ins: INS_YK_GET_SERIAL, p1: 0, p2: 0, ne: 256 };
}

export function parseSerial(data: Uint8Array): number {
  if (data.length !== 4) throw new PivResponseError('GET SERIAL', `expected 4 bytes, got ${data.length}`);
  return ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
}

export function buildAttest(slot: number, ne = 256): Command {
  if (!isAsymmetricSlot(slot)) throw new PivInputError(`slot ${slot.toString(16).toUpperCase()} holds no attestable key`);
  return { cla: CLA_PIV, ins: INS_YK_ATTEST, p1: slot, p2: 0, ne };
}

/** The attestation certificate: a DER SEQUENCE and nothing after it (parsing is the caller's). */
export function parseAttestation(data: Uint8Array): Uint8Array {
  if (data.length < 2 || data[0] !== 0x30) throw new PivResponseError('ATTEST', 'not a DER certificate');
  return data.slice();
}

/** SET MANAGEMENT KEY; needs the current management key. The caller wipes the command data. */
export function buildSetManagementKey(algorithm: ManagementKeyAlgorithm, key: Uint8Array, requireTouch = false): Command {
  const info = MANAGEMENT_KEY_ALGORITHMS[algorithm];
  if (!info || key.length !== info.keyLength) throw new PivInputError(`a ${algorithm} management key is ${info?.keyLength ?? '?'} bytes`);
  return {
    cla: CLA_PIV,
    ins: INS_YK_SET_MANAGEMENT_KEY,
    p1: YK_SET_MGMT_P1,
    p2: requireTouch ? YK_SET_MGMT_TOUCH : YK_SET_MGMT_NO_TOUCH,
    data: concat(Uint8Array.of(info.id, KEY_CARD_MANAGEMENT, key.length), key),
  };
}

export function buildReset(): Command {
  return { cla: CLA_PIV, ins: INS_YK_RESET, p1: 0, p2: 0 };
}
