import { checkPartDescription, KeyPartDescriptionError, MAX_DESCRIPTION_LENGTH } from '../part-description.ts';
import { HexError, fromHex, toHex } from '../../bytes/index.ts';
import {
  VP_COMPARED_LENGTH, VP_LENGTH, randomBytes, verificationPattern, vpEqual, wipe, type WebCrypto,
} from '../../crypto/index.ts';
import { PART_LENGTH } from '../../cryptounit/protocol/index.ts';
import type { KeyPartInfo } from '../types.ts';
import { encodeBase64 } from './base64.ts';
import { CorruptFileError, KeyPartValueError } from './errors.ts';
import { FILE_VERSION, KEY_PART_FORMAT, checkFileKind } from './file-kind.ts';
import { checkExactKeys, parseJsonObject, readBase64, readString } from './json-fields.ts';
import { checkNewPassword, writeIterations, type KeyFileOptions } from './kdf.ts';
import {
  checkChecksum, checkIterations, checksumOf, cipherJson, fileText, kdfJson, readChecksum, readCipher, readKdf, seal,
  unseal, type CipherFields, type KdfFields,
} from './sealed.ts';

/**
 * The webtke key part file (docs/key-files.md):
 *
 *   {
 *     "format": "webtke-key-part", "version": 1,
 *     "id": <32 lowercase hex digits, random>, "description": <1–128 characters>,
 *     "vp": <base64 of the part's 32-byte verification pattern>,
 *     "kdf": {...}, "cipher": {...}, "checksum": <base64>      -- see sealed.ts
 *   }
 *
 * The plaintext is the 32-byte part; id, description and VP are bound as GCM additional data,
 * and after decryption the part's VP must equal the file's.
 */
const TOP_KEYS = ['format', 'version', 'id', 'description', 'vp', 'kdf', 'cipher', 'checksum'] as const;
export const PART_ID_BYTES = 16;
const PART_ID_PATTERN = /^[0-9a-f]{32}$/;

/** A parsed key part file: the part still encrypted. */
export interface KeyPartFile {
  id: string;
  description: string;
  vp: Uint8Array;
  kdf: KdfFields;
  cipher: CipherFields;
}


const headerOf = (id: string, description: string, vp: Uint8Array): (string | number)[] => [
  KEY_PART_FORMAT, FILE_VERSION, id, description, encodeBase64(vp),
];

/** Read and check everything that can be checked without the password. */
export async function parseKeyPartFile(c: WebCrypto, text: string, opts: KeyFileOptions = {}): Promise<KeyPartFile> {
  const o = parseJsonObject(text);
  checkFileKind(o, KEY_PART_FORMAT, FILE_VERSION);
  checkExactKeys(o, TOP_KEYS);
  const id = readString(o, 'id');
  if (!PART_ID_PATTERN.test(id)) throw new CorruptFileError('id', 'must be 32 lowercase hex digits');
  const description = readString(o, 'description');
  try {
    checkPartDescription(description);
  } catch (e) {
    if (e instanceof KeyPartDescriptionError) throw new CorruptFileError('description', e.message);
    throw e;
  }
  const vp = readBase64(o, 'vp', VP_LENGTH);
  if (vp.subarray(VP_COMPARED_LENGTH).some((b) => b !== 0)) throw new CorruptFileError('vp', 'the last 4 bytes of a VP are zero');
  const kdf = readKdf(o);
  const cipher = readCipher(o, [PART_LENGTH, PART_LENGTH]);
  const checksum = readChecksum(o);
  await checkChecksum(c, headerOf(id, description, vp), kdf, cipher, checksum);
  checkIterations(kdf, opts);
  return { id, description, vp, kdf, cipher };
}

export const keyPartInfo = (f: KeyPartFile): KeyPartInfo => ({ id: f.id, description: f.description, vp: f.vp.slice() });

/**
 * Decrypt the part. Internal to the software custodian (not exported from its index): the
 * caller uses it at once and wipes it in a `finally`.
 */
export async function unsealKeyPart(c: WebCrypto, file: KeyPartFile, password: string): Promise<Uint8Array> {
  const part = await unseal(c, password, file.kdf, file.cipher, headerOf(file.id, file.description, file.vp));
  try {
    if (part.length !== PART_LENGTH || !vpEqual(await verificationPattern(c, part), file.vp)) {
      throw new CorruptFileError('vp', 'the decrypted part does not have the file\'s VP');
    }
    return part;
  } catch (e) {
    wipe(part);
    throw e;
  }
}

export interface NewKeyPart {
  description: string;
  /** at least 8 characters */
  password: string;
  /**
   * 64 hex digits (spaces and colons allowed between them), like `tke mk-add --value`.
   * Absent: 32 random bytes, like `tke mk-add --random`.
   */
  value?: string;
}

function partFromValue(value: string): Uint8Array {
  let part: Uint8Array;
  try {
    part = fromHex(value, { separators: true, length: PART_LENGTH });
  } catch (e) {
    if (e instanceof HexError) throw new KeyPartValueError(`a key part value is 64 hex digits: ${e.message}`);
    throw e;
  }
  if (part.every((b) => b === 0)) {
    throw new KeyPartValueError('a key part of all zeros adds nothing to the master key');
  }
  return part;
}

/**
 * Create a key part (random or typed) and write its password-protected file. Returns the file
 * text and the part's public info; the clear part is wiped before this returns.
 */
export async function createKeyPart(
  c: WebCrypto,
  req: NewKeyPart,
  opts: KeyFileOptions = {},
): Promise<{ text: string; info: KeyPartInfo }> {
  const description = checkPartDescription(req.description);
  checkNewPassword(req.password);
  const iterations = writeIterations(opts);
  const part = req.value === undefined ? randomBytes(c, PART_LENGTH) : partFromValue(req.value);
  try {
    const id = toHex(randomBytes(c, PART_ID_BYTES));
    const vp = await verificationPattern(c, part);
    const header = headerOf(id, description, vp);
    const { kdf, cipher } = await seal(c, req.password, part, iterations, header);
    const checksum = await checksumOf(c, header, kdf, cipher);
    const text = fileText({
      format: KEY_PART_FORMAT,
      version: FILE_VERSION,
      id,
      description,
      vp: encodeBase64(vp),
      kdf: kdfJson(kdf),
      cipher: cipherJson(cipher),
      checksum: encodeBase64(checksum),
    });
    return { text, info: { id, description, vp } };
  } finally {
    wipe(part);
  }
}

export { checkPartDescription, MAX_DESCRIPTION_LENGTH };
