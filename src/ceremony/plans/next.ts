/**
 * Plan: do the next safe action (next-safe-action.ts), or keep doing them. Each action maps to
 * one plan; actions that need input take it from `inputs`:
 *
 *   | action               | runs                                                  | input needed          |
 *   |----------------------|-------------------------------------------------------|-----------------------|
 *   | reconnect            | nothing: UnitsUnreachableError                         |                       |
 *   | resolve-drift        | nothing: PreconditionError (a person must choose a plan) |                     |
 *   | add-admins           | add-admins (missing ones from the units; else `certificates`) | certificates (fresh) |
 *   | leave-imprint        | set-thresholds with the other units' thresholds, else `thresholds` | thresholds (fresh) |
 *   | abandon-rotation     | drop the staged blobs                                  |                       |
 *   | clear-new            | clear-new on the odd units                             |                       |
 *   | load-master-key, finish-load | the load step (importer, wrap, IMPORT_WK)      | parts                 |
 *   | commit               | commit                                                 |                       |
 *   | reencipher           | reencipher                                             |                       |
 *   | set-immediate        | set immediate                                          |                       |
 *   | finish-set-immediate | reencipher first when needed, then set immediate       |                       |
 *   | finish-rotation      | promote the staged blobs                               |                       |
 *   | ready                | nothing                                                |                       |
 */
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError, UnitsUnreachableError } from '../errors.ts';
import { KeyStorageService } from '../key-storage.ts';
import { nextSafeAction, type NextAction, type NextActionKind } from '../next-safe-action.ts';
import { unreachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { addAdmins } from './add-admins.ts';
import { clearNew } from './clear-new.ts';
import { commit } from './commit.ts';
import { loadParts, type PartChoice } from './load-master-key.ts';
import { reencipher } from './reencipher.ts';
import { setImmediate } from './set-immediate.ts';
import { setThresholds } from './set-thresholds.ts';

export interface NextInputs {
  /** key parts for a load */
  parts?: readonly PartChoice[];
  importerCurve?: 'P-256' | 'P-521';
  /** thresholds when leaving imprint mode on a fresh instance */
  thresholds?: { sign: number; revoke: number };
  /** certificates when adding the first administrators */
  certificates?: readonly Uint8Array[];
}

export interface NextRequest {
  plan: 'next';
  inputs?: NextInputs;
  /** keep going until 'ready' or an action that needs a person (default: one action) */
  untilReady?: boolean;
}

/** Run one action; returns the snapshot after it. */
export async function runAction(ctx: EngineContext, run: PlanRun, a: NextAction, s: InstanceSnapshot, inputs: NextInputs = {}): Promise<InstanceSnapshot> {
  switch (a.kind) {
    case 'reconnect':
      throw new UnitsUnreachableError(a.title, unreachableUnits(s).map((u) => ({ unitId: u.unitId, label: u.label, error: u.error })));
    case 'resolve-drift':
      throw new PreconditionError(a.title, 'state', `${a.detail} Choose the plan that brings them in line; it asks for the decision.`, a.units);
    case 'add-admins':
      if (!a.missingAdmins?.length && !inputs.certificates?.length) throw new PreconditionError(a.title, 'input-needed', 'give the administrators\' certificates');
      return addAdmins(ctx, run, { plan: 'add-admins', ...(a.missingAdmins?.length ? {} : { certificates: inputs.certificates }) }, s);
    case 'leave-imprint': {
      const t = a.thresholds ?? inputs.thresholds;
      if (!t) throw new PreconditionError(a.title, 'input-needed', 'choose the signature and revocation thresholds');
      return setThresholds(ctx, run, { plan: 'set-thresholds', sign: t.sign, revoke: t.revoke }, s);
    }
    case 'abandon-rotation':
      await new KeyStorageService(ctx).abandon('no unit holds its new master key');
      return ctx.refresh();
    case 'clear-new':
      return clearNew(ctx, run, 'conflicting', s);
    case 'load-master-key':
    case 'finish-load':
      if (!inputs.parts) throw new PreconditionError(a.title, 'input-needed', 'choose the 2 or 3 key parts to load');
      return loadParts(ctx, run, inputs.parts, inputs.importerCurve ?? 'P-521', s);
    case 'commit':
      return commit(ctx, run, s);
    case 'reencipher':
      return reencipher(ctx, run, s);
    case 'set-immediate':
      return setImmediate(ctx, run, {}, s);
    case 'finish-set-immediate':
      return setImmediate(ctx, run, {}, a.reencipherFirst ? await reencipher(ctx, run, s) : s);
    case 'finish-rotation':
      await new KeyStorageService(ctx).promote(s);
      return ctx.refresh();
    case 'ready':
      return s;
  }
}

/**
 * Follow the next safe action while it is one of `allowed` (all but reconnect/resolve-drift/ready
 * by default), at most `limit` actions. Returns the last snapshot.
 */
export async function followActions(
  ctx: EngineContext,
  run: PlanRun,
  inputs: NextInputs,
  start?: InstanceSnapshot,
  allowed?: ReadonlySet<NextActionKind>,
  limit = 32,
): Promise<InstanceSnapshot> {
  let s = start ?? (await ctx.refresh());
  for (let i = 0; i < limit; i++) {
    const a = nextSafeAction(s);
    if (a.kind === 'ready' || (allowed && !allowed.has(a.kind))) return s;
    if (!allowed && (a.kind === 'reconnect' || a.kind === 'resolve-drift')) return runAction(ctx, run, a, s, inputs);
    s = await runAction(ctx, run, a, s, inputs);
  }
  return s;
}
