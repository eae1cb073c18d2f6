import { CURVES, type CurveName } from './curves.ts';
import type { WebCrypto } from './webcrypto.ts';

/**
 * ECDH shared secret Z: the x-coordinate of d × Q at full field size (SEC1 §3.3.1), e.g.
 * 66 bytes on P-521. The caller wipes Z when done.
 */
export async function ecdhSharedSecret(
  c: WebCrypto,
  curve: CurveName,
  privateKey: CryptoKey,
  publicKey: CryptoKey,
): Promise<Uint8Array> {
  const bits = CURVES[curve].size * 8;
  return new Uint8Array(await c.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, bits));
}
