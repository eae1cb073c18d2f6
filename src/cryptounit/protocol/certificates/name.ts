import * as asn1js from 'asn1js';
import { encodeDer, objectIdentifier, oid, sequenceItems, seq, type Node } from '../der/asn1.ts';
import { DerError } from '../errors.ts';

/**
 * X.501 Names as the protocol uses them: a sequence of single-attribute RDNs, in order.
 *
 *   Name ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1) OF AttributeTypeAndValue   -- one attribute each here
 *   AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value PrintableString | UTF8String }
 *
 * Admin certificates use exactly [OU=TKE Administration][CN=<name>] (DESIGN §3.2).
 */
export interface NameAttribute {
  type: string;
  value: string;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** Encode as DER; values go as PrintableString where they fit, UTF8String otherwise. */
export function encodeName(attrs: NameAttribute[]): asn1js.Sequence {
  return seq(
    ...attrs.map((a) => {
      const value = PRINTABLE.test(a.value) ? new asn1js.PrintableString({ value: a.value }) : new asn1js.Utf8String({ value: a.value });
      return new asn1js.Set({ value: [seq(oid(a.type), value)] });
    }),
  );
}

export const encodeNameDer = (attrs: NameAttribute[]): Uint8Array => encodeDer(encodeName(attrs));

/** Decode a Name made only of single-attribute RDNs with PrintableString/UTF8String values. */
export function decodeName(node: Node, what: string): NameAttribute[] {
  return sequenceItems(node, what).map((rdn, i) => {
    if (!(rdn instanceof asn1js.Set) || rdn.valueBlock.value.length !== 1) throw new DerError(`${what}: RDN ${i} must hold one attribute`);
    const atv = sequenceItems(rdn.valueBlock.value[0] as Node, `${what}: RDN ${i}`, 2);
    const type = objectIdentifier(atv[0], `${what}: RDN ${i} type`);
    const v = atv[1];
    if (!(v instanceof asn1js.PrintableString) && !(v instanceof asn1js.Utf8String)) {
      throw new DerError(`${what}: RDN ${i} value must be PrintableString or UTF8String`);
    }
    return { type, value: (v as asn1js.PrintableString).valueBlock.value };
  });
}
