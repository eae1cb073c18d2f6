import { ByteReader, ByteWriter } from '../../bytes/index.ts';

/**
 * DOM_SET_ATTR payload and DOM_ATTRS response (DESIGN §3.4, §3.5): pairs of u32 big-endian
 * (index, value).
 *
 *   | offset | size | field |
 *   |--------|------|-------|
 *   | 8·i    | 4    | index |
 *   | 8·i+4  | 4    | value |
 */
export const ATTRIBUTE_PAIR_LENGTH = 8;

export interface AttributePair {
  index: number;
  value: number;
}

export function encodeAttributePairs(pairs: AttributePair[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of pairs) w.u32be(p.index).u32be(p.value);
  return w.finish();
}

/** Decode pairs; returns undefined when the length is not a multiple of 8. */
export function decodeAttributePairs(bytes: Uint8Array): AttributePair[] | undefined {
  if (bytes.length % ATTRIBUTE_PAIR_LENGTH !== 0) return undefined;
  const r = new ByteReader(bytes);
  const out: AttributePair[] = [];
  while (r.remaining) out.push({ index: r.u32be(), value: r.u32be() });
  return out;
}
