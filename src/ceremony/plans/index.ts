/**
 * Every plan the engine runs, as one request type the UI builds and one dispatcher. Each plan
 * runs on every unit of the instance (see each file for its steps, signatures and refusals).
 */
import type { EngineContext, PlanRun } from '../context.ts';
import type { InstanceSnapshot } from '../snapshot.ts';
import { addAdmins, type AddAdminsRequest } from './add-admins.ts';
import { clearCurrent, type ClearCurrentRequest } from './clear-current.ts';
import { clearNew, type ClearNewRequest } from './clear-new.ts';
import { commit, type CommitRequest } from './commit.ts';
import type { LoadMasterKeyRequest } from './load-master-key.ts';
import { followActions, runAction, type NextRequest } from './next.ts';
import { reencipher, type ReencipherRequest } from './reencipher.ts';
import { removeAdmin, type RemoveAdminRequest } from './remove-admin.ts';
import {
  abandonRotation, finishRotation, loadMasterKey, rotate, type AbandonRotationRequest, type FinishRotationRequest, type RotateRequest,
} from './rotate.ts';
import { setImmediate, type SetImmediateRequest } from './set-immediate.ts';
import { setThresholds, type SetThresholdsRequest } from './set-thresholds.ts';
import { zeroize, type ZeroizeRequest } from './zeroize.ts';
import { nextSafeAction } from '../next-safe-action.ts';

export type PlanRequest =
  | AddAdminsRequest
  | RemoveAdminRequest
  | SetThresholdsRequest
  | LoadMasterKeyRequest
  | CommitRequest
  | ReencipherRequest
  | SetImmediateRequest
  | RotateRequest
  | FinishRotationRequest
  | AbandonRotationRequest
  | ClearNewRequest
  | ClearCurrentRequest
  | ZeroizeRequest
  | NextRequest;

export type PlanName = PlanRequest['plan'];

/** Run a plan; resolves with the snapshot taken after its last step. */
export async function runPlan(ctx: EngineContext, run: PlanRun, req: PlanRequest, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  switch (req.plan) {
    case 'add-admins':
      return addAdmins(ctx, run, req, start);
    case 'remove-admin':
      return removeAdmin(ctx, run, req, start);
    case 'set-thresholds':
      return setThresholds(ctx, run, req, start);
    case 'load-master-key':
      return loadMasterKey(ctx, run, req, start);
    case 'commit':
      return commit(ctx, run, start);
    case 'reencipher':
      return reencipher(ctx, run, start);
    case 'set-immediate':
      return setImmediate(ctx, run, req, start);
    case 'rotate':
      return rotate(ctx, run, req, start);
    case 'finish-rotation':
      return finishRotation(ctx, run, start);
    case 'abandon-rotation':
      return abandonRotation(ctx, run, start);
    case 'clear-new':
      return clearNew(ctx, run, req.which ?? 'conflicting', start);
    case 'clear-current':
      return clearCurrent(ctx, run, req.units, start);
    case 'zeroize':
      return zeroize(ctx, run, req.units, start);
    case 'next': {
      if (req.untilReady) return followActions(ctx, run, req.inputs ?? {}, start);
      const s = start ?? (await ctx.refresh());
      return runAction(ctx, run, nextSafeAction(s), s, req.inputs ?? {});
    }
  }
}

export type { AddAdminsRequest } from './add-admins.ts';
export type { RemoveAdminRequest } from './remove-admin.ts';
export type { SetThresholdsRequest } from './set-thresholds.ts';
export type { LoadMasterKeyRequest, PartChoice } from './load-master-key.ts';
export type { CommitRequest } from './commit.ts';
export type { ReencipherRequest } from './reencipher.ts';
export type { SetImmediateRequest } from './set-immediate.ts';
export type { RotateRequest, FinishRotationRequest, AbandonRotationRequest } from './rotate.ts';
export type { ClearNewRequest } from './clear-new.ts';
export type { ClearCurrentRequest } from './clear-current.ts';
export type { ZeroizeRequest } from './zeroize.ts';
export type { NextRequest, NextInputs } from './next.ts';
export { EARLY_FINALIZE_PHRASE } from './set-immediate.ts';
export { ZEROIZE_PHRASE } from './zeroize.ts';
export { CLEAR_CURRENT_PHRASE } from './clear-current.ts';
