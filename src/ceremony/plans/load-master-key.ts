/**
 * Plan: load the new master key register from 2 or 3 key parts, on every unit that needs it.
 *
 *   1. importer   GEN_IMPORTER (1 signature) on the units without an importer key; an existing
 *                 one is reused (it is single-use: IMPORT_WK destroys it), so a retry after a
 *                 crash does not need it again
 *   2. wrap       consent.wrapParts: each custodian wraps their part to every importer key at
 *                 once (the secret never reaches the engine); each envelope must name its unit's
 *                 importer key
 *   3. import     IMPORT_WK: per part, one chooseSigners (1 signature per part and unit); then per
 *                 unit the 2 or 3 signed inner requests in one outer request. The new register
 *                 reads FULL UNCOMMITTED with the VP the unit returns.
 *
 * Which units: every unit on a first load or at the start of a rotation (nothing loaded, every
 * current register the same); the units still lacking the target VP when others hold it (the
 * next safe action "finish-load"). In the second case every unit must come out with the target
 * VP; on a first load every unit must come out with the first unit's VP. A different VP stops
 * the step (the parts differ): the next action is then "clear-new".
 *
 * The plan can go on through commit, re-encipher and set immediate (`through`): it then follows
 * the next safe action (plans/rotate.ts).
 */
import { fromHex, groupedHex, toHex, u32be } from '../../bytes/index.ts';
import type { ImportPart, PreparedCommand } from '../../cryptounit/client.ts';
import { Command, decodeEcSpki, decodeKeyAgreeRecipientInfo, ImporterKeyType } from '../../cryptounit/protocol/index.ts';
import { subjectKeyIdentifier } from '../../crypto/index.ts';
import type { KeyPartHolder } from '../../custodian/index.ts';
import type { PartToWrap, StepInfo } from '../consent.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { ConsentError, PreconditionError } from '../errors.ts';
import type { SignerName } from '../journal.ts';
import { keyProgress } from '../progress.ts';
import { reachableUnits, type ImporterView, type InstanceSnapshot, type ReachableUnit, type VpHex } from '../snapshot.ts';
import { collectSignatures, linkOf, preflight, runCommandStep, StepExecution, type Signed } from '../step-runner.ts';

export interface PartChoice {
  holder: KeyPartHolder;
  partId: string;
}

export interface LoadMasterKeyRequest {
  plan: 'load-master-key';
  /** 2 or 3 key parts */
  parts: readonly PartChoice[];
  /** the importer key's curve on units that need one (default P-521) */
  importerCurve?: 'P-256' | 'P-521';
  /** how far to go: 'import' (load only), 'commit', or 'set-immediate' (default: the whole way, incl. re-encipher and promotion) */
  through?: 'import' | 'commit' | 'set-immediate';
}

const short = (vp: string): string => `${groupedHex(fromHex(vp.slice(0, 8)))} …`;
const skiText = (ski: Uint8Array | string): string => (typeof ski === 'string' ? ski : toHex(ski));

/**
 * Which units to load, and the VP they must reach (null: a new key, every unit the same). A new
 * key goes to every unit when nothing is loaded anywhere and the units share their current
 * register (EMPTY on a first load, V at the start of a rotation); a known target goes to the
 * units still lacking it.
 */
export function loadTargets(s: InstanceSnapshot, title: string): { units: ReachableUnit[]; expect: VpHex | null } {
  const p = keyProgress(s);
  const units = reachableUnits(s);
  if (p.conflict) throw new PreconditionError(title, 'state', 'the new registers hold different master keys: clear the odd ones first', p.conflict.clearUnits);
  if (p.target !== null) {
    if (p.toLoad.length === 0) throw new PreconditionError(title, 'state', 'every unit already has the new master key');
    return { units: units.filter((u) => p.toLoad.includes(u.unitId)), expect: p.target };
  }
  if (p.currents.length > 1) throw new PreconditionError(title, 'state', 'the units have different current master keys');
  if (s.storage?.rotation) throw new PreconditionError(title, 'state', 'a key storage rotation is still open: finish it first');
  return { units, expect: null };
}

