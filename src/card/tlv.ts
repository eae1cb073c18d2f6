/**
 * Strict BER-TLV as used by smart cards (ISO/IEC 7816-4 §5.2; ISO/IEC 8825-1 §8.1).
 *
 * Tag field (1 to 3 bytes here, the ISO/IEC 7816-4 limit):
 *
 *   | byte | bits        | meaning                                                   |
 *   |------|-------------|-----------------------------------------------------------|
 *   | 1    | b8-b7       | class: 00 universal, 01 application, 10 context, 11 private |
 *   | 1    | b6          | 0 primitive, 1 constructed                                |
 *   | 1    | b5-b1       | tag number 0..30, or 11111 = the number follows           |
 *   | 2..  | b8          | 1 = another byte follows, 0 = last byte                   |
 *   | 2..  | b7-b1       | tag number bits, big-endian; the first may not be 0x80    |
 *
 *   Two-byte tags have a second byte of 1F..7F (numbers 31..127); three-byte tags 81..FF, then 00..7F.
 *   A tag is written here as the number its bytes form big-endian: 0x5F50, 0x7F49, 0x5FC105.
 *   First bytes 00 and FF are padding in ISO/IEC 7816-4 and are refused by this strict parser.
 *
 * Length field (definite form only, minimal):
 *
 *   | first byte | length bytes   | value length          |
 *   |------------|----------------|-----------------------|
 *   | 00..7F     | -              | 0..127                |
 *   | 81         | 1              | 128..255              |
 *   | 82         | 2              | 256..65535            |
 *   | 83         | 3              | 65536..16777215       |
 *   | 80, 84..FF | -              | refused (indefinite or too long) |
 *
 * Constructed values (b6 = 1) are parsed as TLV lists, recursively, and must be consumed
 * exactly. Lengths and nesting depth are capped.
 */
import { ByteWriter } from '../bytes/index.ts';

export const TLV_MAX_TAG_BYTES = 3;
export const TLV_DEFAULT_MAX_LENGTH = 65536;
export const TLV_DEFAULT_MAX_DEPTH = 16;
const TAG_CONSTRUCTED = 0x20;
const TAG_NUMBER_FOLLOWS = 0x1f;
const TAG_MORE = 0x80;
const LEN_LONG = 0x80;

export interface Tlv {
  /** The tag bytes as a big-endian number (0x5FC105). */
  readonly tag: number;
  readonly constructed: boolean;
  /** The value bytes (a view into the parsed buffer). */
  readonly value: Uint8Array;
  /** Parsed children of a constructed value; empty for a primitive one. */
  readonly children: readonly Tlv[];
  /** Offset of the tag's first byte in the buffer given to parseTlv. */
  readonly offset: number;
}

export interface TlvParseOptions {
  /** Largest value length accepted. Default 65536. */
  maxLength?: number;
  /** Deepest nesting of constructed values accepted (1 = no constructed value inside another). Default 16. */
  maxDepth?: number;
}

