import { fromHex, HexError } from '../../bytes/index.ts';
import { SimulatedStateError } from './errors.ts';

/**
 * The saved-state container shared by hosts and units: UTF-8 JSON of one object that names
 * its `format` and `version`, with bytes as lowercase hex. Reading is strict: every field is
 * checked for type, size and range, and unknown fields are refused, so a damaged or foreign
 * file is a SimulatedStateError naming the field instead of a unit that answers wrongly.
 */
export const MAX_STATE_LENGTH = 1 << 20;

export function encodeState(obj: Record<string, unknown>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(obj));
}

/** Parse the container and check its format and version; returns a reader for its fields. */
export function decodeState(bytes: Uint8Array, format: string, version: number): StateObject {
  if (!(bytes instanceof Uint8Array)) throw new SimulatedStateError('saved state must be bytes', '(state)');
  if (bytes.length > MAX_STATE_LENGTH) throw new SimulatedStateError(`more than ${MAX_STATE_LENGTH} bytes`, '(state)');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new SimulatedStateError(`not UTF-8 JSON (${(e as Error).message})`, '(state)');
  }
  const o = StateObject.of(value, '(state)');
  const f = o.string('format');
  if (f !== format) throw new SimulatedStateError(`is "${f}", expected "${format}"`, 'format');
  const v = o.int('version', 0, 0xffff);
  if (v !== version) throw new SimulatedStateError(`version ${v} is not supported (this build reads ${version})`, 'version');
  return o;
}

/** Typed, strict access to one JSON object of a saved state. */
export class StateObject {
  private readonly seen = new Set<string>();
  private constructor(
    private readonly o: Record<string, unknown>,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): StateObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SimulatedStateError('must be an object', path);
    return new StateObject(value as Record<string, unknown>, path);
  }

  private field(name: string): string {
    return this.path === '(state)' ? name : `${this.path}.${name}`;
  }

  raw(name: string): unknown {
    this.seen.add(name);
    if (!Object.prototype.hasOwnProperty.call(this.o, name)) throw new SimulatedStateError('is missing', this.field(name));
    return this.o[name];
  }

  isNull(name: string): boolean {
    return this.raw(name) === null;
  }

  string(name: string): string {
    const v = this.raw(name);
    if (typeof v !== 'string') throw new SimulatedStateError('must be a string', this.field(name));
    return v;
  }

  int(name: string, min: number, max: number): number {
    const v = this.raw(name);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new SimulatedStateError(`must be an integer in ${min}..${max}`, this.field(name));
    }
    return v;
  }

  bool(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== 'boolean') throw new SimulatedStateError('must be true or false', this.field(name));
    return v;
  }

  /** Hex bytes; `length` is exact, or [min, max]. */
  hex(name: string, length?: number | [number, number]): Uint8Array {
    return hexValue(this.string(name), this.field(name), length);
  }

  /** A decimal unsigned integer below 2^bits. */
  bigUint(name: string, bits: number): bigint {
    const s = this.string(name);
    if (!/^(0|[1-9][0-9]*)$/.test(s)) throw new SimulatedStateError('must be a decimal integer', this.field(name));
    const n = BigInt(s);
    if (n >= 1n << BigInt(bits)) throw new SimulatedStateError(`must be below 2^${bits}`, this.field(name));
    return n;
  }

  object(name: string): StateObject {
    return StateObject.of(this.raw(name), this.field(name));
  }

  array(name: string, max: number): unknown[] {
    const v = this.raw(name);
    if (!Array.isArray(v)) throw new SimulatedStateError('must be an array', this.field(name));
    if (v.length > max) throw new SimulatedStateError(`has more than ${max} entries`, this.field(name));
    return v;
  }

  /** Refuse fields this version does not know. */
  done(): void {
    for (const k of Object.keys(this.o)) {
      if (!this.seen.has(k)) throw new SimulatedStateError('is not a field of this format', this.field(k));
    }
  }
}

export function hexValue(v: unknown, field: string, length?: number | [number, number]): Uint8Array {
  if (typeof v !== 'string') throw new SimulatedStateError('must be a hex string', field);
  if (/[A-F]/.test(v)) throw new SimulatedStateError('hex must be lowercase', field);
  let b: Uint8Array;
  try {
    b = fromHex(v);
  } catch (e) {
    if (e instanceof HexError) throw new SimulatedStateError(e.message, field);
    throw e;
  }
  if (typeof length === 'number' && b.length !== length) throw new SimulatedStateError(`must be ${length} bytes, is ${b.length}`, field);
  if (Array.isArray(length) && (b.length < length[0] || b.length > length[1])) {
    throw new SimulatedStateError(`must be ${length[0]}..${length[1]} bytes, is ${b.length}`, field);
  }
  return b;
}
