import * as asn1js from 'asn1js';
import { CURVES, ecdsaVerify, importPublicPoint, type CurveName, type WebCrypto } from '../../../crypto/index.ts';
import { bytesEqual } from '../../../bytes/index.ts';
import {
  algorithm, bitStringBytes, contextConstructed, decodeDer, encodeDer, integer, objectIdentifier, octetString, octets,
  sequenceItems, type Node,
} from '../der/asn1.ts';
import { checkStrictDer } from '../der/strict.ts';
import { DerError } from '../errors.ts';
import { ecPublicKeyOf, encodeEcSpki, type EcPublicKey } from '../spki.ts';
import { decodeName, encodeName, type NameAttribute } from './name.ts';
import { OID_SUBJECT_KEY_IDENTIFIER } from '../oids.ts';

/**
 * X.509 v3 certificates (RFC 5280) with ECDSA keys and signatures, built with pkijs (loaded on
 * first use) and read with asn1js.
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

/** Largest certificate any reader here accepts. */
export const MAX_CERTIFICATE_LENGTH = 16384;

/** Build and sign a certificate; returns its DER. */
export async function buildCertificate(f: CertificateFields, sign: TbsSigner): Promise<Uint8Array> {
  const pkijs = await import('pkijs');
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

/**
 * Strict DER + structure; throws DerError. Does not verify any signature. Read with asn1js
 * alone (pkijs is needed only to build certificates, so it stays out of the app's first load):
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT INTEGER (v3 = 2), serialNumber INTEGER, signature AlgorithmIdentifier,
 *     issuer Name, validity SEQUENCE { Time, Time }, subject Name, subjectPublicKeyInfo,
 *     extensions [3] EXPLICIT SEQUENCE OF Extension }        -- no issuer/subject unique IDs
 *   Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 */
export function parseCertificate(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  const top = sequenceItems(decodeDer(der, what, { maxLength: MAX_CERTIFICATE_LENGTH }), what, 3);
  const tbsNode = top[0];
  const tbsItems = sequenceItems(tbsNode, `${what} TBSCertificate`, [7, 8]);
  const versionItems = contextConstructed(tbsItems[0], 0, `${what} version`);
  if (versionItems.length !== 1) throw new DerError(`${what}: version must hold one INTEGER`);
  const version = Number(integer(versionItems[0], `${what} version`));
  const serialNode = tbsItems[1];
  integer(serialNode, `${what} serialNumber`);
  const inner = algorithm(tbsItems[2], `${what} signature`);
  const outer = algorithm(top[1], `${what} signatureAlgorithm`);
  if (inner.oid !== outer.oid) throw new DerError(`${what}: inner and outer signature algorithms differ`);
  if (typeof inner.params === 'object' || typeof outer.params === 'object') {
    throw new DerError(`${what}: signature algorithm parameters must be absent or NULL`);
  }
  const validity = sequenceItems(tbsItems[4], `${what} validity`, 2);
  for (const t of validity) {
    if (!(t instanceof asn1js.UTCTime) && !(t instanceof asn1js.GeneralizedTime)) throw new DerError(`${what}: validity must hold two times`);
  }
  const spkiItems = sequenceItems(tbsItems[6], `${what} subjectPublicKeyInfo`, 2);
  const subjectKey = ecPublicKeyOf(spkiItems[0], spkiItems[1]);
  const extensions = new Map<string, { critical: boolean; value: Uint8Array }>();
  if (tbsItems.length === 8) {
    const extItems = contextConstructed(tbsItems[7], 3, `${what} extensions`);
    if (extItems.length !== 1) throw new DerError(`${what}: extensions must be one SEQUENCE`);
    for (const ext of sequenceItems(extItems[0], `${what} extensions`)) {
      const f = sequenceItems(ext, `${what} extension`, [2, 3]);
      const oid = objectIdentifier(f[0], `${what} extnID`);
      let critical = false;
      if (f.length === 3) {
        if (!(f[1] instanceof asn1js.Boolean) || !f[1].valueBlock.value) {
          throw new DerError(`${what}: extension ${oid}: critical FALSE must be left out (DER)`);
        }
        critical = true;
      }
      if (extensions.has(oid)) throw new DerError(`${what}: duplicate extension ${oid}`);
      extensions.set(oid, { critical, value: octetString(f[f.length - 1], `${what} extnValue`) });
    }
  }
  return {
    der,
    version,
    serial: new Uint8Array((serialNode as asn1js.Integer).valueBlock.valueHexView),
    issuer: decodeName(tbsItems[3], `${what} issuer`),
    subject: decodeName(tbsItems[5], `${what} subject`),
    issuerDer: rawOf(tbsItems[3]),
    subjectDer: rawOf(tbsItems[5]),
    subjectKey,
    spkiDer: rawOf(tbsItems[6]),
    signatureOid: outer.oid,
    tbs: rawOf(tbsNode),
    signature: bitStringBytes(top[2], `${what} signatureValue`),
    extensions,
  };
}

/** The exact DER bytes a decoded node came from (a copy). */
function rawOf(node: Node): Uint8Array {
  return new Uint8Array(node.valueBeforeDecodeView);
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
