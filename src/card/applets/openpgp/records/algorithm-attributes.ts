import { bytesEqual, ByteReader, concat } from '../../../../bytes/index.ts';
import type { CurveName } from '../../../../crypto/index.ts';
import {
  ALG_ECDH, ALG_ECDSA, ALG_EDDSA, ALG_IMPORT_WITH_PUBLIC_KEY, ALG_RSA, CURVE_OID_BYTES,
} from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * Algorithm attributes (DOs C1 signature, C2 decryption, C3 authentication), §4.4.3.9:
 *
 *   RSA:        01 | modulus bits (2) | public exponent bits (2) | import format (1)
 *   ECDH:       12 | curve OID contents | [FF: import with public key]
 *   ECDSA:      13 | curve OID contents | [FF]
 *   EdDSA:      16 | curve OID contents | [FF]
 *
 * Only the NIST curves P-256, P-384 and P-521 are named here (the curves webtke uses); other
 * curves keep their OID and show it dotted.
 */
export type EcAlgorithmKind = 'ecdsa' | 'ecdh' | 'eddsa';

export type AlgorithmAttributes =
  | { readonly kind: 'rsa'; readonly modulusBits: number; readonly exponentBits: number; readonly importFormat: number; readonly bytes: Uint8Array }
  | {
      readonly kind: EcAlgorithmKind;
      /** The NIST curve, or null for another curve (see `oid`). */
      readonly curve: CurveName | null;
      /** Dotted curve OID. */
      readonly oid: string;
      readonly importWithPublicKey: boolean;
      readonly bytes: Uint8Array;
    }
  | { readonly kind: 'unknown'; readonly algorithmId: number; readonly bytes: Uint8Array };

const RSA_LENGTH = 6;
const EC_IDS: ReadonlyMap<number, EcAlgorithmKind> = new Map([
  [ALG_ECDH, 'ecdh'],
  [ALG_ECDSA, 'ecdsa'],
  [ALG_EDDSA, 'eddsa'],
]);
const ID_OF: Readonly<Record<EcAlgorithmKind, number>> = { ecdh: ALG_ECDH, ecdsa: ALG_ECDSA, eddsa: ALG_EDDSA };

/** Dotted form of DER OID contents; throws OpenPgpDataError when they are not a valid OID. */
export function oidToString(contents: Uint8Array, field: string): string {
  if (contents.length === 0) throw new OpenPgpDataError(field, 'empty curve OID');
  const arcs: bigint[] = [];
  let v = 0n;
  let started = false;
  for (let i = 0; i < contents.length; i++) {
    const b = contents[i];
    if (!started && b === 0x80) throw new OpenPgpDataError(field, 'curve OID arc is not minimal');
    started = true;
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
      started = false;
    } else if (i === contents.length - 1) {
      throw new OpenPgpDataError(field, 'curve OID is cut off');
    }
  }
  const first = arcs[0];
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

function curveOf(oid: Uint8Array): CurveName | null {
  for (const [name, bytes] of Object.entries(CURVE_OID_BYTES) as [CurveName, Uint8Array][]) {
    if (bytesEqual(bytes, oid)) return name;
  }
  return null;
}

export function parseAlgorithmAttributes(bytes: Uint8Array, field = 'C1'): AlgorithmAttributes {
  if (bytes.length === 0) throw new OpenPgpDataError(field, 'empty algorithm attributes');
  const id = bytes[0];
  if (id === ALG_RSA) {
    if (bytes.length !== RSA_LENGTH) throw new OpenPgpDataError(field, `RSA attributes of ${bytes.length} bytes, expected ${RSA_LENGTH}`);
    const r = new ByteReader(bytes.subarray(1));
    return { kind: 'rsa', modulusBits: r.u16be(), exponentBits: r.u16be(), importFormat: r.u8(), bytes: bytes.slice() };
  }
  const kind = EC_IDS.get(id);
  if (!kind) return { kind: 'unknown', algorithmId: id, bytes: bytes.slice() };
  let oid = bytes.subarray(1);
  let importWithPublicKey = false;
  // A trailing FF is the import-format flag: no OID contents end in FF (its high bit would say "more").
  if (oid.length > 0 && oid[oid.length - 1] === ALG_IMPORT_WITH_PUBLIC_KEY) {
    importWithPublicKey = true;
    oid = oid.subarray(0, -1);
  }
  return { kind, curve: curveOf(oid), oid: oidToString(oid, field), importWithPublicKey, bytes: bytes.slice() };
}

/** Attributes for an ECDSA (signature/authentication) or ECDH (decryption) key on a NIST curve. */
export function encodeEcAttributes(kind: 'ecdsa' | 'ecdh', curve: CurveName): Uint8Array {
  return concat(Uint8Array.of(ID_OF[kind]), CURVE_OID_BYTES[curve]);
}

/** Same algorithm and curve (the import-format flag is ignored). */
export function sameEcAlgorithm(a: AlgorithmAttributes, kind: EcAlgorithmKind, curve: CurveName): boolean {
  return a.kind === kind && a.curve === curve;
}

/** "ECDSA P-384", "RSA 2048", "EdDSA 1.3.6.1.4.1.11591.15.1". */
export function describeAlgorithm(a: AlgorithmAttributes): string {
  switch (a.kind) {
    case 'rsa':
      return `RSA ${a.modulusBits}`;
    case 'unknown':
      return `algorithm ${a.algorithmId.toString(16).toUpperCase().padStart(2, '0')}`;
    default:
      return `${a.kind === 'ecdsa' ? 'ECDSA' : a.kind === 'ecdh' ? 'ECDH' : 'EdDSA'} ${a.curve ?? a.oid}`;
  }
}
