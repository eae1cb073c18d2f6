/**
 * Running one step on the units of an instance (DESIGN §5):
 *
 *   1. preflight  the snapshot (fresh, or the one taken right after the previous step of the same
 *                 plan); every unit must answer; true drift needs a person's journaled decision
 *   2. prepare    each unit's command(s), bound to the unit and its next counter(s)
 *   3. consent    chooseSigners once for the step: the person sees each unit's block (words and
 *                 SHA-256); every block is signed by every chosen signer, each signature checked
 *                 against the unit's admin certificate; then every signer is closed
 *   4. per unit, in instance order:
 *                 journal the intent (write-ahead) → submit → journal the result (VPs after, for
 *                 register commands, from a DOMAIN_INFO right after)
 *                 a failure is journaled, the units are queried again, and the step stops with
 *                 StepFailedError: the snapshot tells the next action (no hidden engine memory)
 *   5. after      query every unit again and compare (drift after the step, in the report)
 *
 * Nothing is sent before every signature of the step is collected.
 */
import { fromHex, groupedHex, toHex } from '../bytes/index.ts';
import { buildPreparedCommand, type CryptoUnitClient, type PreparedCommand } from '../cryptounit/client.ts';
import type { CommandCode } from '../cryptounit/protocol/index.ts';
import type { AdminSigner } from '../custodian/index.ts';
import type { AdminRecord, RegisterVps } from '../store/index.ts';
import type { SignatureUnit, StepInfo } from './consent.ts';
import type { EngineContext, PlanRun, StepReport, StepUnitReport } from './context.ts';
import { analyzeDrift } from './drift.ts';
import { ConsentError, DriftRefusedError, StepFailedError, UnitsUnreachableError } from './errors.ts';
import type { SignerName } from './journal.ts';
import { nextSafeAction } from './next-safe-action.ts';
import {
  reachableUnits, registerVps, unreachableUnits, type InstanceSnapshot, type ReachableUnit, type UnitLink,
} from './snapshot.ts';

export const DRIFT_PHRASE = 'PROCEED DESPITE DRIFT';

export function linkOf(ctx: EngineContext, unitId: string): UnitLink {
  const l = ctx.units.find((u) => u.unitId === unitId);
  if (!l) throw new RangeError(`unit ${unitId} is not a unit of this instance`);
  return l;
}

export function unitIn(snapshot: InstanceSnapshot, unitId: string): ReachableUnit {
  const u = reachableUnits(snapshot).find((x) => x.unitId === unitId);
  if (!u) throw new RangeError(`unit ${unitId} is not reachable in this snapshot`);
  return u;
}

/**
 * Every unit must answer; true drift needs a decision. `snapshot` is used when given (taken
 * right after the previous step of the same plan), else the units are queried now.
 */
export async function preflight(ctx: EngineContext, run: PlanRun, info: StepInfo, snapshot?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const s = snapshot ?? (await ctx.refresh());
  const down = unreachableUnits(s);
  if (down.length) throw new UnitsUnreachableError(info.title, down.map((u) => ({ unitId: u.unitId, label: u.label, error: u.error })));
  const drift = analyzeDrift(s);
  if (drift.drifted && !run.acceptedDrift.has(drift.digest)) {
    const findings = drift.findings.filter((f) => f.class === 'drift');
    const detail = findings.map((f) => `${f.message} (${f.values.map((v) => `${labelOf(s, v.unitId)}: ${v.value}`).join('; ')})`).join('\n');
    const question = `Run "${info.title}" although the units differ?`;
    let accepted: boolean;
    try {
      accepted = await ctx.consent.confirm({ step: info, kind: 'drift', title: question, detail, typedPhrase: DRIFT_PHRASE });
    } catch {
      accepted = false;
    }
    await ctx.journal.decision({ step: `${run.plan}/${info.step}`, question, detail, accepted, digest: drift.digest, unitIds: [...new Set(findings.flatMap((f) => f.units))] });
    if (!accepted) throw new DriftRefusedError(info.title, findings);
    run.acceptedDrift.add(drift.digest);
  }
  return s;
}

