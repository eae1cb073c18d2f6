import { readU32be, u32be } from '../../bytes/index.ts';
import { decodeDer, encodeDer, octetString, octets, seq, sequenceItems } from './der/asn1.ts';
import { splitDerSequence } from './der/strict.ts';
import { DerError, FieldLengthError } from './errors.ts';
import { ADMIN_FUNCTION_ID } from './codes.ts';
import { DOMAIN_INDEX_LENGTH, FUNCTION_LENGTH } from './fields.ts';

/**
 * AdminRequest (DESIGN §3.1).
 *
 *   AdminRequest ::= SEQUENCE {
 *     function     OCTET STRING (4)   -- 00 01 00 29
 *     domainIndex  OCTET STRING (4)   -- u32
 *     adminBlock   OCTET STRING       -- DER of AdminBlock: exactly the bytes that are signed
 *     signerInfos  OCTET STRING       -- zero or more DER SignerInfo, concatenated
 *   }
 */
export interface AdminRequest {
  /** u32; 0x00010029 for every valid request */
  function: number;
  domainIndex: number;
  adminBlock: Uint8Array;
  /** each one DER SignerInfo */
  signerInfos: Uint8Array[];
}

/** Largest request a unit takes (a REENCRYPT batch or a 64 KiB WRAP fits well inside). */
export const MAX_REQUEST_LENGTH = 1 << 20;
/** Most SignerInfos one request may carry (8 admins; more can only be duplicates). */
export const MAX_SIGNER_INFOS = 16;

export function encodeAdminRequest(r: Omit<AdminRequest, 'function'> & { function?: number }): Uint8Array {
  const signerInfos = new Uint8Array(r.signerInfos.reduce((n, s) => n + s.length, 0));
  let o = 0;
  for (const s of r.signerInfos) {
    signerInfos.set(s, o);
    o += s.length;
  }
  return encodeDer(
    seq(
      octets(u32be(r.function ?? ADMIN_FUNCTION_ID)),
      octets(u32be(r.domainIndex)),
      octets(r.adminBlock),
      octets(signerInfos),
    ),
  );
}

/**
 * Strict decoding (step 1 of DESIGN §3.3): DER, four OCTET STRINGs, 4-byte function and
 * domainIndex (33 otherwise), and signerInfos framed as concatenated DER values (7 otherwise).
 * The values of function and domainIndex are checked by the caller (step 2).
 */
export function decodeAdminRequest(der: Uint8Array): AdminRequest {
  if (der.length > MAX_REQUEST_LENGTH) throw new FieldLengthError('AdminRequest', `at most ${MAX_REQUEST_LENGTH}`, der.length);
  const items = sequenceItems(decodeDer(der, 'AdminRequest', { maxLength: MAX_REQUEST_LENGTH }), 'AdminRequest', 4);
  const fn = octetString(items[0], 'AdminRequest.function');
  const dom = octetString(items[1], 'AdminRequest.domainIndex');
  const adminBlock = octetString(items[2], 'AdminRequest.adminBlock');
  const sis = octetString(items[3], 'AdminRequest.signerInfos');
  if (fn.length !== FUNCTION_LENGTH) throw new FieldLengthError('AdminRequest.function', '4', fn.length);
  if (dom.length !== DOMAIN_INDEX_LENGTH) throw new FieldLengthError('AdminRequest.domainIndex', '4', dom.length);
  let signerInfos: Uint8Array[];
  try {
    signerInfos = splitDerSequence(sis, { maxItems: MAX_SIGNER_INFOS });
  } catch (e) {
    if (e instanceof DerError) throw new DerError(`AdminRequest.signerInfos: ${e.message}`, e.offset);
    throw e;
  }
  return { function: readU32be(fn), domainIndex: readU32be(dom), adminBlock, signerInfos: signerInfos.map((s) => s.slice()) };
}
