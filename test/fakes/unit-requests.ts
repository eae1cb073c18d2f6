/**
 * A test-side driver for crypto units, independent of the unit client (src/cryptounit/client):
 * it builds and signs AdminRequests with the protocol codec and WebCrypto keys made in the
 * test, sends them through `unit.handle`, and checks every answer before anyone looks at it:
 *
 *   - the AdminResponse and ResponseBlock parse strictly, their rv and domain index agree;
 *   - its one SignerInfo names the OA key (SKI = SHA-256 of the OA point, by @noble/hashes),
 *     uses ecdsa-with-SHA512, and its signature over the ResponseBlock verifies with
 *     @noble/curves p521 (lowS: false), or with WebCrypto when a test asks for speed;
 *   - the OA key comes from DEVICE_CERT 0, whose chain to DEVICE_CERT 1 (a self-signed root)
 *     is verified with @noble/curves as well.
 *
 * It learns the unit's binding (domain, module, counter) from the answers, so requests are
 * bound to the unit as it is now unless a test overrides a field.
 */
import { p521 } from '@noble/curves/nist.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concat, readU32be, u32be, uintBe } from '../../src/bytes/index.ts';
import {
  CURVES, ecdsaSign, exportPublicPoint, generateEcKeyPair, importPublicPoint, ecdsaVerify, type CurveName, type WebCrypto,
} from '../../src/crypto/index.ts';
import {
  ADMIN_FUNCTION_ID, Command, KeyStorageOp, Query, buildAdminCertificate, createSignerInfo, decodeAdminResponse,
  decodeResponseBlock, decodeSignerInfo, encodeAdminBlock, encodeAdminRequest, encodeAttributePairs, parseCertificate,
  wrapPartForImporter, type AdminResponse, type ResponseBlock,
} from '../../src/cryptounit/protocol/index.ts';

export interface UnitLike {
  handle(request: Uint8Array): Promise<Uint8Array>;
}

/** An administrator made in the test: a WebCrypto ECDSA key and its self-signed certificate. */
export interface UnitAdmin {
  name: string;
  curve: CurveName;
  privateKey: CryptoKey;
  publicPoint: Uint8Array;
  /** SHA-256(04 ‖ X ‖ Y), computed with @noble/hashes */
  ski: Uint8Array;
  certificate: Uint8Array;
}

export async function makeUnitAdmin(name: string, curve: CurveName = 'P-521', c: WebCrypto = globalThis.crypto): Promise<UnitAdmin> {
  const kp = await generateEcKeyPair(c, curve, 'ECDSA');
  const publicPoint = await exportPublicPoint(c, kp.publicKey);
  const certificate = await buildAdminCertificate(c, {
    name,
    curve,
    publicPoint,
    sign: (tbs) => ecdsaSign(c, curve, kp.privateKey, tbs),
  });
  return { name, curve, privateKey: kp.privateKey, publicPoint, ski: nobleSha256(publicPoint), certificate };
}

export async function makeUnitAdmins(count: number, curves: CurveName[] = ['P-521', 'P-256', 'P-384']): Promise<UnitAdmin[]> {
  const out: UnitAdmin[] = [];
  for (let i = 0; i < count; i++) out.push(await makeUnitAdmin(`Admin ${i + 1}`, curves[i % curves.length]));
  return out;
}

/** A SignerInfo by `admin` over `data` (a DER AdminBlock). */
export function signerInfoOf(admin: UnitAdmin, data: Uint8Array, c: WebCrypto = globalThis.crypto): Promise<Uint8Array> {
  return createSignerInfo(c, admin.curve, admin.privateKey, admin.ski, data);
}

export interface BlockSpec {
  command: number;
  payload?: Uint8Array;
  /** default: the unit's domain (state-changing) or empty (queries, key storage) */
  domain?: Uint8Array;
  module?: Uint8Array;
  /** default: the unit's counter + 1 (state-changing) or empty */
  counter?: bigint | Uint8Array;
}

export interface RequestSpec extends BlockSpec {
  /** admins who sign the AdminBlock, in order */
  signers?: UnitAdmin[];
  /** raw SignerInfos appended after the signers' */
  extraSignerInfos?: Uint8Array[];
  function?: number;
  /** default: the unit's domain index */
  domainIndex?: number;
  /** replace the AdminBlock bytes altogether (signers sign these bytes) */
  adminBlock?: Uint8Array;
}

