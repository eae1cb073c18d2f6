import * as asn1js from 'asn1js';
import {
  algorithm, algorithmIdentifier, bitString, bitStringBytes, contextConstructed, decodeDer, encodeDer, explicit,
  int, integer, objectIdentifier, octetString, octets, seq, sequenceItems, type Node,
} from './der/asn1.ts';
import { EnvelopeError, ProtocolDecodeError } from './errors.ts';
import { OID_AES256_WRAP, OID_DH_SINGLE_PASS_STD_DH_SHA256_KDF, OID_EC_PUBLIC_KEY } from './oids.ts';

/**
 * The key-part envelope: a bare CMS KeyAgreeRecipientInfo (RFC 5652 §6.2.2, RFC 5753),
 * not wrapped in the RecipientInfo [1] tag (DESIGN §3.7).
 *
 *   KeyAgreeRecipientInfo ::= SEQUENCE {
 *     version 3,
 *     originator [0] EXPLICIT OriginatorIdentifierOrKey -> [1] originatorKey {
 *         algorithm id-ecPublicKey (parameters absent; accept NULL or the importer's curve OID),
 *         publicKey BIT STRING  -- ephemeral public key, uncompressed point, on the importer's curve
 *     },
 *     ukm [1] EXPLICIT OCTET STRING (40 random bytes),
 *     keyEncryptionAlgorithm { dhSinglePass-stdDH-sha256kdf-scheme 1.3.132.1.11.1,
 *                              parameters = AlgorithmIdentifier { aes256-wrap 2.16.840.1.101.3.4.1.45 } (its parameters absent) },
 *     recipientEncryptedKeys SEQUENCE OF (exactly one) RecipientEncryptedKey ::= SEQUENCE {
 *         rid [0] IMPLICIT RecipientKeyIdentifier { subjectKeyIdentifier = importer SKI },   -- no date, no other
 *         encryptedKey OCTET STRING (40)   -- AES-256 key wrap (RFC 3394) of the 32-byte part
 *     }
 *   }
 *
 * The CMS module uses implicit tagging, so originatorKey [1] replaces the OriginatorPublicKey
 * SEQUENCE tag: A0 { A1 { AlgorithmIdentifier, BIT STRING } }.
 */
export const KARI_VERSION = 3;
const ORIGINATOR_TAG = 0;
const ORIGINATOR_KEY_TAG = 1;
const UKM_TAG = 1;
const RKEYID_TAG = 0;

export interface KeyAgreeRecipientInfo {
  /** ephemeral public key, uncompressed point */
  originatorPoint: Uint8Array;
  /** how the originator key's algorithm parameters were given */
  originatorParams: { kind: 'absent' } | { kind: 'null' } | { kind: 'curve'; oid: string };
  ukm: Uint8Array;
  recipientSki: Uint8Array;
  encryptedKey: Uint8Array;
}

/** Encode with the originator parameters absent, as DESIGN §3.7 says encoders do. */
export function encodeKeyAgreeRecipientInfo(k: Omit<KeyAgreeRecipientInfo, 'originatorParams'>): Uint8Array {
  const originatorKey = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: ORIGINATOR_KEY_TAG },
    value: [algorithmIdentifier(OID_EC_PUBLIC_KEY), bitString(k.originatorPoint)],
  });
  const rid = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: RKEYID_TAG }, value: [octets(k.recipientSki)] });
  return encodeDer(
    seq(
      int(KARI_VERSION),
      explicit(ORIGINATOR_TAG, originatorKey),
      explicit(UKM_TAG, octets(k.ukm)),
      algorithmIdentifier(OID_DH_SINGLE_PASS_STD_DH_SHA256_KDF, algorithmIdentifier(OID_AES256_WRAP)),
      seq(seq(rid, octets(k.encryptedKey))),
    ),
  );
}

/** Strict decoding; anything wrong, DER or structure, is EnvelopeError (rc 32). */
export function decodeKeyAgreeRecipientInfo(der: Uint8Array): KeyAgreeRecipientInfo {
  try {
    const items = sequenceItems(decodeDer(der, 'KeyAgreeRecipientInfo', { maxLength: 4096 }), 'KeyAgreeRecipientInfo', 5);
    if (integer(items[0], 'version') !== BigInt(KARI_VERSION)) throw new EnvelopeError('envelope version must be 3');

    const originator = contextConstructed(items[1], ORIGINATOR_TAG, 'originator');
    if (originator.length !== 1) throw new EnvelopeError('originator must hold one originatorKey');
    const okItems = contextConstructed(originator[0], ORIGINATOR_KEY_TAG, 'originatorKey');
    if (okItems.length !== 2) throw new EnvelopeError('originatorKey must be { algorithm, publicKey }');
    const alg = algorithm(okItems[0], 'originatorKey.algorithm');
    if (alg.oid !== OID_EC_PUBLIC_KEY) throw new EnvelopeError('originator key must be id-ecPublicKey');
    const originatorParams: KeyAgreeRecipientInfo['originatorParams'] =
      alg.params === 'absent' ? { kind: 'absent' }
      : alg.params === 'null' ? { kind: 'null' }
      : { kind: 'curve', oid: objectIdentifier(alg.params as Node, 'originatorKey.algorithm.parameters') };
    const originatorPoint = bitStringBytes(okItems[1], 'originatorKey.publicKey');

    const ukmItems = contextConstructed(items[2], UKM_TAG, 'ukm');
    if (ukmItems.length !== 1) throw new EnvelopeError('ukm must hold one OCTET STRING');
    const ukm = octetString(ukmItems[0], 'ukm');

    const kea = algorithm(items[3], 'keyEncryptionAlgorithm');
    if (kea.oid !== OID_DH_SINGLE_PASS_STD_DH_SHA256_KDF) throw new EnvelopeError('key agreement must be dhSinglePass-stdDH-sha256kdf-scheme');
    if (typeof kea.params !== 'object') throw new EnvelopeError('keyEncryptionAlgorithm must name its key wrap');
    const wrap = algorithm(kea.params, 'keyWrapAlgorithm');
    if (wrap.oid !== OID_AES256_WRAP) throw new EnvelopeError('key wrap must be aes256-wrap');
    if (wrap.params !== 'absent') throw new EnvelopeError('aes256-wrap parameters must be absent');

    const reks = sequenceItems(items[4], 'recipientEncryptedKeys');
    if (reks.length !== 1) throw new EnvelopeError('exactly one RecipientEncryptedKey is allowed');
    const rek = sequenceItems(reks[0], 'RecipientEncryptedKey', 2);
    const rid = contextConstructed(rek[0], RKEYID_TAG, 'rid (rKeyId)');
    if (rid.length !== 1) throw new EnvelopeError('rKeyId must hold only the subjectKeyIdentifier');
    const recipientSki = octetString(rid[0], 'rKeyId.subjectKeyIdentifier');
    const encryptedKey = octetString(rek[1], 'encryptedKey');
    return { originatorPoint, originatorParams, ukm, recipientSki, encryptedKey };
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    if (e instanceof ProtocolDecodeError) throw new EnvelopeError(e.message);
    throw e;
  }
}