/** The importer key of a verified GEN_IMPORTER answer (its SPKI, RFC 5480). */
async function importerView(ctx: EngineContext, spki: Uint8Array): Promise<ImporterView> {
  const k = decodeEcSpki(spki);
  return { curve: k.curve, ski: toHex(await subjectKeyIdentifier(ctx.crypto, k.point)), spki: spki.slice() };
}

async function partInfos(title: string, parts: readonly PartChoice[]): Promise<PartToWrap[]> {
  if (parts.length < 2 || parts.length > 3) throw new PreconditionError(title, 'input-needed', 'a master key is loaded from 2 or 3 key parts');
  const seen = new Set<string>();
  const out: PartToWrap[] = [];
  for (const p of parts) {
    const list = await p.holder.parts();
    const info = list.find((x) => x.id === p.partId);
    if (!info) throw new PreconditionError(title, 'input-needed', `the holder has no key part "${p.partId}"`);
    const key = toHex(info.vp);
    if (seen.has(key)) throw new PreconditionError(title, 'input-needed', 'the same key part was chosen twice');
    seen.add(key);
    out.push({ holder: p.holder, partId: p.partId, info });
  }
  return out;
}

/** Steps 1-3 on the units that need the load. Returns the snapshot after. */
export async function loadParts(
  ctx: EngineContext,
  run: PlanRun,
  parts: readonly PartChoice[],
  curve: 'P-256' | 'P-521',
  start?: InstanceSnapshot,
): Promise<InstanceSnapshot> {
  const info0: StepInfo = { plan: run.plan, step: 'load', title: 'Load the new master key register' };
  const s = await preflight(ctx, run, info0, start);
  if (reachableUnits(s).some((u) => u.mode === 'imprint')) throw new PreconditionError(info0.title, 'state', 'leave imprint mode first');
  const { units: first, expect } = loadTargets(s, info0.title);
  if (first.some((u) => u.next.state !== 'EMPTY')) throw new PreconditionError(info0.title, 'state', 'a unit to load has a loaded new register');
  const wraps = await partInfos(info0.title, parts);

  // 1. importer keys where missing (their SPKIs come in the verified GEN_IMPORTER answers)
  const importers = new Map<string, ImporterView>(first.filter((u) => u.importer).map((u) => [u.unitId, u.importer!]));
  const needImporter = first.filter((u) => !u.importer);
  if (needImporter.length) {
    const info: StepInfo = { plan: run.plan, step: 'importer', title: `Generate ${curve} importer keys` };
    const type = curve === 'P-256' ? ImporterKeyType.P256 : ImporterKeyType.P521;
    const r = await runCommandStep(ctx, run, info, s, needImporter.map((u) => ({ unitId: u.unitId, command: Command.GEN_IMPORTER, payload: u32be(type), required: 1 })), {
      resultText: () => 'importer key generated',
      refreshAfter: false,
    });
    for (const [k, u] of needImporter.entries()) importers.set(u.unitId, await importerView(ctx, r.payloads[k]));
  }
  const units = first;

  // 2. wrap every part for every importer key
  const wrapInfo: StepInfo = { plan: run.plan, step: 'wrap-parts', title: `Wrap ${wraps.length} key parts for ${units.length} unit(s)` };
  let envelopes: Uint8Array[][];
  try {
    envelopes = await ctx.consent.wrapParts({
      step: wrapInfo,
      parts: wraps,
      importers: units.map((u) => ({ unitId: u.unitId, label: u.label, spki: importers.get(u.unitId)!.spki.slice(), ski: importers.get(u.unitId)!.ski })),
    });
  } catch (e) {
    throw new ConsentError(wrapInfo.step, 'declined', `the key parts were not wrapped (${(e as Error)?.message ?? e})`, e);
  }
  if (!Array.isArray(envelopes) || envelopes.length !== wraps.length || envelopes.some((row) => !Array.isArray(row) || row.length !== units.length)) {
    throw new ConsentError(wrapInfo.step, 'bad-envelopes', `expected ${wraps.length} × ${units.length} envelopes`);
  }
  envelopes.forEach((row, i) =>
    row.forEach((env, j) => {
      let ski: Uint8Array;
      try {
        ski = decodeKeyAgreeRecipientInfo(env).recipientSki;
      } catch (e) {
        throw new ConsentError(wrapInfo.step, 'bad-envelopes', `part ${i + 1} for ${units[j].label} is not a part envelope (${(e as Error).message})`);
      }
      if (toHex(ski) !== importers.get(units[j].unitId)!.ski) throw new ConsentError(wrapInfo.step, 'bad-envelopes', `part ${i + 1} for ${units[j].label} is wrapped for another importer key`);
    }),
  );

  // 3. IMPORT_WK: prepare, one chooseSigners per part, then submit unit by unit
  const prepared = new Map<string, PreparedCommand[]>();
  for (const [j, u] of units.entries()) {
    prepared.set(u.unitId, await linkOf(ctx, u.unitId).client.prepareImport(envelopes.map((row) => row[j]), { refresh: false }));
  }
  const signedParts: Signed[][] = [];
  for (const [i, w] of wraps.entries()) {
    const info: StepInfo = { plan: run.plan, step: `import-part-${i + 1}`, title: `Sign key part ${i + 1} of ${wraps.length} ("${w.info.description}") for loading` };
    signedParts.push(await collectSignatures(ctx, info, units.map((u) => ({ unit: u, prepared: prepared.get(u.unitId)![i], required: 1 }))));
  }
  const info: StepInfo = { plan: run.plan, step: 'import', title: `Load ${wraps.length} key parts into the new master key register` };
  const exec = new StepExecution(ctx, run, info);
  let expected = expect;
  for (const [j, u] of units.entries()) {
    const p = prepared.get(u.unitId)!;
    const signers: SignerName[] = [];
    const fields: Record<string, string> = {};
    const importParts: ImportPart[] = p.map((pc, i) => {
      const sg = signedParts[i][j];
      for (const n of sg.signers) if (!signers.some((x) => skiText(x.ski) === skiText(n.ski))) signers.push(n);
      fields[`part${i + 1}.description`] = wraps[i].info.description;
      fields[`part${i + 1}.vp`] = toHex(wraps[i].info.vp);
      fields[`part${i + 1}.block`] = toHex(pc.blockSha256);
      fields[`part${i + 1}.signedBy`] = sg.signers.map((x) => x.name ?? skiText(x.ski)).join(', ');
      return { prepared: pc, signerInfos: sg.signerInfos };
    });
    const vp = toHex(
      await exec.submit({
        unit: u,
        command: Command.IMPORT_WK,
        counter: p[0].counter,
        blockSha256: p[0].blockSha256,
        signers,
        description: `Load ${wraps.length} master key parts (${wraps.map((w) => `"${w.info.description}"`).join(', ')}) into the new register, each part signed by an administrator. Part 1: ${p[0].description}`,
        fields,
        registerEffect: true,
        send: () => linkOf(ctx, u.unitId).client.submitImport(importParts),
        resultText: (v) => `new register loaded (uncommitted), VP ${groupedHex(v)}`,
      }),
    );
    if (expected === null) expected = vp;
    if (vp !== expected) {
      await ctx.journal.note(`${u.label} loaded a master key with VP ${short(vp)}, not ${short(expected)}: the parts differ. Clear its new register and load the right parts.`, { expectedVp: expected, loadedVp: vp }, u.unitId);
      throw await exec.failed(u, new Error(`the parts give VP ${short(vp)}, not the expected ${short(expected)}`));
    }
  }
  return (await exec.finish()).snapshot;
}
