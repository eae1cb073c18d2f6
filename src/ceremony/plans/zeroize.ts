/**
 * Plan: zeroize (DOM_ZEROIZE) every unit (or the given ones): administrators, thresholds, both
 * registers and the importer key are gone, and the unit is back in imprint mode with a new
 * domain instance. 1 signature (none in imprint mode). Destructive: a typed confirmation,
 * journaled, that says how many stored keys no unit will be able to open afterwards.
 */
import { Command } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { confirmDestructive, preflight, runCommandStep } from '../step-runner.ts';

export interface ZeroizeRequest {
  plan: 'zeroize';
  units?: readonly string[];
}

export const ZEROIZE_PHRASE = 'ZEROIZE';

/** Stored keys no unit could open once `losing` units lose their current key. */
export function strandedBy(s: InstanceSnapshot, losing: readonly string[]): number {
  if (!s.storage) return 0;
  const keep = new Set(reachableUnits(s).filter((u) => !losing.includes(u.unitId)).map((u) => u.current.vp));
  const rot = s.storage.rotation;
  let lost = 0;
  for (const [vp, n] of Object.entries(s.storage.byVp)) {
    if (keep.has(vp)) continue;
    lost += rot && rot.fromVp === vp && keep.has(rot.toVp) ? n - rot.staged : n;
  }
  return lost;
}

export async function zeroize(ctx: EngineContext, run: PlanRun, units?: readonly string[], start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'zeroize', title: 'Zeroize' };
  const s = await preflight(ctx, run, info, start);
  const targets = reachableUnits(s).filter((u) => !units || units.includes(u.unitId));
  if (targets.length === 0) throw new PreconditionError(info.title, 'state', 'no unit to zeroize');
  const lost = strandedBy(s, targets.map((u) => u.unitId));
  await confirmDestructive(ctx, run, info, `Zeroize ${targets.map((u) => u.label).join(', ')}?`,
    `Every administrator, both master key registers and the importer key are destroyed; the unit returns to imprint mode. ${lost ? `${lost} stored key(s) can no longer be opened by any unit. ` : ''}This cannot be undone.`, ZEROIZE_PHRASE);
  return (await runCommandStep(ctx, run, info, s, targets.map((u) => ({ unitId: u.unitId, command: Command.DOM_ZEROIZE, payload: new Uint8Array(0), required: u.mode === 'imprint' ? 0 : 1 })), () => 'zeroized')).snapshot;
}
