import { readU32be, u32be } from '../../bytes/index.ts';
import { decodeDer, encodeDer, octetString, octets, seq, sequenceItems } from './der/asn1.ts';
import { splitDerSequence } from './der/strict.ts';
import { DerError, FieldLengthError } from './errors.ts';
import { ADMIN_FUNCTION_ID } from './codes.ts';
import { DOMAIN_INDEX_LENGTH, FUNCTION_LENGTH, RV_LENGTH } from './fields.ts';

/**
 * AdminResponse (DESIGN §3.1). Every response is signed, errors included.
 *
 *   AdminResponse ::= SEQUENCE {
 *     function      OCTET STRING (4)  -- 00 01 00 29
 *     domainIndex   OCTET STRING (4)  -- the unit's domain index
 *     rv            OCTET STRING (4)  -- return code, 0 = ok; equal to responseBlock.rv
 *     responseBlock OCTET STRING      -- DER of ResponseBlock (always present)
 *     oaSignerInfos OCTET STRING      -- exactly one SignerInfo by the unit's OA key over responseBlock
 *   }
 */
export interface AdminResponse {
  function: number;
  domainIndex: number;
  rv: number;
  responseBlock: Uint8Array;
  oaSignerInfo: Uint8Array;
}

export function encodeAdminResponse(r: Omit<AdminResponse, 'function'>): Uint8Array {
  return encodeDer(
    seq(
      octets(u32be(ADMIN_FUNCTION_ID)),
      octets(u32be(r.domainIndex)),
      octets(u32be(r.rv)),
      octets(r.responseBlock),
      octets(r.oaSignerInfo),
    ),
  );
}

/** Strict decoding: DER, fixed sizes, function 00010029, exactly one OA SignerInfo. */
export function decodeAdminResponse(der: Uint8Array): AdminResponse {
  const items = sequenceItems(decodeDer(der, 'AdminResponse'), 'AdminResponse', 5);
  const fn = octetString(items[0], 'AdminResponse.function');
  const dom = octetString(items[1], 'AdminResponse.domainIndex');
  const rv = octetString(items[2], 'AdminResponse.rv');
  const responseBlock = octetString(items[3], 'AdminResponse.responseBlock');
  const oa = octetString(items[4], 'AdminResponse.oaSignerInfos');
  if (fn.length !== FUNCTION_LENGTH) throw new FieldLengthError('AdminResponse.function', '4', fn.length);
  if (dom.length !== DOMAIN_INDEX_LENGTH) throw new FieldLengthError('AdminResponse.domainIndex', '4', dom.length);
  if (rv.length !== RV_LENGTH) throw new FieldLengthError('AdminResponse.rv', '4', rv.length);
  if (readU32be(fn) !== ADMIN_FUNCTION_ID) throw new DerError('AdminResponse.function is not 00 01 00 29');
  const sis = splitDerSequence(oa, { maxItems: 2 });
  if (sis.length !== 1) throw new DerError(`AdminResponse must carry exactly one OA SignerInfo, got ${sis.length}`);
  return { function: ADMIN_FUNCTION_ID, domainIndex: readU32be(dom), rv: readU32be(rv), responseBlock, oaSignerInfo: sis[0].slice() };
}
