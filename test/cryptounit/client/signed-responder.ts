/**
 * A protocol-level stand-in for a unit, for testing the client's response verification: it
 * holds a real OA key certified by a real host root, answers DEVICE_CERT and a few queries,
 * accepts state-changing commands by the counter rule alone (no signatures checked), and
 * lets a test rewrite any field of a response before (or after) it is signed.
 *
 * It is not a unit: the simulated unit (src/cryptounit/simulated/) is. This exists so each
 * response check can be shown to fail on a response that is validly signed but wrong.
 */
import { concat, readU32be, u32be } from '../../../src/bytes/index.ts';
import {
  exportPublicPoint, generateEcKeyPair, randomBytes, subjectKeyIdentifier, type CurveName, type WebCrypto,
} from '../../../src/crypto/index.ts';
import {
  ADMIN_FUNCTION_ID, buildOaCertificate, buildRootCertificate, Command, counterField, createSignerInfo, decodeAdminBlock,
  decodeAdminRequest, decodeSignerInfo, encodeSignerInfo, encodeAdminResponse, encodeAttributePairs, encodeDomainInfo, encodeResponseBlock, isStateChanging,
  Query, readCounter, type ResponseBlock,
} from '../../../src/cryptounit/protocol/index.ts';

export class TestHost {
  private nextSerial = 1;
  private constructor(
    readonly c: WebCrypto,
    readonly rootKey: CryptoKeyPair,
    readonly rootCertificate: Uint8Array,
  ) {}

  static async create(c: WebCrypto): Promise<TestHost> {
    const rootKey = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const rootCertificate = await buildRootCertificate(c, {
      keyPair: rootKey,
      publicPoint: await exportPublicPoint(c, rootKey.publicKey),
      serial: randomBytes(c, 8),
      label: 'test host',
      notBefore: new Date(0),
      notAfter: new Date(Date.UTC(2040, 0, 1)),
    });
    return new TestHost(c, rootKey, rootCertificate);
  }

  async unit(domainIndex = 0): Promise<SignedResponder> {
    const serial = concat(Uint8Array.of(0x7e, 0x57, 0, 0), u32be(this.nextSerial++));
    const oaKey = await generateEcKeyPair(this.c, 'P-521', 'ECDSA');
    const oaPoint = await exportPublicPoint(this.c, oaKey.publicKey);
    const oaCertificate = await buildOaCertificate(this.c, {
      rootPrivateKey: this.rootKey.privateKey,
      rootCertificate: this.rootCertificate,
      oaPublicPoint: oaPoint,
      serial: randomBytes(this.c, 8),
      label: 'test unit',
      notBefore: new Date(0),
      notAfter: new Date(Date.UTC(2040, 0, 1)),
    });
    return new SignedResponder(this.c, this, oaKey, await subjectKeyIdentifier(this.c, oaPoint), oaCertificate, domainIndex, serial);
  }
}

/** What a test may change in one response. Fields of `block` are signed; the others are not. */
export interface ResponseEdit {
  block: ResponseBlock;
  /** AdminResponse.domainIndex (outside the signature) */
  domainIndex: number;
  /** AdminResponse.rv (outside the signature) */
  rv: number;
  /** sign with this key and SKI instead of the OA key */
  signer?: { key: CryptoKey; ski: Uint8Array };
  /** extra SignerInfos to append to oaSignerInfos */
  extraSignerInfos?: Uint8Array[];
  /** name this curve's digest and signature algorithms in the OA SignerInfo (the signature stays P-521) */
  claimCurve?: CurveName;
}

export class SignedResponder {
  domainInstance: Uint8Array;
  moduleInstance: Uint8Array;
  counter = 0n;
  /** rewrite the next response before signing; cleared after use */
  editNext: ((e: ResponseEdit) => void) | undefined;
  /** answer every request with this rc/reason (for the return code table) */
  failWith: { rc: number; reason: number } | undefined;
  /** payload to answer a query with, by code (defaults: a plausible unit in imprint mode) */
  readonly answers = new Map<number, Uint8Array>();
  /** every request received */
  readonly requests: Uint8Array[] = [];

