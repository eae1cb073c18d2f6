import { checkPartDescription } from '../part-description.ts';
import { encodeLength, encodeTlv, parseTlv, TlvError } from '../../card/tlv.ts';
import { CURVES, curveByPointLength, VP_COMPARED_LENGTH, VP_LENGTH, type CurveName } from '../../crypto/index.ts';
import { UKM_LENGTH, WRAPPED_PART_LENGTH } from '../../cryptounit/protocol/index.ts';
import { PartDescriptionError } from './errors.ts';

/**
 * The key part record webtke keeps in an OpenPGP private use DO (0101, or 0102): the part's
 * description, its VP, and the part itself encrypted to the card's own decryption (ECDH) key
 * as a KeyAgreeRecipientInfo (DESIGN §3.7, made by wrapPartForImporter with the card's key as
 * the "importer"). The DO is small (255 bytes on a YubiKey), so the envelope is stored by its
 * variable fields only and rebuilt with encodeKeyAgreeRecipientInfo when opened: the fixed
 * parts (version, algorithm identifiers) and the recipient SKI (the card's key) are known.
 *
 *   E1 L                                   webtke key part record (private class, constructed)
 *     80 01 01                             record version
 *     81 n  description                    UTF-8, 1–64 bytes, no control characters
 *     82 1C VP                             first 28 bytes; bytes 29–32 of a VP are zero
 *     83 08 recipient key id               first 8 bytes of the decryption key's SKI
 *     84 m  ephemeral public point         uncompressed, on the decryption key's curve (65/97/133)
 *     85 28 ukm                            40 bytes
 *     86 28 encryptedKey                   AES-256 key wrap of the 32-byte part (40 bytes)
 *
 * Every field, in this order, exactly once; nothing after the record.
 *
 *   | decryption key | record with a 1-byte description | longest description in 255 bytes |
 *   |----------------|----------------------------------|----------------------------------|
 *   | P-256          | 200 bytes                        | 56 bytes                         |
 *   | P-384          | 232 bytes                        | 24 bytes                         |
 *   | P-521          | 270 bytes                        | none (needs a larger DO)         |
 */
export const RECORD_TAG = 0xe1;
export const RECORD_VERSION = 1;
export const MAX_DESCRIPTION_BYTES = 64;
export const KEY_ID_LENGTH = 8;
const TAG_VERSION = 0x80;
const TAG_DESCRIPTION = 0x81;
const TAG_VP = 0x82;
const TAG_KEY_ID = 0x83;
const TAG_EPHEMERAL = 0x84;
const TAG_UKM = 0x85;
const TAG_ENCRYPTED_KEY = 0x86;
const UTF8 = new TextEncoder();
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

export interface PartRecord {
  readonly description: string;
  /** 32 bytes, the last 4 zero */
  readonly vp: Uint8Array;
  /** curve of the decryption key the part is encrypted to */
  readonly curve: CurveName;
  /** first 8 bytes of that key's SKI */
  readonly recipientKeyId: Uint8Array;
  readonly ephemeralPoint: Uint8Array;
  readonly ukm: Uint8Array;
  readonly encryptedKey: Uint8Array;
}

/** The record could not be read; `message` says which field. */
export class PartRecordFormatError extends Error {
  override name = 'PartRecordFormatError';
}

/** A description: 1–64 UTF-8 bytes, not only spaces, no control characters. Returns its bytes. */
export function checkDescription(description: string): Uint8Array {
  try {
    checkPartDescription(description);
  } catch (e) {
    throw new PartDescriptionError((e as Error).message);
  }
  const bytes = UTF8.encode(description);
  if (bytes.length > MAX_DESCRIPTION_BYTES) throw new PartDescriptionError(`a key part description on a card has at most ${MAX_DESCRIPTION_BYTES} bytes (UTF-8)`);
  return bytes;
}

const tlvSize = (valueLength: number): number => 1 + encodeLength(valueLength).length + valueLength;

/** Bytes the record takes for a description of `descriptionBytes` bytes on `curve`. */
export function recordLength(curve: CurveName, descriptionBytes: number): number {
  const inner =
    tlvSize(1) + tlvSize(descriptionBytes) + tlvSize(VP_COMPARED_LENGTH) + tlvSize(KEY_ID_LENGTH) +
    tlvSize(CURVES[curve].pointLength) + tlvSize(UKM_LENGTH) + tlvSize(WRAPPED_PART_LENGTH);
  return tlvSize(inner);
}

