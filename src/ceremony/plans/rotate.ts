/**
 * Plans of a master key rotation (DESIGN §3.8), all resumable from the units' state alone:
 *
 *   rotate           from 'ready' (every unit current V, nothing loaded, no rotation open): load
 *                    the new key's parts everywhere; then, or when a rotation is already under
 *                    way, follow the next safe action through commit, re-encipher, set immediate
 *                    and the promotion of the staged blobs
 *   finish-rotation  every unit finalized: the staged blobs become the stored ones
 *   abandon-rotation the open rotation's new key is gone from every unit: drop the staged blobs
 *
 * The load-master-key plan ends the same way when asked to go 'through' set immediate.
 */
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { KeyStorageService } from '../key-storage.ts';
import { nextSafeAction, type NextActionKind } from '../next-safe-action.ts';
import { keyProgress } from '../progress.ts';
import type { InstanceSnapshot } from '../snapshot.ts';
import { preflight } from '../step-runner.ts';
import { loadParts, type LoadMasterKeyRequest, type PartChoice } from './load-master-key.ts';
import { followActions } from './next.ts';

export interface RotateRequest {
  plan: 'rotate';
  /** the new key's parts; needed when loading (at the start, or to finish a load) */
  parts?: readonly PartChoice[];
  importerCurve?: 'P-256' | 'P-521';
}

export interface FinishRotationRequest {
  plan: 'finish-rotation';
}

export interface AbandonRotationRequest {
  plan: 'abandon-rotation';
}

const AFTER_LOAD: Record<NonNullable<LoadMasterKeyRequest['through']>, ReadonlySet<NextActionKind>> = {
  import: new Set(),
  commit: new Set(['commit']),
  'set-immediate': new Set(['finish-load', 'commit', 'reencipher', 'set-immediate', 'finish-set-immediate', 'finish-rotation']),
};

export async function loadMasterKey(ctx: EngineContext, run: PlanRun, req: LoadMasterKeyRequest, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const s = await loadParts(ctx, run, req.parts, req.importerCurve ?? 'P-521', start);
  return followActions(ctx, run, { parts: req.parts, ...(req.importerCurve ? { importerCurve: req.importerCurve } : {}) }, s, AFTER_LOAD[req.through ?? 'set-immediate']);
}

export async function rotate(ctx: EngineContext, run: PlanRun, req: RotateRequest, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'rotate', title: 'Rotate the master key' };
  let s = await preflight(ctx, run, info, start);
  const a = nextSafeAction(s);
  const p = keyProgress(s);
  if (a.kind === 'ready') {
    if (p.currents.length !== 1) throw new PreconditionError(info.title, 'state', 'there is no current master key to rotate from: load one first');
    if (!req.parts) throw new PreconditionError(info.title, 'input-needed', 'choose the 2 or 3 key parts of the new master key');
    s = await loadParts(ctx, run, req.parts, req.importerCurve ?? 'P-521', s);
  } else if (!AFTER_LOAD['set-immediate'].has(a.kind)) {
    throw new PreconditionError(info.title, 'state', `not in a rotation; the next step is: ${a.title}`);
  }
  const inputs = { ...(req.parts ? { parts: req.parts } : {}), ...(req.importerCurve ? { importerCurve: req.importerCurve } : {}) };
  return followActions(ctx, run, inputs, s, AFTER_LOAD['set-immediate']);
}

export async function finishRotation(ctx: EngineContext, run: PlanRun, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const s = await preflight(ctx, run, { plan: run.plan, step: 'finish-rotation', title: 'Finish the key storage rotation' }, start);
  await new KeyStorageService(ctx).promote(s);
  return ctx.refresh();
}

export async function abandonRotation(ctx: EngineContext, run: PlanRun, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'abandon-rotation', title: 'Abandon the key storage rotation' };
  const s = await preflight(ctx, run, info, start);
  if (!keyProgress(s).storage.orphanRotation) {
    throw new PreconditionError(info.title, 'state', 'the rotation\'s new master key is still held by a unit: clear its new register first (clear-new), or finish the rotation');
  }
  await new KeyStorageService(ctx).abandon('no unit holds its new master key');
  return ctx.refresh();
}
