import { bytesEqual } from '../../../bytes/index.ts';
import { CryptoFormatError, randomBytes, subjectKeyIdentifier, type CurveName, type WebCrypto } from '../../../crypto/index.ts';
import { CertificateError, ProtocolDecodeError } from '../errors.ts';
import { OID_CN, OID_OU } from '../oids.ts';
import { buildCertificate, parseCertificate, skiExtension, skiOf, verifyCertificateSignature, X509_VERSION_3, type TbsSigner } from './x509.ts';

/**
 * Administrator certificates (DESIGN §3.2): X.509 v3, self-signed with the curve's hash,
 * issuer = subject = [OU=TKE Administration][CN=<name>] (OU first), the name 1–30 characters
 * compared after trimming trailing spaces (IBM pads to 30), a subjectKeyIdentifier extension
 * equal to SHA-256 of the uncompressed point, a positive serial. Validity is not checked.
 */
export const ADMIN_OU = 'TKE Administration';
export const ADMIN_NAME_MAX_LENGTH = 30;
const SERIAL_LENGTH = 16;
const DEFAULT_VALIDITY_YEARS = 20;

export class AdminNameError extends RangeError {
  override name = 'AdminNameError';
}

/** The name as compared: trailing spaces trimmed. */
export const normalizeAdminName = (name: string): string => name.replace(/ +$/, '');

/** A valid admin name, normalized; throws AdminNameError otherwise. */
export function checkAdminName(name: string): string {
  const n = normalizeAdminName(name);
  const len = [...n].length;
  if (len < 1 || len > ADMIN_NAME_MAX_LENGTH) throw new AdminNameError(`an administrator name has 1–${ADMIN_NAME_MAX_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(n)) throw new AdminNameError('an administrator name may not contain control characters');
  return n;
}

export interface AdminCertificateRequest {
  name: string;
  curve: CurveName;
  /** uncompressed point of the admin key */
  publicPoint: Uint8Array;
  /** signs the TBSCertificate with the admin's own key (software key or card) */
  sign: TbsSigner;
  notBefore?: Date;
  notAfter?: Date;
}

/** Build the self-signed admin certificate; returns its DER. */
export async function buildAdminCertificate(c: WebCrypto, req: AdminCertificateRequest): Promise<Uint8Array> {
  const name = checkAdminName(req.name);
  const serial = randomBytes(c, SERIAL_LENGTH);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and minimal
  const dn = [
    { type: OID_OU, value: ADMIN_OU },
    { type: OID_CN, value: name },
  ];
  const notBefore = req.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = req.notAfter ?? new Date(notBefore.getTime() + DEFAULT_VALIDITY_YEARS * 365.25 * 86400e3);
  return buildCertificate(
    {
      serial,
      issuer: dn,
      subject: dn,
      notBefore,
      notAfter,
      subjectKey: { curve: req.curve, point: req.publicPoint },
      signerCurve: req.curve,
      extensions: [skiExtension(await subjectKeyIdentifier(c, req.publicPoint))],
    },
    req.sign,
  );
}

export interface AdminCertificate {
  der: Uint8Array;
  /** the CN, trailing spaces trimmed */
  name: string;
  curve: CurveName;
  publicPoint: Uint8Array;
  ski: Uint8Array;
}

function checkDn(attrs: { type: string; value: string }[], what: string): string {
  if (attrs.length !== 2 || attrs[0].type !== OID_OU || attrs[1].type !== OID_CN) {
    throw new CertificateError(`${what} must be OU=${ADMIN_OU}, CN=<name>`);
  }
  if (attrs[0].value !== ADMIN_OU) throw new CertificateError(`${what} OU must be "${ADMIN_OU}"`);
  try {
    return checkAdminName(attrs[1].value);
  } catch (e) {
    throw new CertificateError(`${what} CN: ${(e as Error).message}`);
  }
}

/**
 * Every check a unit makes when installing an admin certificate: DER, v3, positive serial,
 * the self-signature, the curve, the SKI extension, OU and CN. Any failure is
 * CertificateError (rc 7, reason 40).
 */
export async function parseAdminCertificate(c: WebCrypto, der: Uint8Array): Promise<AdminCertificate> {
  try {
    const cert = parseCertificate(der, 'admin certificate');
    if (cert.version !== X509_VERSION_3) throw new CertificateError('admin certificate must be X.509 v3');
    if (cert.serial[0] & 0x80 || cert.serial.every((b) => b === 0)) throw new CertificateError('admin certificate serial must be positive');
    const name = checkDn(cert.subject, 'subject');
    const issuerName = checkDn(cert.issuer, 'issuer');
    if (issuerName !== name) throw new CertificateError('admin certificate must be self-issued');
    for (const [oid, e] of cert.extensions) {
      if (e.critical && oid !== '2.5.29.15' && oid !== '2.5.29.19') throw new CertificateError(`unknown critical extension ${oid}`);
    }
    const ski = skiOf(cert);
    const expected = await subjectKeyIdentifier(c, cert.subjectKey.point);
    if (!ski || !bytesEqual(ski, expected)) throw new CertificateError('subjectKeyIdentifier must be SHA-256 of the public point');
    if (!(await verifyCertificateSignature(c, cert, cert.subjectKey))) throw new CertificateError('the self-signature does not verify');
    return { der: der.slice(), name, curve: cert.subjectKey.curve, publicPoint: cert.subjectKey.point, ski };
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    // a public point off its curve surfaces from the signature check as CryptoFormatError
    if (e instanceof ProtocolDecodeError || e instanceof CryptoFormatError) throw new CertificateError(e.message);
    throw e;
  }
}
