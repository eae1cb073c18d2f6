import { readU32be, u32be } from '../../bytes/index.ts';
import { decodeDer, encodeDer, octetString, octets, seq, sequenceItems } from './der/asn1.ts';
import { FieldLengthError } from './errors.ts';
import { COMMAND_LENGTH, COUNTER_LENGTH, DOMAIN_LENGTH, MODULE_LENGTH, RV_LENGTH } from './fields.ts';

/**
 * ResponseBlock (DESIGN §3.1): what the unit's OA key signs.
 *
 *   ResponseBlock ::= SEQUENCE {
 *     command   OCTET STRING (4)      -- the request's command (0 if the request could not be parsed)
 *     domain    OCTET STRING (8)      -- the unit's domain index || domain instance, as they are after the request
 *     module    OCTET STRING (16)     -- the unit's module serial || module instance
 *     counter   OCTET STRING (16)     -- the unit's counter after the request (unchanged on error)
 *     rv        OCTET STRING (4)
 *     payload   OCTET STRING          -- on success the result; on error the 4-byte reason
 *   }
 */
export interface ResponseBlock {
  command: number;
  domain: Uint8Array;
  module: Uint8Array;
  counter: Uint8Array;
  rv: number;
  payload: Uint8Array;
}

export function encodeResponseBlock(b: ResponseBlock): Uint8Array {
  return encodeDer(
    seq(octets(u32be(b.command)), octets(b.domain), octets(b.module), octets(b.counter), octets(u32be(b.rv)), octets(b.payload)),
  );
}

export function decodeResponseBlock(der: Uint8Array): ResponseBlock {
  const items = sequenceItems(decodeDer(der, 'ResponseBlock'), 'ResponseBlock', 6);
  const f = (i: number, name: string, size?: number): Uint8Array => {
    const v = octetString(items[i], `ResponseBlock.${name}`);
    if (size !== undefined && v.length !== size) throw new FieldLengthError(`ResponseBlock.${name}`, `${size}`, v.length);
    return v;
  };
  return {
    command: readU32be(f(0, 'command', COMMAND_LENGTH)),
    domain: f(1, 'domain', DOMAIN_LENGTH),
    module: f(2, 'module', MODULE_LENGTH),
    counter: f(3, 'counter', COUNTER_LENGTH),
    rv: readU32be(f(4, 'rv', RV_LENGTH)),
    payload: f(5, 'payload'),
  };
}
