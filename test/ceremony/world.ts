/**
 * A test world for the ceremony engine: a simulated host with 2–3 SimulatedCryptoUnits behind
 * switchable memory transports, a store (fake-indexeddb in Node, the real IndexedDB in
 * Chromium), an instance, software custodians (admin signature key files and key part files
 * with known values, 1 PBKDF2 iteration), and a Consent that opens them as a person would.
 *
 * Everything secret the world makes (part values, private scalars, passwords) is listed in
 * `secrets` so tests can scan the journal and the store for them.
 */
import { concat, toHex } from '../../src/bytes/index.ts';
import { exportPkcs8, exportPublicPoint, generateEcKeyPair, type CurveName } from '../../src/crypto/index.ts';
import { decodeAdminBlock, decodeAdminRequest } from '../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../src/cryptounit/simulated/index.ts';
import { MemoryUnitTransport } from '../../src/cryptounit/transports/memory.ts';
import { UnitTransportError, type UnitTransport } from '../../src/cryptounit/transport.ts';
import {
  createKeyPart, openSignatureKeyFile, SoftKeyPartHolder,
} from '../../src/custodian/soft/index.ts';
import { writeSignatureKeyFile } from '../../src/custodian/soft/signature-key-file.ts';
import { importSigningKey } from '../../src/custodian/soft/signing-key.ts';
import type { AdminSigner } from '../../src/custodian/index.ts';
import { InstanceRuntime, type Consent, type ConfirmRequest, type PartChoice, type ProgressReport, type SignerRequest, type WrapRequest } from '../../src/ceremony/index.ts';
import { openStore, type InstanceRecord, type WebtkeStore } from '../../src/store/index.ts';
import { testIdb, type TestIdb } from '../store/idb-env.ts';
import { nobleVp, xorParts } from '../fakes/unit-requests.ts';

export const c = globalThis.crypto;
export const KDF = { insecureIterationsForTests: 1 };

/**
 * A transport a test can take down. Modes:
 *   up            pass through
 *   down          every send fails before reaching the unit (UnitTransportError 'closed')
 *   lose-answer   the unit runs the request, the answer is lost (UnitTransportError 'timeout')
 * `failOn(code, mode)` switches to `mode` for the next request whose block carries `code`
 * (after `skip` such requests) and stays there.
 */
export class FlakyTransport implements UnitTransport {
  mode: 'up' | 'down' | 'lose-answer' = 'up';
  sent = 0;
  /** commands seen (decoded from each request), in order */
  readonly commands: number[] = [];
  private trigger: { code: number; mode: 'down' | 'lose-answer'; skip: number } | null = null;
  /** called before a request reaches the unit (tests observe FINALIZE_WK etc.) */
  onCommand: ((code: number, payload: Uint8Array, counter: bigint) => void | Promise<void>) | null = null;

  constructor(private inner: UnitTransport, readonly unitId: string) {}

  failOn(code: number, mode: 'down' | 'lose-answer', skip = 0): void {
    this.trigger = { code, mode, skip };
  }

  async send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    let code = -1;
    let payload: Uint8Array = new Uint8Array(0);
    let counter = 0n;
    try {
      const block = decodeAdminBlock(decodeAdminRequest(request).adminBlock);
      code = block.command;
      payload = block.payload;
      counter = block.counter.reduce((a, b) => (a << 8n) | BigInt(b), 0n);
    } catch {
      // not ours to judge
    }
    if (this.trigger && code === this.trigger.code) {
      if (this.trigger.skip > 0) this.trigger.skip--;
      else {
        this.mode = this.trigger.mode;
        this.trigger = null;
      }
    }
    if (this.mode === 'down') throw new UnitTransportError('closed', `test: unit ${this.unitId} is down`, this.unitId);
    if (this.onCommand) await this.onCommand(code, payload, counter);
    this.commands.push(code);
    this.sent++;
    const answer = await this.inner.send(request, signal);
    if (this.mode === 'lose-answer') {
      this.mode = 'down';
      throw new UnitTransportError('timeout', `test: the answer of unit ${this.unitId} was lost`, this.unitId);
    }
    return answer;
  }
}

