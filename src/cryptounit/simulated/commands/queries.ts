import { bytesEqual, concat, readU32be } from '../../../bytes/index.ts';
import { SKI_LENGTH, VP_LENGTH } from '../../../crypto/index.ts';
import {
  Attribute, DomainFlag, Mode, REASON, RC, encodeAttributePairs, encodeDomainInfo,
} from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import { isImprint } from '../state.ts';
import type { CommandHandler, CommandPlan } from './context.ts';
import { requireEmpty, requireLength } from './payload-form.ts';

/**
 * Queries (DESIGN §3.5): unsigned, never change state.
 *
 *   | code       | query       | payload   | response payload                              | errors        |
 *   |------------|-------------|-----------|-----------------------------------------------|---------------|
 *   | 0x00010002 | DOMADMIN    | empty     | SKIs (32 each), in order of installation       |               |
 *   | 0x00010002 | DOMADMIN    | SKI (32)  | that certificate, the exact installed bytes   | unknown 32/32 |
 *   | 0x0001000A | DOM_ATTRS   | empty     | (1 SIGN_THR)(2 REVOKE_THR)(4 MODE), u32 pairs  |               |
 *   | 0x00010003 | DEVICE_CERT | u32 index | 0 = OA certificate, 1 = host root             | past end 96   |
 *   | 0x00010004 | IMPORTER    | empty     | SPKI of the importer key                      | none 96       |
 *   | 0x00010030 | DOMAIN_INFO | empty     | current VP (32), new VP (32), flags (1)        |               |
 *
 * A DOMADMIN payload other than 0 or 32 bytes is 33; a DEVICE_CERT payload other than 4 is 33.
 */
const answer = (payload: Uint8Array): CommandPlan => ({ required: 0, execute: async () => ({ payload }) });

export const queryDomAdmin: CommandHandler = async ({ state, block }) => {
  if (block.payload.length === 0) return answer(concat(...state.admins.map((a) => a.ski)));
  requireLength(block.payload, SKI_LENGTH, 'DOMADMIN');
  const admin = state.admins.find((a) => bytesEqual(a.ski, block.payload));
  if (!admin) throw new UnitFault(RC.INVALID_DATA, REASON.ADMIN_NOT_FOUND);
  return answer(admin.certificate.slice());
};

export const queryDomAttrs: CommandHandler = async ({ state, block }) => {
  requireEmpty(block.payload, 'DOM_ATTRS');
  return answer(
    encodeAttributePairs([
      { index: Attribute.SIGN_THR, value: state.signThreshold },
      { index: Attribute.REVOKE_THR, value: state.revokeThreshold },
      { index: Attribute.MODE, value: isImprint(state) ? Mode.IMPRINT : Mode.AUTHENTICATED },
    ]),
  );
};

const DEVICE_CERT_INDEX_LENGTH = 4;

export const queryDeviceCert: CommandHandler = async ({ id, block }) => {
  requireLength(block.payload, DEVICE_CERT_INDEX_LENGTH, 'DEVICE_CERT');
  const chain = [id.oaCertificate, id.rootCertificate];
  const index = readU32be(block.payload);
  if (index >= chain.length) throw new UnitFault(RC.NOT_FOUND, 0, `the chain has ${chain.length} certificates`);
  return answer(chain[index].slice());
};

export const queryImporter: CommandHandler = async ({ state, block }) => {
  requireEmpty(block.payload, 'IMPORTER');
  if (!state.importer) throw new UnitFault(RC.NOT_FOUND, 0, 'there is no importer key');
  return answer(state.importer.spki.slice());
};

export const queryDomainInfo: CommandHandler = async ({ state, block }) => {
  requireEmpty(block.payload, 'DOMAIN_INFO');
  const empty = new Uint8Array(VP_LENGTH);
  let flags = 0;
  if (state.current) flags |= DomainFlag.CURRENT_VALID;
  if (state.next) flags |= DomainFlag.NEW_LOADED;
  if (state.next?.committed) flags |= DomainFlag.NEW_COMMITTED;
  return answer(encodeDomainInfo(state.current?.vp.slice() ?? empty, state.next?.key.vp.slice() ?? empty, flags));
};
