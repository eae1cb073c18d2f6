/**
 * Plan: clear the current master key register (CLEAR_WK, 1 signature) on every unit (or the
 * given ones) that has one. Destructive: a typed confirmation, journaled, that says how many
 * stored keys no unit will be able to open afterwards.
 */
import { Command } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { confirmDestructive, preflight, runCommandStep } from '../step-runner.ts';
import { strandedBy } from './zeroize.ts';

export interface ClearCurrentRequest {
  plan: 'clear-current';
  units?: readonly string[];
}

export const CLEAR_CURRENT_PHRASE = 'CLEAR CURRENT MASTER KEY';

export async function clearCurrent(ctx: EngineContext, run: PlanRun, units?: readonly string[], start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'clear-current', title: 'Clear the current master key register' };
  const s = await preflight(ctx, run, info, start);
  const targets = reachableUnits(s).filter((u) => u.current.state === 'VALID' && (!units || units.includes(u.unitId)));
  if (targets.length === 0) throw new PreconditionError(info.title, 'state', 'no current master key to clear');
  const lost = strandedBy(s, targets.map((u) => u.unitId));
  await confirmDestructive(ctx, run, info, `Clear the current master key on ${targets.map((u) => u.label).join(', ')}?`,
    `${lost ? `${lost} stored key(s) can no longer be opened by any unit afterwards. ` : ''}This cannot be undone; only loading the same parts again brings the key back.`, CLEAR_CURRENT_PHRASE);
  return (await runCommandStep(ctx, run, info, s, targets.map((u) => ({ unitId: u.unitId, command: Command.CLEAR_WK, payload: new Uint8Array(0), required: 1 })), () => 'current register cleared')).snapshot;
}
