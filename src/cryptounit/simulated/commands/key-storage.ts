import { concat } from '../../../bytes/index.ts';
import {
  AES256_KEY_LENGTH, CryptoAuthError, GCM_IV_LENGTH, GCM_TAG_LENGTH, aesGcmDecrypt, aesGcmEncrypt, importAesGcmKey,
  randomBytes, wipe,
} from '../../../crypto/index.ts';
import {
  KEY_ID_LENGTH, MAX_UNWRAP_CIPHERTEXT, MAX_WRAP_DATA, ProtocolDecodeError, RC, decodeBlobWithData, decodeKeyBlob,
  encodeKeyBlob, splitDerSequence, type BlobWithData,
} from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import type { CommandHandler } from './context.ts';
import type { UnitState } from '../state.ts';
import { requireLength } from './payload-form.ts';
import { openKey, openWith, sealKey } from './blob-seal.ts';
import { KEY_BLOB_DER_LENGTH, readKeyBlobs, writeKeyBlobAt } from './blob-layout.ts';

/**
 * Key-storage operations (DESIGN §3.8): unsigned, never change state.
 *
 *   | code       | operation    | payload                          | response                        | errors |
 *   |------------|--------------|----------------------------------|---------------------------------|--------|
 *   | 0x00020001 | GENERATE_KEY | keyId (16)                       | KeyBlob under current           | 102    |
 *   | 0x00020002 | WRAP         | SEQ { KeyBlob, data ≤ 64 KiB }   | iv (12) ‖ GCM(key, data) ‖ tag  | 102; over 64 KiB 33; 32 |
 *   | 0x00020003 | UNWRAP       | SEQ { KeyBlob, ciphertext }      | data                            | 102; 32 |
 *   | 0x00020004 | REENCRYPT    | 1..1024 KeyBlobs, concatenated   | as many KeyBlobs under the new register, in order | 80; 102; 32 |
 *
 * REENCRYPT is all-or-nothing: one blob that does not open is 32 and no blob is returned.
 */
export const MAX_REENCRYPT_BATCH = 1024;

function decodeFault(e: unknown): never {
  if (e instanceof ProtocolDecodeError) throw new UnitFault(e.rc, e.reason, e.message);
  throw e;
}

/** The current register, under which every key-storage operation works (102 when it is empty). */
function currentRegister(state: UnitState): NonNullable<UnitState['current']> {
  if (!state.current) throw new UnitFault(RC.KEY_NEEDED, 0, 'the current register is empty');
  return state.current;
}

/** WRAP's and UNWRAP's payload, with the codec's rc for a bad one. */
function blobWithData(payload: Uint8Array, maxData: number): BlobWithData {
  try {
    return decodeBlobWithData(payload, maxData);
  } catch (e) {
    decodeFault(e);
  }
}

export const generateKey: CommandHandler = async ({ c, state, block }) => {
  requireLength(block.payload, KEY_ID_LENGTH, 'GENERATE_KEY keyId');
  const current = currentRegister(state);
  return {
    required: 0,
    async execute() {
      const key = randomBytes(c, AES256_KEY_LENGTH);
      try {
        return { payload: encodeKeyBlob(await sealKey(c, current, block.payload, key)) };
      } finally {
        wipe(key);
      }
    },
  };
};

export const wrapData: CommandHandler = async ({ c, state, block }) => {
  const p = blobWithData(block.payload, MAX_WRAP_DATA);
  const current = currentRegister(state);
  return {
    required: 0,
    async execute() {
      const key = await openKey(c, current, p.blob);
      try {
        const iv = randomBytes(c, GCM_IV_LENGTH);
        return { payload: concat(iv, await aesGcmEncrypt(c, await importAesGcmKey(c, key), iv, p.data)) };
      } finally {
        wipe(key);
      }
    },
  };
};

export const unwrapData: CommandHandler = async ({ c, state, block }) => {
  const p = blobWithData(block.payload, MAX_UNWRAP_CIPHERTEXT);
  const current = currentRegister(state);
  return {
    required: 0,
    async execute() {
      if (p.data.length < GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new UnitFault(RC.INVALID_DATA, 0, 'ciphertext shorter than iv and tag');
      const key = await openKey(c, current, p.blob);
      try {
        const iv = p.data.subarray(0, GCM_IV_LENGTH);
        return { payload: await aesGcmDecrypt(c, await importAesGcmKey(c, key), iv, p.data.subarray(GCM_IV_LENGTH)) };
      } catch (e) {
        if (e instanceof CryptoAuthError) throw new UnitFault(RC.INVALID_DATA, 0, 'the ciphertext does not open');
        throw e;
      } finally {
        wipe(key);
      }
    },
  };
};

export const reencrypt: CommandHandler = async ({ c, state, block }) => {
  // the fixed layout first (views, no re-parsing); the codec gives the precise error otherwise
  let blobs = readKeyBlobs(block.payload);
  if (!blobs) {
    try {
      const ders = splitDerSequence(block.payload, { maxItems: MAX_REENCRYPT_BATCH });
      if (ders.length === 0) throw new UnitFault(RC.BAD_ARGUMENTS, 0, 'REENCRYPT takes 1 to 1024 key blobs');
      blobs = ders.map((d) => decodeKeyBlob(d));
    } catch (e) {
      decodeFault(e);
    }
  }
  if (blobs.length > MAX_REENCRYPT_BATCH) throw new UnitFault(RC.BAD_ARGUMENTS, 0, 'REENCRYPT takes 1 to 1024 key blobs');
  const next = state.next;
  if (!next?.committed) throw new UnitFault(RC.BAD_REGISTER_STATE, 0, 'the new register is not committed');
  const current = currentRegister(state);
  const all = blobs;
  return {
    required: 0,
    async execute() {
      for (const b of all) if (!current.isNamedBy(b.vp)) throw new UnitFault(RC.INVALID_DATA, 0, 'a key blob is not under the current register');
      const oldKey = await current.aesKey(c);
      const newKey = await next.key.aesKey(c);
      const newVp = next.key.blobVp;
      const ivs = randomBytes(c, GCM_IV_LENGTH * all.length);
      const out = new Uint8Array(KEY_BLOB_DER_LENGTH * all.length);
      await Promise.all(
        all.map(async (b, i) => {
          const key = await openWith(c, oldKey, b);
          try {
            const iv = ivs.subarray(GCM_IV_LENGTH * i, GCM_IV_LENGTH * (i + 1));
            const sealed = await aesGcmEncrypt(c, newKey, iv, key, concat(b.keyId, newVp));
            writeKeyBlobAt(out, KEY_BLOB_DER_LENGTH * i, { keyId: b.keyId, vp: newVp, iv, sealed });
          } finally {
            wipe(key);
          }
        }),
      );
      return { payload: out };
    },
  };
};
