import type { WebCrypto } from '../../crypto/index.ts';
import {
  OA_CURVE, counterField, createSignerInfo, domainField, encodeAdminResponse, encodeResponseBlock, moduleField,
} from '../protocol/index.ts';
import type { UnitIdentity, UnitState } from './state.ts';

/**
 * Every answer of the unit, errors included, is a full AdminResponse whose ResponseBlock is
 * signed by the OA key (DESIGN §3.1). The block shows the unit as it is after the request:
 * domain index ‖ domain instance, module serial ‖ module instance, and the counter.
 */
export async function signedResponse(
  c: WebCrypto,
  id: UnitIdentity,
  state: UnitState,
  command: number,
  rv: number,
  payload: Uint8Array,
): Promise<Uint8Array> {
  const binding = {
    domainIndex: id.domainIndex,
    domainInstance: state.domainInstance,
    moduleSerial: id.moduleSerial,
    moduleInstance: id.moduleInstance,
  };
  const responseBlock = encodeResponseBlock({
    command,
    domain: domainField(binding),
    module: moduleField(binding),
    counter: counterField(state.counter),
    rv,
    payload,
  });
  const oaSignerInfo = await createSignerInfo(c, OA_CURVE, id.oa.privateKey, id.oaSki, responseBlock);
  return encodeAdminResponse({ domainIndex: id.domainIndex, rv, responseBlock, oaSignerInfo });
}
