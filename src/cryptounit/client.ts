/**
 * The typed crypto unit client (DESIGN §2, §3): typed queries and commands over a UnitTransport,
 * with every response verified before it is believed.
 *
 * - connect() reads DEVICE_CERT 0 (the unit's OA certificate) and 1 (the host root), verifies
 *   the chain, and pins the root's SPKI fingerprint ("SHA256:…", as SSH shows keys) on first
 *   use, or checks it against the pinned one. The OA key then verifies every response
 *   (client/verify-response.ts lists the checks).
 * - Commands are prepared (the AdminBlock bound to this unit's domain, module and next
 *   counter, with a description in words), signed through AdminSigner, and submitted. A
 *   prepared command also travels as JSON for signing on another device.
 * - A non-zero return code is UnitError (rc, reason, message, remedy); a response that fails
 *   verification is ResponseAuthError and changes nothing the client knows; transport failures
 *   are UnitTransportError.
 *
 * One exchange runs at a time, so responses are seen in the order the unit gave them.
 */
import { bytesEqual, concat, readU32be, toHex, u32be } from '../bytes/index.ts';
import { importPublicPoint, subjectKeyIdentifier, type WebCrypto } from '../crypto/index.ts';
import {
  Command, COUNTER_LENGTH, decodeAdminBlock, decodeDomainInfo, decodeEcSpki, decodeKeyBlob, decodeSignerInfo,
  DOMAIN_LENGTH, encodeAdminBlock, encodeAdminRequest, encodeAttributePairs, encodeBlobWithData, ImporterKeyType,
  isStateChanging, KeyStorageOp, MODULE_LENGTH, OaChainError, parseAdminCertificate, ProtocolDecodeError, Query,
  signerInfoCurve, splitDerSequence, readCounter as readCounterField, verifyOaChain, verifySignerInfo, Attribute, BLOB_IV_LENGTH, KEY_ID_LENGTH,
  type AdminCertificate, type CommandCode, type DomainInfo, type QueryCode, type KeyStorageCode,
} from './protocol/index.ts';
import type { UnitTransport } from './transport.ts';
import type { AdminSigner } from './client/admin-signer.ts';
import { PreparedCommandError, ResponseAuthError, SignerError, UnitError, UnitProtocolError } from './client/errors.ts';
import { copyIdentity, sameUnit, type UnitIdentity } from './client/identity.ts';
import { buildPreparedCommand, type PreparedCommand } from './client/prepared-command.ts';
import { decodeUnitAttributes, type ImporterInfo, type UnitAttributes, type UnitState } from './client/state.ts';
import { peekResponse, verifyResponse, type Expectation, type VerifiedResponse } from './client/verify-response.ts';

export type { AdminSigner } from './client/admin-signer.ts';
export * from './client/errors.ts';
export { type UnitIdentity, describeUnit, sameUnit } from './client/identity.ts';
export {
  type PreparedCommand, type SignatureText, blockFingerprint, buildPreparedCommand, preparedCommandFromJson, preparedCommandToJson,
  signatureFromJson, signatureToJson, signatureForCommand, PREPARED_COMMAND_FORMAT, SIGNATURE_FORMAT,
} from './client/prepared-command.ts';
export { describeAdminBlock } from './client/describe.ts';
export { type ImporterInfo, type UnitAttributes, type UnitState, decodeUnitAttributes } from './client/state.ts';
export { type ResponseCheck } from './client/errors.ts';
export { toBase64, fromBase64, Base64Error } from './client/base64.ts';

export interface CryptoUnitClientOptions {
  transport: UnitTransport;
  crypto: WebCrypto;
  /** the unit's domain index (default 0); every request names it and every response must repeat it */
  domainIndex?: number;
  /** the root fingerprint pinned earlier ("SHA256:…"); without it the first connect pins one */
  pinnedRoot?: string;
  /**
   * Called once with the root fingerprint on first use (no pinnedRoot). Show it as SSH does and
   * let the user compare it; throw (or reject) to refuse the unit. The caller stores it.
   */
  onFirstUse?: (fingerprint: string) => void | Promise<void>;
}

export interface ExchangeOptions {
  signal?: AbortSignal;
}

export interface CommandResult {
  /** the response payload (e.g. the importer SPKI, the new register VP) */
  payload: Uint8Array;
  /** the unit's counter after the command */
  counter: bigint;
}

