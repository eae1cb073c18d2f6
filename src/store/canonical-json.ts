import { InvalidRecordError } from './errors.ts';

/**
 * Canonical JSON for hashing journal entries: RFC 8785 (JSON Canonicalization Scheme)
 * restricted to the values journal entries hold, so any JCS implementation, or the few
 * lines below in any language, reproduces the bytes.
 *
 *   | value          | written as                                                         |
 *   |----------------|--------------------------------------------------------------------|
 *   | object         | {"k":v,...} members sorted by key, UTF-16 code unit order (as JCS); |
 *   |                | members whose value is undefined are left out; no whitespace       |
 *   | array          | [v,...] in order, no whitespace                                    |
 *   | string         | as ECMAScript JSON.stringify writes it (the JCS string rules)       |
 *   | integer        | decimal, no sign for 0, no exponent (only safe integers, |n| < 2^53) |
 *   | true/false/null| true / false / null                                                |
 *
 * Anything else (fractions, NaN, bytes, dates, undefined inside arrays, strings with a lone
 * surrogate, which have no UTF-8 form) is refused: byte fields
 * are hex strings before they reach the journal. The hashed bytes are the UTF-8 encoding.
 */
export function canonicalJson(value: unknown, path = ''): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new InvalidRecordError(path, 'journal numbers are safe integers');
      return String(value); // String(-0) is "0"
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new InvalidRecordError(path, 'journal values are plain data');
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      const at = (k: string): string => (path === '' ? k : `${path}.${k}`);
      return `{${keys.map((k) => `${jsonString(k, at(k))}:${canonicalJson(o[k], at(k))}`).join(',')}}`;
    }
    default:
      throw new InvalidRecordError(path, `a ${typeof value} cannot go into the journal`);
  }
}

/** A lone surrogate has no UTF-8 form; I-JSON (which RFC 8785 requires) forbids it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function jsonString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) throw new InvalidRecordError(path, 'text must be well-formed Unicode (a lone surrogate)');
  return JSON.stringify(s);
}

const encoder = new TextEncoder();

/** UTF-8 bytes of the canonical JSON. */
export const canonicalJsonBytes = (value: unknown): Uint8Array => encoder.encode(canonicalJson(value));
