/**
 * Plan: set immediate (FINALIZE_WK with the committed VP): the committed new master key becomes
 * the current one. 1 signature per unit.
 *
 * Key storage safety (DESIGN §3.8: a blob left under the old key after set immediate is lost):
 *
 *   | storage                                 | units asked                          | result                        |
 *   |-----------------------------------------|--------------------------------------|-------------------------------|
 *   | empty, or every key staged under T      | any                                  | runs                          |
 *   | keys not yet re-enciphered              | all that could still re-encipher     | refused: 'would-strand-keys'  |
 *   | keys not yet re-enciphered              | a subset, leaving one that can       | a typed confirmation, journaled |
 *   | kept by the host (remote instance)      | any, while a current key exists      | a confirmation, journaled     |
 *
 * Default units: every committed one. Refused while some unit still lacks the committed key.
 */
import { fromHex } from '../../bytes/index.ts';
import { Command } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { PreconditionError } from '../errors.ts';
import { keyProgress } from '../progress.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { confirmDestructive, preflight, runCommandStep } from '../step-runner.ts';

export interface SetImmediateRequest {
  plan: 'set-immediate';
  /** a subset of the committed units (default: all of them) */
  units?: readonly string[];
}

export const EARLY_FINALIZE_PHRASE = 'SET IMMEDIATE BEFORE RE-ENCIPHER';

export async function setImmediate(ctx: EngineContext, run: PlanRun, req: Omit<SetImmediateRequest, 'plan'> = {}, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info = { plan: run.plan, step: 'set-immediate', title: 'Set immediate' };
  const s = await preflight(ctx, run, info, start);
  const p = keyProgress(s);
  if (p.conflict) throw new PreconditionError(info.title, 'state', 'the new registers hold different master keys: clear the odd ones first', p.conflict.clearUnits);
  if (p.target === null || p.committed.length === 0) throw new PreconditionError(info.title, 'state', 'no unit has a committed new master key');
  if (p.toLoad.length || p.loaded.length) {
    throw new PreconditionError(info.title, 'state', 'some units have not committed the new master key yet', [...p.toLoad, ...p.loaded]);
  }
  const targets = req.units ? p.committed.filter((id) => req.units!.includes(id)) : p.committed;
  const strange = (req.units ?? []).filter((id) => !p.committed.includes(id));
  if (strange.length) throw new PreconditionError(info.title, 'state', 'only units with the committed new master key can be set immediate', strange);
  const title = `Set immediate: make ${p.target.slice(0, 8).toUpperCase()}… the current master key`;
  const st = p.storage;
  if (st.needsReencipher) {
    const left = st.pending;
    const stillAble = st.reencipherUnits.filter((id) => !targets.includes(id));
    if (stillAble.length === 0) {
      throw new PreconditionError(title, 'would-strand-keys', `${left} key(s) are not re-enciphered under the new master key yet; finalizing these units would leave no unit able to open them. Re-encipher first.`, targets);
    }
    await confirmDestructive(ctx, run, info, `${title} on ${targets.length} unit(s) before the key storage is re-enciphered?`,
      `${left} key(s) are not re-enciphered yet. The finalized units can no longer open them; ${stillAble.length} unit(s) keep the old key and can still re-encipher them.`, EARLY_FINALIZE_PHRASE);
  } else if (!st.known && reachableUnits(s).some((u) => u.current.state === 'VALID' && targets.includes(u.unitId))) {
    await confirmDestructive(ctx, run, info, `${title}?`, 'The key storage is kept by the unit host. Set immediate only after the host re-enciphered it: blobs left under the old master key are lost.');
  }
  const vp = fromHex(p.target);
  const r = await runCommandStep(ctx, run, { ...info, title }, s, targets.map((id) => ({ unitId: id, command: Command.FINALIZE_WK, payload: vp, required: 1 })), () => 'new master key is now current');
  return r.snapshot;
}
