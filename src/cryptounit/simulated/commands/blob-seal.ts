import { concat } from '../../../bytes/index.ts';
import {
  AES256_KEY_LENGTH, CryptoAuthError, GCM_IV_LENGTH, aesGcmDecrypt, aesGcmEncrypt, randomBytes, type WebCrypto,
} from '../../../crypto/index.ts';
import { RC, type KeyBlob } from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import type { MasterKey } from '../master-key.ts';

/**
 * Sealing a 32-byte key under a master key (DESIGN §3.8):
 *
 *   KeyBlob = { keyId (16), vp (28), iv (12), sealed (48) }
 *   sealed  = AES-256-GCM(MK, iv, key, aad = keyId ‖ vp): ct (32) ‖ tag (16)
 *
 * where vp is the first 28 bytes of the master key's VP. A blob that names another master
 * key or does not open is 32.
 */
export async function sealKey(c: WebCrypto, mk: MasterKey, keyId: Uint8Array, key: Uint8Array): Promise<KeyBlob> {
  const iv = randomBytes(c, GCM_IV_LENGTH);
  const vp = mk.blobVp.slice();
  const sealed = await aesGcmEncrypt(c, await mk.aesKey(c), iv, key, concat(keyId, vp));
  return { keyId: keyId.slice(), vp, iv, sealed };
}

/** The key inside `blob`; the caller wipes it. */
export async function openKey(c: WebCrypto, mk: MasterKey, blob: KeyBlob): Promise<Uint8Array> {
  if (!mk.isNamedBy(blob.vp)) throw new UnitFault(RC.INVALID_DATA, 0, 'the key blob is not under this master key');
  return openWith(c, await mk.aesKey(c), blob);
}

/** Open with the master key's GCM key, the VP already checked; the caller wipes the result. */
export async function openWith(c: WebCrypto, gcmKey: CryptoKey, blob: KeyBlob): Promise<Uint8Array> {
  let key: Uint8Array;
  try {
    key = await aesGcmDecrypt(c, gcmKey, blob.iv, blob.sealed, concat(blob.keyId, blob.vp));
  } catch (e) {
    if (e instanceof CryptoAuthError) throw new UnitFault(RC.INVALID_DATA, 0, 'the key blob does not open');
    throw e;
  }
  if (key.length !== AES256_KEY_LENGTH) {
    key.fill(0);
    throw new UnitFault(RC.INVALID_DATA, 0, 'the key blob holds no 32-byte key');
  }
  return key;
}
