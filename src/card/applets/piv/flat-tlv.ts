import { ByteRangeError, ByteReader } from '../../../bytes/index.ts';
import { encodeTlv, TlvError } from '../../tlv.ts';

/**
 * One level of BER-TLV, without looking inside the values. PIV and Yubico use tags whose
 * first byte has the "constructed" bit (b6) set for plain values: 70 (certificate), 71
 * (CertInfo), FE (error detection code), AA/AB (PIN/touch policy). The card layer's strict
 * parser reads such a value as a list of data objects and fails, so these containers are read
 * here one level deep, with the same rules as card/tlv.ts for tags (1–3 bytes, minimal, no
 * 00/FF padding) and lengths (definite, minimal, up to 3 bytes), and nothing left over.
 */
export interface FlatTlv {
  tag: number;
  value: Uint8Array;
}

function readTag(r: ByteReader): number {
  const at = r.offset;
  const first = r.u8();
  if (first === 0x00 || first === 0xff) throw new TlvError('padding byte where a tag should be', at);
  if ((first & 0x1f) !== 0x1f) return first;
  let tag = first;
  for (let n = 1; ; n++) {
    if (n >= 3) throw new TlvError('tag longer than 3 bytes', at);
    const b = r.u8();
    if (n === 1 && (b === 0x80 || b < 0x1f)) throw new TlvError('tag number not minimal', at);
    tag = tag * 256 + b;
    if ((b & 0x80) === 0) return tag;
  }
}

function readLength(r: ByteReader, maxLength: number): number {
  const at = r.offset;
  const first = r.u8();
  if (first < 0x80) return first;
  const n = first & 0x7f;
  if (n === 0 || n > 3) throw new TlvError('indefinite or too long length field', at);
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + r.u8();
  if (len < (n === 1 ? 0x80 : 1 << (8 * (n - 1)))) throw new TlvError(`length ${len} is not in its shortest form`, at);
  if (len > maxLength) throw new TlvError(`length ${len} exceeds the limit of ${maxLength}`, at);
  return len;
}

/** Parse a buffer of data objects one level deep; any violation is a TlvError. */
export function parseFlatTlv(bytes: Uint8Array, maxLength = 65536): FlatTlv[] {
  const r = new ByteReader(bytes);
  const out: FlatTlv[] = [];
  try {
    while (r.remaining > 0) {
      const tag = readTag(r);
      const len = readLength(r, maxLength);
      out.push({ tag, value: r.bytes(len).slice() });
    }
  } catch (e) {
    if (e instanceof ByteRangeError) throw new TlvError('data object is cut off', r.offset);
    throw e;
  }
  return out;
}

/** Encode elements one level deep (the values are written as they are). */
export function encodeFlatTlv(...items: FlatTlv[]): Uint8Array {
  return encodeTlv(...items.map((i) => ({ tag: i.tag, value: i.value })));
}
