import {
  CryptoFormatError, ecdsaSign, ecdsaVerify, importPkcs8, importPublicPoint, randomBytes, type CurveName, type WebCrypto,
} from '../../crypto/index.ts';

/** Bytes signed by the self-test; random, so nothing about the key is learned from it. */
const SELF_TEST_LENGTH = 32;

/**
 * Import a decrypted PKCS#8 EC private key as a non-extractable ECDSA signing key and prove
 * that it belongs to `publicPoint`: sign random bytes and verify with the public key. So a
 * file whose encrypted key and public certificate disagree can never yield a signer that
 * signs for someone else. Throws CryptoFormatError; the caller owns and wipes `pkcs8`.
 */
export async function importSigningKey(
  c: WebCrypto,
  curve: CurveName,
  pkcs8: Uint8Array,
  publicPoint: Uint8Array,
): Promise<CryptoKey> {
  const key = await importPkcs8(c, curve, pkcs8, 'ECDSA', false);
  const challenge = randomBytes(c, SELF_TEST_LENGTH);
  const sig = await ecdsaSign(c, curve, key, challenge);
  const pub = await importPublicPoint(c, curve, publicPoint, 'ECDSA');
  if (!(await ecdsaVerify(c, curve, pub, challenge, sig))) {
    throw new CryptoFormatError(`the ${curve} private key does not belong to the certificate's public key`);
  }
  return key;
}
