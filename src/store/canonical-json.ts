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
 * Anything else (fractions, NaN, bytes, dates, undefined inside arrays) is refused: byte fields
 * are hex strings before they reach the journal. The hashed bytes are the UTF-8 encoding.
 */
export function canonicalJson(value: unknown, path = '$'): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
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
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new InvalidRecordError(path, `a ${typeof value} cannot go into the journal`);
  }
}

const encoder = new TextEncoder();

/** UTF-8 bytes of the canonical JSON. */
export const canonicalJsonBytes = (value: unknown): Uint8Array => encoder.encode(canonicalJson(value));
