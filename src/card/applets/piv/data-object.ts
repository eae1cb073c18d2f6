import type { Command } from '../../apdu.ts';
import { concat } from '../../../bytes/index.ts';
import { encodeLength, parseTlv, tagBytes, tlv, TlvError, type Tlv } from '../../tlv.ts';
import {
  CLA_PIV, DATA_P1, DATA_P2, INS_GET_DATA, INS_PUT_DATA, OBJ_BIOMETRIC_GROUP, OBJ_DISCOVERY, TAG_DATA, TAG_TAG_LIST,
  YK_MAX_OBJECT_SIZE,
} from './constants.ts';
import { PivInputError, PivResponseError } from './errors.ts';

/**
 * GET DATA and PUT DATA (SP 800-73-4 Part 2 §3.1.2, §3.3.2):
 *
 *   | command  | CLA | INS | P1 P2 | data                                       | Le |
 *   |----------|-----|-----|-------|--------------------------------------------|----|
 *   | GET DATA | 00  | CB  | 3F FF | 5C L <object tag>                          | 00 |
 *   | PUT DATA | 00  | DB  | 3F FF | 5C L <object tag> 53 L <object content>    | -  |
 *
 *   The object's content travels inside 53 L, except the discovery object (7E) and the
 *   biometric group template (7F61), which travel as themselves.
 *   GET DATA answers: 90 00 with 53 L content; 6A 82 no such object; 69 82 the PIN is needed.
 *   PUT DATA answers: 90 00; 69 82 the management key is needed; 6A 84 no room.
 */

/** Object tags are one (7E), two (7F61) or three (5FC1xx) bytes. */
export function objectTagBytes(tag: number): Uint8Array {
  try {
    return tagBytes(tag);
  } catch (e) {
    if (e instanceof TlvError) throw new PivInputError(`0x${tag.toString(16)} is not a data object tag`);
    throw e;
  }
}

const wrapperOf = (tag: number): number => (tag === OBJ_DISCOVERY || tag === OBJ_BIOMETRIC_GROUP ? tag : TAG_DATA);

export function buildGetData(tag: number, ne = 256): Command {
  return { cla: CLA_PIV, ins: INS_GET_DATA, p1: DATA_P1, p2: DATA_P2, data: tlv(TAG_TAG_LIST, objectTagBytes(tag)), ne };
}

/** The object's content from a GET DATA answer: exactly one 53 (or 7E / 7F61) object. */
export function parseGetData(data: Uint8Array, tag: number, maxLength = 65535): Uint8Array {
  const cmd = `GET DATA ${tag.toString(16).toUpperCase()}`;
  let list: Tlv[];
  try {
    // 53 is primitive (its content is not parsed here); 7E and 7F61 are constructed.
    list = parseTlv(data, { maxLength, maxDepth: 4 });
  } catch (e) {
    if (e instanceof TlvError) throw new PivResponseError(cmd, e.message);
    throw e;
  }
  const wrapper = wrapperOf(tag);
  if (list.length !== 1 || list[0].tag !== wrapper) throw new PivResponseError(cmd, `expected one data object ${wrapper.toString(16).toUpperCase()}`);
  return list[0].value.slice();
}

/**
 * PUT DATA of `content` into object `tag` (content is what sits inside 53). The command data
 * can pass 255 bytes: the session sends it as a command chain.
 */
export function buildPutData(tag: number, content: Uint8Array, maxContent = YK_MAX_OBJECT_SIZE): Command {
  if (content.length > maxContent) throw new PivInputError(`a data object holds at most ${maxContent} bytes, got ${content.length}`);
  const data = concat(tlv(TAG_TAG_LIST, objectTagBytes(tag)), tagBytes(wrapperOf(tag)), encodeLength(content.length), content);
  return { cla: CLA_PIV, ins: INS_PUT_DATA, p1: DATA_P1, p2: DATA_P2, data };
}