/** Ask for a destructive step's confirmation; the answer is journaled. */
export async function confirmDestructive(ctx: EngineContext, run: PlanRun, info: StepInfo, title: string, detail: string, typedPhrase?: string): Promise<void> {
  let accepted: boolean;
  try {
    accepted = await ctx.consent.confirm({ step: info, kind: 'destructive', title, detail, ...(typedPhrase ? { typedPhrase } : {}) });
  } catch {
    accepted = false;
  }
  await ctx.journal.decision({ step: `${run.plan}/${info.step}`, question: title, detail, accepted });
  if (!accepted) throw new ConsentError(info.step, 'declined', `not confirmed: ${title}`);
}

export const labelOf = (s: InstanceSnapshot, unitId: string): string => s.units.find((u) => u.unitId === unitId)?.label ?? unitId;

/** Administrators installed on every one of `units`: directory records, or read from a unit. */
async function candidatesFor(ctx: EngineContext, units: readonly ReachableUnit[]): Promise<AdminRecord[]> {
  const common = units[0].adminSkis.filter((ski) => units.every((u) => u.adminSkis.includes(ski)));
  const out: AdminRecord[] = [];
  for (const ski of common) {
    const rec = await ctx.store.admins.get(ski);
    if (rec) {
      out.push(rec);
      continue;
    }
    const { certificate: cert } = await ctx.adminCertificates.get(ski, async () => (await linkOf(ctx, units[0].unitId).client.adminCertificate(fromHex(ski))).der);
    out.push({ ski, name: cert.name, curve: cert.curve, certificate: cert.der.slice(), location: { kind: 'unit' }, added: 0 });
  }
  return out;
}

export interface ToSign {
  unit: ReachableUnit;
  prepared: PreparedCommand;
  /** distinct admin signatures this unit's block needs (0: none, the block is sent unsigned) */
  required: number;
}

export interface Signed {
  signerInfos: Uint8Array[];
  signers: SignerName[];
}

/**
 * One chooseSigners for the step, then every block needing signatures is signed by every
 * signer, each SignerInfo checked against the admin's certificate (admin-certificates.ts), then
 * every signer is closed. Results come back in the order of `items`.
 */
export async function collectSignatures(ctx: EngineContext, info: StepInfo, items: readonly ToSign[]): Promise<Signed[]> {
  const out: Signed[] = items.map(() => ({ signerInfos: [], signers: [] }));
  const needing = items.map((i, k) => ({ ...i, k })).filter((i) => i.required > 0);
  if (needing.length === 0) return out;
  const required = Math.max(...needing.map((i) => i.required));
  const units: SignatureUnit[] = needing.map((i) => ({
    unitId: i.unit.unitId,
    label: i.unit.label,
    prepared: i.prepared,
    description: i.prepared.description,
    blockSha256: groupedHex(i.prepared.blockSha256),
  }));
  const distinctUnits = [...new Map(needing.map((i) => [i.unit.unitId, i.unit])).values()];
  const candidates = await candidatesFor(ctx, distinctUnits);
  let signers: AdminSigner[];
  try {
    signers = await ctx.consent.chooseSigners({ step: info, units, required, candidates });
  } catch (e) {
    throw new ConsentError(info.step, 'declined', `no signers (${(e as Error)?.message ?? e})`, e);
  }
  try {
    const skis = signers.map((s) => toHex(s.ski));
    if (new Set(skis).size !== skis.length) throw new ConsentError(info.step, 'too-few-signers', 'the same administrator was given twice');
    if (signers.length < required) throw new ConsentError(info.step, 'too-few-signers', `${signers.length} signer(s) given, ${required} needed`);
    for (const u of distinctUnits) {
      const missing = skis.filter((s) => !u.adminSkis.includes(s));
      if (missing.length) throw new ConsentError(info.step, 'unknown-signer', `${missing.length} signer(s) are not administrators of ${u.label}`);
    }
    const known = await Promise.all(
      signers.map((s) => ctx.adminCertificates.get(toHex(s.ski), async () => (s.certificate.length ? s.certificate : (await linkOf(ctx, needing[0].unit.unitId).client.adminCertificate(s.ski)).der))),
    );
    for (const i of needing) {
      const sis: Uint8Array[] = [];
      for (const [k, signer] of signers.entries()) {
        let si: Uint8Array;
        try {
          si = await signer.sign(i.prepared.adminBlock.slice());
        } catch (e) {
          throw new ConsentError(info.step, 'declined', `${signer.name} did not sign for ${i.unit.label}: ${(e as Error)?.message ?? e}`, e);
        }
        const problem = await ctx.adminCertificates.problem(known[k], i.prepared.adminBlock, si);
        if (problem) throw new ConsentError(info.step, 'unknown-signer', `${i.unit.label}: ${problem}`);
        sis.push(si.slice());
      }
      out[i.k] = { signerInfos: sis, signers: signers.map((s) => ({ ski: s.ski, name: s.name })) };
    }
  } finally {
    for (const s of signers) {
      try {
        s.close();
      } catch {
        // closing is best effort; a signer that cannot close has nothing left to drop
      }
    }
  }
  return out;
}

