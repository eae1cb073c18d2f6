/**
 * Plan: commit the new master key register (COMMIT_WK with its VP) on every unit where it is
 * loaded and not committed. Signatures: the signature threshold. Refused while a unit still
 * lacks the key (load it first) or the loaded VPs differ (clear the odd ones first).
 */
import { fromHex } from '../../bytes/index.ts';
import { Command } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { keyProgress } from '../progress.ts';
import type { InstanceSnapshot } from '../snapshot.ts';
import { preflight, runCommandStep, unitIn } from '../step-runner.ts';

export interface CommitRequest {
  plan: 'commit';
}

export async function commit(ctx: EngineContext, run: PlanRun, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'commit', title: 'Commit the new master key register' };
  const s = await preflight(ctx, run, info, start);
  const p = keyProgress(s);
  if (p.conflict) throw new PreconditionError(info.title, 'state', 'the new registers hold different master keys: clear the odd ones first', p.conflict.clearUnits);
  if (p.target === null || p.loaded.length === 0) throw new PreconditionError(info.title, 'state', 'no unit has an uncommitted new master key');
  if (p.toLoad.length) throw new PreconditionError(info.title, 'state', 'some units do not have the new master key yet: load it there first', p.toLoad);
  const vp = fromHex(p.target);
  const r = await runCommandStep(
    ctx,
    run,
    { ...info, title: `Commit the new master key ${p.target.slice(0, 8).toUpperCase()}…` },
    s,
    p.loaded.map((id) => ({ unitId: id, command: Command.COMMIT_WK, payload: vp, required: unitIn(s, id).signThreshold })),
    () => 'new register committed',
  );
  return r.snapshot;
}