export interface UnitReply {
  raw: Uint8Array;
  response: AdminResponse;
  block: ResponseBlock;
  rv: number;
  /** the 4-byte reason of an error answer */
  reason: number | undefined;
  payload: Uint8Array;
}

export class UnitProtocolError extends Error {
  override name = 'UnitProtocolError';
}

const OID_SHA512 = CURVES['P-521'].digestOid;
const OID_ECDSA_SHA512 = CURVES['P-521'].signatureOid;
const EMPTY = new Uint8Array(0);

function isStateChangingCode(code: number): boolean {
  return code < 0x00010000;
}

export interface SessionOptions {
  /** how OA signatures are verified: 'noble' (default, independent) or 'webcrypto' (fast) */
  verify?: 'noble' | 'webcrypto';
  crypto?: WebCrypto;
}

/** One unit as the test sees it. */
export class UnitSession {
  domainIndex = 0;
  domainInstance: Uint8Array = new Uint8Array(4);
  moduleSerial: Uint8Array = new Uint8Array(8);
  moduleInstance: Uint8Array = new Uint8Array(8);
  counter = 0n;
  oaPoint: Uint8Array = new Uint8Array(0);
  rootPoint: Uint8Array = new Uint8Array(0);
  oaCertificate: Uint8Array = new Uint8Array(0);
  rootCertificate: Uint8Array = new Uint8Array(0);
  /** answers checked so far */
  verified = 0;
  private oaKey?: CryptoKey;
  private readonly c: WebCrypto;
  private readonly mode: 'noble' | 'webcrypto';

  private constructor(
    readonly unit: UnitLike,
    opts: SessionOptions,
  ) {
    this.c = opts.crypto ?? globalThis.crypto;
    this.mode = opts.verify ?? 'noble';
  }

  /** Fetch and verify the unit's certificate chain and learn its binding. */
  static async open(unit: UnitLike, opts: SessionOptions = {}): Promise<UnitSession> {
    const s = new UnitSession(unit, opts);
    // an empty request cannot be parsed, but its (signed) error answer names the domain index
    const rawProbe = await unit.handle(new Uint8Array(0));
    s.domainIndex = decodeAdminResponse(rawProbe).domainIndex;
    const rawOa = await unit.handle(s.queryRequest(Query.DEVICE_CERT, u32be(0)));
    const rawRoot = await unit.handle(s.queryRequest(Query.DEVICE_CERT, u32be(1)));
    const oaResp = decodeAdminResponse(rawOa);
    const rootResp = decodeAdminResponse(rawRoot);
    s.oaCertificate = decodeResponseBlock(oaResp.responseBlock).payload;
    s.rootCertificate = decodeResponseBlock(rootResp.responseBlock).payload;
    const oa = parseCertificate(s.oaCertificate);
    const root = parseCertificate(s.rootCertificate);
    if (oa.subjectKey.curve !== 'P-521' || root.subjectKey.curve !== 'P-521') throw new UnitProtocolError('OA chain is not P-521');
    if (oa.signatureOid !== OID_ECDSA_SHA512 || root.signatureOid !== OID_ECDSA_SHA512) throw new UnitProtocolError('OA chain is not ECDSA-SHA512');
    if (!bytesEqual(root.issuerDer, root.subjectDer) || !bytesEqual(oa.issuerDer, root.subjectDer)) throw new UnitProtocolError('OA chain names do not link');
    if (!p521.verify(root.signature, root.tbs, root.subjectKey.point, { format: 'der', lowS: false })) {
      throw new UnitProtocolError('the root is not self-signed');
    }
    if (!p521.verify(oa.signature, oa.tbs, root.subjectKey.point, { format: 'der', lowS: false })) {
      throw new UnitProtocolError('the OA certificate is not signed by the root');
    }
    s.oaPoint = oa.subjectKey.point;
    s.rootPoint = root.subjectKey.point;
    s.oaKey = await importPublicPoint(s.c, 'P-521', s.oaPoint, 'ECDSA');
    // now the two answers above can be checked too
    const probe = await s.check(rawProbe);
    if (probe.rv !== 7 || probe.block.command !== 0) throw new UnitProtocolError('an empty request must be answered 7 with command 0');
    await s.check(rawOa);
    await s.check(rawRoot);
    await s.query(Query.DOM_ATTRS);
    return s;
  }

