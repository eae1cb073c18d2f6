import {
  CURVES, CURVE_NAMES, derToRawSignature, ecdsaSign, ecdsaVerify, type CurveName, type WebCrypto,
} from '../../crypto/index.ts';
import {
  algorithm, algorithmIdentifier, contextPrimitive, decodeDer, encodeDer, implicitPrimitive, int, integer,
  octetString, octets, seq, sequenceItems,
} from './der/asn1.ts';
import { ProtocolDecodeError, SignerInfoError } from './errors.ts';
import { SKI_LENGTH } from '../../crypto/ski.ts';

/**
 * SignerInfo (DESIGN §3.1): CMS SignerInfo v3 (RFC 5652 §5.3) without signed attributes,
 * the signer named by subject key identifier.
 *
 *   SignerInfo ::= SEQUENCE {
 *     version            INTEGER (3)
 *     sid                [0] IMPLICIT OCTET STRING (32)   -- SKI of the signer
 *     digestAlgorithm    AlgorithmIdentifier              -- sha256 | sha384 | sha512, matching the curve
 *     signatureAlgorithm AlgorithmIdentifier              -- ecdsa-with-SHA256 | -SHA384 | -SHA512, matching
 *     signature          OCTET STRING                     -- DER Ecdsa-Sig-Value
 *   }
 *
 * Encoders omit the AlgorithmIdentifier parameters; decoders accept them absent or NULL.
 * The signature is ECDSA with the curve's hash over the DER bytes signed (one hash).
 */
export const SIGNER_INFO_VERSION = 3;
const SID_TAG = 0;

export interface SignerInfo {
  ski: Uint8Array;
  digestOid: string;
  signatureOid: string;
  /** DER Ecdsa-Sig-Value */
  signature: Uint8Array;
}

export function encodeSignerInfo(ski: Uint8Array, curve: CurveName, signatureDer: Uint8Array): Uint8Array {
  if (ski.length !== SKI_LENGTH) throw new RangeError('SKI must be 32 bytes');
  const info = CURVES[curve];
  return encodeDer(
    seq(
      int(SIGNER_INFO_VERSION),
      implicitPrimitive(SID_TAG, ski),
      algorithmIdentifier(info.digestOid),
      algorithmIdentifier(info.signatureOid),
      octets(signatureDer),
    ),
  );
}

/** Decode a SignerInfo; anything wrong inside is SignerInfoError (rc 193). */
export function decodeSignerInfo(der: Uint8Array): SignerInfo {
  try {
    const items = sequenceItems(decodeDer(der, 'SignerInfo'), 'SignerInfo', 5);
    if (integer(items[0], 'SignerInfo.version') !== BigInt(SIGNER_INFO_VERSION)) throw new SignerInfoError('SignerInfo version must be 3');
    const ski = contextPrimitive(items[1], SID_TAG, 'SignerInfo.sid');
    if (ski.length !== SKI_LENGTH) throw new SignerInfoError('SignerInfo sid must be a 32-byte SKI');
    const digest = algorithm(items[2], 'SignerInfo.digestAlgorithm');
    const sig = algorithm(items[3], 'SignerInfo.signatureAlgorithm');
    if (typeof digest.params === 'object' || typeof sig.params === 'object') {
      throw new SignerInfoError('SignerInfo algorithm parameters must be absent or NULL');
    }
    const signature = octetString(items[4], 'SignerInfo.signature');
    return { ski, digestOid: digest.oid, signatureOid: sig.oid, signature };
  } catch (e) {
    if (e instanceof SignerInfoError) throw e;
    if (e instanceof ProtocolDecodeError) throw new SignerInfoError(e.message);
    throw e;
  }
}

/** The curve whose digest/signature algorithm pair the SignerInfo names, if the pair is consistent. */
export function signerInfoCurve(si: SignerInfo): CurveName | undefined {
  return CURVE_NAMES.find((n) => CURVES[n].digestOid === si.digestOid && CURVES[n].signatureOid === si.signatureOid);
}

/**
 * Check a decoded SignerInfo against its signer's curve: the algorithm pair must match and
 * the signature must be a strict DER Ecdsa-Sig-Value of that curve's size. Throws
 * SignerInfoError (193).
 */
export function checkSignerInfoForCurve(si: SignerInfo, curve: CurveName): void {
  if (signerInfoCurve(si) !== curve) throw new SignerInfoError(`SignerInfo algorithms do not match the signer's ${curve} key`);
  try {
    derToRawSignature(si.signature, CURVES[curve].size);
  } catch {
    throw new SignerInfoError('SignerInfo signature is not a DER Ecdsa-Sig-Value of the signer\'s curve');
  }
}

/** Sign `data` with a WebCrypto private key and wrap the signature in a SignerInfo. */
export async function createSignerInfo(
  c: WebCrypto,
  curve: CurveName,
  privateKey: CryptoKey,
  ski: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  return encodeSignerInfo(ski, curve, await ecdsaSign(c, curve, privateKey, data));
}

/** Verify a decoded SignerInfo over `data` with the signer's public key. */
export async function verifySignerInfo(
  c: WebCrypto,
  curve: CurveName,
  publicKey: CryptoKey,
  data: Uint8Array,
  si: SignerInfo,
): Promise<boolean> {
  if (signerInfoCurve(si) !== curve) return false;
  return ecdsaVerify(c, curve, publicKey, data, si.signature);
}
