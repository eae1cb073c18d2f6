import { toHex } from '../bytes/index.ts';
import { randomBytes, type WebCrypto } from '../crypto/index.ts';
import { InvalidRecordError } from './errors.ts';

/**
 * Field checks shared by the repositories. Identifiers, SKIs and VPs are stored as lowercase
 * hex strings (they are index keys and what people compare); DER blobs as Uint8Array.
 *
 *   | field kind  | form                                   | size          |
 *   |-------------|----------------------------------------|---------------|
 *   | id          | lowercase hex, made by the store       | 16 bytes (32) |
 *   | SKI         | lowercase hex                          | 32 bytes (64) |
 *   | VP          | lowercase hex, last 4 bytes zero       | 32 bytes (64) |
 *   | SHA-256     | lowercase hex                          | 32 bytes (64) |
 *   | time        | integer milliseconds since 1970 (UTC)  |               |
 */
export const ID_BYTES = 16;
export const SKI_HEX_LENGTH = 64;
export const VP_HEX_LENGTH = 64;
/** A KeyBlob carries only the compared part of a VP (DESIGN §3.6, §3.8). */
export const VP_COMPARED_HEX_LENGTH = 56;
const VP_ZERO_TAIL = '00000000';
export const MAX_NAME_LENGTH = 200;
export const MAX_TEXT_LENGTH = 10_000;

/** A fresh random identifier (16 bytes, lowercase hex). */
export const newId = (c: WebCrypto): string => toHex(randomBytes(c, ID_BYTES));

export function checkString(v: unknown, field: string, opts: { min?: number; max?: number } = {}): string {
  const min = opts.min ?? 1;
  const max = opts.max ?? MAX_NAME_LENGTH;
  if (typeof v !== 'string') throw new InvalidRecordError(field, 'must be text');
  if (v.length < min || v.length > max) throw new InvalidRecordError(field, `must have ${min}–${max} characters`);
  return v;
}

/** Lowercase hex of exactly `bytes` bytes; upper case is accepted and lowered. */
export function checkHex(v: unknown, field: string, bytes: number): string {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new InvalidRecordError(field, `must be ${bytes} bytes of hex (${bytes * 2} digits)`);
  }
  return v.toLowerCase();
}

/** A store-made identifier. */
export const checkId = (v: unknown, field: string): string => checkHex(v, field, ID_BYTES);

/**
 * A verification pattern as stored: 64 hex digits whose last 8 are zero. The 28-byte form a
 * KeyBlob carries (56 digits) is completed with the 4 zero bytes, which loses nothing: a VP's
 * last 4 bytes are zero by definition (DESIGN §3.6).
 */
export function normalizeVp(v: unknown, field: string): string {
  if (typeof v === 'string' && v.length === VP_COMPARED_HEX_LENGTH) v = v + VP_ZERO_TAIL;
  const h = checkHex(v, field, VP_HEX_LENGTH / 2);
  if (!h.endsWith(VP_ZERO_TAIL)) throw new InvalidRecordError(field, 'a verification pattern ends in 4 zero bytes');
  return h;
}

export function checkU32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InvalidRecordError(field, 'must be an integer in 0..2^32-1');
  }
  return v;
}

export function checkBytes(v: unknown, field: string, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new InvalidRecordError(field, 'must be bytes (Uint8Array)');
  if (v.length === 0 || v.length > max) throw new InvalidRecordError(field, `must have 1..${max} bytes`);
  return v.slice();
}

export function checkObject(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidRecordError(field, 'must be an object');
  return v as Record<string, unknown>;
}

/** Refuse properties other than `allowed` (records are stored exactly as typed). */
export function checkKeys(o: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (o[k] !== undefined && !allowed.includes(k)) throw new InvalidRecordError(field === '' ? k : `${field}.${k}`, 'is not a field of this record');
  }
}
