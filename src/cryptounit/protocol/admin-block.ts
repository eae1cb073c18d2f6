import { readU32be, u32be } from '../../bytes/index.ts';
import { decodeDer, encodeDer, octetString, octets, seq, sequenceItems } from './der/asn1.ts';
import { FieldLengthError } from './errors.ts';
import { isStateChanging } from './codes.ts';
import { COMMAND_LENGTH, COUNTER_LENGTH, DOMAIN_LENGTH, MODULE_LENGTH } from './fields.ts';

/**
 * AdminBlock (DESIGN §3.1): exactly the bytes administrators sign.
 *
 *   AdminBlock ::= SEQUENCE {
 *     command   OCTET STRING (4)      -- u32 command, query or key-storage code
 *     domain    OCTET STRING (8)      -- domain index (4) || domain instance (4)
 *     module    OCTET STRING (16)     -- module serial (8) || module instance (8)
 *     counter   OCTET STRING (16)     -- u128 transaction counter
 *     payload   OCTET STRING
 *   }
 *
 * For state-changing commands (code < 0x00010000) domain, module and counter have exactly
 * their sizes; for queries and key-storage operations they may be 0..size bytes (zero-filled
 * by convention); longer is 33 (DESIGN §3.3).
 */
export interface AdminBlock {
  command: number;
  domain: Uint8Array;
  module: Uint8Array;
  counter: Uint8Array;
  payload: Uint8Array;
}

export function encodeAdminBlock(b: AdminBlock): Uint8Array {
  return encodeDer(seq(octets(u32be(b.command)), octets(b.domain), octets(b.module), octets(b.counter), octets(b.payload)));
}

export function decodeAdminBlock(der: Uint8Array): AdminBlock {
  const items = sequenceItems(decodeDer(der, 'AdminBlock'), 'AdminBlock', 5);
  const command = octetString(items[0], 'AdminBlock.command');
  const domain = octetString(items[1], 'AdminBlock.domain');
  const module = octetString(items[2], 'AdminBlock.module');
  const counter = octetString(items[3], 'AdminBlock.counter');
  const payload = octetString(items[4], 'AdminBlock.payload');
  if (command.length !== COMMAND_LENGTH) throw new FieldLengthError('AdminBlock.command', '4', command.length);
  const code = readU32be(command);
  const exact = isStateChanging(code);
  const check = (name: string, v: Uint8Array, size: number): void => {
    if (exact ? v.length !== size : v.length > size) {
      throw new FieldLengthError(`AdminBlock.${name}`, exact ? `${size}` : `0..${size}`, v.length);
    }
  };
  check('domain', domain, DOMAIN_LENGTH);
  check('module', module, MODULE_LENGTH);
  check('counter', counter, COUNTER_LENGTH);
  return { command: code, domain, module, counter, payload };
}
