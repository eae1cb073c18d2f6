import { bytesEqual, toHex } from '../../../bytes/index.ts';
import {
  ecdsaSign, importPublicPoint, sha256, subjectKeyIdentifier, type WebCrypto,
} from '../../../crypto/index.ts';
import { decodeDer, encodeDer, seq, sequenceItems } from '../der/asn1.ts';
import * as asn1js from 'asn1js';
import { OID_BASIC_CONSTRAINTS, OID_CN, OID_KEY_USAGE, OID_O } from '../oids.ts';
import { buildCertificate, parseCertificate, skiExtension, skiOf, verifyCertificateSignature, X509_VERSION_3, type ParsedCertificate } from './x509.ts';

/**
 * Outbound authentication (DESIGN §3.2): each unit's P-521 OA key is certified (index 0) by
 * its host's root (index 1), a self-signed P-521 CA with basicConstraints CA:true. Both are
 * X.509 v3 with ECDSA-SHA512 and a subjectKeyIdentifier.
 */
export const OA_CURVE = 'P-521' as const;
const MANUFACTURER = 'webtke simulated host';

/** A verification failure of the OA chain or of a response signature. */
export class OaChainError extends Error {
  override name = 'OaChainError';
}

/**
 * KeyUsage ::= BIT STRING, DER with trailing zero bits removed:
 *   digitalSignature (bit 0) → 03 02 07 80;  keyCertSign (bit 5) → 03 02 02 04
 */
const KEY_USAGE_DIGITAL_SIGNATURE = { byte: 0x80, unusedBits: 7 };
const KEY_USAGE_KEY_CERT_SIGN = { byte: 0x04, unusedBits: 2 };

function keyUsage(u: { byte: number; unusedBits: number }): { oid: string; critical: boolean; value: Uint8Array } {
  return { oid: OID_KEY_USAGE, critical: true, value: encodeDer(new asn1js.BitString({ valueHex: Uint8Array.of(u.byte), unusedBits: u.unusedBits })) };
}
const basicConstraintsCa = (): { oid: string; critical: boolean; value: Uint8Array } => ({
  oid: OID_BASIC_CONSTRAINTS,
  critical: true,
  value: encodeDer(seq(new asn1js.Boolean({ value: true }))),
});

function positiveSerial(bytes: Uint8Array): Uint8Array {
  const s = bytes.slice();
  s[0] = (s[0] & 0x7f) | 0x01;
  return s;
}

export interface RootCertificateRequest {
  keyPair: CryptoKeyPair;
  publicPoint: Uint8Array;
  serial: Uint8Array;
  label: string;
  notBefore: Date;
  notAfter: Date;
}

export async function buildRootCertificate(c: WebCrypto, r: RootCertificateRequest): Promise<Uint8Array> {
  const dn = [
    { type: OID_O, value: MANUFACTURER },
    { type: OID_CN, value: r.label },
  ];
  return buildCertificate(
    {
      serial: positiveSerial(r.serial),
      issuer: dn,
      subject: dn,
      notBefore: r.notBefore,
      notAfter: r.notAfter,
      subjectKey: { curve: OA_CURVE, point: r.publicPoint },
      signerCurve: OA_CURVE,
      extensions: [basicConstraintsCa(), keyUsage(KEY_USAGE_KEY_CERT_SIGN), skiExtension(await subjectKeyIdentifier(c, r.publicPoint))],
    },
    (tbs) => ecdsaSign(c, OA_CURVE, r.keyPair.privateKey, tbs),
  );
}

export interface OaCertificateRequest {
  rootPrivateKey: CryptoKey;
  rootCertificate: Uint8Array;
  oaPublicPoint: Uint8Array;
  serial: Uint8Array;
  label: string;
  notBefore: Date;
  notAfter: Date;
}

