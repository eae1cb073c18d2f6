import { findTlv, parseTlv, TlvError, type Tlv } from '../../../tlv.ts';
import { DO_KDF } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * KDF-DO (F9, version 3.3+), §4.3.2: when set, the card compares not the typed password but
 * a hash of it, the OpenPGP iterated and salted S2K (RFC 4880 §3.7.1.3):
 *
 *   | tag | length | meaning                                                        |
 *   |-----|--------|----------------------------------------------------------------|
 *   | 81  | 1      | KDF algorithm: 00 none, 03 KDF_ITERSALTED_S2K                  |
 *   | 82  | 1      | hash algorithm: 08 SHA-256, 0A SHA-512                         |
 *   | 83  | 4      | iteration count: the number of bytes fed to the hash           |
 *   | 84  | 8      | salt of PW1                                                    |
 *   | 85  | 8      | salt of the resetting code (optional; PW1's salt when absent)  |
 *   | 86  | 8      | salt of PW3 (optional; PW1's salt when absent)                 |
 *   | 87  | 32/64  | initial hash of PW1, 88 of PW3 (optional, not used here)       |
 *
 * Cards answer with the F9 object or with its contents; both are accepted.
 */
export type PinKdf =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'iterated-salted-s2k';
      readonly hash: 'SHA-256' | 'SHA-512';
      /** bytes hashed */
      readonly count: number;
      readonly salts: { readonly pw1: Uint8Array; readonly rc: Uint8Array; readonly pw3: Uint8Array };
    };

export const KDF_NONE = 0x00;
export const KDF_ITERSALTED_S2K = 0x03;
const HASHES: ReadonlyMap<number, 'SHA-256' | 'SHA-512'> = new Map([
  [0x08, 'SHA-256'],
  [0x0a, 'SHA-512'],
]);
const SALT_LENGTH = 8;
/** Largest count accepted (the S2K count encoding's maximum, 65011712). */
export const MAX_S2K_COUNT = 65011712;

export function parseKdfDo(bytes: Uint8Array): PinKdf {
  if (bytes.length === 0) return { kind: 'none' };
  let list: readonly Tlv[];
  try {
    list = parseTlv(bytes, { maxLength: 1024, maxDepth: 2 });
  } catch (e) {
    if (e instanceof TlvError) throw new OpenPgpDataError('F9', e.message);
    throw e;
  }
  if (list.length === 1 && list[0].tag === DO_KDF) list = list[0].children;
  const one = (tag: number, length?: number): Uint8Array | undefined => {
    const t = findTlv(list, tag);
    if (t && length !== undefined && t.value.length !== length) throw new OpenPgpDataError('F9', `${tag.toString(16)} must be ${length} bytes`);
    return t?.value;
  };
  const alg = one(0x81, 1);
  if (!alg) throw new OpenPgpDataError('F9', 'the KDF algorithm (81) is missing');
  if (alg[0] === KDF_NONE) return { kind: 'none' };
  if (alg[0] !== KDF_ITERSALTED_S2K) throw new OpenPgpDataError('F9', `unknown KDF algorithm ${alg[0]}`);
  const h = one(0x82, 1);
  const hash = h ? HASHES.get(h[0]) : undefined;
  if (!hash) throw new OpenPgpDataError('F9', 'hash algorithm (82) missing or not SHA-256/SHA-512');
  const c = one(0x83, 4);
  if (!c) throw new OpenPgpDataError('F9', 'iteration count (83) missing');
  const count = ((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | c[3]) >>> 0;
  if (count === 0 || count > MAX_S2K_COUNT) throw new OpenPgpDataError('F9', `iteration count ${count} out of range`);
  const pw1 = one(0x84, SALT_LENGTH);
  if (!pw1) throw new OpenPgpDataError('F9', 'the PW1 salt (84) is missing');
  const rc = one(0x85, SALT_LENGTH) ?? pw1;
  const pw3 = one(0x86, SALT_LENGTH) ?? pw1;
  return { kind: 'iterated-salted-s2k', hash, count, salts: { pw1: pw1.slice(), rc: rc.slice(), pw3: pw3.slice() } };
}
