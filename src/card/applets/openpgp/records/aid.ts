import { bytesEqual, ByteReader, toHex } from '../../../../bytes/index.ts';
import { AID_LENGTH, OPENPGP_AID_PREFIX } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * The application identifier (DO 4F), §4.2.1:
 *
 *   D2 76 00 01 24 | 01 | version (2) | manufacturer (2) | serial (4) | RFU (2)
 *
 * The version is two BCD-like bytes (03 04 = 3.4); manufacturer and serial together name one
 * card.
 */
export interface OpenPgpAid {
  readonly bytes: Uint8Array;
  readonly version: { readonly major: number; readonly minor: number };
  readonly manufacturer: number;
  readonly serial: Uint8Array;
  /** "0006:23852774": manufacturer and serial in hex, the card's identity for people. */
  readonly id: string;
}

/**
 * Manufacturer ids (the list the specification's maintainer keeps). Only ids whose owner
 * is well known are named; others show as hex.
 */
const MANUFACTURERS: ReadonlyMap<number, string> = new Map([
  [0x0005, 'ZeitControl'],
  [0x0006, 'Yubico'],
  [0x000f, 'Nitrokey'],
  [0xf1d0, 'CanoKeys'],
  [0xf517, 'FSIJ (Gnuk)'],
  [0xffff, 'test card'],
]);

export function manufacturerName(id: number): string {
  return MANUFACTURERS.get(id) ?? `manufacturer ${id.toString(16).toUpperCase().padStart(4, '0')}`;
}

function bcd(b: number): number {
  const hi = b >> 4;
  const lo = b & 0x0f;
  return hi <= 9 && lo <= 9 ? hi * 10 + lo : b;
}

export function parseAid(bytes: Uint8Array): OpenPgpAid {
  if (bytes.length !== AID_LENGTH) throw new OpenPgpDataError('4F', `AID of ${bytes.length} bytes, expected ${AID_LENGTH}`);
  if (!bytesEqual(bytes.subarray(0, OPENPGP_AID_PREFIX.length), OPENPGP_AID_PREFIX)) {
    throw new OpenPgpDataError('4F', 'not an OpenPGP application identifier');
  }
  const r = new ByteReader(bytes.subarray(OPENPGP_AID_PREFIX.length));
  const major = bcd(r.u8());
  const minor = bcd(r.u8());
  const manufacturer = r.u16be();
  const serial = r.bytes(4).slice();
  r.bytes(2); // RFU
  r.end();
  return {
    bytes: bytes.slice(),
    version: { major, minor },
    manufacturer,
    serial,
    id: `${manufacturer.toString(16).toUpperCase().padStart(4, '0')}:${toHex(serial).toUpperCase()}`,
  };
}

/** Version at least major.minor. */
export const versionAtLeast = (aid: OpenPgpAid, major: number, minor: number): boolean =>
  aid.version.major > major || (aid.version.major === major && aid.version.minor >= minor);
