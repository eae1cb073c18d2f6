import { bytesEqual, readU32be, u32be } from '../../bytes/index.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import {
  ADMIN_FUNCTION_ID, ProtocolDecodeError, REASON, RC, decodeAdminBlock, decodeAdminRequest, isStateChanging, readCounter,
  type AdminBlock, type AdminRequest,
} from '../protocol/index.ts';
import { HANDLERS, IMPRINT_ALLOWED } from './commands/index.ts';
import { UnitFault } from './errors.ts';
import { checkSignatures } from './signatures.ts';
import { isImprint, type UnitIdentity, type UnitState } from './state.ts';

/**
 * One request through the checks of DESIGN §3.3, in order; the first failure is the answer
 * and nothing changes:
 *
 *   | step | check                                                    | rc            |
 *   |------|----------------------------------------------------------|---------------|
 *   | 1    | parse and DER (AdminRequest, AdminBlock, SignerInfo framing) | 7 / 33    |
 *   | 2    | function, then the request's domainIndex                 | 7 / 3         |
 *   | 3    | command known                                            | 84            |
 *   | 4    | binding (state-changing): domain index, module serial,   | 3/0, 3/14,    |
 *   |      |   module instance, domain instance                       | 3/16, 3/17    |
 *   | 5    | counter = unit counter + 1 (state-changing)              | 163           |
 *   | 6    | imprint-mode restriction (state-changing)                | 179           |
 *   | 7    | payload form (queries and key storage: signerInfos empty first) | 7 / 33 |
 *   | 8    | the command's state and rules                            | its row       |
 *   | 9    | signatures (signatures.ts)                               | 193/257/192/208 |
 *
 * This function only computes: it returns the state the unit should have afterwards (the
 * same object when nothing changes) and the answer, and never throws. An exception that is
 * not a UnitFault is a fault of the simulator itself; it is answered as 7 and handed back
 * in `internal` so the unit can report it.
 */
export interface Processed {
  state: UnitState;
  /** the request's command, 0 when the request could not be parsed */
  command: number;
  rv: number;
  /** the result on success, the 4-byte reason on error */
  payload: Uint8Array;
  internal?: unknown;
}

function parse(request: unknown): { req: AdminRequest; block: AdminBlock } {
  if (!(request instanceof Uint8Array)) throw new UnitFault(RC.BAD_ARGUMENTS, 0, 'a request is a byte array');
  try {
    const req = decodeAdminRequest(request);
    return { req, block: decodeAdminBlock(req.adminBlock) };
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw new UnitFault(e.rc, e.reason, e.message);
    throw e;
  }
}

function checkBinding(id: UnitIdentity, state: UnitState, block: AdminBlock): void {
  const { domain, module } = block;
  if (readU32be(domain.subarray(0, 4)) !== id.domainIndex) throw new UnitFault(RC.WRONG_BINDING, REASON.NONE, 'domain index');
  if (!bytesEqual(module.subarray(0, 8), id.moduleSerial)) throw new UnitFault(RC.WRONG_BINDING, REASON.MODULE_SERIAL, 'module serial');
  if (!bytesEqual(module.subarray(8, 16), id.moduleInstance)) throw new UnitFault(RC.WRONG_BINDING, REASON.MODULE_INSTANCE, 'module instance');
  if (!bytesEqual(domain.subarray(4, 8), state.domainInstance)) throw new UnitFault(RC.WRONG_BINDING, REASON.DOMAIN_INSTANCE, 'domain instance');
}

export async function processRequest(c: WebCrypto, id: UnitIdentity, state: UnitState, request: unknown): Promise<Processed> {
  let command = 0;
  try {
    // step 1
    const { req, block } = parse(request);
    command = block.command;
    // step 2
    if (req.function !== ADMIN_FUNCTION_ID) throw new UnitFault(RC.BAD_ARGUMENTS, 0, 'function is not 00 01 00 29');
    if (req.domainIndex !== id.domainIndex) throw new UnitFault(RC.WRONG_BINDING, REASON.NONE, 'request domain index');
    // step 3
    const handler = HANDLERS.get(command);
    if (!handler) throw new UnitFault(RC.UNKNOWN_FUNCTION, 0, 'unknown command');
    const changing = isStateChanging(command);
    let counter = state.counter;
    if (changing) {
      // step 4
      checkBinding(id, state, block);
      // step 5
      counter = readCounter(block.counter);
      if (counter !== state.counter + 1n) throw new UnitFault(RC.BAD_COUNTER, 0, 'counter is not the next one');
      // step 6
      if (isImprint(state) && !IMPRINT_ALLOWED.has(command)) throw new UnitFault(RC.IMPRINT_MODE, 0, 'not in imprint mode');
    } else if (req.signerInfos.length !== 0) {
      // step 7 for queries and key storage: no signatures
      throw new UnitFault(RC.BAD_ARGUMENTS, 0, 'queries and key-storage operations are unsigned');
    }
    // steps 7 and 8
    const plan = await handler({ c, id, state, request: req, block });
    // step 9
    await checkSignatures(
      c,
      state.admins,
      plan.groups ?? [{ data: req.adminBlock, signerInfos: req.signerInfos, required: plan.required ?? 0 }],
    );
    const outcome = await plan.execute();
    const after = changing ? { ...(outcome.state ?? state), counter } : state;
    return { state: after, command, rv: RC.OK, payload: outcome.payload ?? new Uint8Array(0) };
  } catch (e) {
    if (e instanceof UnitFault) return { state, command, rv: e.rc, payload: u32be(e.reason) };
    return { state, command, rv: RC.BAD_ARGUMENTS, payload: u32be(0), internal: e };
  }
}
