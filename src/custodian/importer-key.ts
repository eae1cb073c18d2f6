import { CryptoFormatError, importPublicPoint, type WebCrypto } from '../crypto/index.ts';
import { decodeEcSpki, ProtocolDecodeError } from '../cryptounit/protocol/index.ts';
import { InvalidImporterKeyError } from './errors.ts';

/**
 * Every key part holder checks an importer key before it decrypts anything: an RFC 5480 EC
 * public key on P-256/P-384/P-521 whose point is on its curve. Otherwise InvalidImporterKeyError.
 */
export async function checkImporterSpki(c: WebCrypto, spki: Uint8Array): Promise<void> {
  try {
    const { curve, point } = decodeEcSpki(spki);
    await importPublicPoint(c, curve, point, 'ECDH');
  } catch (e) {
    if (e instanceof ProtocolDecodeError || e instanceof CryptoFormatError) {
      throw new InvalidImporterKeyError(`not a usable importer key: ${e.message}`);
    }
    throw e;
  }
}
