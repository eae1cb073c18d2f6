import * as asn1js from 'asn1js';
import { DerError } from '../errors.ts';
import { checkStrictDer, type StrictDerLimits } from './strict.ts';

/**
 * Thin typed helpers over asn1js for the protocol codec: strict decoding (checkStrictDer
 * first, then asn1js), typed field access that throws DerError naming the field, and
 * builders whose output is canonical DER.
 */
export type Node = asn1js.AsnType;

const TAG_CLASS_CONTEXT = 3;

/** Strict DER → asn1js tree. Error class and rc come from `onError` (default DerError, rc 7). */
export function decodeDer(bytes: Uint8Array, what: string, limits?: StrictDerLimits): Node {
  try {
    checkStrictDer(bytes, limits);
  } catch (e) {
    if (e instanceof DerError) throw new DerError(`${what}: ${e.message}`, e.offset);
    throw e;
  }
  let r: ReturnType<typeof asn1js.fromBER>;
  try {
    r = asn1js.fromBER(bytes, { maxDepth: 32, maxContentLength: bytes.length });
  } catch (e) {
    // asn1js throws on some contents it cannot convert (e.g. a GeneralizedTime that is no time)
    throw new DerError(`${what}: ${(e as Error)?.message ?? 'does not decode'}`);
  }
  if (r.offset !== bytes.length || r.result.error) throw new DerError(`${what}: ${r.result.error || 'does not decode'}`);
  return r.result;
}

export function encodeDer(node: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array<ArrayBuffer> {
  return new Uint8Array(node.toBER(false));
}

function fail(what: string, expected: string): never {
  throw new DerError(`${what}: expected ${expected}`);
}

/** The children of a universal SEQUENCE, optionally with an exact or ranged count. */
export function sequenceItems(node: Node, what: string, count?: number | [number, number]): Node[] {
  if (!(node instanceof asn1js.Sequence)) fail(what, 'SEQUENCE');
  const items = (node as asn1js.Sequence).valueBlock.value as Node[];
  if (typeof count === 'number' && items.length !== count) fail(what, `${count} elements, got ${items.length}`);
  if (Array.isArray(count) && (items.length < count[0] || items.length > count[1])) {
    fail(what, `${count[0]}..${count[1]} elements, got ${items.length}`);
  }
  return items;
}

export function octetString(node: Node | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString) || node.idBlock.isConstructed) fail(what, 'OCTET STRING');
  return new Uint8Array((node as asn1js.OctetString).valueBlock.valueHexView);
}

const TAG_CLASS_UNIVERSAL = 1;
const TAG_INTEGER = 2;

/** A universal INTEGER (asn1js's Enumerated is a subclass of its Integer: refused here). */
export function integer(node: Node | undefined, what: string): bigint {
  if (!(node instanceof asn1js.Integer) || node.idBlock.tagClass !== TAG_CLASS_UNIVERSAL || node.idBlock.tagNumber !== TAG_INTEGER) fail(what, 'INTEGER');
  return (node as asn1js.Integer).toBigInt();
}

export function objectIdentifier(node: Node | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) fail(what, 'OBJECT IDENTIFIER');
  return (node as asn1js.ObjectIdentifier).valueBlock.toString();
}

/** BIT STRING contents with no unused bits. */
export function bitStringBytes(node: Node | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.BitString) || node.idBlock.isConstructed) fail(what, 'BIT STRING');
  const b = node as asn1js.BitString;
  if (b.valueBlock.unusedBits !== 0) fail(what, 'BIT STRING without unused bits');
  return new Uint8Array(b.valueBlock.valueHexView);
}

export function isNull(node: Node | undefined): boolean {
  return node instanceof asn1js.Null;
}

/** A context-specific [tag] value; returns its children (constructed) or contents (primitive). */
export function contextConstructed(node: Node | undefined, tag: number, what: string): Node[] {
  if (!node || node.idBlock.tagClass !== TAG_CLASS_CONTEXT || node.idBlock.tagNumber !== tag || !node.idBlock.isConstructed) {
    fail(what, `[${tag}] constructed`);
  }
  return (node as asn1js.Constructed).valueBlock.value as Node[];
}

export function contextPrimitive(node: Node | undefined, tag: number, what: string): Uint8Array {
  if (!node || node.idBlock.tagClass !== TAG_CLASS_CONTEXT || node.idBlock.tagNumber !== tag || node.idBlock.isConstructed) {
    fail(what, `[${tag}] primitive`);
  }
  return new Uint8Array((node as asn1js.Primitive).valueBlock.valueHexView);
}

export function isContext(node: Node | undefined, tag: number): boolean {
  return !!node && node.idBlock.tagClass === TAG_CLASS_CONTEXT && node.idBlock.tagNumber === tag;
}

// ---- builders (canonical DER) ----

export const seq = (...items: asn1js.AsnType[]): asn1js.Sequence => new asn1js.Sequence({ value: items });
export const octets = (bytes: Uint8Array): asn1js.OctetString => new asn1js.OctetString({ valueHex: bytes.slice() });
export const oid = (dotted: string): asn1js.ObjectIdentifier => new asn1js.ObjectIdentifier({ value: dotted });
export const int = (n: number | bigint): asn1js.Integer => asn1js.Integer.fromBigInt(BigInt(n));
export const bitString = (bytes: Uint8Array): asn1js.BitString => new asn1js.BitString({ valueHex: bytes.slice(), unusedBits: 0 });
export const explicit = (tag: number, ...items: asn1js.AsnType[]): asn1js.Constructed =>
  new asn1js.Constructed({ idBlock: { tagClass: TAG_CLASS_CONTEXT, tagNumber: tag }, value: items });
export const implicitPrimitive = (tag: number, bytes: Uint8Array): asn1js.Primitive =>
  new asn1js.Primitive({ idBlock: { tagClass: TAG_CLASS_CONTEXT, tagNumber: tag }, valueHex: bytes.slice() });

/** AlgorithmIdentifier with its parameters omitted (DESIGN §3.1), or with the given ones. */
export const algorithmIdentifier = (dotted: string, params?: asn1js.AsnType): asn1js.Sequence =>
  params ? seq(oid(dotted), params) : seq(oid(dotted));

export interface ParsedAlgorithm {
  oid: string;
  /** 'absent', 'null', or the parameter node */
  params: 'absent' | 'null' | Node;
}

export function algorithm(node: Node | undefined, what: string): ParsedAlgorithm {
  const items = sequenceItems(node as Node, what, [1, 2]);
  const o = objectIdentifier(items[0], `${what}.algorithm`);
  if (items.length === 1) return { oid: o, params: 'absent' };
  return { oid: o, params: isNull(items[1]) ? 'null' : items[1] };
}
