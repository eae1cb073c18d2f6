import { parseTlv, TlvError } from '../../../tlv.ts';
import {
  DO_ALGORITHM_ATTRIBUTES_AUTHENTICATION, DO_ALGORITHM_ATTRIBUTES_DECRYPTION, DO_ALGORITHM_ATTRIBUTES_SIGNATURE,
  DO_ALGORITHM_INFORMATION, type KeySlot,
} from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';
import { parseAlgorithmAttributes, type AlgorithmAttributes } from './algorithm-attributes.ts';

/**
 * Algorithm information (DO FA, version 3.4), §4.4.3.11: every algorithm the card can be set
 * to, as a list of algorithm attribute DOs. C1 entries list the signature key's choices, C2
 * the decryption key's, C3 the authentication key's; other entries (vendor keys) are skipped.
 *
 *   FA { C1 <attributes> C1 <attributes> ... C2 <attributes> ... C3 ... }
 */
export type AlgorithmInformation = Readonly<Record<KeySlot, readonly AlgorithmAttributes[]>>;

const SLOT_OF: ReadonlyMap<number, KeySlot> = new Map([
  [DO_ALGORITHM_ATTRIBUTES_SIGNATURE, 'signature'],
  [DO_ALGORITHM_ATTRIBUTES_DECRYPTION, 'decryption'],
  [DO_ALGORITHM_ATTRIBUTES_AUTHENTICATION, 'authentication'],
]);
const MAX_LENGTH = 4096;

/**
 * YubiKey 5 firmware up to 5.4 announces FA with a length 2 bytes larger than what follows
 * (seen on 5.4.3: FA 82 01 E2 and 480 bytes). The outer length is ignored when it overshoots
 * and the contents that are there parse exactly as a list of attribute DOs.
 */
function contentsOfOvershootingFa(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 4 || bytes[0] !== DO_ALGORITHM_INFORMATION) return undefined;
  const n = bytes[1];
  const header = n < 0x80 ? 2 : n === 0x81 ? 3 : n === 0x82 ? 4 : 0;
  if (header === 0 || bytes.length < header) return undefined;
  const declared = n < 0x80 ? n : n === 0x81 ? bytes[2] : (bytes[2] << 8) | bytes[3];
  const contents = bytes.subarray(header);
  return declared > contents.length ? contents : undefined;
}

/** `bytes` is the GET DATA FA answer: the FA object, or only its contents. */
export function parseAlgorithmInformation(bytes: Uint8Array): AlgorithmInformation {
  let list;
  try {
    list = parseTlv(bytes, { maxLength: MAX_LENGTH, maxDepth: 2 });
  } catch (e) {
    if (!(e instanceof TlvError)) throw e;
    const contents = contentsOfOvershootingFa(bytes);
    if (!contents) throw new OpenPgpDataError('FA', e.message);
    try {
      list = parseTlv(contents, { maxLength: MAX_LENGTH, maxDepth: 1 });
    } catch (e2) {
      if (e2 instanceof TlvError) throw new OpenPgpDataError('FA', e.message);
      throw e2;
    }
  }
  if (list.length === 1 && list[0].tag === DO_ALGORITHM_INFORMATION) list = list[0].children;
  const out: Record<KeySlot, AlgorithmAttributes[]> = { signature: [], decryption: [], authentication: [] };
  for (const t of list) {
    const slot = SLOT_OF.get(t.tag);
    if (slot) out[slot].push(parseAlgorithmAttributes(t.value, `FA/${t.tag.toString(16).toUpperCase()}`));
  }
  return out;
}