export async function buildOaCertificate(c: WebCrypto, r: OaCertificateRequest): Promise<Uint8Array> {
  const root = parseCertificate(r.rootCertificate, 'root certificate');
  return buildCertificate(
    {
      serial: positiveSerial(r.serial),
      issuer: root.subject,
      subject: [
        { type: OID_O, value: MANUFACTURER },
        { type: OID_CN, value: r.label },
      ],
      notBefore: r.notBefore,
      notAfter: r.notAfter,
      subjectKey: { curve: OA_CURVE, point: r.oaPublicPoint },
      signerCurve: OA_CURVE,
      extensions: [keyUsage(KEY_USAGE_DIGITAL_SIGNATURE), skiExtension(await subjectKeyIdentifier(c, r.oaPublicPoint))],
    },
    (tbs) => ecdsaSign(c, OA_CURVE, r.rootPrivateKey, tbs),
  );
}

/**
 * The root fingerprint people compare, as SSH shows keys: "SHA256:" + unpadded base64 of
 * SHA-256 over the root's SubjectPublicKeyInfo DER.
 */
export async function spkiFingerprint(c: WebCrypto, spkiDer: Uint8Array): Promise<string> {
  const h = await sha256(c, spkiDer);
  let s = '';
  for (const b of h) s += String.fromCharCode(b);
  return `SHA256:${btoa(s).replace(/=+$/, '')}`;
}

export interface VerifiedOaChain {
  oaCertificate: ParsedCertificate;
  rootCertificate: ParsedCertificate;
  /** the OA public key, ready to verify response signatures */
  oaKey: CryptoKey;
  oaSki: Uint8Array;
  rootFingerprint: string;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
function isCa(cert: ParsedCertificate): boolean {
  const e = cert.extensions.get(OID_BASIC_CONSTRAINTS);
  if (!e) return false;
  try {
    const items = sequenceItems(decodeDer(e.value, 'basicConstraints'), 'basicConstraints', [1, 2]);
    return items[0] instanceof asn1js.Boolean && items[0].valueBlock.value === true;
  } catch {
    return false;
  }
}

/**
 * Check a unit's certificate chain [OA cert, root]: both parse strictly, both P-521 with
 * ECDSA-SHA512, the root is a self-signed CA, the OA cert is issued and signed by the root,
 * and both carry a correct SKI. Optionally the root must match a pinned fingerprint.
 */
export async function verifyOaChain(
  c: WebCrypto,
  oaDer: Uint8Array,
  rootDer: Uint8Array,
  pinnedFingerprint?: string,
): Promise<VerifiedOaChain> {
  let oa: ParsedCertificate;
  let root: ParsedCertificate;
  try {
    oa = parseCertificate(oaDer, 'OA certificate');
    root = parseCertificate(rootDer, 'root certificate');
  } catch (e) {
    throw new OaChainError(`unit certificate does not parse: ${(e as Error).message}`);
  }
  const rootFingerprint = await spkiFingerprint(c, root.spkiDer);
  if (pinnedFingerprint !== undefined && rootFingerprint !== pinnedFingerprint) {
    throw new OaChainError(`the unit's root ${rootFingerprint} is not the pinned root ${pinnedFingerprint}`);
  }
  for (const cert of [oa, root]) {
    if (cert.version !== X509_VERSION_3 || cert.subjectKey.curve !== OA_CURVE) throw new OaChainError('unit certificates must be X.509 v3 on P-521');
    const ski = skiOf(cert);
    if (!ski || !bytesEqual(ski, await subjectKeyIdentifier(c, cert.subjectKey.point))) throw new OaChainError('unit certificate SKI is wrong');
  }
  if (!isCa(root)) throw new OaChainError('the root certificate is not a CA');
  if (!bytesEqual(root.issuerDer, root.subjectDer) || !(await verifyCertificateSignature(c, root, root.subjectKey))) {
    throw new OaChainError('the root certificate is not validly self-signed');
  }
  if (!bytesEqual(oa.issuerDer, root.subjectDer) || !(await verifyCertificateSignature(c, oa, root.subjectKey))) {
    throw new OaChainError('the OA certificate is not signed by the root');
  }
  return {
    oaCertificate: oa,
    rootCertificate: root,
    oaKey: await importPublicPoint(c, OA_CURVE, oa.subjectKey.point, 'ECDSA'),
    oaSki: await subjectKeyIdentifier(c, oa.subjectKey.point),
    rootFingerprint,
  };
}

export const serialHex = (cert: ParsedCertificate): string => toHex(cert.serial);