export interface Submission {
  unit: ReachableUnit;
  command: number;
  counter?: bigint;
  blockSha256?: Uint8Array;
  signers?: SignerName[];
  description: string;
  fields?: Record<string, string>;
  /** query DOMAIN_INFO after the command for the journal's VPs after */
  registerEffect: boolean;
  /** send the command; resolves with the response payload */
  send(): Promise<Uint8Array>;
  /** words for the result entry */
  resultText?(payload: Uint8Array): string;
}

async function vpsNow(client: CryptoUnitClient): Promise<RegisterVps | undefined> {
  try {
    const d = await client.domainInfo();
    return { current: toHex(d.currentVp), new: toHex(d.newVp) };
  } catch {
    return undefined;
  }
}

/** One step's execution: submissions in order, stopping at the first failure. */
export class StepExecution {
  readonly completed: StepUnitReport[] = [];

  constructor(
    readonly ctx: EngineContext,
    readonly run: PlanRun,
    readonly info: StepInfo,
  ) {}

  /** Journal the intent, send, journal the result. A failure is journaled and ends the step. */
  async submit(sub: Submission): Promise<Uint8Array> {
    const { ctx, info } = this;
    const client = linkOf(ctx, sub.unit.unitId).client;
    const ref = await ctx.journal.intent({
      unitId: sub.unit.unitId,
      command: sub.command,
      ...(sub.counter !== undefined ? { counter: sub.counter } : {}),
      ...(sub.blockSha256 ? { blockSha256: sub.blockSha256 } : {}),
      ...(sub.signers ? { signers: sub.signers } : {}),
      vpBefore: registerVps(sub.unit),
      text: sub.description,
      fields: { plan: this.run.plan, step: info.step, ...(sub.fields ?? {}) },
    });
    let payload: Uint8Array;
    try {
      payload = await sub.send();
    } catch (e) {
      await ctx.journal.failure(ref, sub.unit.unitId, sub.command, e);
      throw await this.failed(sub.unit, e);
    }
    const vpAfter = sub.registerEffect ? await vpsNow(client) : undefined;
    await ctx.journal.result(ref, {
      unitId: sub.unit.unitId,
      command: sub.command,
      counter: client.counter,
      ...(vpAfter ? { vpAfter } : {}),
      text: sub.resultText ? sub.resultText(payload) : 'done',
    });
    this.completed.push({ unitId: sub.unit.unitId, counter: client.counter.toString() });
    return payload;
  }

  /** The error that ends the step, with the state queried after the failure. */
  async failed(unit: ReachableUnit, cause: unknown): Promise<StepFailedError> {
    let snapshot: InstanceSnapshot | undefined;
    try {
      snapshot = await this.ctx.refresh();
    } catch {
      snapshot = undefined;
    }
    return new StepFailedError(this.info.title, unit.unitId, unit.label, cause, [...new Set(this.completed.map((c) => c.unitId))], snapshot, snapshot ? nextSafeAction(snapshot) : undefined);
  }

