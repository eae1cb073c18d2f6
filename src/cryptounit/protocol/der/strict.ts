import { ByteReader, ByteRangeError } from '../../../bytes/index.ts';
import { DerError } from '../errors.ts';

/**
 * A strict DER checker (X.690 §10, §11) run over every structure a unit or client receives,
 * before asn1js decodes it. asn1js is a BER decoder and accepts forms DER forbids; this walk
 * refuses them:
 *
 *   | rule                                           | X.690            |
 *   |------------------------------------------------|------------------|
 *   | definite lengths only                          | §10.1            |
 *   | shortest length form (short form below 0x80,   | §10.1, §8.1.3.5  |
 *   |   no leading zero length octets)               |                  |
 *   | tag numbers below 31 in the one-octet form,    | §8.1.2.4         |
 *   |   high tag numbers without leading 0x80 octets |                  |
 *   | OCTET STRING, BIT STRING and the character     | §10.2            |
 *   |   strings in primitive form                    |                  |
 *   | BOOLEAN, INTEGER, NULL, OBJECT IDENTIFIER,     | §8.2–8.20        |
 *   |   ENUMERATED, REAL, RELATIVE-OID primitive     |                  |
 *   | INTEGER and ENUMERATED in the fewest octets    | §8.3.2           |
 *   | BOOLEAN TRUE as FF                             | §11.1            |
 *   | BIT STRING unused bits 0..7, zero padding,     | §11.2            |
 *   |   no unused bits in an empty string            |                  |
 *   | NULL empty                                     | §8.8             |
 *   | SEQUENCE, SET, EXTERNAL, EMBEDDED PDV in       | §8.9.1, §8.11.1, |
 *   |   constructed form                             | §8.18.1, §8.17.1 |
 *   | OBJECT IDENTIFIER and RELATIVE-OID: not empty, | §8.19.2, §8.20.2 |
 *   |   subidentifiers without a leading 0x80 octet, |                  |
 *   |   the last octet ending a subidentifier        |                  |
 *   | SET OF elements in ascending encoding order    | §11.6            |
 *   | nothing after the outer value                  |                  |
 *
 * Limits keep hostile input cheap: at most `maxDepth` nesting and `maxLength` bytes.
 */
export interface StrictDerLimits {
  maxDepth?: number;
  maxLength?: number;
}

const CLASS_UNIVERSAL = 0;
const TAG_BOOLEAN = 1;
const TAG_INTEGER = 2;
const TAG_BIT_STRING = 3;
const TAG_OCTET_STRING = 4;
const TAG_NULL = 5;
const TAG_OBJECT_IDENTIFIER = 6;
const TAG_ENUMERATED = 10;
const TAG_RELATIVE_OID = 13;
const TAG_SET = 17;
/**
 * Universal types in primitive form only: BOOLEAN, INTEGER, NULL, OBJECT IDENTIFIER, REAL,
 * ENUMERATED and RELATIVE-OID always (X.690 §8.2, 8.3, 8.8, 8.19, 8.5, 8.4, 8.20); the string and
 * time types in DER (§10.2).
 */
const PRIMITIVE_ONLY = new Set([1, 2, 5, 6, 9, 10, 13, 3, 4, 12, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30]);
/** Universal types in constructed form only: EXTERNAL, EMBEDDED PDV, SEQUENCE, SET (X.690 §8.18, 8.17, 8.9, 8.11). */
const CONSTRUCTED_ONLY = new Set([8, 11, 16, 17]);

const DEFAULT_MAX_DEPTH = 24;
const DEFAULT_MAX_LENGTH = 1 << 20;

export function checkStrictDer(bytes: Uint8Array, limits: StrictDerLimits = {}): void {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  if (bytes.length === 0) throw new DerError('empty input', 0);
  if (bytes.length > maxLength) throw new DerError(`input of ${bytes.length} bytes exceeds ${maxLength}`, 0);
  const r = new ByteReader(bytes);
  try {
    readValue(r, bytes, 0, maxDepth);
    if (r.remaining !== 0) throw new DerError(`${r.remaining} trailing bytes`, r.offset);
  } catch (e) {
    if (e instanceof ByteRangeError) throw new DerError(`truncated: ${e.message}`, e.offset);
    throw e;
  }
}

