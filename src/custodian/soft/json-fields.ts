import { Base64Error, decodeBase64 } from './base64.ts';
import { CorruptFileError } from './errors.ts';

/**
 * Strict reading of the JSON key files: every field is checked for presence, type, form and
 * size, and a failure is a CorruptFileError naming the field. Unknown fields are errors too.
 */
export type JsonObject = Record<string, unknown>;

/** No key file comes near this; anything larger is refused before parsing. */
export const MAX_FILE_LENGTH = 64 * 1024;

const fieldName = (prefix: string, key: string): string => (prefix ? `${prefix}.${key}` : key);

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse the file text as one JSON object. */
export function parseJsonObject(text: string): JsonObject {
  if (typeof text !== 'string') throw new CorruptFileError('file', 'the file must be text');
  if (text.length > MAX_FILE_LENGTH) throw new CorruptFileError('file', `a key file is at most ${MAX_FILE_LENGTH} characters`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CorruptFileError('json', 'the file is not valid JSON');
  }
  if (!isPlainObject(v)) throw new CorruptFileError('json', 'the file must hold one JSON object');
  return v;
}

/** The object must have exactly these keys: unknown ones first, then missing ones, are errors. */
export function checkExactKeys(o: JsonObject, keys: readonly string[], prefix = ''): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new CorruptFileError(fieldName(prefix, k), 'unknown field');
  }
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) throw new CorruptFileError(fieldName(prefix, k), 'missing field');
  }
}

export function readString(o: JsonObject, key: string, prefix = ''): string {
  const v = o[key];
  if (typeof v !== 'string') throw new CorruptFileError(fieldName(prefix, key), 'must be a string');
  return v;
}

export function readInteger(o: JsonObject, key: string, min: number, max: number, prefix = ''): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new CorruptFileError(fieldName(prefix, key), 'must be an integer');
  if (v < min || v > max) throw new CorruptFileError(fieldName(prefix, key), `must be in ${min}..${max}`);
  return v;
}

export function readObject(o: JsonObject, key: string, keys: readonly string[], prefix = ''): JsonObject {
  const v = o[key];
  const name = fieldName(prefix, key);
  if (!isPlainObject(v)) throw new CorruptFileError(name, 'must be an object');
  checkExactKeys(v, keys, name);
  return v;
}

/** A string that must equal `expected` exactly. */
export function readConstant(o: JsonObject, key: string, expected: string, prefix = ''): string {
  const v = readString(o, key, prefix);
  if (v !== expected) throw new CorruptFileError(fieldName(prefix, key), `must be "${expected}"`);
  return v;
}

/** Strict base64 of an exact size, or of a size in [min, max]. */
export function readBase64(o: JsonObject, key: string, size: number | [number, number], prefix = ''): Uint8Array {
  const name = fieldName(prefix, key);
  const text = readString(o, key, prefix);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (e) {
    if (e instanceof Base64Error) throw new CorruptFileError(name, e.message);
    throw e;
  }
  if (typeof size === 'number' && bytes.length !== size) throw new CorruptFileError(name, `must be ${size} bytes, got ${bytes.length}`);
  if (Array.isArray(size) && (bytes.length < size[0] || bytes.length > size[1])) {
    throw new CorruptFileError(name, `must be ${size[0]}..${size[1]} bytes, got ${bytes.length}`);
  }
  return bytes;
}
