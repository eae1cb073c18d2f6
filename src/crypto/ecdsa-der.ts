import { ByteReader } from '../bytes/index.ts';
import { CryptoFormatError } from './errors.ts';

/**
 * ECDSA signature encodings: DER Ecdsa-Sig-Value (RFC 3279 / RFC 5480) ⇄ raw r ‖ s
 * (IEEE P1363, what WebCrypto signs and verifies), each integer at the curve's size.
 *
 *   Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
 *
 *   | byte(s)   | meaning                                                          |
 *   |-----------|------------------------------------------------------------------|
 *   | 30        | SEQUENCE tag                                                     |
 *   | L         | length: short form (< 0x80), or 81 LL when 0x80 ≤ length ≤ 0xFF  |
 *   | 02 Lr r   | INTEGER r: minimal two's complement, positive                    |
 *   | 02 Ls s   | INTEGER s: minimal two's complement, positive                    |
 *
 * Parsing is strict DER: definite minimal lengths, minimal positive INTEGERs, no trailing
 * bytes, and each integer must fit in `size` bytes. Anything else is a CryptoFormatError.
 */
const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const LONG_FORM_1 = 0x81;

function readLength(r: ByteReader): number {
  const first = r.u8();
  if (first < 0x80) return first;
  if (first !== LONG_FORM_1) throw new CryptoFormatError('signature DER length form not allowed');
  const len = r.u8();
  if (len < 0x80) throw new CryptoFormatError('signature DER length not minimal');
  return len;
}

function readPositiveInteger(r: ByteReader, size: number): Uint8Array {
  if (r.u8() !== TAG_INTEGER) throw new CryptoFormatError('signature DER: expected INTEGER');
  const len = readLength(r);
  if (len === 0) throw new CryptoFormatError('signature DER: empty INTEGER');
  const v = r.bytes(len);
  if (v[0] & 0x80) throw new CryptoFormatError('signature DER: negative INTEGER');
  if (v[0] === 0 && len > 1 && !(v[1] & 0x80)) throw new CryptoFormatError('signature DER: INTEGER not minimal');
  const mag = v[0] === 0 && len > 1 ? v.subarray(1) : v;
  if (mag.length > size) throw new CryptoFormatError('signature DER: INTEGER too large for the curve');
  if (mag.every((b) => b === 0)) throw new CryptoFormatError('signature DER: zero INTEGER');
  const out = new Uint8Array(size);
  out.set(mag, size - mag.length);
  return out;
}

/** Strict DER Ecdsa-Sig-Value → raw r ‖ s (2 × size bytes). */
export function derToRawSignature(der: Uint8Array, size: number): Uint8Array {
  try {
    const r = new ByteReader(der);
    if (r.u8() !== TAG_SEQUENCE) throw new CryptoFormatError('signature DER: expected SEQUENCE');
    const len = readLength(r);
    if (len !== r.remaining) throw new CryptoFormatError('signature DER: length does not match');
    const body = new ByteReader(r.bytes(len));
    const rr = readPositiveInteger(body, size);
    const ss = readPositiveInteger(body, size);
    body.end();
    const out = new Uint8Array(2 * size);
    out.set(rr, 0);
    out.set(ss, size);
    return out;
  } catch (e) {
    if (e instanceof CryptoFormatError) throw e;
    throw new CryptoFormatError(`signature DER truncated: ${(e as Error).message}`);
  }
}

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n <= 0xff) return [LONG_FORM_1, n];
  throw new CryptoFormatError('signature too long');
}

function encodeInteger(mag: Uint8Array): number[] {
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  const v = Array.from(mag.subarray(i));
  if (v[0] & 0x80) v.unshift(0);
  return [TAG_INTEGER, ...encodeLength(v.length), ...v];
}

/** Raw r ‖ s → DER Ecdsa-Sig-Value. */
export function rawToDerSignature(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new CryptoFormatError('raw signature must be r ‖ s of equal sizes');
  const size = raw.length / 2;
  const r = raw.subarray(0, size);
  const s = raw.subarray(size);
  if (r.every((b) => b === 0) || s.every((b) => b === 0)) throw new CryptoFormatError('raw signature has a zero component');
  const body = [...encodeInteger(r), ...encodeInteger(s)];
  return Uint8Array.from([TAG_SEQUENCE, ...encodeLength(body.length), ...body]);
}
