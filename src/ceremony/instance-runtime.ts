/**
 * The composition root of the engine for one instance: what the UI holds.
 *
 *   const rt = await InstanceRuntime.open({ store, instanceId, crypto, consent, transportFor });
 *   const s = await rt.refresh();          // query every unit and the key storage
 *   rt.next(s);                           // the next safe action (pure)
 *   await rt.run({ plan: 'next', inputs: { parts } });   // run a plan
 *   await rt.journal.transcript(rt.instance, 'html');
 *   await rt.keys?.generate('payments key');
 *
 * Given a store, an instance and a way to reach each unit (a UnitTransport per unit record: a
 * worker-backed one for a simulated instance, a memory one in tests), it builds one verified
 * client per unit. A unit's host root is pinned on first use: `onFirstUse` sees the fingerprint
 * first (throw to refuse the unit), then the root is stored in the unit record and the pinning
 * journaled; later connects must show the same root.
 *
 * The runtime keeps no ceremony state of its own: a new runtime over the same store and units
 * (a reload) sees exactly what the old one would.
 */
import { CryptoUnitClient } from '../cryptounit/client.ts';
import { parseCertificate } from '../cryptounit/protocol/index.ts';
import type { UnitTransport } from '../cryptounit/transport.ts';
import type { WebCrypto } from '../crypto/index.ts';
import { NotFoundError, type InstanceRecord, type UnitRecord, type WebtkeStore } from '../store/index.ts';
import { AdminCertificates } from './admin-certificates.ts';
import type { Consent } from './consent.ts';
import { newPlanRun, type EngineContext, type StepReport } from './context.ts';
import { analyzeDrift, type DriftReport } from './drift.ts';
import { EngineBusyError } from './errors.ts';
import { CeremonyJournal } from './journal.ts';
import { KeyStorageService } from './key-storage.ts';
import { nextSafeAction, type NextAction } from './next-safe-action.ts';
import { runPlan, type PlanRequest } from './plans/index.ts';
import { refreshInstance, type InstanceSnapshot, type UnitLink } from './snapshot.ts';

export interface InstanceRuntimeOptions {
  store: WebtkeStore;
  instanceId: string;
  crypto: WebCrypto;
  consent: Consent;
  /** the transport to one unit of the instance */
  transportFor(unit: UnitRecord): UnitTransport;
  /** a unit's root on first use ("SHA256:…"): show it as SSH does; throw to refuse the unit */
  onFirstUse?(unit: UnitRecord, fingerprint: string): void | Promise<void>;
  /** ms since 1970 (default Date.now) */
  now?: () => number;
  /** blobs per REENCRYPT request, 1..1024 (default 1024) */
  reencryptBatchSize?: number;
}

export interface PlanOutcome {
  plan: PlanRequest['plan'];
  steps: StepReport[];
  /** the state queried after the plan's last step */
  snapshot: InstanceSnapshot;
  next: NextAction;
}

export const MAX_REENCRYPT_BATCH = 1024;

class RuntimeUnitLink implements UnitLink {
  readonly client: CryptoUnitClient;

  constructor(
    private readonly rt: { store: WebtkeStore; instanceId: string; crypto: WebCrypto; journal: CeremonyJournal },
    private record: UnitRecord,
    transport: UnitTransport,
    onFirstUse?: (unit: UnitRecord, fingerprint: string) => void | Promise<void>,
  ) {
    this.client = new CryptoUnitClient({
      transport,
      crypto: rt.crypto,
      ...(record.pinnedRoot ? { pinnedRoot: record.pinnedRoot.fingerprint } : {}),
      onFirstUse: (fp) => onFirstUse?.(this.record, fp),
    });
  }

  get unitId(): string {
    return this.record.id;
  }

  get label(): string {
    return this.record.label;
  }

  async ensureConnected(): Promise<void> {
    if (this.client.connected) return;
    await this.client.connect();
    if (!this.record.pinnedRoot) {
      const root = parseCertificate(this.client.certificates.root, 'root certificate');
      this.record = await this.rt.store.instances.pinRoot(this.rt.instanceId, this.record.id, root.spkiDer);
      await this.rt.journal.note(`root of ${this.record.label} pinned on first use: ${this.record.pinnedRoot!.fingerprint}`, { fingerprint: this.record.pinnedRoot!.fingerprint }, this.record.id);
    }
  }
}

