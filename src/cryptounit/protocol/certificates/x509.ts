import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CURVES, ecdsaVerify, importPublicPoint, type CurveName, type WebCrypto } from '../../../crypto/index.ts';
import { bytesEqual } from '../../../bytes/index.ts';
import { decodeDer, encodeDer, octets, type Node } from '../der/asn1.ts';
import { checkStrictDer } from '../der/strict.ts';
import { DerError } from '../errors.ts';
import { decodeEcSpki, encodeEcSpki, type EcPublicKey } from '../spki.ts';
import { decodeName, encodeName, type NameAttribute } from './name.ts';
import { OID_SUBJECT_KEY_IDENTIFIER } from '../oids.ts';

/**
 * X.509 v3 certificates (RFC 5280) with ECDSA keys and signatures, built and read with pkijs.
 * Signature AlgorithmIdentifiers omit their parameters (RFC 5758); readers accept absent or
 * NULL. Validity dates are written but never checked (DESIGN §3.2).
 */

/** Signs the DER TBSCertificate; returns a DER Ecdsa-Sig-Value (a card or a WebCrypto key). */
export type TbsSigner = (tbs: Uint8Array) => Promise<Uint8Array>;

export interface CertificateFields {
  serial: Uint8Array;
  issuer: NameAttribute[];
  subject: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  subjectKey: EcPublicKey;
  /** the issuer's curve: decides ecdsa-with-SHA256/384/512 */
  signerCurve: CurveName;
  extensions: { oid: string; critical: boolean; value: Uint8Array }[];
}

export const X509_VERSION_3 = 2;

/** Build and sign a certificate; returns its DER. */
export async function buildCertificate(f: CertificateFields, sign: TbsSigner): Promise<Uint8Array> {
  if (f.serial.length === 0 || f.serial[0] & 0x80 || f.serial.every((b) => b === 0)) throw new RangeError('serial must be positive, minimal');
  const sigAlg = new pkijs.AlgorithmIdentifier({ algorithmId: CURVES[f.signerCurve].signatureOid });
  const cert = new pkijs.Certificate();
  cert.version = X509_VERSION_3;
  cert.serialNumber = new asn1js.Integer({ valueHex: f.serial.slice() });
  cert.signature = sigAlg;
  cert.issuer = new pkijs.RelativeDistinguishedNames({ schema: encodeName(f.issuer) });
  cert.subject = new pkijs.RelativeDistinguishedNames({ schema: encodeName(f.subject) });
  cert.issuer.valueBeforeDecode = encodeDer(encodeName(f.issuer)).slice().buffer;
  cert.subject.valueBeforeDecode = encodeDer(encodeName(f.subject)).slice().buffer;
  cert.notBefore = new pkijs.Time({ type: 0, value: f.notBefore });
  cert.notAfter = new pkijs.Time({ type: 0, value: f.notAfter });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(encodeEcSpki(f.subjectKey.curve, f.subjectKey.point));
  cert.extensions = f.extensions.map(
    (e) => new pkijs.Extension({ extnID: e.oid, critical: e.critical, extnValue: e.value.slice().buffer }),
  );
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = await sign(tbs);
  const der = encodeDer(
    new asn1js.Sequence({
      value: [asn1js.fromBER(tbs).result, sigAlg.toSchema(), new asn1js.BitString({ valueHex: signature.slice(), unusedBits: 0 })],
    }),
  );
  checkStrictDer(der);
  return der;
}

/** The SKI extension value: OCTET STRING of the identifier. */
export const skiExtension = (ski: Uint8Array): { oid: string; critical: boolean; value: Uint8Array } => ({
  oid: OID_SUBJECT_KEY_IDENTIFIER,
  critical: false,
  value: encodeDer(octets(ski)),
});

