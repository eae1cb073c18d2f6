/**
 * For the Master key, Key storage and Journal view tests: the real app (store in IndexedDB,
 * the simulation worker with its default 2 units, the engine) with a scripted person behind the
 * consent interface — administrators who sign (WebCrypto keys), custodians who type the
 * password of their key part file (real software key part files, 1 PBKDF2 iteration), and
 * confirmations answered by a function (by default: the real typed-confirmation dialog, which
 * the test fills in).
 */
import type { ConfirmRequest, ProgressReport, SignerRequest, WrapRequest } from '../../src/ceremony/index.ts';
import type { AdminSigner } from '../../src/custodian/index.ts';
import { createKeyPart } from '../../src/custodian/soft/index.ts';
import type { AppPlatform, ConsentHost } from '../../src/ui/app-model.ts';
import { ConfirmDialog, type ConfirmQuestion } from '../../src/ui/consent/confirm-dialog.ts';
import { CryptoUnitClient, type UnitState } from '../../src/cryptounit/client.ts';
import { createTestAdmins, type TestAdmin } from '../fakes/test-admins.ts';
import { nobleVp, xorParts } from '../fakes/unit-requests.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { mount } from './helpers.ts';

export const KDF = { insecureIterationsForTests: 1 };
export const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
/** "1a2b…" → "1A2B 3C4D …", written here independently of the app's formatter. */
export const grouped = (h: string): string => h.toUpperCase().match(/.{1,4}/g)!.join(' ');

export interface TestPart {
  partId: string;
  description: string;
  value: Uint8Array;
  password: string;
}

export class ScriptedConsent implements ConsentHost {
  readonly signerRequests: SignerRequest[] = [];
  readonly wrapRequests: WrapRequest[] = [];
  readonly confirms: ConfirmRequest[] = [];
  readonly progressReports: ProgressReport[] = [];
  /** how a confirmation is answered (default: through `dialog`, see below) */
  answer: ((r: ConfirmRequest) => Promise<boolean>) | null = null;
  /** the typed-confirmation dialog the test fills in when `answer` is null */
  dialog: ConfirmDialog | null = null;

  constructor(readonly admins: TestAdmin[], readonly parts: TestPart[]) {}

  async chooseSigners(r: SignerRequest): Promise<AdminSigner[]> {
    this.signerRequests.push(r);
    return r.candidates
      .map((cand) => this.admins.find((a) => hex(a.ski) === cand.ski))
      .filter((a): a is TestAdmin => a !== undefined)
      .slice(0, r.required)
      .map((a) => ({ name: a.name, certificate: a.certificate, ski: a.ski, curve: a.curve, sign: (b: Uint8Array) => a.sign(b), close: () => undefined }));
  }

  async wrapParts(r: WrapRequest): Promise<Uint8Array[][]> {
    this.wrapRequests.push(r);
    const out: Uint8Array[][] = [];
    for (const p of r.parts) {
      const part = this.parts.find((x) => x.partId === p.partId);
      if (!part) throw new Error(`test: no password for part ${p.partId}`);
      out.push(await p.holder.wrapForImporters(p.partId, r.importers.map((i) => i.spki), part.password));
    }
    return out;
  }

  async confirm(r: ConfirmRequest): Promise<boolean> {
    this.confirms.push(r);
    if (this.answer) return this.answer(r);
    return this.ask({ title: r.title, detail: r.detail, typedPhrase: r.typedPhrase, kind: r.kind });
  }

  async ask(q: ConfirmQuestion): Promise<boolean> {
    if (!this.dialog) this.dialog = await mount(new ConfirmDialog());
    return this.dialog.ask(q);
  }

  progress(r: ProgressReport): void {
    this.progressReports.push(r);
  }

  async promptSecret(): Promise<string> {
    throw new Error('test: no PIN prompt expected');
  }
}

export interface CeremonyApp extends StartedApp {
  consent: ScriptedConsent;
  admins: TestAdmin[];
  parts: TestPart[];
  /** a key part file (typed value unless given), opened in the app's session */
  addPart(description: string, value?: Uint8Array): Promise<TestPart>;
  /** each unit as an independent client reads it (pinned to the stored roots) */
  unitStates(): Promise<UnitState[]>;
}

export async function ceremonyApp(adminCount = 2, platform: Partial<AppPlatform> = {}): Promise<CeremonyApp> {
  const started = await startApp({ keyFiles: KDF, ...platform });
  const admins = await createTestAdmins(c, adminCount, 'P-256');
  const parts: TestPart[] = [];
  const consent = new ScriptedConsent(admins, parts);
  started.app.consent.host = consent;
  const waitReady = async () => {
    for (let i = 0; i < 600 && !started.app.snapshot; i++) await new Promise((r) => setTimeout(r, 50));
    if (!started.app.snapshot) throw new Error('test: the app did not query its units');
  };
  await waitReady();
  return {
    ...started,
    consent,
    admins,
    parts,
    async addPart(description, value) {
      const v = value ?? c.getRandomValues(new Uint8Array(32));
      const password = `part-pw-${hex(c.getRandomValues(new Uint8Array(4)))}`;
      const { text } = await createKeyPart(c, { description, password, value: hex(v) }, KDF);
      const opened = await started.app.openPartFile(`${description}.webtke-part.json`, text);
      const p = { partId: opened.partId, description, value: v, password };
      parts.push(p);
      return p;
    },
    async unitStates() {
      const inst = (await started.store.instances.get(started.app.instance!.id))!;
      const out: UnitState[] = [];
      for (const u of inst.units) {
        const client = new CryptoUnitClient({ transport: started.app.sim!.transport(u.id), crypto: c, pinnedRoot: u.pinnedRoot!.fingerprint });
        await client.connect();
        out.push(await client.state());
      }
      return out;
    },
  };
}

/** Administrators on every unit, thresholds sign/revoke (through the engine, not a view). */
export async function authenticate(t: CeremonyApp, sign = 2, revoke = 2): Promise<void> {
  await t.app.run({ plan: 'add-admins', certificates: t.admins.map((a) => a.certificate) });
  await t.app.run({ plan: 'set-thresholds', sign, revoke });
}

/** A first master key from `parts`, through the engine; returns its VP (hex, computed here). */
export async function activate(t: CeremonyApp, parts: TestPart[]): Promise<string> {
  await t.app.run({ plan: 'load-master-key', parts: parts.map((p) => ({ holder: t.app.partHolder, partId: p.partId })), importerCurve: 'P-256' });
  return vpOfParts(parts);
}

/** VP of the XOR of the parts, computed with @noble/hashes (not the app's code). */
export const vpOfParts = (parts: readonly TestPart[]): string => hex(nobleVp(xorParts(parts.map((p) => p.value))));
