/**
 * Plan: remove an administrator (DOM_ADMIN_LOGOUT) from every unit that has it. Signatures: the
 * revocation threshold (none in imprint mode). Refused before anything is sent when a unit
 * would be left with fewer administrators than one of its thresholds (the unit's 209/66).
 */
import { fromHex } from '../../bytes/index.ts';
import { Command } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { preflight, runCommandStep } from '../step-runner.ts';

export interface RemoveAdminRequest {
  plan: 'remove-admin';
  /** the admin's SKI, 64 hex digits */
  ski: string;
}

export async function removeAdmin(ctx: EngineContext, run: PlanRun, req: RemoveAdminRequest, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const ski = req.ski.toLowerCase();
  const info = { plan: run.plan, step: 'remove-admin', title: `Remove administrator ${ski.slice(0, 8).toUpperCase()}…` };
  if (!/^[0-9a-f]{64}$/.test(ski)) throw new PreconditionError(info.title, 'input-needed', 'an SKI is 64 hex digits');
  const s = await preflight(ctx, run, info, start);
  const having = reachableUnits(s).filter((u) => u.adminSkis.includes(ski));
  if (having.length === 0) throw new PreconditionError(info.title, 'state', 'no unit has this administrator');
  const short = having.filter((u) => u.adminSkis.length - 1 < Math.max(u.signThreshold, u.revokeThreshold));
  if (short.length) {
    throw new PreconditionError(info.title, 'protocol-rule', `${short.map((u) => u.label).join(', ')} would keep fewer administrators than a threshold; lower the thresholds first`, short.map((u) => u.unitId));
  }
  const r = await runCommandStep(
    ctx,
    run,
    info,
    s,
    having.map((u) => ({ unitId: u.unitId, command: Command.DOM_ADMIN_LOGOUT, payload: fromHex(ski), required: u.mode === 'imprint' ? 0 : u.revokeThreshold })),
  );
  return r.snapshot;
}
