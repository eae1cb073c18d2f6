import { checkPartDescription, MAX_DESCRIPTION_LENGTH } from '../part-description.ts';
import { bytesEqual, toHex } from '../../bytes/index.ts';
import { encodeTlv, parseTlv, TlvError, type Tlv } from '../../card/tlv.ts';
import { curveOfAlgorithm, ecAlgorithmId, type PivEcCurve } from '../../card/applets/piv/index.ts';
import { CURVES, VP_COMPARED_LENGTH, VP_LENGTH } from '../../crypto/index.ts';

/**
 * The records webtke keeps in PIV data objects (the content inside 53; see
 * docs/smart-cards-piv.md for where they live). Both are BER-TLV with private-class tags that
 * no PIV container uses, so a record is never mistaken for a certificate container (70/71/FE)
 * and a certificate container is never mistaken for a record.
 *
 * Key part record (one per part object):
 *
 *   | tag | element      | value                                                      |
 *   |-----|--------------|------------------------------------------------------------|
 *   | C0  | format       | "WTKP" 01 (webtke key part, version 1)                     |
 *   | C1  | id           | 16 random bytes (the part's id is their lowercase hex)     |
 *   | C2  | description  | UTF-8, 1..128 characters, no control characters            |
 *   | C3  | vp           | 32 bytes, the last 4 zero                                  |
 *   | C4  | envelope     | DER KeyAgreeRecipientInfo addressed to the card's 9D key   |
 *
 * Key-part key record (one, object 5FC120):
 *
 *   | tag | element      | value                                                      |
 *   |-----|--------------|------------------------------------------------------------|
 *   | C0  | format       | "WTKK" 01 (webtke key-part key, version 1)                 |
 *   | C1  | algorithm    | PIV algorithm of the 9D key: 11 (P-256) or 14 (P-384)      |
 *   | C2  | point        | the 9D public point, uncompressed                          |
 *
 * Elements appear exactly once, in this order, and nothing follows them.
 */
export const TAG_FORMAT = 0xc0;
export const PART_FORMAT = Uint8Array.of(0x57, 0x54, 0x4b, 0x50, 0x01); // "WTKP" v1
export const KEY_FORMAT = Uint8Array.of(0x57, 0x54, 0x4b, 0x4b, 0x01); // "WTKK" v1
export const PART_ID_LENGTH = 16;
export { MAX_DESCRIPTION_LENGTH };
/** Upper bound on an envelope (a P-521 importer's would be ~330 bytes; the card's own are P-256/P-384). */
export const MAX_ENVELOPE_LENGTH = 1024;

/** Why a record does not parse (the holder turns it into PivRecordError with the object). */
export class RecordFormatError extends Error {
  override name = 'RecordFormatError';
}

/** A description as every custodian takes it (src/custodian/part-description.ts). */
export const checkDescription = checkPartDescription;

export interface PartRecord {
  id: Uint8Array;
  description: string;
  vp: Uint8Array;
  envelope: Uint8Array;
}

export const partIdText = (id: Uint8Array): string => toHex(id);

export function encodePartRecord(r: PartRecord): Uint8Array {
  if (r.id.length !== PART_ID_LENGTH) throw new RangeError('a part id is 16 bytes');
  if (r.vp.length !== VP_LENGTH) throw new RangeError('a VP is 32 bytes');
  if (r.envelope.length === 0 || r.envelope.length > MAX_ENVELOPE_LENGTH) throw new RangeError('envelope size out of range');
  return encodeTlv(
    { tag: TAG_FORMAT, value: PART_FORMAT },
    { tag: 0xc1, value: r.id },
    { tag: 0xc2, value: new TextEncoder().encode(checkDescription(r.description)) },
    { tag: 0xc3, value: r.vp },
    { tag: 0xc4, value: r.envelope },
  );
}

function elements(content: Uint8Array, count: number): Tlv[] {
  let list: Tlv[];
  try {
    list = parseTlv(content, { maxLength: 4096, maxDepth: 1 });
  } catch (e) {
    if (e instanceof TlvError) throw new RecordFormatError(e.message);
    throw e;
  }
  if (list.length !== count) throw new RecordFormatError(`expected ${count} elements, found ${list.length}`);
  list.forEach((t, i) => {
    if (t.tag !== TAG_FORMAT + i) throw new RecordFormatError(`element ${i + 1} has tag ${t.tag.toString(16)}, expected ${(TAG_FORMAT + i).toString(16)}`);
  });
  return list;
}

/** Whether object content starts with the part-record format element (a webtke part record, maybe damaged). */
export function looksLikePartRecord(content: Uint8Array): boolean {
  const head = encodeTlv({ tag: TAG_FORMAT, value: PART_FORMAT });
  return content.length >= head.length && bytesEqual(content.subarray(0, head.length), head);
}

export function decodePartRecord(content: Uint8Array): PartRecord {
  const [format, id, description, vp, envelope] = elements(content, 5);
  if (!bytesEqual(format.value, PART_FORMAT)) throw new RecordFormatError('not a webtke key part record (version 1)');
  if (id.value.length !== PART_ID_LENGTH) throw new RecordFormatError('the part id is not 16 bytes');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(description.value);
    checkDescription(text);
  } catch (e) {
    throw new RecordFormatError(`bad description: ${(e as Error).message}`);
  }
  if (vp.value.length !== VP_LENGTH || vp.value.subarray(VP_COMPARED_LENGTH).some((b) => b !== 0)) {
    throw new RecordFormatError('the VP is not 32 bytes ending in 4 zero bytes');
  }
  if (envelope.value.length === 0 || envelope.value.length > MAX_ENVELOPE_LENGTH) throw new RecordFormatError('envelope size out of range');
  return { id: id.value.slice(), description: text, vp: vp.value.slice(), envelope: envelope.value.slice() };
}

export interface KeyPartKeyRecord {
  curve: PivEcCurve;
  point: Uint8Array;
}

export function encodeKeyPartKeyRecord(r: KeyPartKeyRecord): Uint8Array {
  if (r.point.length !== CURVES[r.curve].pointLength || r.point[0] !== 0x04) throw new RangeError(`not an uncompressed ${r.curve} point`);
  return encodeTlv(
    { tag: TAG_FORMAT, value: KEY_FORMAT },
    { tag: 0xc1, value: Uint8Array.of(ecAlgorithmId(r.curve)) },
    { tag: 0xc2, value: r.point },
  );
}

export function decodeKeyPartKeyRecord(content: Uint8Array): KeyPartKeyRecord {
  const [format, alg, point] = elements(content, 3);
  if (!bytesEqual(format.value, KEY_FORMAT)) throw new RecordFormatError('not a webtke key-part key record (version 1)');
  if (alg.value.length !== 1) throw new RecordFormatError('the algorithm is one byte');
  const curve = curveOfAlgorithm(alg.value[0]);
  if (!curve) throw new RecordFormatError(`algorithm ${alg.value[0].toString(16)} is not P-256 or P-384`);
  if (point.value.length !== CURVES[curve].pointLength || point.value[0] !== 0x04) throw new RecordFormatError(`not an uncompressed ${curve} point`);
  return { curve, point: point.value.slice() };
}
