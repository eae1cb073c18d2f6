/**
 * Plan: clear the new master key register (CLEAR_NEXT_WK, 1 signature). Default: the units whose
 * new register holds another VP than the reference one (next-safe-action "clear-new"); with
 * `which: 'all'`, every unit with a loaded new register. Refused while some unit already has the
 * key being cleared as its current one (a set immediate half done: finish it instead). When no
 * unit holds the open rotation's new key any more, the rotation is abandoned (staged copies
 * dropped, journaled).
 */
import { Command } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { KeyStorageService } from '../key-storage.ts';
import { keyProgress } from '../progress.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { preflight, runCommandStep } from '../step-runner.ts';

export interface ClearNewRequest {
  plan: 'clear-new';
  which?: 'conflicting' | 'all';
}

export async function clearNew(ctx: EngineContext, run: PlanRun, which: 'conflicting' | 'all' = 'conflicting', start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'clear-new', title: 'Clear the new master key register' };
  let s = await preflight(ctx, run, info, start);
  const p = keyProgress(s);
  const units = reachableUnits(s);
  const targets = which === 'conflicting' && p.conflict ? p.conflict.clearUnits : units.filter((u) => u.next.state !== 'EMPTY').map((u) => u.unitId);
  if (targets.length === 0) throw new PreconditionError(info.title, 'state', 'no new register to clear');
  const current = new Set(units.map((u) => u.current.vp));
  const finalizing = units.filter((u) => targets.includes(u.unitId) && u.next.vp !== null && current.has(u.next.vp) && u.current.vp !== u.next.vp);
  if (finalizing.length) {
    throw new PreconditionError(info.title, 'state', `another unit already has this new key as its current one: finish the set immediate on ${finalizing.map((u) => u.label).join(', ')} instead`, finalizing.map((u) => u.unitId));
  }
  s = (await runCommandStep(ctx, run, info, s, targets.map((id) => ({ unitId: id, command: Command.CLEAR_NEXT_WK, payload: new Uint8Array(0), required: 1 })), () => 'new register cleared')).snapshot;
  if (ctx.keyStorage && keyProgress(s).storage.orphanRotation) {
    await new KeyStorageService(ctx).abandon('no unit holds its new master key after clearing the new registers');
    s = await ctx.refresh();
  }
  return s;
}
