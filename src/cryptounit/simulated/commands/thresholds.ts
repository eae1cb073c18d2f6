import { Attribute, REASON, RC, decodeAttributePairs } from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import { isImprint } from '../state.ts';
import type { CommandHandler } from './context.ts';

/**
 * DOM_SET_ATTR (0x08), DESIGN §3.4: 1 or 2 pairs (u32 index, u32 value), indexes 1 (SIGN_THR)
 * and 2 (REVOKE_THR) only, each at most once; anything else is 7. After applying them:
 *
 *   | signature thr | revocation thr | result                                          |
 *   |---------------|----------------|-------------------------------------------------|
 *   | 0             | 0              | ok in imprint mode; 209/76 after it              |
 *   | 0             | ≥ 1            | 209/76                                           |
 *   | ≥ 1           | 0              | 209/36                                           |
 *   | ≥ 1           | ≥ 1            | 209/57 if sig > admins, then 209/58 if rev > admins |
 *
 * Signatures: in imprint mode as many as the new signature threshold (0 while the unit stays
 * in imprint mode); after it, the current signature threshold.
 */
export const domSetAttr: CommandHandler = async ({ state, block }) => {
  const pairs = decodeAttributePairs(block.payload);
  if (!pairs || pairs.length < 1 || pairs.length > 2) throw new UnitFault(RC.BAD_ARGUMENTS, 0, 'DOM_SET_ATTR takes 1 or 2 pairs');
  let sign = state.signThreshold;
  let revoke = state.revokeThreshold;
  const seen = new Set<number>();
  for (const p of pairs) {
    if (seen.has(p.index)) throw new UnitFault(RC.BAD_ARGUMENTS, 0, `attribute ${p.index} given twice`);
    seen.add(p.index);
    if (p.index === Attribute.SIGN_THR) sign = p.value;
    else if (p.index === Attribute.REVOKE_THR) revoke = p.value;
    else throw new UnitFault(RC.BAD_ARGUMENTS, 0, `attribute ${p.index} cannot be set`);
  }
  const imprint = isImprint(state);
  if (sign === 0 && revoke === 0) {
    if (!imprint) throw new UnitFault(RC.BAD_THRESHOLD, REASON.THRESHOLDS_SPLIT, 'only zeroize returns a unit to imprint mode');
  } else if (sign === 0) {
    throw new UnitFault(RC.BAD_THRESHOLD, REASON.THRESHOLDS_SPLIT);
  } else if (revoke === 0) {
    throw new UnitFault(RC.BAD_THRESHOLD, REASON.REVOKE_THR_ZERO);
  } else {
    if (sign > state.admins.length) throw new UnitFault(RC.BAD_THRESHOLD, REASON.SIGN_THR_TOO_HIGH);
    if (revoke > state.admins.length) throw new UnitFault(RC.BAD_THRESHOLD, REASON.REVOKE_THR_TOO_HIGH);
  }
  return {
    required: imprint ? sign : state.signThreshold,
    async execute() {
      return { state: { ...state, signThreshold: sign, revokeThreshold: revoke } };
    },
  };
};