export interface ImportPart {
  prepared: PreparedCommand;
  signerInfos: Uint8Array[];
}

/** Most blobs one REENCRYPT takes (DESIGN §3.8 as the unit implements it). */
export const MAX_BLOBS_PER_REENCRYPT = 1024;
const MIN_PARTS = 2;
const MAX_PARTS = 3;
const VP_LENGTH = 32;
const SKI_LENGTH = 32;
const GCM_OVERHEAD = BLOB_IV_LENGTH + 16;

interface Session {
  identity: UnitIdentity;
  oaKey: CryptoKey;
  counter: bigint;
  oaCertificate: Uint8Array;
  rootCertificate: Uint8Array;
}

const zeros = (n: number): Uint8Array => new Uint8Array(n);

export class CryptoUnitClient {
  readonly transport: UnitTransport;
  private readonly c: WebCrypto;
  readonly domainIndex: number;
  private pinned: string | undefined;
  private readonly onFirstUse?: (fingerprint: string) => void | Promise<void>;
  private session: Session | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly adminCache = new Map<string, AdminCertificate>();

  constructor(opts: CryptoUnitClientOptions) {
    this.transport = opts.transport;
    this.c = opts.crypto;
    this.domainIndex = opts.domainIndex ?? 0;
    if (!Number.isInteger(this.domainIndex) || this.domainIndex < 0 || this.domainIndex > 0xffffffff) throw new RangeError('domainIndex is a u32');
    if (opts.pinnedRoot !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(opts.pinnedRoot)) {
      throw new RangeError('pinnedRoot must be "SHA256:" followed by 43 base64 characters');
    }
    this.pinned = opts.pinnedRoot;
    this.onFirstUse = opts.onFirstUse;
  }

  // ---- what the client knows ------------------------------------------------------------

  get connected(): boolean {
    return this.session !== undefined;
  }

  /** The pinned root fingerprint (given, or pinned by the first connect). */
  get pinnedRoot(): string | undefined {
    return this.pinned;
  }

  /** The unit's identity from verified responses (a copy). */
  get identity(): UnitIdentity {
    return copyIdentity(this.need().identity);
  }

  /** The highest counter the unit has shown in a verified response. */
  get counter(): bigint {
    return this.need().counter;
  }

  /** The unit's OA certificate and the host root, as read at connect (DER). */
  get certificates(): { oa: Uint8Array; root: Uint8Array } {
    const s = this.need();
    return { oa: s.oaCertificate.slice(), root: s.rootCertificate.slice() };
  }

  private need(): Session {
    if (!this.session) throw new Error('the unit client is not connected: call connect() first');
    return this.session;
  }

  // ---- exchanges --------------------------------------------------------------------------

  /** Run `fn` after every earlier exchange has finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private request(adminBlock: Uint8Array, signerInfos: Uint8Array[] = []): Uint8Array {
    return encodeAdminRequest({ domainIndex: this.domainIndex, adminBlock, signerInfos });
  }

  /** The block of a query or key-storage operation: binding and counter zero-filled (§3.3). */
  private unboundBlock(command: number, payload: Uint8Array): Uint8Array {
    return encodeAdminBlock({ command, domain: zeros(DOMAIN_LENGTH), module: zeros(MODULE_LENGTH), counter: zeros(COUNTER_LENGTH), payload });
  }

  /**
   * Send one request and verify its response against what the client knows. Only a verified
   * response updates the counter and domain instance.
   */
  private exchange(adminBlock: Uint8Array, expect: Expectation, signerInfos: Uint8Array[] = [], opts: ExchangeOptions = {}): Promise<VerifiedResponse> {
    return this.serial(async () => {
      const s = this.need();
      const raw = await this.transport.send(this.request(adminBlock, signerInfos), opts.signal);
      const v = await verifyResponse(
        this.c,
        raw,
        { oaKey: s.oaKey, oaSki: s.identity.oaSki, domainIndex: this.domainIndex },
        { module: concat(s.identity.moduleSerial, s.identity.moduleInstance), domainInstance: s.identity.domainInstance, counter: s.counter },
        expect,
      );
      if (!bytesEqual(v.domainInstance, s.identity.domainInstance)) this.adminCache.clear();
      s.counter = v.counter;
      s.identity.domainInstance = v.domainInstance;
      return v;
    });
  }

