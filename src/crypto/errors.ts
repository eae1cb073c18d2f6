/** A cryptographic input of the wrong form (bad point, bad signature encoding, bad size). */
export class CryptoFormatError extends Error {
  override name = 'CryptoFormatError';
}

/** Authenticated decryption or key unwrap failed: wrong key, or the data was changed. */
export class CryptoAuthError extends Error {
  override name = 'CryptoAuthError';
}