/** The longest description (bytes) whose record fits `maxDo` bytes; 0 when none does. */
export function maxDescriptionBytes(curve: CurveName, maxDo: number): number {
  for (let n = MAX_DESCRIPTION_BYTES; n >= 1; n--) if (recordLength(curve, n) <= maxDo) return n;
  return 0;
}

export function encodePartRecord(r: PartRecord): Uint8Array {
  const description = checkDescription(r.description);
  if (r.vp.length !== VP_LENGTH || r.vp.subarray(VP_COMPARED_LENGTH).some((b) => b !== 0)) throw new RangeError('a VP is 32 bytes, the last 4 zero');
  if (r.recipientKeyId.length !== KEY_ID_LENGTH) throw new RangeError('the recipient key id is 8 bytes');
  if (r.ephemeralPoint.length !== CURVES[r.curve].pointLength || r.ephemeralPoint[0] !== 0x04) throw new RangeError(`the ephemeral point must be an uncompressed ${r.curve} point`);
  if (r.ukm.length !== UKM_LENGTH || r.encryptedKey.length !== WRAPPED_PART_LENGTH) throw new RangeError('ukm and encryptedKey are 40 bytes each');
  return encodeTlv({
    tag: RECORD_TAG,
    children: [
      { tag: TAG_VERSION, value: Uint8Array.of(RECORD_VERSION) },
      { tag: TAG_DESCRIPTION, value: description },
      { tag: TAG_VP, value: r.vp.subarray(0, VP_COMPARED_LENGTH) },
      { tag: TAG_KEY_ID, value: r.recipientKeyId },
      { tag: TAG_EPHEMERAL, value: r.ephemeralPoint },
      { tag: TAG_UKM, value: r.ukm },
      { tag: TAG_ENCRYPTED_KEY, value: r.encryptedKey },
    ],
  });
}

/** True when a private DO's content starts as a webtke key part record (damaged or not). */
export const looksLikePartRecord = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes[0] === RECORD_TAG;

/** Strict decoding; anything else is PartRecordFormatError. */
export function decodePartRecord(bytes: Uint8Array): PartRecord {
  let list;
  try {
    list = parseTlv(bytes, { maxLength: 4096, maxDepth: 2 });
  } catch (e) {
    if (e instanceof TlvError) throw new PartRecordFormatError(e.message);
    throw e;
  }
  if (list.length !== 1 || list[0].tag !== RECORD_TAG) throw new PartRecordFormatError('not a single key part record');
  const f = list[0].children;
  const order = [TAG_VERSION, TAG_DESCRIPTION, TAG_VP, TAG_KEY_ID, TAG_EPHEMERAL, TAG_UKM, TAG_ENCRYPTED_KEY];
  if (f.length !== order.length || f.some((t, i) => t.tag !== order[i])) throw new PartRecordFormatError('fields missing, repeated or out of order');
  const [version, desc, vp, keyId, eph, ukm, ek] = f.map((t) => t.value);
  if (version.length !== 1 || version[0] !== RECORD_VERSION) throw new PartRecordFormatError(`record version ${version[0]} is not ${RECORD_VERSION}`);
  let description: string;
  try {
    description = UTF8_STRICT.decode(desc);
    checkDescription(description);
  } catch (e) {
    throw new PartRecordFormatError(`description: ${(e as Error).message}`);
  }
  if (vp.length !== VP_COMPARED_LENGTH) throw new PartRecordFormatError('VP must be 28 bytes');
  if (keyId.length !== KEY_ID_LENGTH) throw new PartRecordFormatError('recipient key id must be 8 bytes');
  const curve = curveByPointLength(eph.length);
  if (!curve || eph[0] !== 0x04) throw new PartRecordFormatError('ephemeral key is not an uncompressed P-256, P-384 or P-521 point');
  if (ukm.length !== UKM_LENGTH) throw new PartRecordFormatError('ukm must be 40 bytes');
  if (ek.length !== WRAPPED_PART_LENGTH) throw new PartRecordFormatError('encryptedKey must be 40 bytes');
  const fullVp = new Uint8Array(VP_LENGTH);
  fullVp.set(vp);
  return {
    description,
    vp: fullVp,
    curve: curve.name,
    recipientKeyId: keyId.slice(),
    ephemeralPoint: eph.slice(),
    ukm: ukm.slice(),
    encryptedKey: ek.slice(),
  };
}