/** Reads one TLV at the reader's position; returns the [start, end) of its whole encoding. */
function readValue(r: ByteReader, all: Uint8Array, depth: number, maxDepth: number): [number, number] {
  if (depth > maxDepth) throw new DerError(`nesting deeper than ${maxDepth}`, r.offset);
  const start = r.offset;
  const id = r.u8();
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tag = id & 0x1f;
  if (tag === 0x1f) {
    let first = true;
    tag = 0;
    for (;;) {
      const b = r.u8();
      if (first && b === 0x80) throw new DerError('tag number with a leading 0x80 octet', r.offset - 1);
      first = false;
      tag = tag * 128 + (b & 0x7f);
      if (tag > 0x1fffff) throw new DerError('tag number too large', r.offset - 1);
      if (!(b & 0x80)) break;
    }
    if (tag < 31) throw new DerError('tag number below 31 in the long form', start);
  }
  const lenAt = r.offset;
  const l0 = r.u8();
  let len: number;
  if (l0 < 0x80) len = l0;
  else if (l0 === 0x80) throw new DerError('indefinite length', lenAt);
  else {
    const n = l0 & 0x7f;
    if (n > 4) throw new DerError('length field too long', lenAt);
    len = 0;
    for (let i = 0; i < n; i++) {
      const b = r.u8();
      if (i === 0 && b === 0) throw new DerError('length with a leading zero octet', lenAt);
      len = len * 256 + b;
    }
    if (len < 0x80) throw new DerError('long-form length where the short form fits', lenAt);
  }
  if (len > r.remaining) throw new DerError(`length ${len} runs past the end`, lenAt);
  const contentAt = r.offset;
  const content = r.bytes(len);

  if (cls === CLASS_UNIVERSAL) {
    if (constructed && PRIMITIVE_ONLY.has(tag)) throw new DerError(`universal type ${tag} in constructed form`, start);
    if (!constructed && CONSTRUCTED_ONLY.has(tag)) throw new DerError(`universal type ${tag} in primitive form`, start);
    if (!constructed) checkPrimitive(tag, content, contentAt);
  }
  if (constructed) {
    const inner = new ByteReader(content);
    const children: [number, number][] = [];
    while (inner.remaining > 0) {
      const [s, e] = readValue(inner, content, depth + 1, maxDepth);
      children.push([contentAt + s, contentAt + e]);
    }
    if (cls === CLASS_UNIVERSAL && tag === TAG_SET) checkSetOrder(all, children, start);
  }
  return [start, r.offset];
}

function checkPrimitive(tag: number, v: Uint8Array, at: number): void {
  switch (tag) {
    case TAG_BOOLEAN:
      if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError('BOOLEAN must be one octet 00 or FF', at);
      return;
    case TAG_INTEGER:
    case TAG_ENUMERATED:
      if (v.length === 0) throw new DerError('empty INTEGER', at);
      if (v.length > 1 && ((v[0] === 0 && !(v[1] & 0x80)) || (v[0] === 0xff && v[1] & 0x80))) {
        throw new DerError('INTEGER not in the fewest octets', at);
      }
      return;
    case TAG_BIT_STRING: {
      if (v.length === 0) throw new DerError('BIT STRING without its unused-bits octet', at);
      const unused = v[0];
      if (unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError('bad BIT STRING unused-bits count', at);
      if (unused && v[v.length - 1] & ((1 << unused) - 1)) throw new DerError('BIT STRING padding bits not zero', at);
      return;
    }
    case TAG_NULL:
      if (v.length !== 0) throw new DerError('NULL with contents', at);
      return;
    case TAG_OBJECT_IDENTIFIER:
    case TAG_RELATIVE_OID:
      checkSubidentifiers(v, at);
      return;
    default:
      return;
  }
}

/** Base-128 subidentifiers, each in the fewest octets (X.690 §8.19.2), none cut off at the end. */
function checkSubidentifiers(v: Uint8Array, at: number): void {
  if (v.length === 0) throw new DerError('empty OBJECT IDENTIFIER', at);
  if (v[v.length - 1] & 0x80) throw new DerError('OBJECT IDENTIFIER ends inside a subidentifier', at);
  let first = true;
  for (let i = 0; i < v.length; i++) {
    if (first && v[i] === 0x80) throw new DerError('OBJECT IDENTIFIER subidentifier with a leading 0x80 octet', at + i);
    first = (v[i] & 0x80) === 0;
  }
}

function checkSetOrder(all: Uint8Array, children: [number, number][], at: number): void {
  for (let i = 1; i < children.length; i++) {
    const a = all.subarray(children[i - 1][0], children[i - 1][1]);
    const b = all.subarray(children[i][0], children[i][1]);
    if (compareBytes(a, b) > 0) throw new DerError('SET OF elements not in ascending order', at);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Split a concatenation of DER values (e.g. the signerInfos field) into its elements, each
 * strictly checked. An empty input gives an empty list.
 */
export function splitDerSequence(bytes: Uint8Array, limits: StrictDerLimits & { maxItems?: number } = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  const maxItems = limits.maxItems ?? 64;
  const r = new ByteReader(bytes);
  try {
    while (r.remaining > 0) {
      if (out.length >= maxItems) throw new DerError(`more than ${maxItems} concatenated values`, r.offset);
      const [s, e] = readValue(r, bytes, 0, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
      out.push(bytes.subarray(s, e));
    }
  } catch (e) {
    if (e instanceof ByteRangeError) throw new DerError(`truncated: ${e.message}`, e.offset);
    throw e;
  }
  return out;
}