export interface AdminFile {
  name: string;
  ski: string;
  text: string;
  password: string;
  certificate: Uint8Array;
  /** the private scalar (for secret scans only) */
  scalar: Uint8Array;
}

export type KeyName = 'A' | 'B' | 'X';

export interface PartFile {
  key: KeyName;
  id: string;
  value: Uint8Array;
  password: string;
}

const b64url = (s: string): Uint8Array => {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (x) => x.charCodeAt(0));
};

function password(prefix: string): string {
  return `${prefix}-${toHex(c.getRandomValues(new Uint8Array(6)))}`;
}

export async function makeAdminFile(name: string, curve: CurveName = 'P-256'): Promise<AdminFile> {
  const pair = await generateEcKeyPair(c, curve, 'ECDSA', true);
  const pkcs8 = await exportPkcs8(c, pair.privateKey);
  const publicPoint = await exportPublicPoint(c, pair.publicKey);
  const jwk = await c.subtle.exportKey('jwk', pair.privateKey);
  const privateKey = await importSigningKey(c, curve, pkcs8, publicPoint);
  const pw = password('admin-pw');
  const { text, signer } = await writeSignatureKeyFile(c, { name, curve, pkcs8, publicPoint, privateKey }, pw, KDF);
  const rec = { name, ski: toHex(signer.ski), text, password: pw, certificate: signer.certificate, scalar: b64url(jwk.d!) };
  signer.close();
  return rec;
}

/** The consent a person gives, scripted: opens the needed signers, wraps with the passwords. */
export class TestConsent implements Consent {
  readonly signerRequests: SignerRequest[] = [];
  readonly wrapRequests: WrapRequest[] = [];
  readonly confirms: ConfirmRequest[] = [];
  readonly progressReports: ProgressReport[] = [];
  /** answer to confirm(); default yes */
  answer: (r: ConfirmRequest) => boolean = () => true;
  /** which admins sign (default: the first `required` candidates this world has files for) */
  pick: ((r: SignerRequest) => AdminFile[]) | null = null;
  /** every signer handed out, to check they were closed */
  readonly opened: { signer: AdminSigner; closed: () => boolean }[] = [];

  constructor(private readonly world: { admins: AdminFile[]; partFiles: PartFile[] }) {}

  async chooseSigners(r: SignerRequest): Promise<AdminSigner[]> {
    this.signerRequests.push(r);
    const files = this.pick
      ? this.pick(r)
      : r.candidates.map((cand) => this.world.admins.find((a) => a.ski === cand.ski)).filter((a): a is AdminFile => a !== undefined).slice(0, r.required);
    const out: AdminSigner[] = [];
    for (const f of files) {
      const s = await openSignatureKeyFile(c, f.text, f.password, KDF);
      this.opened.push({ signer: s, closed: () => s.closed });
      out.push(s);
    }
    return out;
  }

  async wrapParts(r: WrapRequest): Promise<Uint8Array[][]> {
    this.wrapRequests.push(r);
    const spkis = r.importers.map((i) => i.spki);
    const out: Uint8Array[][] = [];
    for (const p of r.parts) {
      const file = this.world.partFiles.find((f) => f.id === p.partId);
      if (!file) throw new Error(`test: no password for part ${p.partId}`);
      out.push(await p.holder.wrapForImporters(p.partId, spkis, file.password));
    }
    return out;
  }

  async confirm(r: ConfirmRequest): Promise<boolean> {
    this.confirms.push(r);
    return this.answer(r);
  }

  progress(r: ProgressReport): void {
    this.progressReports.push(r);
  }
}

export interface WorldOptions {
  units?: number;
  admins?: number;
  adminCurve?: CurveName;
  batchSize?: number;
  /** parts per key (2 or 3) */
  partsPerKey?: number;
}

