import { TlvError } from '../../tlv.ts';
import { encodeFlatTlv, parseFlatTlv, type FlatTlv } from './flat-tlv.ts';
import { CERT_INFO_UNCOMPRESSED, TAG_CERT_INFO, TAG_CERTIFICATE, TAG_ERROR_DETECTION } from './constants.ts';
import { PivResponseError } from './errors.ts';

/**
 * The X.509 certificate container (SP 800-73-4 Part 1 Appendix A, e.g. Table 15 for 5FC10A),
 * the content of a certificate data object (inside 53):
 *
 *   | tag | element             | value                                     |
 *   |-----|---------------------|-------------------------------------------|
 *   | 70  | certificate         | DER X.509 certificate                     |
 *   | 71  | CertInfo            | 1 byte: 00 not compressed (01 gzip)       |
 *   | FE  | error detection code| empty (LRC)                               |
 *
 * This client writes exactly 70, 71 00, FE 00 and reads any order of 70, 71 (uncompressed
 * only) and FE, each at most once. 70, 71 and FE have the constructed bit set but hold plain
 * values, so the container is read one level deep (flat-tlv.ts).
 */
export const MAX_CERTIFICATE = 3000;

export function encodeCertificateObject(certificateDer: Uint8Array): Uint8Array {
  if (certificateDer.length === 0 || certificateDer.length > MAX_CERTIFICATE) throw new RangeError(`certificate of ${certificateDer.length} bytes does not fit a PIV certificate object`);
  return encodeFlatTlv(
    { tag: TAG_CERTIFICATE, value: certificateDer },
    { tag: TAG_CERT_INFO, value: Uint8Array.of(CERT_INFO_UNCOMPRESSED) },
    { tag: TAG_ERROR_DETECTION, value: new Uint8Array(0) },
  );
}

/** The certificate DER from a certificate object's content. */
export function parseCertificateObject(content: Uint8Array): Uint8Array {
  const what = 'certificate object';
  let list: FlatTlv[];
  try {
    list = parseFlatTlv(content, MAX_CERTIFICATE);
  } catch (e) {
    if (e instanceof TlvError) throw new PivResponseError(what, e.message);
    throw e;
  }
  const seen = new Set<number>();
  let cert: Uint8Array | undefined;
  for (const t of list) {
    if (seen.has(t.tag)) throw new PivResponseError(what, `tag ${t.tag.toString(16)} appears twice`);
    seen.add(t.tag);
    if (t.tag === TAG_CERTIFICATE) cert = t.value;
    else if (t.tag === TAG_CERT_INFO) {
      if (t.value.length !== 1 || t.value[0] !== CERT_INFO_UNCOMPRESSED) throw new PivResponseError(what, 'compressed certificates are not supported');
    } else if (t.tag !== TAG_ERROR_DETECTION) throw new PivResponseError(what, `unexpected tag ${t.tag.toString(16)}`);
  }
  if (!cert || cert.length === 0) throw new PivResponseError(what, 'no certificate (70)');
  return cert;
}
