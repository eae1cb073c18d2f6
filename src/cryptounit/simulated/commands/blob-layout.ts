import { BLOB_IV_LENGTH, BLOB_VP_LENGTH, KEY_ID_LENGTH, SEALED_LENGTH, type KeyBlob } from '../../protocol/index.ts';

/**
 * The fixed DER layout of a KeyBlob (DESIGN §3.8), for the key-storage hot path. Every field
 * has a fixed size, so DER allows exactly one encoding, 114 bytes:
 *
 *   | offset | bytes       | field                          |
 *   |--------|-------------|--------------------------------|
 *   | 0      | 30 70       | SEQUENCE, 112 bytes            |
 *   | 2      | 04 10       | keyId OCTET STRING (16)        |
 *   | 20     | 04 1C       | vp OCTET STRING (28)           |
 *   | 50     | 04 0C       | iv OCTET STRING (12)           |
 *   | 64     | 04 30       | sealed OCTET STRING (48)       |
 *
 * Reading checks the five tag/length pairs and takes the fields as views; anything that
 * does not match is left to the protocol codec (decodeKeyBlob), which gives the precise
 * error (7 or 33). Writing fills the template. Both agree with the codec byte for byte (see
 * test/cryptounit/simulated/blob-layout.test.ts).
 */
export const KEY_BLOB_DER_LENGTH = 114;
const HEADERS: readonly [number, number, number][] = [
  // offset, tag, length
  [0, 0x30, KEY_BLOB_DER_LENGTH - 2],
  [2, 0x04, KEY_ID_LENGTH],
  [20, 0x04, BLOB_VP_LENGTH],
  [50, 0x04, BLOB_IV_LENGTH],
  [64, 0x04, SEALED_LENGTH],
];
const KEY_ID_AT = 4;
const VP_AT = 22;
const IV_AT = 52;
const SEALED_AT = 66;

function matchesAt(bytes: Uint8Array, at: number): boolean {
  for (const [o, tag, len] of HEADERS) if (bytes[at + o] !== tag || bytes[at + o + 1] !== len) return false;
  return true;
}

/** The blob at `at` if its 114 bytes have the layout (views, not copies); else undefined. */
export function readKeyBlobAt(bytes: Uint8Array, at: number): KeyBlob | undefined {
  if (at + KEY_BLOB_DER_LENGTH > bytes.length || !matchesAt(bytes, at)) return undefined;
  return {
    keyId: bytes.subarray(at + KEY_ID_AT, at + KEY_ID_AT + KEY_ID_LENGTH),
    vp: bytes.subarray(at + VP_AT, at + VP_AT + BLOB_VP_LENGTH),
    iv: bytes.subarray(at + IV_AT, at + IV_AT + BLOB_IV_LENGTH),
    sealed: bytes.subarray(at + SEALED_AT, at + SEALED_AT + SEALED_LENGTH),
  };
}

/** A concatenation of blobs that all have the layout, or undefined. */
export function readKeyBlobs(bytes: Uint8Array): KeyBlob[] | undefined {
  if (bytes.length === 0 || bytes.length % KEY_BLOB_DER_LENGTH !== 0) return undefined;
  const out: KeyBlob[] = [];
  for (let at = 0; at < bytes.length; at += KEY_BLOB_DER_LENGTH) {
    const b = readKeyBlobAt(bytes, at);
    if (!b) return undefined;
    out.push(b);
  }
  return out;
}

/** Write `blob` at `at` of `out` (which has room for 114 bytes there). */
export function writeKeyBlobAt(out: Uint8Array, at: number, blob: KeyBlob): void {
  if (blob.keyId.length !== KEY_ID_LENGTH || blob.vp.length !== BLOB_VP_LENGTH || blob.iv.length !== BLOB_IV_LENGTH || blob.sealed.length !== SEALED_LENGTH) {
    throw new RangeError('key blob fields have the wrong sizes');
  }
  for (const [o, tag, len] of HEADERS) {
    out[at + o] = tag;
    out[at + o + 1] = len;
  }
  out.set(blob.keyId, at + KEY_ID_AT);
  out.set(blob.vp, at + VP_AT);
  out.set(blob.iv, at + IV_AT);
  out.set(blob.sealed, at + SEALED_AT);
}
