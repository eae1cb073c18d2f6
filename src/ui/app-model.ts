/**
 * The app's state and its actions, shared by every view (the shell passes it down as the
 * `app` property). No DOM here: main.ts builds it from the browser's objects, tests from fakes.
 *
 *   start()                   open the instances; on first run create the default simulated
 *                             instance (2 units); start its worker; build the engine runtime
 *   refresh()                 query every unit (snapshot), the next safe action, drift
 *   run(plan)                 run an engine plan (the consent UI asks people for what it needs)
 *   createSimulatedInstance   a new simulated instance of 1–3 units, made current
 *   createRemoteInstance      a new instance of remote units (one URL each, over HTTP), made current
 *   setUnitToken(token)       the unit host's access token, kept in memory for this session only
 *   resetSimulation()         the simulated units start again empty, with a new root
 *   forgetRoot(unit)          unpin a unit's root (journaled); the next connect pins anew
 *
 * Views subscribe() and re-render on every change.
 */
import { fromHex } from '../bytes/hex.ts';
import type { CardAccessReport, DoctorEnv } from '../card/doctor.ts';
import { loadCardRuntime } from './load-card-runtime.ts';
import {
  InstanceRuntime, reachableUnits, type Consent, type ConfirmRequest, type DriftReport, type InstanceSnapshot, type NextAction, type PlanOutcome,
  type ProgressReport, type SignerRequest, type WrapRequest,
} from '../ceremony/index.ts';
import type { WebCrypto } from '../crypto/index.ts';
import type * as HttpTransportModule from '../cryptounit/transports/http.ts';
import type { UnitTransport } from '../cryptounit/transport.ts';
import { vpDisplay, type AdminSigner } from '../custodian/index.ts';
import { SoftKeyPartHolder, type KeyFileOptions } from '../custodian/soft/index.ts';
import type { PlanRequest } from '../ceremony/plans/index.ts';
import { DEFAULT_SIM_UNITS, MAX_SIM_UNITS, MIN_SIM_UNITS } from '../sim/config.ts';
import { startSimulation, type SimulationHandle, type SimulationReady, type SimWorkerFactory } from '../sim/connection.ts';
import { createConnectGuard, type ConnectGuard, type FetchLike } from '../security/connect-guard.ts';
import { AlreadyExistsError, type AdminRecord, type InstanceRecord, type UnitRecord, type WebtkeStore } from '../store/index.ts';
import { CardSessions, type CardPlatform } from './cards.ts';
import type { ConfirmQuestion } from './consent/confirm-dialog.ts';

export const CURRENT_INSTANCE_SETTING = 'currentInstance';
export const DEFAULT_INSTANCE_NAME = 'Simulated instance';

/** The browser's objects, as main.ts passes them. */
export interface AppPlatform {
  /** the store, already open (tests) … */
  store?: WebtkeStore;
  /** … or how to open it (main.ts: openStore over the browser's indexedDB); a failure shows in the views */
  openStore?: () => Promise<WebtkeStore>;
  crypto: WebCrypto;
  /** starts the simulation worker (main.ts: `new Worker(new URL('./sim/sim.worker.ts', …), { type: 'module', name })`) */
  createSimWorker: SimWorkerFactory;
  now?: () => number;
  /** what the card doctor examines (navigator.usb, navigator.smartCard, user agent, …) */
  doctorEnv?: () => DoctorEnv;
  cards?: Omit<CardPlatform, 'crypto'>;
  /** options of every key file written or opened (tests only: fewer PBKDF2 iterations) */
  keyFiles?: KeyFileOptions;
  /** time limit of one unit request in ms (default 60 s) */
  unitTimeoutMs?: number;
  /** key blobs per REENCRYPT request (default the engine's 1024; tests use fewer) */
  reencryptBatchSize?: number;
  /**
   * The platform fetch for remote units (main.ts: `globalThis.fetch.bind(globalThis)`). It is
   * used only through the connect guard, which lets through nothing but the current instance's
   * unit URLs. Without it, remote units cannot be reached.
   */
  fetch?: FetchLike;
  /**
   * The unit origins this build's Content-Security-Policy allows (connect-src, from
   * WEBTKE_UNIT_ORIGINS at build time; docs/builds.md), or 'any' where no policy limits them
   * (dev server). Default: none.
   */
  buildUnitOrigins?: readonly string[] | 'any';
}

