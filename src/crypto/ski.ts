import { sha256 } from './sha.ts';
import { CryptoFormatError } from './errors.ts';
import { curveByPointLength } from './curves.ts';
import type { WebCrypto } from './webcrypto.ts';

/**
 * Subject key identifier (DESIGN §3.2): SHA-256(04 ‖ X ‖ Y) of the uncompressed point, with
 * coordinates at full field size. The same rule names admin, importer and OA keys.
 */
export const SKI_LENGTH = 32;

export async function subjectKeyIdentifier(c: WebCrypto, uncompressedPoint: Uint8Array): Promise<Uint8Array> {
  if (uncompressedPoint[0] !== 0x04 || !curveByPointLength(uncompressedPoint.length)) {
    throw new CryptoFormatError('SKI needs an uncompressed P-256, P-384 or P-521 point');
  }
  return sha256(c, uncompressedPoint);
}