/** A certificate read strictly: the facts the protocol checks. */
export interface ParsedCertificate {
  der: Uint8Array;
  version: number;
  serial: Uint8Array;
  issuer: NameAttribute[];
  subject: NameAttribute[];
  /** exact DER of issuer and subject, for chain matching */
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  subjectKey: EcPublicKey;
  spkiDer: Uint8Array;
  /** outer signatureAlgorithm OID (equal to the TBS one) */
  signatureOid: string;
  tbs: Uint8Array;
  /** DER Ecdsa-Sig-Value */
  signature: Uint8Array;
  extensions: Map<string, { critical: boolean; value: Uint8Array }>;
}

function algParamsOk(alg: pkijs.AlgorithmIdentifier): boolean {
  const p = alg.algorithmParams as unknown;
  return p === undefined || p instanceof asn1js.Any || p instanceof asn1js.Null;
}

/** Strict DER + structure; throws DerError. Does not verify any signature. */
export function parseCertificate(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  decodeDer(der, what, { maxLength: 16384 });
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(der.slice());
  } catch (e) {
    throw new DerError(`${what}: ${(e as Error).message}`);
  }
  if (cert.signatureAlgorithm.algorithmId !== cert.signature.algorithmId) throw new DerError(`${what}: inner and outer signature algorithms differ`);
  if (!algParamsOk(cert.signatureAlgorithm) || !algParamsOk(cert.signature)) throw new DerError(`${what}: signature algorithm parameters must be absent or NULL`);
  if (cert.signatureValue.valueBlock.unusedBits !== 0) throw new DerError(`${what}: signature BIT STRING has unused bits`);
  const spkiDer = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  const subjectKey = decodeEcSpki(spkiDer);
  const issuerDer = new Uint8Array(cert.issuer.valueBeforeDecode);
  const subjectDer = new Uint8Array(cert.subject.valueBeforeDecode);
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  for (const e of cert.extensions ?? []) {
    if (extensions.has(e.extnID)) throw new DerError(`${what}: duplicate extension ${e.extnID}`);
    extensions.set(e.extnID, { critical: e.critical, value: new Uint8Array(e.extnValue.valueBlock.valueHexView) });
  }
  return {
    der,
    version: cert.version,
    serial: new Uint8Array(cert.serialNumber.valueBlock.valueHexView),
    issuer: decodeName(decodeDer(issuerDer, `${what} issuer`), `${what} issuer`),
    subject: decodeName(decodeDer(subjectDer, `${what} subject`), `${what} subject`),
    issuerDer,
    subjectDer,
    subjectKey,
    spkiDer,
    signatureOid: cert.signatureAlgorithm.algorithmId,
    tbs: new Uint8Array(cert.tbsView),
    signature: new Uint8Array(cert.signatureValue.valueBlock.valueHexView),
    extensions,
  };
}

/** The SKI extension's identifier, if present and well-formed. */
export function skiOf(cert: ParsedCertificate): Uint8Array | undefined {
  const e = cert.extensions.get(OID_SUBJECT_KEY_IDENTIFIER);
  if (!e) return undefined;
  try {
    const node = decodeDer(e.value, 'subjectKeyIdentifier') as Node;
    if (!(node instanceof asn1js.OctetString) || node.idBlock.isConstructed) return undefined;
    return new Uint8Array(node.valueBlock.valueHexView);
  } catch {
    return undefined;
  }
}

/** Verify `cert`'s signature with the issuer's public key (curve and hash must agree). */
export async function verifyCertificateSignature(c: WebCrypto, cert: ParsedCertificate, issuerKey: EcPublicKey): Promise<boolean> {
  if (cert.signatureOid !== CURVES[issuerKey.curve].signatureOid) return false;
  const key = await importPublicPoint(c, issuerKey.curve, issuerKey.point, 'ECDSA');
  return ecdsaVerify(c, issuerKey.curve, key, cert.tbs, cert.signature);
}

export const sameName = (a: Uint8Array, b: Uint8Array): boolean => bytesEqual(a, b);
