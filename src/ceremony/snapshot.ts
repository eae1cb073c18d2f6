/**
 * The instance snapshot (DESIGN §5): every unit of the instance queried now, plus the key
 * storage summary from the store. Everything the engine decides (drift, the next safe action,
 * a step's preconditions) is a function of a snapshot, never of memory of earlier output, so a
 * reload, a crash or a half-finished rotation always shows the right next step.
 *
 * Per unit, four verified queries (in parallel across units, one after another on a unit):
 *
 *   | field                           | query        |
 *   |---------------------------------|--------------|
 *   | current, next (state, VP)       | DOMAIN_INFO  |
 *   | mode, signThreshold, revokeThreshold | DOM_ATTRS |
 *   | adminSkis                       | DOMADMIN     |
 *   | importer                        | IMPORTER (not in imprint mode, where there is none) |
 *   | counter, identity               | every verified response |
 *
 * If the unit's counter moves while its queries run (another workstation at work), the unit is
 * queried again (at most 3 times); `stable` says whether the last round saw no movement.
 *
 * Given the previous snapshot, a unit whose DOMAIN_INFO answer shows the same counter and domain
 * instance as then (and was stable then) is not asked the other three queries: every change of
 * admins, thresholds, mode or importer is a successful state-changing command, which moves the
 * counter (DESIGN §3.3), and zeroize also draws a new domain instance. So one verified query per
 * unit tells that nothing changed.
 * A unit that cannot be queried (transport down, a response that fails verification, a pinned
 * root that does not match) is `reachable: false` with the error; nothing else is assumed
 * about it.
 */
import { toHex } from '../bytes/index.ts';
import type { CryptoUnitClient } from '../cryptounit/client.ts';
import { ResponseAuthError, UnitError, UnitProtocolError } from '../cryptounit/client.ts';
import { UnitTransportError } from '../cryptounit/transport.ts';
import type { KeyStorage } from '../store/index.ts';

/** A VP as the engine compares it: 64 lowercase hex digits, last 4 bytes zero. */
export type VpHex = string;

export interface CurrentRegister {
  state: 'EMPTY' | 'VALID';
  /** null when EMPTY */
  vp: VpHex | null;
}

export interface NewRegister {
  state: 'EMPTY' | 'FULL_UNCOMMITTED' | 'FULL_COMMITTED';
  /** null when EMPTY */
  vp: VpHex | null;
}

export interface ImporterView {
  curve: string;
  /** hex SHA-256 of the importer point: the rKeyId a part envelope must name */
  ski: string;
  /** DER SubjectPublicKeyInfo, to wrap parts for */
  spki: Uint8Array;
}

export interface UnitIdentityView {
  domainIndex: number;
  /** hex; changes at zeroize */
  domainInstance: string;
  moduleSerial: string;
  moduleInstance: string;
  rootFingerprint: string;
}

export interface ReachableUnit {
  unitId: string;
  label: string;
  reachable: true;
  identity: UnitIdentityView;
  counter: bigint;
  mode: 'imprint' | 'authenticated';
  signThreshold: number;
  revokeThreshold: number;
  /** installed admins' SKIs, lowercase hex, sorted */
  adminSkis: string[];
  importer: ImporterView | null;
  current: CurrentRegister;
  next: NewRegister;
  /** false when the counter kept moving while the unit was queried */
  stable: boolean;
}

export type UnitFailureKind = 'transport' | 'untrusted' | 'unit-error' | 'other';

export interface UnitFailure {
  kind: UnitFailureKind;
  /** the error's name, e.g. "UnitTransportError" */
  name: string;
  message: string;
  remedy?: string;
}

export interface UnreachableUnit {
  unitId: string;
  label: string;
  reachable: false;
  error: UnitFailure;
}

export type UnitSnapshot = ReachableUnit | UnreachableUnit;

export interface RotationSummary {
  fromVp: VpHex;
  toVp: VpHex;
  /** records of the instance */
  total: number;
  /** records with a blob staged under toVp */
  staged: number;
}

/** The instance's key storage as the store holds it (simulated instances only). */
export interface StorageSummary {
  total: number;
  /** how many records' current blobs are under each VP */
  byVp: Record<VpHex, number>;
  rotation: RotationSummary | null;
}

export interface InstanceSnapshot {
  instanceId: string;
  /** ms since 1970, from the engine's clock */
  takenAt: number;
  /** in the instance's unit order */
  units: UnitSnapshot[];
  /** null: the key storage is not kept here (a remote instance keeps it on its host) */
  storage: StorageSummary | null;
}

/** How the engine reaches one unit of the instance. */
export interface UnitLink {
  readonly unitId: string;
  readonly label: string;
  readonly client: CryptoUnitClient;
  /** connect (and pin the root on first use) unless connected */
  ensureConnected(): Promise<void>;
}

export const ZERO_VP: VpHex = '0'.repeat(64);
const MAX_ROUNDS = 3;

/** The VP form the engine compares: 56 significant hex digits and a zero tail. */
export function normalizeVpHex(vp: string): VpHex {
  return vp.toLowerCase().slice(0, 56).padEnd(64, '0');
}

