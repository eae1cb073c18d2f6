/**
 * Plan: re-encipher the key storage under the committed new master key (REENCRYPT in batches on
 * one unit that has the keys' VP as its current key and the new key committed), staging each
 * re-enciphered blob beside the old one. Resumable: a new run picks only unstaged records.
 * Progress goes through consent.progress.
 */
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { KeyStorageService } from '../key-storage.ts';
import { keyProgress } from '../progress.ts';
import type { InstanceSnapshot } from '../snapshot.ts';
import { preflight, StepExecution, unitIn } from '../step-runner.ts';

export interface ReencipherRequest {
  plan: 'reencipher';
}

export async function reencipher(ctx: EngineContext, run: PlanRun, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'reencipher', title: 'Re-encipher the key storage' };
  const s = await preflight(ctx, run, info, start);
  if (!ctx.keyStorage) throw new PreconditionError(info.title, 'no-key-storage', 'the unit host re-enciphers a remote instance\'s key storage');
  const p = keyProgress(s);
  if (p.target === null || !p.storage.needsReencipher) throw new PreconditionError(info.title, 'state', 'nothing to re-encipher: no committed new master key, or every key is already staged under it');
  if (p.storage.reencipherUnits.length === 0) {
    throw new PreconditionError(info.title, 'state', 'no unit has both the keys\' master key as its current one and the new one committed');
  }
  const unit = unitIn(s, s.units.map((u) => u.unitId).find((id) => p.storage.reencipherUnits.includes(id))!);
  const exec = new StepExecution(ctx, run, { ...info, title: `Re-encipher the key storage under ${p.target.slice(0, 8).toUpperCase()}… on ${unit.label}` });
  await new KeyStorageService(ctx).reencipher(exec, unit);
  return (await exec.finish()).snapshot;
}
