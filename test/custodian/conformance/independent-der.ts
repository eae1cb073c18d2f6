/**
 * A minimal DER reader and writer for tests, independent of asn1js and of the protocol codec:
 * enough to take a KeyAgreeRecipientInfo or a SignerInfo apart and to build an SPKI.
 */
export interface Tlv {
  tag: number;
  content: Uint8Array;
  /** the whole TLV */
  raw: Uint8Array;
}

export function readTlv(bytes: Uint8Array, at = 0): Tlv {
  const tag = bytes[at];
  let len = bytes[at + 1];
  let off = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2) throw new Error('test DER: length form');
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | bytes[off + i];
    off += n;
  }
  if (off + len > bytes.length) throw new Error('test DER: truncated');
  return { tag, content: bytes.subarray(off, off + len), raw: bytes.subarray(at, off + len) };
}

/** The children of a constructed TLV's content. */
export function children(content: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length; ) {
    const t = readTlv(content, at);
    out.push(t);
    at += t.raw.length;
  }
  return out;
}

/** The single TLV that makes up `bytes`, with nothing after it. */
export function readOnly(bytes: Uint8Array): Tlv {
  const t = readTlv(bytes);
  if (t.raw.length !== bytes.length) throw new Error('test DER: trailing bytes');
  return t;
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const content = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    content.set(p, o);
    o += p.length;
  }
  const n = content.length;
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  return new Uint8Array([...head, ...content]);
}

export const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** DER OBJECT IDENTIFIER TLVs, written out by hand. */
export const OID_TLV = {
  ecPublicKey: hexBytes('06072a8648ce3d0201'),
  'P-256': hexBytes('06082a8648ce3d030107'),
  'P-384': hexBytes('06052b81040022'),
  'P-521': hexBytes('06052b81040023'),
  dhSinglePassStdDhSha256Kdf: hexBytes('06062b8104010b01'),
  aes256Wrap: hexBytes('060960864801650304012d'),
  sha256: hexBytes('0609608648016503040201'),
  sha384: hexBytes('0609608648016503040202'),
  sha512: hexBytes('0609608648016503040203'),
  ecdsaWithSha256: hexBytes('06082a8648ce3d040302'),
  ecdsaWithSha384: hexBytes('06082a8648ce3d040303'),
  ecdsaWithSha512: hexBytes('06082a8648ce3d040304'),
} as const;

/** RFC 5480 SPKI for an uncompressed point. */
export function spkiOf(curve: 'P-256' | 'P-384' | 'P-521', point: Uint8Array): Uint8Array {
  return tlv(0x30, tlv(0x30, OID_TLV.ecPublicKey, OID_TLV[curve]), tlv(0x03, Uint8Array.of(0), point));
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
