/**
 * Plan: set the signature and revocation thresholds (DOM_SET_ATTR) on every unit whose
 * thresholds differ; on a unit in imprint mode this leaves imprint mode. Signatures: as many as
 * the NEW signature threshold when leaving imprint mode, the current signature threshold after.
 * Refused before anything is sent when the admin sets differ (add the missing ones first) or a
 * threshold exceeds a unit's number of administrators.
 */
import { Attribute, Command, encodeAttributePairs } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { preflight, runCommandStep } from '../step-runner.ts';

export interface SetThresholdsRequest {
  plan: 'set-thresholds';
  sign: number;
  revoke: number;
}

export async function setThresholds(ctx: EngineContext, run: PlanRun, req: SetThresholdsRequest, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const { sign, revoke } = req;
  const info = { plan: run.plan, step: 'set-thresholds', title: `Set the signature threshold to ${sign} and the revocation threshold to ${revoke}` };
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 8;
  if (!ok(sign) || !ok(revoke)) throw new PreconditionError(info.title, 'protocol-rule', 'thresholds are 1..8 (only zeroize returns a unit to imprint mode)');
  const s = await preflight(ctx, run, info, start);
  const units = reachableUnits(s);
  if (new Set(units.map((u) => u.adminSkis.join(','))).size > 1) {
    throw new PreconditionError(info.title, 'state', 'the units have different administrators: add the missing ones first');
  }
  const targets = units.filter((u) => u.mode === 'imprint' || u.signThreshold !== sign || u.revokeThreshold !== revoke);
  const few = targets.filter((u) => u.adminSkis.length < Math.max(sign, revoke));
  if (few.length) {
    throw new PreconditionError(info.title, 'protocol-rule', `${few.map((u) => u.label).join(', ')} have only ${few[0].adminSkis.length} administrator(s)`, few.map((u) => u.unitId));
  }
  const payload = encodeAttributePairs([{ index: Attribute.SIGN_THR, value: sign }, { index: Attribute.REVOKE_THR, value: revoke }]);
  const r = await runCommandStep(
    ctx,
    run,
    info,
    s,
    targets.map((u) => ({ unitId: u.unitId, command: Command.DOM_SET_ATTR, payload, required: u.mode === 'imprint' ? sign : u.signThreshold })),
  );
  return r.snapshot;
}