/** What the consent UI offers besides the engine's Consent: a PIN prompt for cards mid-signature. */
export interface ConsentHost extends Consent {
  promptSecret(req: { title: string; label: string; retriesLeft?: number }): Promise<string>;
  /** a confirmation the app itself asks (reset the simulation, forget a root) */
  ask(q: ConfirmQuestion): Promise<boolean>;
}

/** Forwards the engine's questions to the consent UI the shell registered. */
class ConsentRelay implements ConsentHost {
  host: ConsentHost | null = null;
  constructor(private readonly onProgress: (report: ProgressReport) => void) {}
  private need(): ConsentHost {
    if (!this.host) throw new Error('the consent dialogs are not on the page');
    return this.host;
  }
  chooseSigners(req: SignerRequest): Promise<AdminSigner[]> {
    return this.need().chooseSigners(req);
  }
  wrapParts(req: WrapRequest): Promise<Uint8Array[][]> {
    return this.need().wrapParts(req);
  }
  confirm(req: ConfirmRequest): Promise<boolean> {
    return this.need().confirm(req);
  }
  progress(report: ProgressReport): void {
    this.onProgress(report);
    this.host?.progress(report);
  }
  promptSecret(req: { title: string; label: string; retriesLeft?: number }): Promise<string> {
    return this.need().promptSecret(req);
  }
  ask(q: ConfirmQuestion): Promise<boolean> {
    return this.need().ask(q);
  }
}

/** A unit's root pinned on first use in this session (shown until dismissed). */
export interface FirstUse {
  unitId: string;
  label: string;
  fingerprint: string;
}

/** An opened key part file (kept encrypted in the holder; the app never stores it). */
export interface OpenedPartFile {
  fileName: string;
  partId: string;
  description: string;
  /** the VP in grouped hex ("1A2B 3C4D …") */
  vp: string;
}

/** The person did not accept a remote unit's root on first use: the unit is not used (nothing is pinned). */
export class RootNotAcceptedError extends Error {
  override name = 'RootNotAcceptedError';
  readonly remedy = 'Compare the fingerprint with the one the unit host\'s operator published, then press Refresh to be asked again.';
  constructor(readonly unitLabel: string, readonly fingerprint: string) {
    super(`the root of ${unitLabel} (${fingerprint}) was not accepted, so webtke does not use this unit`);
  }
}

/** A unit URL of a new remote instance that this build (or the URL itself) does not allow. */
export class UnitUrlError extends Error {
  override name = 'UnitUrlError';
  constructor(message: string, readonly url: string, readonly remedy: string) {
    super(message);
  }
}

/** The unit URLs of an instance (its remote units). */
const unitUrls = (inst: InstanceRecord | null): string[] =>
  (inst?.units ?? []).flatMap((u) => (u.endpoint.kind === 'http' ? [u.endpoint.url] : []));

/** Most remote units an instance created here may have. */
export const MAX_REMOTE_UNITS = 16;

export class AppModel {
  readonly consent = new ConsentRelay((report) => {
    this.progress = report;
    this.changed();
  });
  readonly cards: CardSessions;
  /** key part files opened in this session (listing needs no password; wrapping does) */
  readonly partHolder: SoftKeyPartHolder;

  status: 'starting' | 'ready' | 'failed' = 'starting';
  startError: unknown;
  instances: InstanceRecord[] = [];
  instance: InstanceRecord | null = null;
  runtime: InstanceRuntime | null = null;
  sim: SimulationHandle | null = null;
  simStatus: 'none' | 'starting' | 'ready' | 'failed' = 'none';
  simReady: SimulationReady | null = null;
  simError: unknown;
  snapshot: InstanceSnapshot | null = null;
  next: NextAction | null = null;
  drift: DriftReport | null = null;
  refreshing = false;
  refreshError: unknown;
  admins: AdminRecord[] = [];
  firstUse: FirstUse[] = [];
  partFiles: OpenedPartFile[] = [];
  /** the plan running now */
  busy: string | null = null;
  /** the engine's last progress report of the plan running now (or of the last one); views render from it */
  progress: ProgressReport | null = null;
  lastOutcome: PlanOutcome | null = null;

