import { decodeDer, encodeDer, octetString, octets, seq, sequenceItems, type Node } from './der/asn1.ts';
import { FieldLengthError } from './errors.ts';

/**
 * Key storage structures (DESIGN §3.8).
 *
 *   KeyBlob ::= SEQUENCE { keyId OCTET STRING (16), vp OCTET STRING (28), iv OCTET STRING (12),
 *                          sealed OCTET STRING (48) }
 *     -- sealed = AES-256-GCM(MK, iv, 32-byte key, aad = keyId || vp): ct (32) || tag (16)
 *
 *   WRAP payload   ::= SEQUENCE { KeyBlob, data OCTET STRING (≤ 64 KiB) }
 *   UNWRAP payload ::= SEQUENCE { KeyBlob, ciphertext OCTET STRING }
 *   WRAP result    =  iv (12) ‖ AES-256-GCM(key, data) ‖ tag (16)
 */
export const KEY_ID_LENGTH = 16;
export const BLOB_VP_LENGTH = 28;
export const BLOB_IV_LENGTH = 12;
export const SEALED_LENGTH = 48;
export const MAX_WRAP_DATA = 64 * 1024;
/** Largest UNWRAP ciphertext: iv + 64 KiB + tag. */
export const MAX_UNWRAP_CIPHERTEXT = BLOB_IV_LENGTH + MAX_WRAP_DATA + 16;

export interface KeyBlob {
  keyId: Uint8Array;
  /** first 28 bytes of the VP of the master key the blob is sealed under */
  vp: Uint8Array;
  iv: Uint8Array;
  sealed: Uint8Array;
}

const keyBlobNode = (b: KeyBlob): Node => seq(octets(b.keyId), octets(b.vp), octets(b.iv), octets(b.sealed));

export const encodeKeyBlob = (b: KeyBlob): Uint8Array => encodeDer(keyBlobNode(b));

function keyBlobOf(node: Node): KeyBlob {
  const items = sequenceItems(node, 'KeyBlob', 4);
  const f = (i: number, name: string, size: number): Uint8Array => {
    const v = octetString(items[i], `KeyBlob.${name}`);
    if (v.length !== size) throw new FieldLengthError(`KeyBlob.${name}`, `${size}`, v.length);
    return v;
  };
  return { keyId: f(0, 'keyId', KEY_ID_LENGTH), vp: f(1, 'vp', BLOB_VP_LENGTH), iv: f(2, 'iv', BLOB_IV_LENGTH), sealed: f(3, 'sealed', SEALED_LENGTH) };
}

/** Strict: DER (7) and exact field sizes (33). */
export const decodeKeyBlob = (der: Uint8Array): KeyBlob => keyBlobOf(decodeDer(der, 'KeyBlob'));

export interface BlobWithData {
  blob: KeyBlob;
  data: Uint8Array;
}

export const encodeBlobWithData = (p: BlobWithData): Uint8Array => encodeDer(seq(keyBlobNode(p.blob), octets(p.data)));

/**
 * WRAP / UNWRAP payloads; `maxData` bounds the data or ciphertext (33 beyond it). The DER
 * walk itself is bounded only by the request limit, so that oversized data is the 33 of
 * DESIGN §3.8 and not a 7 from the DER size limit.
 */
export function decodeBlobWithData(der: Uint8Array, maxData: number): BlobWithData {
  const items = sequenceItems(decodeDer(der, 'key storage payload'), 'key storage payload', 2);
  const blob = keyBlobOf(items[0]);
  const data = octetString(items[1], 'data');
  if (data.length > maxData) throw new FieldLengthError('data', `at most ${maxData}`, data.length);
  return { blob, data };
}
