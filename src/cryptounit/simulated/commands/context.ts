import type { WebCrypto } from '../../../crypto/index.ts';
import type { AdminBlock, AdminRequest } from '../../protocol/index.ts';
import type { SignatureGroup } from '../signatures.ts';
import type { UnitIdentity, UnitState } from '../state.ts';

/**
 * The contract between the unit's check pipeline (DESIGN §3.3) and one command, query or
 * key-storage operation. The pipeline runs steps 1–6; the handler runs step 7 (payload form)
 * and step 8 (state and rules), in that order, and returns a plan; the pipeline then checks
 * the plan's signatures (step 9), runs `execute`, and only then commits the new state.
 */
export interface CommandContext {
  c: WebCrypto;
  id: UnitIdentity;
  /** the state before the request; handlers never modify it */
  state: UnitState;
  request: AdminRequest;
  block: AdminBlock;
}

export interface Outcome {
  /** the new state (without the counter, which the pipeline sets); absent = unchanged */
  state?: UnitState;
  /** response payload on success; default empty */
  payload?: Uint8Array;
}

export interface CommandPlan {
  /** valid admin signatures the outer request needs (step 9) */
  required?: number;
  /** instead of the outer request's signatures, these groups (IMPORT_WK's inner requests) */
  groups?: SignatureGroup[];
  /** the effect; may still fail (IMPORT_WK envelopes: 32) and then nothing changes */
  execute(): Promise<Outcome>;
}

export type CommandHandler = (ctx: CommandContext) => Promise<CommandPlan>;
