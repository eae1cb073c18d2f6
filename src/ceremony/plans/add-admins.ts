/**
 * Plan: add administrators (DOM_ADMIN_LOGIN) on every unit of the instance.
 *
 * The admins added are, in this order: the ones some units have and others lack (their
 * certificates read from a unit that has them: the catch-up of an interrupted add), then the
 * certificates given. One step: every admin on every unit that lacks it, admin by admin (admin 1
 * on each unit, then admin 2, …), each unit's commands bound to its successive counters, so one
 * consent covers them. Signatures: none in imprint mode; the signature threshold after it.
 */
import { fromHex, toHex } from '../../bytes/index.ts';
import { Command, parseAdminCertificate } from '../../cryptounit/protocol/index.ts';
import type { EngineContext, PlanRun } from '../context.ts';
import { MAX_ADMINS } from '../drift.ts';
import { PreconditionError } from '../errors.ts';
import { reachableUnits, type InstanceSnapshot } from '../snapshot.ts';
import { linkOf, preflight, runCommandStep, type UnitCommand } from '../step-runner.ts';

export interface AddAdminsRequest {
  plan: 'add-admins';
  /** DER admin certificates to add (besides the ones some units lack) */
  certificates?: readonly Uint8Array[];
}

export async function addAdmins(ctx: EngineContext, run: PlanRun, req: AddAdminsRequest, start?: InstanceSnapshot): Promise<InstanceSnapshot> {
  const info0 = { plan: run.plan, step: 'add-admins', title: 'Add administrators' };
  let s = await preflight(ctx, run, info0, start);
  const units = reachableUnits(s);
  const union = [...new Set(units.flatMap((u) => u.adminSkis))].sort();
  const wanted: { ski: string; der?: Uint8Array; name?: string }[] = union
    .filter((ski) => units.some((u) => !u.adminSkis.includes(ski)))
    .map((ski) => ({ ski }));
  for (const der of req.certificates ?? []) {
    let cert;
    try {
      cert = await parseAdminCertificate(ctx.crypto, der);
    } catch (e) {
      throw new PreconditionError(info0.title, 'input-needed', `a certificate is not a valid admin certificate (${(e as Error).message})`);
    }
    const ski = toHex(cert.ski);
    if (!wanted.some((w) => w.ski === ski)) wanted.push({ ski, der: der.slice(), name: cert.name });
  }
  if (wanted.length === 0 && (req.certificates ?? []).length === 0) {
    throw new PreconditionError(info0.title, 'input-needed', 'no administrator to add: give their certificates');
  }
  const commands: UnitCommand[] = [];
  const adding = new Map<string, number>();
  for (const w of wanted) {
    const lacking = reachableUnits(s).filter((u) => !u.adminSkis.includes(w.ski));
    if (lacking.length === 0) continue;
    if (!w.der) {
      const holder = reachableUnits(s).find((u) => u.adminSkis.includes(w.ski))!;
      const { certificate } = await ctx.adminCertificates.get(w.ski, async () => (await linkOf(ctx, holder.unitId).client.adminCertificate(fromHex(w.ski))).der);
      w.der = certificate.der.slice();
      w.name = certificate.name;
    }
    for (const u of lacking) {
      adding.set(u.unitId, (adding.get(u.unitId) ?? 0) + 1);
      commands.push({ unitId: u.unitId, command: Command.DOM_ADMIN_LOGIN, payload: w.der, required: u.mode === 'imprint' ? 0 : u.signThreshold });
    }
  }
  const full = reachableUnits(s).filter((u) => u.adminSkis.length + (adding.get(u.unitId) ?? 0) > MAX_ADMINS);
  if (full.length) throw new PreconditionError(info0.title, 'protocol-rule', `${full.map((u) => u.label).join(', ')} would hold more than ${MAX_ADMINS} administrators`, full.map((u) => u.unitId));
  const names = wanted.filter((w) => w.name).map((w) => `"${w.name}"`);
  s = (await runCommandStep(ctx, run, { ...info0, title: `Add administrator(s) ${names.join(', ')}` }, s, commands)).snapshot;
  return s;
}
