import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Test helpers for key files: byte flips, and the webtke file layout re-implemented from
 * docs/key-files.md (header order, GCM additional data, checksum), so tests can forge files
 * the way an attacker or a buggy tool would.
 */
type Json = Record<string, unknown>;

/** Every variant of `text` with one UTF-8 byte XORed with `mask` (decoded leniently). */
export function byteFlips(text: string, mask: number, every = 1): { index: number; text: string }[] {
  const bytes = new TextEncoder().encode(text);
  const out: { index: number; text: string }[] = [];
  for (let i = 0; i < bytes.length; i += every) {
    const b = bytes.slice();
    b[i] ^= mask;
    out.push({ index: i, text: new TextDecoder('utf-8', { fatal: false }).decode(b) });
  }
  return out;
}

export const toB64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const b64 = toB64;
export const fromB64 = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

/** The public header of each file kind, in the order the additional data and checksum use. */
export function headerValues(f: Json): (string | number)[] {
  if (f.format === 'webtke-signature-key') return [f.format, f.version as number, f.name as string, f.curve as string, f.ski as string, f.certificate as string];
  if (f.format === 'webtke-key-part') return [f.format, f.version as number, f.id as string, f.description as string, f.vp as string];
  throw new Error('unknown test file kind');
}

export function aadOf(f: Json): Uint8Array<ArrayBuffer> {
  const kdf = f.kdf as Json;
  const cipher = f.cipher as Json;
  return new TextEncoder().encode(JSON.stringify([...headerValues(f), kdf.name, kdf.iterations, kdf.salt, cipher.name]));
}

/** Recompute the checksum after changing fields. */
export function withChecksum(f: Json): Json {
  const kdf = f.kdf as Json;
  const cipher = f.cipher as Json;
  const values = [
    'webtke-key-file-checksum', ...headerValues(f), kdf.name, kdf.iterations, kdf.salt, cipher.name, cipher.iv, cipher.ciphertext,
  ];
  return { ...f, checksum: b64(sha256(new TextEncoder().encode(JSON.stringify(values)))) };
}

/** Encrypt `plaintext` into `f` under `password` (WebCrypto directly), AAD and checksum recomputed. */
export async function resealed(f: Json, password: string, plaintext: Uint8Array<ArrayBuffer>): Promise<Json> {
  const c = globalThis.crypto;
  const kdf = f.kdf as Json;
  const base = await c.subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  const key = await c.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromB64(kdf.salt as string), iterations: kdf.iterations as number },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const iv = c.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await c.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aadOf(f) }, key, plaintext));
  return withChecksum({ ...f, cipher: { name: 'AES-256-GCM', iv: b64(iv), ciphertext: b64(ct) } });
}

export const asText = (f: Json): string => `${JSON.stringify(f, null, 2)}\n`;
export const parse = (text: string): Json => JSON.parse(text) as Json;