  /** Query the units after the step and record the report. */
  async finish(): Promise<{ report: StepReport; snapshot: InstanceSnapshot }> {
    const snapshot = await this.ctx.refresh();
    const report: StepReport = {
      step: this.info.step,
      title: this.info.title,
      units: this.completed,
      skipped: this.completed.length === 0,
      driftAfter: analyzeDrift(snapshot).findings,
    };
    this.run.steps.push(report);
    return { report, snapshot };
  }
}

export interface UnitCommand {
  unitId: string;
  command: CommandCode;
  payload: Uint8Array;
  /** distinct admin signatures the unit needs for this command */
  required: number;
}

/** Commands that change registers: their journal result carries the VPs after. */
const REGISTER_COMMANDS = new Set<number>([0x0c, 0x0d, 0x0e, 0x10, 0x1b, 0x1c]);

export interface CommandStepOptions {
  /** words for each result entry */
  resultText?: (payload: Uint8Array) => string;
  /** false: no query of the units after the step (the caller goes on with the same step) */
  refreshAfter?: boolean;
}

export interface CommandStepResult {
  report: StepReport;
  /** the units queried after the step (the preflight snapshot when refreshAfter is false) */
  snapshot: InstanceSnapshot;
  /** each command's response payload, in the order of the commands */
  payloads: Uint8Array[];
}

/**
 * A step of commands (everything but IMPORT_WK and key storage). A unit may get several
 * commands: they are bound to its next counters in order (counter + 1, + 2, …), so one consent
 * covers them all. Everything is prepared and signed first; then the commands are submitted in
 * the order given (e.g. admin 1 on every unit, then admin 2), stopping at the first failure.
 */
export async function runCommandStep(
  ctx: EngineContext,
  run: PlanRun,
  info: StepInfo,
  snapshot: InstanceSnapshot,
  commands: readonly UnitCommand[],
  opts: CommandStepOptions | ((payload: Uint8Array) => string) = {},
): Promise<CommandStepResult> {
  const o: CommandStepOptions = typeof opts === 'function' ? { resultText: opts } : opts;
  const exec = new StepExecution(ctx, run, info);
  if (commands.length === 0) {
    const report: StepReport = { step: info.step, title: info.title, units: [], skipped: true, driftAfter: analyzeDrift(snapshot).findings };
    run.steps.push(report);
    return { report, snapshot, payloads: [] };
  }
  const items: ToSign[] = [];
  const next = new Map<string, bigint>();
  for (const c of commands) {
    const unit = unitIn(snapshot, c.unitId);
    const client = linkOf(ctx, c.unitId).client;
    const counter = (next.get(c.unitId) ?? client.counter) + 1n;
    next.set(c.unitId, counter);
    const prepared = await buildPreparedCommand(ctx.crypto, client.identity, c.command, counter, c.payload);
    items.push({ unit, prepared, required: c.required });
  }
  const signed = await collectSignatures(ctx, info, items);
  const payloads: Uint8Array[] = [];
  for (const [k, i] of items.entries()) {
    const s = signed[k];
    payloads.push(
      await exec.submit({
        unit: i.unit,
        command: i.prepared.command,
        counter: i.prepared.counter,
        blockSha256: i.prepared.blockSha256,
        signers: s.signers,
        description: i.prepared.description,
        registerEffect: REGISTER_COMMANDS.has(i.prepared.command),
        send: async () => (await linkOf(ctx, i.unit.unitId).client.submit(i.prepared, s.signerInfos)).payload,
        ...(o.resultText ? { resultText: o.resultText } : {}),
      }),
    );
  }
  if (o.refreshAfter === false) {
    const report: StepReport = { step: info.step, title: info.title, units: exec.completed, skipped: false, driftAfter: [] };
    run.steps.push(report);
    return { report, snapshot, payloads };
  }
  return { ...(await exec.finish()), payloads };
}
