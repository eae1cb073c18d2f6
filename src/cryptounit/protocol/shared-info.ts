import { u32be } from '../../bytes/index.ts';
import { algorithmIdentifier, encodeDer, explicit, octets, seq } from './der/asn1.ts';
import { OID_AES256_WRAP } from './oids.ts';

/**
 * ECC-CMS-SharedInfo (RFC 5753 §7.2), the X9.63 KDF's SharedInfo for a part envelope
 * (DESIGN §3.7):
 *
 *   ECC-CMS-SharedInfo ::= SEQUENCE {
 *     keyInfo      AlgorithmIdentifier,            -- aes256-wrap, parameters ABSENT
 *     entityUInfo  [0] EXPLICIT OCTET STRING,      -- the ukm
 *     suppPubInfo  [2] EXPLICIT OCTET STRING       -- KEK length in bits, u32: 00 00 01 00
 *   }
 */
export const KEK_BITS = 256;

export function encodeEccCmsSharedInfo(ukm: Uint8Array): Uint8Array {
  return encodeDer(seq(algorithmIdentifier(OID_AES256_WRAP), explicit(0, octets(ukm)), explicit(2, octets(u32be(KEK_BITS)))));
}
