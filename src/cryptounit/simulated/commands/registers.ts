import { VP_LENGTH, vpEqual } from '../../../crypto/index.ts';
import { REASON, RC } from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import type { CommandHandler } from './context.ts';
import { requireEmpty, requireLength } from './payload-form.ts';

/**
 * The register commands of DESIGN §3.4 (none allowed in imprint mode: 179 before these run):
 *
 *   | code | command       | payload | sigs     | rules and errors                                  |
 *   |------|---------------|---------|----------|---------------------------------------------------|
 *   | 0x0D | COMMIT_WK     | VP (32) | sign thr | empty 102; already committed 80; wrong VP 101/48  |
 *   | 0x0E | FINALIZE_WK   | VP (32) | 1        | empty 102; uncommitted 80; wrong VP 101/48        |
 *   | 0x1B | CLEAR_WK      | empty   | 1        | already empty: ok                                 |
 *   | 0x1C | CLEAR_NEXT_WK | empty   | 1        | already empty: ok                                 |
 *
 * VPs are compared on their first 28 bytes.
 */
export const commitWk: CommandHandler = async ({ state, block }) => {
  requireLength(block.payload, VP_LENGTH, 'COMMIT_WK');
  const next = state.next;
  if (!next) throw new UnitFault(RC.KEY_NEEDED, 0, 'the new register is empty');
  if (next.committed) throw new UnitFault(RC.BAD_REGISTER_STATE, 0, 'the new register is already committed');
  if (!vpEqual(block.payload, next.key.vp)) throw new UnitFault(RC.VP_MISMATCH, REASON.VP_MISMATCH);
  return {
    required: state.signThreshold,
    async execute() {
      return { state: { ...state, next: { key: next.key, committed: true } } };
    },
  };
};

export const finalizeWk: CommandHandler = async ({ state, block }) => {
  requireLength(block.payload, VP_LENGTH, 'FINALIZE_WK');
  const next = state.next;
  if (!next) throw new UnitFault(RC.KEY_NEEDED, 0, 'the new register is empty');
  if (!next.committed) throw new UnitFault(RC.BAD_REGISTER_STATE, 0, 'the new register is not committed');
  if (!vpEqual(block.payload, next.key.vp)) throw new UnitFault(RC.VP_MISMATCH, REASON.VP_MISMATCH);
  return {
    required: 1,
    async execute() {
      return { state: { ...state, current: next.key, next: null } };
    },
  };
};

export const clearWk: CommandHandler = async ({ state, block }) => {
  requireEmpty(block.payload, 'CLEAR_WK');
  return {
    required: 1,
    async execute() {
      return { state: { ...state, current: null } };
    },
  };
};

export const clearNextWk: CommandHandler = async ({ state, block }) => {
  requireEmpty(block.payload, 'CLEAR_NEXT_WK');
  return {
    required: 1,
    async execute() {
      return { state: { ...state, next: null } };
    },
  };
};