  private readonly listeners = new Set<() => void>();
  /**
   * Access tokens of unit hosts, per instance: entered by a person, kept in this page's memory
   * only (never in IndexedDB, never journaled); a reload forgets them (docs/remote-units.md).
   */
  private readonly unitTokens = new Map<string, string>();
  /** Roots of remote units the person was asked about in this session (one question per root). */
  private rootQuestions = new Map<string, Promise<boolean>>();
  /** roots refused during the current refresh: asked again only at the next one */
  private refusedRoots = new Set<string>();
  private rootQueue: Promise<unknown> = Promise.resolve();
  /** The only way to a remote unit: refuses every URL that is not a unit of the current instance. */
  private readonly guard: ConnectGuard | null;
  /** The HTTP unit transport, loaded when a remote instance is first opened (not in the first load). */
  private http: typeof HttpTransportModule | null = null;

  constructor(readonly platform: AppPlatform) {
    this.cards = new CardSessions({ crypto: platform.crypto, ...platform.cards });
    this.cards.subscribe(() => this.changed());
    this.partHolder = new SoftKeyPartHolder(platform.crypto, platform.keyFiles ?? {});
    const fetch = platform.fetch;
    this.guard = fetch
      ? createConnectGuard({ fetch, unitOrigins: () => unitUrls(this.instance), buildOrigins: platform.buildUnitOrigins ?? [] })
      : null;
  }

  private openedStore: WebtkeStore | null = null;

  /** The store; there once start() has opened it. */
  get store(): WebtkeStore {
    const s = this.openedStore ?? this.platform.store;
    if (!s) throw new Error('the store is not open yet');
    return s;
  }

  /** Another tab upgraded the database: this one closed its connection; the page must reload. */
  storageClosed(): void {
    this.close();
    this.status = 'failed';
    this.startError = new StorageClosedError();
    this.changed();
  }

  get crypto(): WebCrypto {
    return this.platform.crypto;
  }