  get domain(): Uint8Array {
    return concat(u32be(this.domainIndex), this.domainInstance);
  }
  get module(): Uint8Array {
    return concat(this.moduleSerial, this.moduleInstance);
  }
  get nextCounter(): bigint {
    return this.counter + 1n;
  }

  /** The DER AdminBlock of a spec, bound to the unit as it is now unless overridden. */
  block(spec: BlockSpec): Uint8Array {
    const changing = isStateChangingCode(spec.command);
    const counter = spec.counter ?? (changing ? this.nextCounter : EMPTY);
    return encodeAdminBlock({
      command: spec.command,
      domain: spec.domain ?? (changing ? this.domain : EMPTY),
      module: spec.module ?? (changing ? this.module : EMPTY),
      counter: typeof counter === 'bigint' ? uintBe(counter, 16) : counter,
      payload: spec.payload ?? EMPTY,
    });
  }

  async request(spec: RequestSpec): Promise<Uint8Array> {
    const adminBlock = spec.adminBlock ?? this.block(spec);
    const signerInfos: Uint8Array[] = [];
    for (const a of spec.signers ?? []) signerInfos.push(await signerInfoOf(a, adminBlock, this.c));
    signerInfos.push(...(spec.extraSignerInfos ?? []));
    return encodeAdminRequest({
      function: spec.function ?? ADMIN_FUNCTION_ID,
      domainIndex: spec.domainIndex ?? this.domainIndex,
      adminBlock,
      signerInfos,
    });
  }

  queryRequest(code: number, payload: Uint8Array = EMPTY): Uint8Array {
    return encodeAdminRequest({ domainIndex: this.domainIndex, adminBlock: this.block({ command: code, payload }), signerInfos: [] });
  }

  /** Send bytes as they are; the answer is checked (throws UnitProtocolError if it is not right). */
  async send(request: Uint8Array): Promise<UnitReply> {
    const raw = await this.unit.handle(request);
    return this.check(raw);
  }

  async run(spec: RequestSpec): Promise<UnitReply> {
    return this.send(await this.request(spec));
  }

  query(code: number, payload: Uint8Array = EMPTY): Promise<UnitReply> {
    return this.send(this.queryRequest(code, payload));
  }

  /** Verify one raw answer and learn the unit's binding from it. */
  async check(raw: Uint8Array): Promise<UnitReply> {
    const response = decodeAdminResponse(raw);
    const block = decodeResponseBlock(response.responseBlock);
    if (response.rv !== block.rv) throw new UnitProtocolError(`AdminResponse.rv ${response.rv} ≠ ResponseBlock.rv ${block.rv}`);
    if (readU32be(block.domain.subarray(0, 4)) !== response.domainIndex) throw new UnitProtocolError('domain index differs inside the answer');
    const si = decodeSignerInfo(response.oaSignerInfo);
    if (si.digestOid !== OID_SHA512 || si.signatureOid !== OID_ECDSA_SHA512) throw new UnitProtocolError('OA signature is not ECDSA-SHA512');
    if (!bytesEqual(si.ski, nobleSha256(this.oaPoint))) throw new UnitProtocolError('OA SignerInfo names another key');
    const ok =
      this.mode === 'noble'
        ? p521.verify(si.signature, response.responseBlock, this.oaPoint, { format: 'der', lowS: false })
        : await ecdsaVerify(this.c, 'P-521', this.oaKey!, response.responseBlock, si.signature);
    if (!ok) throw new UnitProtocolError('the OA signature does not verify');
    if (block.rv !== 0 && block.payload.length !== 4) throw new UnitProtocolError('an error answer must carry a 4-byte reason');
    this.verified++;
    this.domainIndex = response.domainIndex;
    this.domainInstance = block.domain.slice(4, 8);
    this.moduleSerial = block.module.slice(0, 8);
    this.moduleInstance = block.module.slice(8, 16);
    this.counter = uintToBig(block.counter);
    return {
      raw,
      response,
      block,
      rv: block.rv,
      reason: block.rv !== 0 ? readU32be(block.payload) : undefined,
      payload: block.payload,
    };
  }

  // ---- ceremony steps, each asserting success ----