export class InstanceRuntime {
  readonly journal: CeremonyJournal;
  /** key storage of a simulated instance; null for a remote one */
  readonly keys: KeyStorageService | null;
  private readonly ctx: EngineContext;
  private running: string | null = null;
  private last: InstanceSnapshot | null = null;

  private constructor(ctx: EngineContext) {
    this.ctx = ctx;
    this.journal = ctx.journal;
    this.keys = ctx.keyStorage ? new KeyStorageService(ctx) : null;
  }

  static async open(o: InstanceRuntimeOptions): Promise<InstanceRuntime> {
    const instance = await o.store.instances.get(o.instanceId);
    if (!instance) throw new NotFoundError('instance', o.instanceId);
    const batch = o.reencryptBatchSize ?? MAX_REENCRYPT_BATCH;
    if (!Number.isInteger(batch) || batch < 1 || batch > MAX_REENCRYPT_BATCH) throw new RangeError(`reencryptBatchSize is 1..${MAX_REENCRYPT_BATCH}`);
    const journal = new CeremonyJournal(o.store, instance.id);
    const now = o.now ?? (() => Date.now());
    const shared = { store: o.store, instanceId: instance.id, crypto: o.crypto, journal };
    const units = instance.units.map((u) => new RuntimeUnitLink(shared, u, o.transportFor(u), o.onFirstUse));
    const keyStorage = instance.kind === 'simulated' ? o.store.keyStorage : null;
    let previous: InstanceSnapshot | null = null;
    const ctx: EngineContext = {
      instance,
      units,
      store: o.store,
      journal,
      consent: o.consent,
      crypto: o.crypto,
      now,
      keyStorage,
      adminCertificates: new AdminCertificates(o.crypto),
      reencryptBatchSize: batch,
      refresh: async () => {
        previous = await refreshInstance({ instanceId: instance.id, units, storage: keyStorage, now, previous });
        return previous;
      },
    };
    return new InstanceRuntime(ctx);
  }

  get instance(): InstanceRecord {
    return this.ctx.instance;
  }

  /** The engine context (for plans and tests that drive steps directly). */
  get context(): EngineContext {
    return this.ctx;
  }

  /** The last snapshot this runtime took (null before the first). */
  get lastSnapshot(): InstanceSnapshot | null {
    return this.last;
  }

  /** Query every unit and the key storage now. */
  async refresh(): Promise<InstanceSnapshot> {
    this.last = await this.ctx.refresh();
    return this.last;
  }

  /** The next safe action for a snapshot (pure). */
  next(snapshot: InstanceSnapshot): NextAction {
    return nextSafeAction(snapshot);
  }

  drift(snapshot: InstanceSnapshot): DriftReport {
    return analyzeDrift(snapshot);
  }

  /** The name of the plan running now, or null. */
  get busy(): string | null {
    return this.running;
  }

  /**
   * Run a plan on every unit of the instance. Resolves with the steps done, the state after and
   * the next safe action; rejects with a typed CeremonyError (errors.ts) when a step is refused
   * or fails (a StepFailedError carries the state after the failure).
   */
  async run(req: PlanRequest): Promise<PlanOutcome> {
    if (this.running) throw new EngineBusyError(this.running);
    this.running = req.plan;
    const run = newPlanRun(req.plan);
    try {
      await this.journal.note(`plan "${req.plan}" started`, { plan: req.plan });
      let snapshot: InstanceSnapshot;
      try {
        snapshot = await runPlan(this.ctx, run, req);
      } catch (e) {
        await this.journal.note(`plan "${req.plan}" stopped: ${(e as Error)?.message ?? e}`.slice(0, 4000), { plan: req.plan, outcome: (e as Error)?.name ?? 'Error' });
        throw e;
      }
      this.last = snapshot;
      const next = nextSafeAction(snapshot);
      await this.journal.note(`plan "${req.plan}" finished; next: ${next.title}`, { plan: req.plan, outcome: 'done', next: next.kind });
      return { plan: req.plan, steps: run.steps, snapshot, next };
    } finally {
      this.running = null;
    }
  }
}
