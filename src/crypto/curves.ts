/**
 * The three curves webtke uses (DESIGN §3.2), with the hash each one signs with and the OIDs
 * that name them.
 *
 *   | curve | field/order size | hash    | namedCurve OID       | ecdsa-with-SHA OID      | digest OID              |
 *   |-------|------------------|---------|----------------------|-------------------------|-------------------------|
 *   | P-256 | 32 bytes         | SHA-256 | 1.2.840.10045.3.1.7  | 1.2.840.10045.4.3.2     | 2.16.840.1.101.3.4.2.1  |
 *   | P-384 | 48 bytes         | SHA-384 | 1.3.132.0.34         | 1.2.840.10045.4.3.3     | 2.16.840.1.101.3.4.2.2  |
 *   | P-521 | 66 bytes         | SHA-512 | 1.3.132.0.35         | 1.2.840.10045.4.3.4     | 2.16.840.1.101.3.4.2.3  |
 */
export type CurveName = 'P-256' | 'P-384' | 'P-521';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface CurveInfo {
  name: CurveName;
  /** Byte size of a field element and of the group order (r, s, x, y, d). */
  size: number;
  hash: HashName;
  curveOid: string;
  signatureOid: string;
  digestOid: string;
  /** Uncompressed point length: 1 + 2 × size. */
  pointLength: number;
}

export const CURVES: Readonly<Record<CurveName, CurveInfo>> = {
  'P-256': {
    name: 'P-256', size: 32, hash: 'SHA-256', curveOid: '1.2.840.10045.3.1.7',
    signatureOid: '1.2.840.10045.4.3.2', digestOid: '2.16.840.1.101.3.4.2.1', pointLength: 65,
  },
  'P-384': {
    name: 'P-384', size: 48, hash: 'SHA-384', curveOid: '1.3.132.0.34',
    signatureOid: '1.2.840.10045.4.3.3', digestOid: '2.16.840.1.101.3.4.2.2', pointLength: 97,
  },
  'P-521': {
    name: 'P-521', size: 66, hash: 'SHA-512', curveOid: '1.3.132.0.35',
    signatureOid: '1.2.840.10045.4.3.4', digestOid: '2.16.840.1.101.3.4.2.3', pointLength: 133,
  },
};

export const CURVE_NAMES: readonly CurveName[] = ['P-256', 'P-384', 'P-521'];

export function isCurveName(x: unknown): x is CurveName {
  return x === 'P-256' || x === 'P-384' || x === 'P-521';
}

export function curveByOid(oid: string): CurveInfo | undefined {
  return CURVE_NAMES.map((n) => CURVES[n]).find((c) => c.curveOid === oid);
}

/** The curve whose uncompressed point has this length, if any. */
export function curveByPointLength(len: number): CurveInfo | undefined {
  return CURVE_NAMES.map((n) => CURVES[n]).find((c) => c.pointLength === len);
}

/** id-ecPublicKey (RFC 5480). */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