export class TlvError extends Error {
  override name = 'TlvError';
  constructor(
    message: string,
    /** Byte offset where the problem is. */
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

const hexTag = (tag: number): string => tag.toString(16).toUpperCase().padStart(2, '0');

/** True when the first tag byte of `tag` says constructed. */
export function isConstructedTag(tag: number): boolean {
  return (tagBytes(tag)[0] & TAG_CONSTRUCTED) !== 0;
}

/** The bytes of a tag number; throws TlvError if they are not one valid, minimal tag. */
export function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new TlvError(`tag ${tag} is not 1..3 bytes`, 0);
  const out = tag > 0xffff ? Uint8Array.of(tag >>> 16, (tag >>> 8) & 0xff, tag & 0xff) : tag > 0xff ? Uint8Array.of(tag >>> 8, tag & 0xff) : Uint8Array.of(tag);
  const r = readTag(out, 0);
  if (r.end !== out.length) throw new TlvError(`tag ${hexTag(tag)} is not a single valid tag`, 0);
  return out;
}

function readTag(buf: Uint8Array, at: number): { tag: number; end: number } {
  if (at >= buf.length) throw new TlvError('missing tag', at);
  const first = buf[at];
  if (first === 0x00 || first === 0xff) throw new TlvError(`padding byte ${hexTag(first)} where a tag should be`, at);
  if ((first & TAG_NUMBER_FOLLOWS) !== TAG_NUMBER_FOLLOWS) return { tag: first, end: at + 1 };
  let tag = first;
  let i = at + 1;
  for (;;) {
    if (i >= buf.length) throw new TlvError('tag is cut off', at);
    if (i - at >= TLV_MAX_TAG_BYTES) throw new TlvError(`tag longer than ${TLV_MAX_TAG_BYTES} bytes`, at);
    const b = buf[i];
    if (i === at + 1) {
      if (b === TAG_MORE) throw new TlvError('tag number has a leading zero (non-minimal)', i);
      if (b < TAG_NUMBER_FOLLOWS) throw new TlvError(`tag number ${b} must use the one-byte form`, i);
    }
    tag = tag * 256 + b;
    i++;
    if ((b & TAG_MORE) === 0) return { tag, end: i };
  }
}

function readLength(buf: Uint8Array, at: number, maxLength: number): { length: number; end: number } {
  if (at >= buf.length) throw new TlvError('missing length', at);
  const first = buf[at];
  if (first < LEN_LONG) return { length: first, end: at + 1 };
  if (first === LEN_LONG) throw new TlvError('indefinite length is not allowed', at);
  const n = first & 0x7f;
  if (n > 3) throw new TlvError(`length field of ${n} bytes is not allowed`, at);
  if (at + 1 + n > buf.length) throw new TlvError('length is cut off', at);
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[at + 1 + i];
  const minimum = n === 1 ? 0x80 : 1 << (8 * (n - 1));
  if (length < minimum) throw new TlvError(`length ${length} is not in its shortest form`, at);
  if (length > maxLength) throw new TlvError(`length ${length} exceeds the limit of ${maxLength}`, at);
  return { length, end: at + 1 + n };
}

function parseList(buf: Uint8Array, start: number, end: number, depth: number, o: Required<TlvParseOptions>): Tlv[] {
  const out: Tlv[] = [];
  let at = start;
  while (at < end) {
    const t = readTag(buf.subarray(0, end), at);
    const l = readLength(buf.subarray(0, end), t.end, o.maxLength);
    if (l.end + l.length > end) {
      throw new TlvError(`value of tag ${hexTag(t.tag)} needs ${l.length} bytes, ${end - l.end} left`, l.end);
    }
    const constructed = (buf[at] & TAG_CONSTRUCTED) !== 0;
    let children: Tlv[] = [];
    if (constructed) {
      if (depth >= o.maxDepth) throw new TlvError(`nesting deeper than ${o.maxDepth}`, at);
      children = parseList(buf, l.end, l.end + l.length, depth + 1, o);
    }
    out.push({ tag: t.tag, constructed, value: buf.subarray(l.end, l.end + l.length), children, offset: at });
    at = l.end + l.length;
  }
  return out;
}

/**
 * Parse a buffer that holds one or more BER-TLV data objects and nothing else. Constructed
 * values are parsed recursively. Any violation is a TlvError with the offset.
 */
export function parseTlv(bytes: Uint8Array, opts: TlvParseOptions = {}): Tlv[] {
  const o: Required<TlvParseOptions> = {
    maxLength: opts.maxLength ?? TLV_DEFAULT_MAX_LENGTH,
    maxDepth: opts.maxDepth ?? TLV_DEFAULT_MAX_DEPTH,
  };
  return parseList(bytes, 0, bytes.length, 1, o);
}

/** Parse a buffer that must hold exactly one data object. */
export function parseOneTlv(bytes: Uint8Array, opts: TlvParseOptions = {}): Tlv {
  const list = parseTlv(bytes, opts);
  if (list.length !== 1) throw new TlvError(`expected one data object, found ${list.length}`, list.length === 0 ? 0 : list[1].offset);
  return list[0];
}

/** The length field for a value of `length` bytes, in its shortest form. */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad TLV length ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  if (length <= 0xffff) return Uint8Array.of(0x82, length >>> 8, length & 0xff);
  if (length <= 0xffffff) return Uint8Array.of(0x83, length >>> 16, (length >>> 8) & 0xff, length & 0xff);
  throw new RangeError(`TLV length ${length} does not fit 3 length bytes`);
}

/** What encodeTlv takes: a primitive value, or the children of a constructed one. */
export type TlvInput = { tag: number; value: Uint8Array } | { tag: number; children: readonly TlvInput[] };

function writeTlv(w: ByteWriter, node: TlvInput): void {
  const tb = tagBytes(node.tag);
  const constructed = (tb[0] & TAG_CONSTRUCTED) !== 0;
  let value: Uint8Array;
  if ('children' in node) {
    if (!constructed) throw new TlvError(`tag ${hexTag(node.tag)} is primitive but was given children`, 0);
    value = encodeTlv(...node.children);
  } else {
    value = node.value;
  }
  w.bytes(tb).bytes(encodeLength(value.length)).bytes(value);
}

/** Encode data objects (minimal lengths) one after another. */
export function encodeTlv(...nodes: readonly TlvInput[]): Uint8Array {
  const w = new ByteWriter();
  for (const n of nodes) writeTlv(w, n);
  return w.finish();
}

/** Shorthand: one primitive data object. */
export const tlv = (tag: number, value: Uint8Array): Uint8Array => encodeTlv({ tag, value });

/** The first data object with `tag` in `list` (not searching inside constructed values). */
export function findTlv(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** Every data object with `tag` in `list` (not searching inside). */
export function findAllTlv(list: readonly Tlv[], tag: number): Tlv[] {
  return list.filter((t) => t.tag === tag);
}

/** The first data object with `tag`, depth first, searching inside constructed values. */
export function findTlvDeep(list: readonly Tlv[], tag: number): Tlv | undefined {
  for (const t of list) {
    if (t.tag === tag) return t;
    const inner = findTlvDeep(t.children, tag);
    if (inner) return inner;
  }
  return undefined;
}

/** Follow a path of tags through constructed values: findPath(list, 0x7C, 0x82). */
export function findTlvPath(list: readonly Tlv[], ...path: number[]): Tlv | undefined {
  let cur: readonly Tlv[] = list;
  let found: Tlv | undefined;
  for (const tag of path) {
    found = findTlv(cur, tag);
    if (!found) return undefined;
    cur = found.children;
  }
  return found;
}

/** Like findTlv but a missing tag is a TlvError. */
export function requireTlv(list: readonly Tlv[], tag: number): Tlv {
  const t = findTlv(list, tag);
  if (!t) throw new TlvError(`tag ${hexTag(tag)} is missing`, list.length ? list[0].offset : 0);
  return t;
}