  async ok(spec: RequestSpec): Promise<UnitReply> {
    const r = await this.run(spec);
    if (r.rv !== 0) throw new UnitProtocolError(`command 0x${spec.command.toString(16)} failed with ${r.rv}/${r.reason}`);
    return r;
  }

  /** Install admins (no signatures: imprint mode). */
  async installAdmins(admins: UnitAdmin[], signers: UnitAdmin[] = []): Promise<void> {
    for (const a of admins) await this.ok({ command: Command.DOM_ADMIN_LOGIN, payload: a.certificate, signers });
  }

  /** Set both thresholds. */
  async setThresholds(sign: number, revoke: number, signers: UnitAdmin[]): Promise<UnitReply> {
    return this.ok({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(sign, revoke), signers });
  }

  async genImporter(signer: UnitAdmin, type = 3): Promise<Uint8Array> {
    return (await this.ok({ command: Command.GEN_IMPORTER, payload: u32be(type), signers: [signer] })).payload;
  }

  /**
   * The IMPORT_WK request for envelopes already made, each inner request signed by
   * `signers[i]`; `spec` overrides fields of both inner and outer requests, except that
   * `spec.signers` sign the outer one (which a unit refuses with 7).
   */
  async importRequest(envelopes: Uint8Array[], signers: UnitAdmin[][], spec: Partial<RequestSpec> = {}): Promise<Uint8Array> {
    const inner: Uint8Array[] = [];
    for (let i = 0; i < envelopes.length; i++) {
      inner.push(await this.request({ command: Command.IMPORT_WK, ...spec, payload: envelopes[i], signers: signers[i] ?? [] }));
    }
    return this.request({ command: Command.IMPORT_WK, ...spec, payload: concat(...inner), signers: spec.signers ?? [] });
  }

  /** GEN_IMPORTER, then IMPORT_WK of `parts` wrapped with the protocol's own envelope code. */
  async loadNew(parts: Uint8Array[], signer: UnitAdmin, importerType = 3): Promise<Uint8Array> {
    const spki = await this.genImporter(signer, importerType);
    const envelopes: Uint8Array[] = [];
    for (const p of parts) envelopes.push(await wrapPartForImporter(this.c, spki, p));
    const r = await this.send(await this.importRequest(envelopes, parts.map(() => [signer])));
    if (r.rv !== 0) throw new UnitProtocolError(`IMPORT_WK failed with ${r.rv}/${r.reason}`);
    return r.payload;
  }

  async commit(vp: Uint8Array, signers: UnitAdmin[]): Promise<UnitReply> {
    return this.ok({ command: Command.COMMIT_WK, payload: vp, signers });
  }

  async finalize(vp: Uint8Array, signer: UnitAdmin): Promise<UnitReply> {
    return this.ok({ command: Command.FINALIZE_WK, payload: vp, signers: [signer] });
  }

  async keyOp(code: number, payload: Uint8Array): Promise<UnitReply> {
    return this.send(this.queryRequest(code, payload));
  }

  async generateKey(keyId: Uint8Array): Promise<Uint8Array> {
    const r = await this.keyOp(KeyStorageOp.GENERATE_KEY, keyId);
    if (r.rv !== 0) throw new UnitProtocolError(`GENERATE_KEY failed with ${r.rv}/${r.reason}`);
    return r.payload;
  }
}

export function thresholdPairs(sign: number, revoke: number): Uint8Array {
  return encodeAttributePairs([
    { index: 1, value: sign },
    { index: 2, value: revoke },
  ]);
}

function uintToBig(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** VP(key) = SHA-256(01 ‖ key) with the last 4 bytes zero, computed with @noble/hashes. */
export function nobleVp(key: Uint8Array): Uint8Array {
  const h = nobleSha256(concat(Uint8Array.of(1), key));
  h.fill(0, 28);
  return h;
}

export function xorParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(32);
  for (const p of parts) for (let i = 0; i < 32; i++) out[i] ^= p[i];
  return out;
}

/** A unit taken to "authenticated" with `admins` installed and the given thresholds. */
export async function authenticatedSession(
  unit: UnitLike,
  admins: UnitAdmin[],
  sign: number,
  revoke: number,
  opts: SessionOptions = {},
): Promise<UnitSession> {
  const s = await UnitSession.open(unit, opts);
  await s.installAdmins(admins);
  await s.setThresholds(sign, revoke, admins.slice(0, sign));
  return s;
}