/** A world's state as bytes: exported units and the key storage (to rebuild it elsewhere). */
export interface WorldImage {
  units: Uint8Array[];
  keys: { label: string; blob: Uint8Array; nextBlob?: Uint8Array }[];
  rotation: { fromVp: string; toVp: string } | null;
}

export interface World {
  host: SimulatedHost;
  sims: SimulatedCryptoUnit[];
  transports: FlakyTransport[];
  idb: TestIdb;
  store: WebtkeStore;
  instance: InstanceRecord;
  admins: AdminFile[];
  partFiles: PartFile[];
  holder: SoftKeyPartHolder;
  parts: Record<KeyName, PartChoice[]>;
  /** VP of each master key, computed independently (noble SHA-256 over the XOR of the parts) */
  vps: Record<KeyName, string>;
  consent: TestConsent;
  batchSize: number;
  /** every secret the world made: part values, private scalars, passwords (UTF-8) */
  secrets: { what: string; bytes: Uint8Array }[];
  /** a new runtime over the same store and units (a reload) */
  runtime(): Promise<InstanceRuntime>;
  /** replace the units by restored copies (their exported states) */
  restoreUnits(states: Uint8Array[]): Promise<void>;
  /** export the units and the key storage */
  image(): Promise<WorldImage>;
  /** a fresh store and instance (empty journal), units restored from `image` (or new ones) */
  rebuild(image: WorldImage | null): Promise<void>;
  done(): Promise<void>;
}

async function freshStore(nUnits: number): Promise<{ idb: TestIdb; store: WebtkeStore; instance: InstanceRecord }> {
  const idb = await testIdb();
  const store = await openStore({ indexedDB: idb.indexedDB, crypto: c, name: idb.name });
  const instance = await store.instances.create({
    name: 'Test instance',
    kind: 'simulated',
    units: Array.from({ length: nUnits }, (_, i) => ({ label: `Unit ${i + 1}`, endpoint: { kind: 'simulated' as const, index: i } })),
  });
  return { idb, store, instance };
}