  /** A verified response's payload, or UnitError for a non-zero rv. */
  private static ok(v: VerifiedResponse, command: number): Uint8Array {
    if (v.rv === 0) return v.payload;
    if (v.payload.length !== 4) throw new UnitProtocolError(`error ${v.rv} came with a reason of ${v.payload.length} bytes, not 4`, command);
    throw new UnitError(v.rv, readU32be(v.payload), command);
  }

  // ---- connect ------------------------------------------------------------------------------

  /**
   * Read and verify the unit's certificates, pin or check the root, and learn the unit's
   * identity and counter from the two verified responses. Connecting again re-checks
   * everything and refuses another unit (another OA key or module) than before.
   */
  connect(opts: ExchangeOptions = {}): Promise<UnitIdentity> {
    return this.serial(async () => {
      const certRequest = (index: number): Uint8Array => this.request(this.unboundBlock(Query.DEVICE_CERT, u32be(index)));
      const raw0 = await this.transport.send(certRequest(0), opts.signal);
      const raw1 = await this.transport.send(certRequest(1), opts.signal);
      const p0 = peekResponse(raw0, Query.DEVICE_CERT);
      const p1 = peekResponse(raw1, Query.DEVICE_CERT);
      for (const p of [p0, p1]) {
        if (p.rv !== 0) {
          const reason = p.payload.length === 4 ? readU32be(p.payload) : 0;
          throw new ResponseAuthError('chain', `the unit did not give its certificates (it answered ${p.rv}/${reason}, which cannot be authenticated without them; is domain index ${this.domainIndex} right?)`, Query.DEVICE_CERT);
        }
      }
      let chain: Awaited<ReturnType<typeof verifyOaChain>>;
      try {
        chain = await verifyOaChain(this.c, p0.payload, p1.payload);
      } catch (e) {
        if (e instanceof OaChainError) throw new ResponseAuthError('chain', e.message, Query.DEVICE_CERT);
        throw e;
      }
      if (this.pinned !== undefined && chain.rootFingerprint !== this.pinned) {
        throw new ResponseAuthError('pinned-root', `the unit's root is ${chain.rootFingerprint}, but ${this.pinned} is pinned`, Query.DEVICE_CERT);
      }
      const keys = { oaKey: chain.oaKey, oaSki: chain.oaSki, domainIndex: this.domainIndex };
      const prev = this.session;
      if (prev && !bytesEqual(prev.identity.oaSki, chain.oaSki)) {
        throw new ResponseAuthError('identity', 'the unit has another OA key than the unit this client was connected to', Query.DEVICE_CERT);
      }
      const known = prev
        ? { module: concat(prev.identity.moduleSerial, prev.identity.moduleInstance), domainInstance: prev.identity.domainInstance, counter: prev.counter }
        : {};
      const v0 = await verifyResponse(this.c, raw0, keys, known, { command: Query.DEVICE_CERT });
      const v1 = await verifyResponse(
        this.c, raw1, keys, { module: v0.module, domainInstance: v0.domainInstance, counter: v0.counter }, { command: Query.DEVICE_CERT },
      );
      const identity: UnitIdentity = {
        domainIndex: this.domainIndex,
        domainInstance: v1.domainInstance,
        moduleSerial: v1.module.slice(0, 8),
        moduleInstance: v1.module.slice(8, 16),
        oaSki: chain.oaSki,
        rootFingerprint: chain.rootFingerprint,
      };
      if (this.pinned === undefined) {
        await this.onFirstUse?.(chain.rootFingerprint);
        this.pinned = chain.rootFingerprint;
      }
      this.adminCache.clear();
      this.session = { identity, oaKey: chain.oaKey, counter: v1.counter, oaCertificate: p0.payload.slice(), rootCertificate: p1.payload.slice() };
      return copyIdentity(identity);
    });
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Run a query (or key-storage operation) and return its verified, successful payload. */
  async query(code: QueryCode | KeyStorageCode, payload: Uint8Array = new Uint8Array(0), opts: ExchangeOptions = {}): Promise<Uint8Array> {
    if (isStateChanging(code)) throw new RangeError('query() takes query and key-storage codes; commands go through prepare() and submit()');
    const v = await this.exchange(this.unboundBlock(code, payload), { command: code }, [], opts);
    return CryptoUnitClient.ok(v, code);
  }

  /** DOMADMIN: the installed admins' SKIs, in order of installation. */
  async adminSkis(): Promise<Uint8Array[]> {
    const p = await this.query(Query.DOMADMIN);
    if (p.length % SKI_LENGTH !== 0 || p.length > 8 * SKI_LENGTH) throw new UnitProtocolError(`an SKI list of ${p.length} bytes`, Query.DOMADMIN);
    const out: Uint8Array[] = [];
    for (let o = 0; o < p.length; o += SKI_LENGTH) out.push(p.slice(o, o + SKI_LENGTH));
    return out;
  }

  /** DOMADMIN with an SKI: that admin's certificate, verified (self-signature, SKI, name). */
  async adminCertificate(ski: Uint8Array): Promise<AdminCertificate> {
    if (ski.length !== SKI_LENGTH) throw new RangeError('an SKI is 32 bytes');
    const key = toHex(ski);
    const cached = this.adminCache.get(key);
    if (cached) return cached;
    const der = await this.query(Query.DOMADMIN, ski);
    let cert: AdminCertificate;
    try {
      cert = await parseAdminCertificate(this.c, der);
    } catch (e) {
      if (e instanceof ProtocolDecodeError) throw new UnitProtocolError(`the unit returned an invalid admin certificate (${e.message})`, Query.DOMADMIN);
      throw e;
    }
    if (!bytesEqual(cert.ski, ski)) throw new UnitProtocolError('the unit returned the certificate of another admin', Query.DOMADMIN);
    this.adminCache.set(key, cert);
    return cert;
  }

  /** Every installed admin's certificate, in order of installation. */
  async admins(): Promise<AdminCertificate[]> {
    const out: AdminCertificate[] = [];
    for (const ski of await this.adminSkis()) out.push(await this.adminCertificate(ski));
    return out;
  }

  /** DOM_ATTRS: thresholds and mode. */
  async attributes(): Promise<UnitAttributes> {
    return decodeUnitAttributes(await this.query(Query.DOM_ATTRS));
  }

  /** DEVICE_CERT: 0 = the unit's OA certificate, 1 = the host root (rc 96 past the end). */
  async deviceCertificate(index: number): Promise<Uint8Array> {
    return this.query(Query.DEVICE_CERT, u32be(index));
  }

  /** IMPORTER: the current importer key, or null when there is none (rc 96). */
  async importer(): Promise<ImporterInfo | null> {
    let spki: Uint8Array;
    try {
      spki = await this.query(Query.IMPORTER);
    } catch (e) {
      if (e instanceof UnitError && e.rc === 96) return null;
      throw e;
    }
    return this.importerInfo(spki, Query.IMPORTER);
  }

  private async importerInfo(spki: Uint8Array, command: number): Promise<ImporterInfo> {
    try {
      const k = decodeEcSpki(spki);
      if (k.curve === 'P-384') throw new UnitProtocolError('the importer key is on P-384, which no importer type names', command);
      await importPublicPoint(this.c, k.curve, k.point, 'ECDH');
      return { spki: spki.slice(), curve: k.curve, ski: await subjectKeyIdentifier(this.c, k.point) };
    } catch (e) {
      if (e instanceof UnitProtocolError) throw e;
      throw new UnitProtocolError(`the importer key is not a valid RFC 5480 EC key (${(e as Error).message})`, command);
    }
  }

  /** DOMAIN_INFO: both registers' states and VPs. */
  async domainInfo(): Promise<DomainInfo> {
    const p = await this.query(Query.DOMAIN_INFO);
    try {
      return decodeDomainInfo(p);
    } catch (e) {
      throw new UnitProtocolError((e as Error).message, Query.DOMAIN_INFO);
    }
  }

  /**
   * Everything the ceremony layer compares across units, in one object. If the counter moves
   * while the queries run (another client), the snapshot is taken again (up to 3 times);
   * `stable` says whether the last one saw no movement.
   */
  async state(): Promise<UnitState> {
    for (let attempt = 1; ; attempt++) {
      const registers = await this.domainInfo();
      const start = this.need().counter;
      const startInstance = this.need().identity.domainInstance;
      const attributes = await this.attributes();
      const admins = await this.admins();
      const importer = await this.importer();
      const s = this.need();
      const stable = s.counter === start && bytesEqual(s.identity.domainInstance, startInstance);
      if (stable || attempt === 3) {
        return { identity: copyIdentity(s.identity), counter: s.counter, admins, attributes, registers, importer, stable };
      }
    }
  }

  // ---- commands -----------------------------------------------------------------------------

  /**
   * Prepare a state-changing command: its AdminBlock bound to this unit's domain, module and
   * the next counter. The counter and domain instance are refreshed first by a query (unless
   * `refresh: false`), so a command prepared now is valid until the next state change.
   */
  async prepare(command: CommandCode, payload: Uint8Array, opts: { refresh?: boolean } = {}): Promise<PreparedCommand> {
    if (command === Command.IMPORT_WK) throw new RangeError('IMPORT_WK is prepared per part: use prepareImport()');
    return (await this.prepareBlocks(command, [payload], opts))[0];
  }

  private async prepareBlocks(command: CommandCode, payloads: Uint8Array[], opts: { refresh?: boolean }): Promise<PreparedCommand[]> {
    if (!isStateChanging(command)) throw new RangeError('prepare() takes state-changing commands');
    if (opts.refresh !== false) await this.query(Query.DOM_ATTRS);
    const s = this.need();
    const identity = copyIdentity(s.identity);
    const counter = s.counter + 1n;
    const out: PreparedCommand[] = [];
    for (const p of payloads) out.push(await buildPreparedCommand(this.c, identity, command, counter, p));
    return out;
  }

  /** Prepare the 2 or 3 inner requests of IMPORT_WK, one per part envelope, all at one counter. */
  async prepareImport(envelopes: Uint8Array[], opts: { refresh?: boolean } = {}): Promise<PreparedCommand[]> {
    if (envelopes.length < MIN_PARTS || envelopes.length > MAX_PARTS) throw new RangeError('a master key is loaded from 2 or 3 parts');
    return this.prepareBlocks(Command.IMPORT_WK, envelopes, opts);
  }

  /**
   * Check one SignerInfo for a prepared command before it is submitted: it decodes, its signer
   * is an installed admin of this unit, the algorithms fit the admin's curve, and the signature
   * verifies over the AdminBlock with the admin's certificate key. Returns the admin.
   */
  async checkSignerInfo(prepared: PreparedCommand, signerInfo: Uint8Array, expected?: AdminSigner): Promise<AdminCertificate> {
    let si: ReturnType<typeof decodeSignerInfo>;
    try {
      si = decodeSignerInfo(signerInfo);
    } catch (e) {
      throw new SignerError(`the signature is not a valid SignerInfo (${(e as Error).message})`, expected ? toHex(expected.ski) : undefined);
    }
    const skiHex = toHex(si.ski);
    if (expected && !bytesEqual(si.ski, expected.ski)) throw new SignerError(`the signer returned a SignerInfo for key ${skiHex}, not its own`, toHex(expected.ski));
    let admin: AdminCertificate;
    try {
      admin = await this.adminCertificate(si.ski);
    } catch (e) {
      if (e instanceof UnitError && e.rc === 32) throw new SignerError(`key ${skiHex} is not an administrator of this unit`, skiHex);
      throw e;
    }
    if (expected && expected.curve !== admin.curve) throw new SignerError(`the signer says ${expected.curve}, its certificate ${admin.curve}`, skiHex);
    if (signerInfoCurve(si) !== admin.curve) throw new SignerError(`the SignerInfo algorithms do not fit ${admin.name}'s ${admin.curve} key`, skiHex);
    const key = await importPublicPoint(this.c, admin.curve, admin.publicPoint, 'ECDSA');
    if (!(await verifySignerInfo(this.c, admin.curve, key, prepared.adminBlock, si))) {
      throw new SignerError(`${admin.name}'s signature does not verify over this command`, skiHex);
    }
    return admin;
  }

  /** Have each signer sign the block, one after another, and check each signature. */
  async collectSignatures(prepared: PreparedCommand, signers: readonly AdminSigner[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const signer of signers) {
      const si = await signer.sign(prepared.adminBlock.slice());
      await this.checkSignerInfo(prepared, si, signer);
      out.push(si.slice());
    }
    return out;
  }

  private checkPrepared(p: PreparedCommand): { domainInstance: Uint8Array } {
    const s = this.need();
    let block: ReturnType<typeof decodeAdminBlock>;
    try {
      block = decodeAdminBlock(p.adminBlock);
    } catch (e) {
      throw new PreparedCommandError(`the prepared block does not decode (${(e as Error).message})`);
    }
    if (block.command !== p.command || readCounterField(block.counter) !== p.counter) {
      throw new PreparedCommandError('the prepared command differs from its block');
    }
    const domainInstance = block.domain.slice(4, 8);
    const bound = { domainIndex: readU32be(block.domain.subarray(0, 4)), domainInstance, moduleSerial: block.module.slice(0, 8), moduleInstance: block.module.slice(8, 16) };
    if (!sameUnit(bound, s.identity)) throw new PreparedCommandError('the command was prepared for another unit');
    return { domainInstance };
  }

  private static distinctSigners(signerInfos: Uint8Array[]): void {
    const seen = new Set<string>();
    for (const si of signerInfos) {
      let ski: string;
      try {
        ski = toHex(decodeSignerInfo(si).ski);
      } catch (e) {
        throw new SignerError(`a signature is not a valid SignerInfo (${(e as Error).message})`);
      }
      if (seen.has(ski)) throw new SignerError(`admin ${ski} signed twice`, ski);
      seen.add(ski);
    }
  }

  /** Submit a prepared command with its signatures (any order). */
  async submit(prepared: PreparedCommand, signerInfos: Uint8Array[], opts: ExchangeOptions = {}): Promise<CommandResult> {
    if (prepared.command === Command.IMPORT_WK) throw new RangeError('IMPORT_WK parts go through submitImport()');
    const { domainInstance } = this.checkPrepared(prepared);
    CryptoUnitClient.distinctSigners(signerInfos);
    const v = await this.exchange(prepared.adminBlock, { command: prepared.command, bound: { counter: prepared.counter, domainInstance } }, signerInfos, opts);
    const payload = CryptoUnitClient.ok(v, prepared.command);
    this.adminCache.clear();
    return { payload, counter: v.counter };
  }

  /**
   * Submit IMPORT_WK: the outer request carries the 2 or 3 signed inner requests (DESIGN §3.7).
   * Returns the new register's VP.
   */
  async submitImport(parts: ImportPart[], opts: ExchangeOptions = {}): Promise<Uint8Array> {
    if (parts.length < MIN_PARTS || parts.length > MAX_PARTS) throw new RangeError('a master key is loaded from 2 or 3 parts');
    const first = parts[0].prepared;
    for (const part of parts) {
      if (part.prepared.command !== Command.IMPORT_WK) throw new PreparedCommandError('an import part must be an IMPORT_WK block');
      if (part.prepared.counter !== first.counter) throw new PreparedCommandError('all import parts must carry the same counter');
      if (part.signerInfos.length === 0) throw new SignerError('every key part needs an administrator\'s signature');
      CryptoUnitClient.distinctSigners(part.signerInfos);
    }
    const bindings = parts.map((p) => this.checkPrepared(p.prepared));
    if (!bindings.every((b) => bytesEqual(b.domainInstance, bindings[0].domainInstance))) {
      throw new PreparedCommandError('all import parts must be bound to the same domain instance');
    }
    const inner = parts.map((p) => this.request(p.prepared.adminBlock, p.signerInfos));
    const b0 = decodeAdminBlock(first.adminBlock);
    const outer = encodeAdminBlock({ command: Command.IMPORT_WK, domain: b0.domain, module: b0.module, counter: b0.counter, payload: concat(...inner) });
    const v = await this.exchange(outer, { command: Command.IMPORT_WK, bound: { counter: first.counter, domainInstance: bindings[0].domainInstance } }, [], opts);
    const vp = CryptoUnitClient.ok(v, Command.IMPORT_WK);
    if (vp.length !== VP_LENGTH) throw new UnitProtocolError(`the new register VP has ${vp.length} bytes`, Command.IMPORT_WK);
    return vp;
  }

  private async run(command: CommandCode, payload: Uint8Array, signers: readonly AdminSigner[]): Promise<CommandResult> {
    const prepared = await this.prepare(command, payload);
    return this.submit(prepared, await this.collectSignatures(prepared, signers));
  }

  private static expectEmpty(r: CommandResult, command: number): void {
    if (r.payload.length !== 0) throw new UnitProtocolError(`a payload of ${r.payload.length} bytes where none is expected`, command);
  }

  /** DOM_ADMIN_LOGIN. The certificate is checked first (as the unit will). */
  async addAdmin(certificate: Uint8Array, signers: readonly AdminSigner[] = []): Promise<void> {
    await parseAdminCertificate(this.c, certificate);
    CryptoUnitClient.expectEmpty(await this.run(Command.DOM_ADMIN_LOGIN, certificate, signers), Command.DOM_ADMIN_LOGIN);
  }

  /** DOM_ADMIN_LOGOUT. */
  async removeAdmin(ski: Uint8Array, signers: readonly AdminSigner[]): Promise<void> {
    if (ski.length !== SKI_LENGTH) throw new RangeError('an SKI is 32 bytes');
    CryptoUnitClient.expectEmpty(await this.run(Command.DOM_ADMIN_LOGOUT, ski, signers), Command.DOM_ADMIN_LOGOUT);
  }

  /** DOM_SET_ATTR with both thresholds. Leaving imprint mode needs `sign` signatures. */
  async setThresholds(sign: number, revoke: number, signers: readonly AdminSigner[]): Promise<void> {
    const payload = encodeAttributePairs([{ index: Attribute.SIGN_THR, value: sign }, { index: Attribute.REVOKE_THR, value: revoke }]);
    CryptoUnitClient.expectEmpty(await this.run(Command.DOM_SET_ATTR, payload, signers), Command.DOM_SET_ATTR);
  }

  /** GEN_IMPORTER: a new importer key on P-256 or P-521; returns it. */
  async generateImporter(curve: 'P-256' | 'P-521', signers: readonly AdminSigner[]): Promise<ImporterInfo> {
    const type = curve === 'P-256' ? ImporterKeyType.P256 : ImporterKeyType.P521;
    const r = await this.run(Command.GEN_IMPORTER, u32be(type), signers);
    const info = await this.importerInfo(r.payload, Command.GEN_IMPORTER);
    if (info.curve !== curve) throw new UnitProtocolError(`asked for a ${curve} importer, got ${info.curve}`, Command.GEN_IMPORTER);
    return info;
  }

  /** IMPORT_WK from 2 or 3 envelopes, each signed by its signers. Returns the new register VP. */
  async importParts(parts: { envelope: Uint8Array; signers: readonly AdminSigner[] }[]): Promise<Uint8Array> {
    const prepared = await this.prepareImport(parts.map((p) => p.envelope));
    const signed: ImportPart[] = [];
    for (let i = 0; i < parts.length; i++) {
      signed.push({ prepared: prepared[i], signerInfos: await this.collectSignatures(prepared[i], parts[i].signers) });
    }
    return this.submitImport(signed);
  }

  private async vpCommand(command: CommandCode, vp: Uint8Array, signers: readonly AdminSigner[]): Promise<void> {
    if (vp.length !== VP_LENGTH) throw new RangeError('a verification pattern is 32 bytes');
    CryptoUnitClient.expectEmpty(await this.run(command, vp, signers), command);
  }

  /** COMMIT_WK: commit the new register, naming its VP. */
  commit(vp: Uint8Array, signers: readonly AdminSigner[]): Promise<void> {
    return this.vpCommand(Command.COMMIT_WK, vp, signers);
  }

  /** FINALIZE_WK (set immediate): the committed new register becomes current. */
  finalize(vp: Uint8Array, signers: readonly AdminSigner[]): Promise<void> {
    return this.vpCommand(Command.FINALIZE_WK, vp, signers);
  }

  /** CLEAR_WK: clear the current register. */
  async clearCurrent(signers: readonly AdminSigner[]): Promise<void> {
    CryptoUnitClient.expectEmpty(await this.run(Command.CLEAR_WK, new Uint8Array(0), signers), Command.CLEAR_WK);
  }

  /** CLEAR_NEXT_WK: clear the new register. */
  async clearNew(signers: readonly AdminSigner[]): Promise<void> {
    CryptoUnitClient.expectEmpty(await this.run(Command.CLEAR_NEXT_WK, new Uint8Array(0), signers), Command.CLEAR_NEXT_WK);
  }

  /** DOM_ZEROIZE. Returns the new domain instance (verified to differ from the old one). */
  async zeroize(signers: readonly AdminSigner[] = []): Promise<Uint8Array> {
    await this.run(Command.DOM_ZEROIZE, new Uint8Array(0), signers);
    return this.need().identity.domainInstance.slice();
  }

  // ---- key storage (DESIGN §3.8) -----------------------------------------------------------

  /** GENERATE_KEY: a new key under the current register, as a KeyBlob (DER). */
  async generateKey(keyId: Uint8Array): Promise<Uint8Array> {
    if (keyId.length !== KEY_ID_LENGTH) throw new RangeError(`a key id is ${KEY_ID_LENGTH} bytes`);
    const der = await this.query(KeyStorageOp.GENERATE_KEY, keyId);
    const blob = this.blobOf(der, KeyStorageOp.GENERATE_KEY);
    if (!bytesEqual(blob.keyId, keyId)) throw new UnitProtocolError('the new blob carries another key id', KeyStorageOp.GENERATE_KEY);
    return der;
  }

  private blobOf(der: Uint8Array, command: number): ReturnType<typeof decodeKeyBlob> {
    try {
      return decodeKeyBlob(der);
    } catch (e) {
      throw new UnitProtocolError(`not a KeyBlob (${(e as Error).message})`, command);
    }
  }

  /** WRAP: encrypt `data` (≤ 64 KiB) under the key in `blob`; returns iv ‖ ciphertext ‖ tag. */
  async wrap(blob: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const out = await this.query(KeyStorageOp.WRAP, encodeBlobWithData({ blob: decodeKeyBlob(blob), data }));
    if (out.length !== data.length + GCM_OVERHEAD) throw new UnitProtocolError(`wrapped ${data.length} bytes into ${out.length}`, KeyStorageOp.WRAP);
    return out;
  }

  /** UNWRAP: decrypt what WRAP made with the key in `blob`. */
  async unwrap(blob: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
    const out = await this.query(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: decodeKeyBlob(blob), data: ciphertext }));
    if (out.length + GCM_OVERHEAD !== ciphertext.length) throw new UnitProtocolError(`unwrapped ${ciphertext.length} bytes into ${out.length}`, KeyStorageOp.UNWRAP);
    return out;
  }

  /**
   * REENCRYPT: the same keys under the committed new register. One blob gives one blob; a list
   * (1..1024) is sent in one request and answered in the same order, checked key id by key id.
   */
  reencrypt(blob: Uint8Array): Promise<Uint8Array>;
  reencrypt(blobs: readonly Uint8Array[]): Promise<Uint8Array[]>;
  async reencrypt(input: Uint8Array | readonly Uint8Array[]): Promise<Uint8Array | Uint8Array[]> {
    const one = input instanceof Uint8Array;
    const blobs = one ? [input] : [...input];
    if (blobs.length < 1 || blobs.length > MAX_BLOBS_PER_REENCRYPT) throw new RangeError(`REENCRYPT takes 1..${MAX_BLOBS_PER_REENCRYPT} blobs`);
    const ids = blobs.map((b) => decodeKeyBlob(b).keyId);
    const out = await this.query(KeyStorageOp.REENCRYPT, concat(...blobs));
    let items: Uint8Array[];
    try {
      items = splitDerSequence(out, { maxItems: MAX_BLOBS_PER_REENCRYPT });
    } catch (e) {
      throw new UnitProtocolError(`the re-enciphered blobs do not decode (${(e as Error).message})`, KeyStorageOp.REENCRYPT);
    }
    if (items.length !== blobs.length) throw new UnitProtocolError(`${blobs.length} blobs went in, ${items.length} came back`, KeyStorageOp.REENCRYPT);
    const result = items.map((der, i) => {
      const b = this.blobOf(der, KeyStorageOp.REENCRYPT);
      if (!bytesEqual(b.keyId, ids[i])) throw new UnitProtocolError(`blob ${i} came back with another key id`, KeyStorageOp.REENCRYPT);
      return der.slice();
    });
    return one ? result[0] : result;
  }
}