/** What went wrong, in data the UI can show. */
export function describeFailure(e: unknown): UnitFailure {
  if (e instanceof UnitTransportError) return { kind: 'transport', name: e.name, message: e.message, remedy: e.remedy };
  if (e instanceof ResponseAuthError) return { kind: 'untrusted', name: e.name, message: e.message, remedy: e.remedy };
  if (e instanceof UnitError) return { kind: 'unit-error', name: e.name, message: e.detail, remedy: e.remedy };
  if (e instanceof UnitProtocolError) return { kind: 'untrusted', name: e.name, message: e.message, remedy: e.remedy };
  const err = e as { name?: string; message?: string; remedy?: string };
  return { kind: 'other', name: err?.name ?? 'Error', message: err?.message ?? String(e), ...(err?.remedy ? { remedy: err.remedy } : {}) };
}

async function queryUnit(link: UnitLink, previous?: UnitSnapshot): Promise<UnitSnapshot> {
  try {
    await link.ensureConnected();
    const client = link.client;
    for (let round = 1; ; round++) {
      const registers = await client.domainInfo();
      // the state read in this round belongs to the counter DOMAIN_INFO showed
      const startCounter = client.counter;
      const startInstance = toHex(client.identity.domainInstance);
      const current: CurrentRegister =
        registers.current === 'VALID' ? { state: 'VALID', vp: toHex(registers.currentVp) } : { state: 'EMPTY', vp: null };
      const next: NewRegister = registers.next === 'EMPTY' ? { state: 'EMPTY', vp: null } : { state: registers.next, vp: toHex(registers.newVp) };
      if (previous?.reachable && previous.stable && previous.counter === client.counter && previous.identity.domainInstance === toHex(client.identity.domainInstance)) {
        return { ...previous, adminSkis: [...previous.adminSkis], importer: previous.importer && { ...previous.importer, spki: previous.importer.spki.slice() }, current, next };
      }
      const attributes = await client.attributes();
      const skis = await client.adminSkis();
      // no importer key can exist in imprint mode (GEN_IMPORTER is refused, zeroize destroys it)
      const importer = attributes.mode === 'imprint' ? null : await client.importer();
      const id = client.identity;
      const stable = client.counter === startCounter && toHex(id.domainInstance) === startInstance;
      if (!stable && round < MAX_ROUNDS) continue;
      return {
        unitId: link.unitId,
        label: link.label,
        reachable: true,
        identity: {
          domainIndex: id.domainIndex,
          domainInstance: toHex(id.domainInstance),
          moduleSerial: toHex(id.moduleSerial),
          moduleInstance: toHex(id.moduleInstance),
          rootFingerprint: id.rootFingerprint,
        },
        counter: client.counter,
        mode: attributes.mode,
        signThreshold: attributes.signThreshold,
        revokeThreshold: attributes.revokeThreshold,
        adminSkis: skis.map(toHex).sort(),
        importer: importer ? { curve: importer.curve, ski: toHex(importer.ski), spki: importer.spki.slice() } : null,
        current,
        next,
        stable,
      };
    }
  } catch (e) {
    return { unitId: link.unitId, label: link.label, reachable: false, error: describeFailure(e) };
  }
}

/** The key storage summary of a simulated instance. */
export async function storageSummary(storage: KeyStorage, instanceId: string): Promise<StorageSummary> {
  const byVp = await storage.countByVp(instanceId);
  const rot = await storage.rotation(instanceId);
  const total = Object.values(byVp).reduce((a, b) => a + b, 0);
  const normalized: Record<VpHex, number> = {};
  for (const [vp, n] of Object.entries(byVp)) normalized[normalizeVpHex(vp)] = n;
  return {
    total,
    byVp: normalized,
    rotation: rot ? { fromVp: normalizeVpHex(rot.fromVp), toVp: normalizeVpHex(rot.toVp), total: rot.total, staged: rot.staged } : null,
  };
}

export interface RefreshOptions {
  instanceId: string;
  units: readonly UnitLink[];
  /** the store's key storage for a simulated instance; null or absent for a remote one */
  storage?: KeyStorage | null;
  now: () => number;
  /** the last snapshot of the same units: units whose counter did not move are not asked again */
  previous?: InstanceSnapshot | null;
}

/** Query every unit of the instance (in parallel) and the key storage. */
export async function refreshInstance(opts: RefreshOptions): Promise<InstanceSnapshot> {
  const [units, storage] = await Promise.all([
    Promise.all(opts.units.map((u) => queryUnit(u, opts.previous?.units.find((p) => p.unitId === u.unitId)))),
    opts.storage ? storageSummary(opts.storage, opts.instanceId) : Promise.resolve(null),
  ]);
  return { instanceId: opts.instanceId, takenAt: opts.now(), units, storage };
}

export const reachableUnits = (s: InstanceSnapshot): ReachableUnit[] => s.units.filter((u): u is ReachableUnit => u.reachable);
export const unreachableUnits = (s: InstanceSnapshot): UnreachableUnit[] => s.units.filter((u): u is UnreachableUnit => !u.reachable);

/** Both registers' VPs as the journal records them (64 hex digits; zeros when empty). */
export function registerVps(u: ReachableUnit): { current: VpHex; new: VpHex } {
  return { current: u.current.vp ?? ZERO_VP, new: u.next.vp ?? ZERO_VP };
}