  get keyFileOptions(): KeyFileOptions {
    return this.platform.keyFiles ?? {};
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Tell every view to re-render. */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  // ---- start-up and instances ------------------------------------------------------------

  async start(): Promise<void> {
    try {
      if (!this.platform.store) {
        if (!this.platform.openStore) throw new Error('no store was given');
        this.openedStore = await this.platform.openStore();
      }
      this.instances = await this.store.instances.list();
      if (this.instances.length === 0) {
        await this.store.instances.create(newSimulatedInstance(DEFAULT_INSTANCE_NAME, DEFAULT_SIM_UNITS));
        this.instances = await this.store.instances.list();
      }
      await this.reloadAdmins();
      const wanted = await this.store.settings.get(CURRENT_INSTANCE_SETTING);
      const current = this.instances.find((i) => i.id === wanted) ?? this.instances[0];
      this.status = 'ready';
      await this.open(current);
    } catch (e) {
      this.status = 'failed';
      this.startError = e;
      this.changed();
    }
  }

  /** Make `inst` the current instance: start its units and its engine runtime, then refresh. */
  private async open(inst: InstanceRecord): Promise<void> {
    this.close();
    this.instance = inst;
    this.firstUse = [];
    this.rootQuestions = new Map();
    this.refusedRoots = new Set();
    await this.store.settings.set(CURRENT_INSTANCE_SETTING, inst.id);
    if (inst.kind === 'simulated') {
      this.sim = startSimulation({
        createWorker: this.platform.createSimWorker,
        config: { db: this.store.name, instanceId: inst.id, units: inst.units.map((u) => u.id) },
        timeoutMs: this.platform.unitTimeoutMs,
      });
      this.simStatus = 'starting';
      const sim = this.sim;
      sim.ready.then(
        (r) => {
          if (this.sim !== sim) return;
          this.simStatus = 'ready';
          this.simReady = r;
          this.changed();
        },
        (e: unknown) => {
          if (this.sim !== sim) return;
          this.simStatus = 'failed';
          this.simError = e;
          this.changed();
        },
      );
    } else if (inst.units.some((u) => u.endpoint.kind === 'http')) {
      this.http ??= await import('../cryptounit/transports/http.ts');
    }
    await this.openRuntime(inst);
  }

  /** Build the engine runtime (the unit clients) for `inst` over the running simulation, and query the units. */
  private async openRuntime(inst: InstanceRecord): Promise<void> {
    const sim = this.sim;
    this.runtime = await InstanceRuntime.open({
      store: this.store,
      instanceId: inst.id,
      crypto: this.crypto,
      consent: this.consent,
      now: this.platform.now,
      ...(this.platform.reencryptBatchSize !== undefined ? { reencryptBatchSize: this.platform.reencryptBatchSize } : {}),
      transportFor: (unit) => (sim ? sim.transport(unit.id) : this.remoteTransport(inst, unit)),
      onFirstUse: async (unit, fingerprint) => {
        if (unit.endpoint.kind === 'http') await this.acceptRemoteRoot(unit, fingerprint);
        this.firstUse = [...this.firstUse.filter((f) => f.unitId !== unit.id), { unitId: unit.id, label: unit.label, fingerprint }];
      },
    });
    this.changed();
    if (sim) await sim.ready.catch(() => undefined);
    await this.refresh();
  }

  /** A remote unit over HTTP, through the connect guard, with the session's token read on every request. */
  private remoteTransport(inst: InstanceRecord, unit: UnitRecord): UnitTransport {
    const endpoint = unit.endpoint;
    const guard = this.guard;
    const http = this.http;
    if (endpoint.kind !== 'http' || !guard || !http) {
      return {
        send: () => Promise.reject(new UnitUrlError(`${unit.label} is a remote unit, and this page has no way to reach it`, endpoint.kind === 'http' ? endpoint.url : '',
          'Open webtke in a browser page (the hosted build or the development server) to use remote units.')),
      };
    }
    return new http.HttpUnitTransport({
      url: endpoint.url,
      fetch: guard.fetch,
      guard,
      token: () => this.unitTokens.get(inst.id),
      unitId: unit.id,
      ...(this.platform.unitTimeoutMs !== undefined ? { timeoutMs: this.platform.unitTimeoutMs } : {}),
    });
  }

  /**
   * A remote unit's root, seen for the first time: the person compares its fingerprint with the
   * one the host's operator published and accepts it (once per root in this session), or the
   * unit is refused and nothing is pinned.
   */
  private async acceptRemoteRoot(unit: UnitRecord, fingerprint: string): Promise<void> {
    let answer = this.rootQuestions.get(fingerprint);
    if (!answer) {
      const url = unit.endpoint.kind === 'http' ? unit.endpoint.url : '';
      // one question at a time (units behind different roots are asked in turn)
      answer = this.rootQueue.then(() => this.consent.ask({
        title: `Trust the root of ${unit.label}?`,
        detail: `${unit.label} (${url}) is certified by the unit host root ${fingerprint}. webtke has not seen it before. Compare it, group by group, `
          + 'with the fingerprint the host\'s operator published (the unit server prints it when it starts). If you accept, webtke pins it for '
          + 'this instance: from then on a unit certified by any other root is refused. Other units of this instance with the same root are '
          + 'accepted with it.',
        kind: 'plain',
        confirmLabel: 'Trust this root',
      })).catch(() => false);
      this.rootQueue = answer;
      this.rootQuestions.set(fingerprint, answer);
    }
    if (!(await answer)) {
      // the other units behind this root, answering later in the same refresh, are refused with
      // it; the question comes again at the next refresh
      this.refusedRoots.add(fingerprint);
      throw new RootNotAcceptedError(unit.label, fingerprint);
    }
  }

  private close(): void {
    this.sim?.terminate();
    this.sim = null;
    this.simStatus = 'none';
    this.simReady = null;
    this.simError = undefined;
    this.runtime = null;
    this.snapshot = null;
    this.next = null;
    this.drift = null;
    this.refreshError = undefined;
    this.lastOutcome = null;
  }

  /** Stop the worker (page unload, tests). */
  dispose(): void {
    this.close();
    void this.cards.closeAll();
    this.listeners.clear();
  }

  async selectInstance(id: string): Promise<void> {
    const inst = (await this.store.instances.get(id)) ?? null;
    if (!inst) throw new Error(`no instance ${id}`);
    this.instances = await this.store.instances.list();
    await this.open(inst);
  }

  /** Create a simulated instance of 1–3 units and make it the current one. */
  async createSimulatedInstance(name: string, units: number): Promise<InstanceRecord> {
    const rec = await this.store.instances.create(newSimulatedInstance(name, units));
    this.instances = await this.store.instances.list();
    await this.open(rec);
    return rec;
  }

  /**
   * Why this build would refuse to connect to `url` (the URL is not an http(s) URL, or its
   * origin is outside the build's Content-Security-Policy), or null when it may be a unit.
   */
  checkUnitUrl(url: string): UnitUrlError | null {
    if (!this.platform.fetch) {
      return new UnitUrlError('this page cannot reach remote units', url, 'Open webtke in a browser page (the hosted build or the development server) to use remote units.');
    }
    const probe = createConnectGuard({ fetch: this.platform.fetch, unitOrigins: () => [url], buildOrigins: this.platform.buildUnitOrigins ?? [] });
    const refusal = probe.check(url);
    if (!refusal) return null;
    const remedy = refusal.reason === 'outside-build-policy'
      ? 'Use a build that lists this origin: WEBTKE_UNIT_ORIGINS="<origin> …" npm run build (docs/builds.md), with the same origin in the host\'s Content-Security-Policy header.'
      : 'Write the unit\'s full URL, e.g. https://units.example/units/unit-1 (GET /units on the host lists its units).';
    return new UnitUrlError(refusal.message, url, remedy);
  }

  /**
   * Create an instance of remote units (one URL each, e.g. http://127.0.0.1:8787/units/unit-1)
   * and make it current. `token` is the unit host's access token: kept in memory for this
   * session only. Each unit's root is shown on first use and pinned once the person accepts it.
   */
  async createRemoteInstance(name: string, urls: readonly string[], token?: string): Promise<InstanceRecord> {
    const list = urls.map((u) => u.trim()).filter((u) => u !== '');
    if (list.length === 0) throw new RangeError('give the URL of at least one crypto unit');
    if (list.length > MAX_REMOTE_UNITS) throw new RangeError(`a remote instance created here has at most ${MAX_REMOTE_UNITS} units`);
    for (const url of list) {
      const problem = this.checkUnitUrl(url);
      if (problem) throw problem;
    }
    const rec = await this.store.instances.create({
      name,
      kind: 'remote',
      units: list.map((url, i) => ({ label: `Unit ${i + 1}`, endpoint: { kind: 'http' as const, url } })),
    });
    if (token) this.unitTokens.set(rec.id, token);
    this.instances = await this.store.instances.list();
    await this.open(rec);
    return rec;
  }

  /** Whether an access token was entered for the current instance's unit host in this session. */
  get hasUnitToken(): boolean {
    return this.instance ? this.unitTokens.has(this.instance.id) : false;
  }

  /**
   * Set (or, with null or '', forget) the access token of the current instance's unit host, in
   * memory only, and query the units again with it.
   */
  async setUnitToken(token: string | null): Promise<void> {
    const inst = this.instance;
    if (!inst || inst.kind !== 'remote') throw new Error('the current instance has no remote units');
    if (token) this.unitTokens.set(inst.id, token);
    else this.unitTokens.delete(inst.id);
    this.changed();
    await this.refresh();
  }

  /**
   * Ask, with the instance's name typed as confirmation, whether to reset the current simulated
   * instance (the question both the Instance view and Settings ask before `resetSimulation`).
   */
  confirmResetSimulation(): Promise<boolean> {
    const inst = this.instance;
    if (!inst) return Promise.resolve(false);
    return this.consent.ask({
      title: `Reset the simulated instance "${inst.name}"?`,
      detail: 'Every simulated unit of this instance is discarded: administrators, thresholds, both master key registers and the key storage. New empty units start with a new root. This cannot be undone.',
      typedPhrase: inst.name,
      kind: 'destructive',
      confirmLabel: 'Reset the simulation',
    });
  }

  /**
   * Reset the current simulated instance: its units, their saved state, its key storage and its
   * pinned roots go, and an instance of the same name and units starts empty with a new root.
   * The journal keeps the old instance's entries and a note of the reset. The caller confirms.
   */
  async resetSimulation(): Promise<InstanceRecord> {
    const old = this.instance;
    if (!old || old.kind !== 'simulated') throw new Error('only a simulated instance can be reset');
    await this.runtime?.journal.note(`simulation reset: the units of "${old.name}" were discarded and started again empty`, { action: 'reset-simulation' });
    this.close();
    this.changed();
    await this.store.instances.delete(old.id);
    const rec = await this.store.instances.create({
      name: old.name,
      kind: 'simulated',
      units: old.units.map((u) => ({ label: u.label, endpoint: u.endpoint })),
    });
    this.instances = await this.store.instances.list();
    await this.open(rec);
    await this.runtime?.journal.note(`simulated instance "${rec.name}" started again after a reset (previous instance ${old.id})`, { action: 'reset-simulation', previous: old.id });
    return rec;
  }

  /** Delete an instance that is not the current one (its journal entries stay). */
  async deleteInstance(id: string): Promise<void> {
    if (this.instance?.id === id) throw new Error('switch to another instance before deleting this one');
    await this.store.instances.delete(id);
    this.instances = await this.store.instances.list();
    this.changed();
  }

  async renameInstance(id: string, name: string): Promise<void> {
    const rec = await this.store.instances.rename(id, name);
    this.instances = await this.store.instances.list();
    if (this.instance?.id === id) this.instance = rec;
    this.changed();
  }

  /** Forget a unit's pinned root (journaled); the next connect pins the root it finds. */
  async forgetRoot(instanceId: string, unitId: string): Promise<void> {
    const inst = await this.store.instances.get(instanceId);
    const unit = inst?.units.find((u) => u.id === unitId);
    if (!inst || !unit?.pinnedRoot) return;
    if (this.instance?.id === instanceId && this.runtime) {
      await this.runtime.journal.note(`pinned root of ${unit.label} forgotten by the user: ${unit.pinnedRoot.fingerprint}`, { fingerprint: unit.pinnedRoot.fingerprint }, unitId);
    }
    await this.store.instances.unpinRoot(instanceId, unitId);
    this.instances = await this.store.instances.list();
    if (this.instance?.id === instanceId) {
      // new clients (they hold the pinned root); the units keep running
      const inst = (await this.store.instances.get(instanceId))!;
      this.instance = inst;
      this.snapshot = null;
      await this.openRuntime(inst);
    } else {
      this.changed();
    }
  }

  // ---- unit state ---------------------------------------------------------------------------

  /** Query every unit of the current instance. */
  async refresh(): Promise<InstanceSnapshot | null> {
    const rt = this.runtime;
    if (!rt) return null;
    for (const f of this.refusedRoots) this.rootQuestions.delete(f);
    this.refusedRoots.clear();
    this.refreshing = true;
    this.changed();
    try {
      const s = await rt.refresh();
      if (rt !== this.runtime) return s;
      this.snapshot = s;
      this.drift = rt.drift(s);
      this.next = rt.next(s);
      this.refreshError = undefined;
      // the runtime pins roots on first use: show the stored records
      this.instances = await this.store.instances.list();
      this.instance = this.instances.find((i) => i.id === this.instance?.id) ?? this.instance;
      await this.reloadAdmins();
      await this.learnUnitAdmins(rt, s);
      return s;
    } catch (e) {
      this.refreshError = e;
      return null;
    } finally {
      this.refreshing = false;
      this.changed();
    }
  }

  /** Run an engine plan; the snapshot and next action follow its outcome (or its failure). */
  async run(req: PlanRequest): Promise<PlanOutcome> {
    const rt = this.runtime;
    if (!rt) throw new Error('no instance is open');
    this.busy = req.plan;
    this.progress = null;
    this.changed();
    try {
      const out = await rt.run(req);
      this.lastOutcome = out;
      return out;
    } finally {
      this.busy = null;
      await this.refresh();
    }
  }

  // ---- administrators and key parts ---------------------------------------------------------

  /**
   * Administrators installed on a unit but unknown to the directory are recorded with location
   * "unit" (the certificate as the unit holds it, checked by the client), so they have names
   * and can be chosen as signers.
   */
  private async learnUnitAdmins(rt: InstanceRuntime, s: InstanceSnapshot): Promise<void> {
    const known = new Set(this.admins.map((a) => a.ski));
    let learned = false;
    for (const u of reachableUnits(s)) {
      for (const ski of u.adminSkis) {
        if (known.has(ski)) continue;
        const link = rt.context.units.find((l) => l.unitId === u.unitId);
        if (!link) continue;
        try {
          const cert = await link.client.adminCertificate(fromHex(ski));
          await this.store.admins.add(cert.der, { kind: 'unit' });
          known.add(ski);
          learned = true;
        } catch {
          // shown by SKI until it can be read
        }
      }
    }
    if (learned) await this.reloadAdmins();
  }

  async reloadAdmins(): Promise<void> {
    this.admins = await this.store.admins.list();
  }

  /** Add a certificate to the directory, or move an existing entry to the new location. */
  async recordAdmin(certificate: Uint8Array, location: AdminRecord['location']): Promise<AdminRecord> {
    let rec: AdminRecord;
    try {
      rec = await this.store.admins.add(certificate, location);
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
      rec = await this.store.admins.setLocation(e.key, location);
    }
    await this.reloadAdmins();
    this.changed();
    return rec;
  }

  /** Open a key part file for listing (no password needed); the part stays encrypted. */
  async openPartFile(fileName: string, text: string): Promise<OpenedPartFile> {
    const info = await this.partHolder.addFile(text);
    const f: OpenedPartFile = { fileName, partId: info.id, description: info.description, vp: vpDisplay(info.vp) };
    this.partFiles = [...this.partFiles, f];
    this.changed();
    return f;
  }

  closePartFile(partId: string): void {
    this.partHolder.remove(partId);
    this.partFiles = this.partFiles.filter((f) => f.partId !== partId);
    this.changed();
  }

  /** The card doctor's findings for this browser (no device is touched). */
  async diagnoseCards(): Promise<CardAccessReport> {
    const { diagnoseCardAccess } = await loadCardRuntime();
    return diagnoseCardAccess(this.platform.doctorEnv?.() ?? {});
  }
}

/** The store was closed under the page (another tab upgraded it). */
export class StorageClosedError extends Error {
  override name = 'StorageClosedError';
  readonly remedy = 'Reload this page (another tab of webtke updated the browser\'s storage to a newer version).';
  constructor() {
    super('webtke\'s storage was closed because another tab opened a newer version of it');
  }
}

export function newSimulatedInstance(name: string, units: number) {
  if (!Number.isInteger(units) || units < MIN_SIM_UNITS || units > MAX_SIM_UNITS) {
    throw new RangeError(`a simulated instance has ${MIN_SIM_UNITS}–${MAX_SIM_UNITS} units`);
  }
  return {
    name,
    kind: 'simulated' as const,
    units: Array.from({ length: units }, (_, i) => ({ label: `Unit ${i + 1}`, endpoint: { kind: 'simulated' as const, index: i } })),
  };
}
