export { type WebCrypto, randomBytes } from './webcrypto.ts';
export { CryptoFormatError, CryptoAuthError } from './errors.ts';
export {
  type CurveName, type HashName, type CurveInfo, CURVES, CURVE_NAMES, isCurveName, curveByOid, curveByPointLength,
  OID_EC_PUBLIC_KEY,
} from './curves.ts';
export { digest, sha256, sha384, sha512 } from './sha.ts';
export { wipe, withWiped } from './wipe.ts';
export { derToRawSignature, rawToDerSignature } from './ecdsa-der.ts';
export {
  type EcAlgorithm, checkUncompressedPoint, importPublicPoint, importSpki, exportPublicPoint, exportSpki,
  generateEcKeyPair, importPkcs8, exportPkcs8, importPrivateScalar,
} from './ec-keys.ts';
export { ecdsaSign, ecdsaVerify } from './ecdsa.ts';
export { ecdhSharedSecret } from './ecdh.ts';
export { x963Kdf } from './x963-kdf.ts';
export { aesKwWrap, aesKwUnwrap } from './aes-kw.ts';
export {
  GCM_IV_LENGTH, GCM_TAG_LENGTH, AES256_KEY_LENGTH, importAesGcmKey, aesGcmEncrypt, aesGcmDecrypt,
} from './aes-gcm.ts';
export { pbkdf2Sha256 } from './pbkdf2.ts';
export { VP_LENGTH, VP_COMPARED_LENGTH, verificationPattern, vpEqual } from './vp.ts';
export { SKI_LENGTH, subjectKeyIdentifier } from './ski.ts';