  constructor(
    readonly c: WebCrypto,
    readonly host: TestHost,
    readonly oaKey: CryptoKeyPair,
    readonly oaSki: Uint8Array,
    readonly oaCertificate: Uint8Array,
    readonly domainIndex: number,
    readonly moduleSerial: Uint8Array,
  ) {
    this.domainInstance = randomBytes(c, 4);
    this.moduleInstance = randomBytes(c, 8);
    this.answers.set(Query.DOM_ATTRS, encodeAttributePairs([{ index: 1, value: 0 }, { index: 2, value: 0 }, { index: 4, value: 0 }]));
    this.answers.set(Query.DOMAIN_INFO, encodeDomainInfo(new Uint8Array(32), new Uint8Array(32), 0));
    this.answers.set(Query.DOMADMIN, new Uint8Array(0));
  }

  get module(): Uint8Array {
    return concat(this.moduleSerial, this.moduleInstance);
  }

  /** Sign a response as this unit would, after letting `edit` change it. */
  async respond(command: number, rv: number, payload: Uint8Array, edit?: (e: ResponseEdit) => void): Promise<Uint8Array> {
    const e: ResponseEdit = {
      block: {
        command, domain: concat(u32be(this.domainIndex), this.domainInstance), module: this.module,
        counter: counterField(this.counter), rv, payload,
      },
      domainIndex: this.domainIndex,
      rv,
    };
    edit?.(e);
    const responseBlock = encodeResponseBlock(e.block);
    const signer = e.signer ?? { key: this.oaKey.privateKey, ski: this.oaSki };
    let si = await createSignerInfo(this.c, 'P-521', signer.key, signer.ski, responseBlock);
    if (e.claimCurve) si = encodeSignerInfo(signer.ski, e.claimCurve, decodeSignerInfo(si).signature);
    return encodeAdminResponse({ domainIndex: e.domainIndex, rv: e.rv, responseBlock, oaSignerInfo: concat(si, ...(e.extraSignerInfos ?? [])) });
  }

  handle = async (request: Uint8Array): Promise<Uint8Array> => {
    this.requests.push(request.slice());
    const edit = this.editNext;
    this.editNext = undefined;
    const r = decodeAdminRequest(request);
    if (r.function !== ADMIN_FUNCTION_ID) throw new Error('test responder: bad function');
    const block = decodeAdminBlock(r.adminBlock);
    const reason = (n: number): Uint8Array => u32be(n);
    if (this.failWith && block.command !== Query.DEVICE_CERT) {
      return this.respond(block.command, this.failWith.rc, reason(this.failWith.reason), edit);
    }
    if (r.domainIndex !== this.domainIndex) return this.respond(block.command, 3, reason(0), edit);
    if (isStateChanging(block.command)) {
      if (readCounter(block.counter) !== this.counter + 1n) return this.respond(block.command, 163, reason(0), edit);
      this.counter++;
      if (block.command === Command.DOM_ZEROIZE) this.domainInstance = randomBytes(this.c, 4);
      return this.respond(block.command, 0, this.answers.get(block.command) ?? new Uint8Array(0), edit);
    }
    if (block.command === Query.DEVICE_CERT) {
      const i = readU32be(block.payload);
      if (i === 0) return this.respond(block.command, 0, this.oaCertificate, edit);
      if (i === 1) return this.respond(block.command, 0, this.host.rootCertificate, edit);
      return this.respond(block.command, 96, reason(0), edit);
    }
    const answer = this.answers.get(block.command);
    if (!answer) return this.respond(block.command, 84, reason(0), edit);
    return this.respond(block.command, 0, answer, edit);
  };
}