export async function makeWorld(o: WorldOptions = {}): Promise<World> {
  const nUnits = o.units ?? 3;
  const host = await SimulatedHost.create({ crypto: c });
  const sims: SimulatedCryptoUnit[] = [];
  for (let i = 0; i < nUnits; i++) sims.push(await SimulatedCryptoUnit.create({ host, crypto: c }));
  const { idb, store, instance } = await freshStore(nUnits);
  const transports = instance.units.map((u, i) => new FlakyTransport(new MemoryUnitTransport((r) => world.sims[i].handle(r), { unitId: u.id }), u.id));
  const admins: AdminFile[] = [];
  for (let i = 0; i < (o.admins ?? 3); i++) admins.push(await makeAdminFile(`Admin ${i + 1}`, o.adminCurve ?? 'P-256'));
  const holder = new SoftKeyPartHolder(c, KDF);
  const partFiles: PartFile[] = [];
  const parts = { A: [], B: [], X: [] } as Record<KeyName, PartChoice[]>;
  const vps = {} as Record<KeyName, string>;
  for (const key of ['A', 'B', 'X'] as KeyName[]) {
    const values: Uint8Array[] = [];
    for (let i = 0; i < (o.partsPerKey ?? 3); i++) {
      const value = c.getRandomValues(new Uint8Array(32));
      const pw = password(`part-pw-${key}${i}`);
      const { text, info } = await createKeyPart(c, { description: `Key ${key} part ${i + 1}`, password: pw, value: toHex(value) }, KDF);
      await holder.addFile(text);
      partFiles.push({ key, id: info.id, value, password: pw });
      parts[key].push({ holder, partId: info.id });
      values.push(value);
    }
    vps[key] = toHex(nobleVp(xorParts(values)));
  }
  const world: World = {
    host, sims, transports, idb, store, instance, admins, partFiles, holder, parts, vps,
    consent: undefined as unknown as TestConsent,
    batchSize: o.batchSize ?? 2,
    secrets: [
      ...partFiles.map((p) => ({ what: `part ${p.key}`, bytes: p.value })),
      ...partFiles.map((p) => ({ what: `part password ${p.key}`, bytes: new TextEncoder().encode(p.password) })),
      ...admins.map((a) => ({ what: `private key of ${a.name}`, bytes: a.scalar })),
      ...admins.map((a) => ({ what: `password of ${a.name}`, bytes: new TextEncoder().encode(a.password) })),
      ...(['A', 'B', 'X'] as KeyName[]).map((k) => ({ what: `master key ${k}`, bytes: xorParts(partFiles.filter((p) => p.key === k).map((p) => p.value)) })),
    ],
    runtime: () =>
      InstanceRuntime.open({
        store: world.store,
        instanceId: world.instance.id,
        crypto: c,
        consent: world.consent,
        transportFor: (u) => world.transports[world.instance.units.findIndex((x) => x.id === u.id)],
        reencryptBatchSize: world.batchSize,
      }),
    async restoreUnits(states) {
      for (let i = 0; i < states.length; i++) world.sims[i] = await SimulatedCryptoUnit.restore(states[i], { host, crypto: c });
    },
    async image() {
      const units: Uint8Array[] = [];
      for (const u of world.sims) units.push(await u.exportState());
      const recs = await world.store.keyStorage.list(world.instance.id);
      const rot = await world.store.keyStorage.rotation(world.instance.id);
      return {
        units,
        keys: recs.map((r) => ({ label: r.label, blob: r.blob, ...(r.nextBlob ? { nextBlob: r.nextBlob } : {}) })),
        rotation: rot ? { fromVp: rot.fromVp, toVp: rot.toVp } : null,
      };
    },
    async rebuild(image) {
      world.store.close();
      // a browser may report the old database "blocked" while its last transaction ends; it is
      // deleted once that is over
      await world.idb.cleanup().catch(() => undefined);
      const f = await freshStore(nUnits);
      world.idb = f.idb;
      world.store = f.store;
      world.instance = f.instance;
      if (image) {
        await world.restoreUnits(image.units);
        for (const k of image.keys) await world.store.keyStorage.add(world.instance.id, { label: k.label, blob: k.blob });
        if (image.rotation) {
          await world.store.keyStorage.beginRotation(world.instance.id, image.rotation);
          const staged = image.keys.filter((k) => k.nextBlob).map((k) => k.nextBlob!);
          if (staged.length) await world.store.keyStorage.stage(world.instance.id, staged);
        }
      } else {
        for (let i = 0; i < nUnits; i++) world.sims[i] = await SimulatedCryptoUnit.create({ host, crypto: c });
      }
      world.transports = world.instance.units.map((u, i) => new FlakyTransport(new MemoryUnitTransport((r) => world.sims[i].handle(r), { unitId: u.id }), u.id));
    },
    async done() {
      world.store.close();
      await world.idb.cleanup().catch(() => undefined);
    },
  };
  world.consent = new TestConsent(world);
  return world;
}

/** Every way a secret could be written as text: hex (both cases), base64, grouped hex, raw. */
export function secretForms(bytes: Uint8Array): string[] {
  const hex = toHex(bytes);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  const forms = [hex, hex.toUpperCase(), btoa(bin).replace(/=+$/, '')];
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (/^[\x20-\x7e]+$/.test(text)) forms.push(text);
  // grouped hex of the first 8 bytes as transcripts print them
  forms.push(hex.slice(0, 16).toUpperCase().match(/..../g)!.join(' '));
  return forms;
}

/** Secrets (from `world.secrets`) found in `text`, by name. */
export function secretsIn(world: World, text: string): string[] {
  return world.secrets.filter((s) => secretForms(s.bytes).some((f) => text.includes(f))).map((s) => s.what);
}

export const concatBytes = concat;
