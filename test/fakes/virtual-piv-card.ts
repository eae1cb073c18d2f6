/**
 * A virtual PIV card (test only): the PIV card application of NIST SP 800-73-4 with the
 * Yubico extensions, strict enough that a client that breaks the rules fails. Its interface is
 * the card function `(apdu) => Promise<response>`, so it runs behind MemoryTransport and behind
 * the fake CCID readers at every exchange level (extended APDU, short APDU, TPDU/T=1).
 *
 * What it enforces:
 * - SELECT of the PIV AID first (other commands before it: 6D 00); SELECT resets the security
 *   status (PIN verified, management key authenticated, pending challenges); reset() models a
 *   power cycle.
 * - PIN and PUK: 6..8 bytes FF-padded to exactly 8 (else 6A 80); counters (default 3 each);
 *   63 Cx on a wrong value, 69 83 when blocked; VERIFY without data reports the status; P1 FF
 *   logs out; RESET RETRY COUNTER unblocks with the PUK; CHANGE REFERENCE DATA for both.
 * - Management key (9B): 3DES or AES-128/192/256, mutual (80 00 → 80 E(W); 80 W 81 C → 82 E(C))
 *   and single (81 00 → 81 C; 82 E(C)) authentication; P1 must name the key's algorithm
 *   (6A 86); a wrong witness or response is 69 82; a step-2 without a pending step 1 is 6A 80.
 * - GENERATE: management key required (69 82); P-256/P-384 only (others 6A 80); Yubico PIN and
 *   touch policy tags (AA, AB) only when the Yubico extensions are on; slot default PIN policies
 *   as a YubiKey has them (9A once, 9C always, 9D once, 9E never, 82..95 once).
 * - GENERAL AUTHENTICATE with a key: P1 must be the key's algorithm (6A 86); PIN policy
 *   enforced (69 82): 'once' needs the PIN verified in this session, 'always' needs a VERIFY
 *   right before (the next command of any other kind cancels it); ECDSA only in signing slots
 *   (9A, 9C, 9E) over a digest of exactly the field size; ECDH only in key-management slots
 *   (9D, 82..95) with an uncompressed point on the curve; anything else 6A 80.
 * - GET DATA / PUT DATA: P1 P2 3F FF; data exactly 5C L tag [53 L content]; unknown tags 6A 80;
 *   PIN-protected objects need the PIN (69 82); absent objects 6A 82; writes need the
 *   management key (69 82); content over the size limit 6A 84; empty content deletes.
 * - ISO rules: a response longer than Ne (Ne = 0 without Le, 256 for a short Le of 00) is cut
 *   at Ne and the rest offered with 61 xx; command chaining (CLA b5) collects data, a broken
 *   chain is 68 83; extended APDUs only when enabled (else 67 00); unknown class 6E 00,
 *   unknown instruction 6D 00.
 * - Yubico extensions (on by default): GET VERSION, GET SERIAL, GET METADATA (from 5.3),
 *   ATTEST (keys generated on the card), SET MANAGEMENT KEY, RESET (PIN and PUK blocked).
 */
import { parseCommand, type ParsedCommand } from '../../src/card/apdu.ts';
import { encodeLength, encodeTlv, parseTlv, tagBytes, type Tlv } from '../../src/card/tlv.ts';
import { aesDecryptBlock, aesEncryptBlock } from '../../src/card/applets/piv/cipher/aes.ts';
import { tdesDecryptBlock, tdesEncryptBlock } from '../../src/card/applets/piv/cipher/tdes.ts';
import type { WebCrypto } from '../../src/crypto/index.ts';
import { attestationCertificate, attestationRootCertificate } from './piv/attestation.ts';
import { ecdhX, fieldSize, generateKey, signDigest, type VirtualCurve, type VirtualEcKey } from './piv/ec.ts';
import { DISCOVERY_OBJECT, readRuleOf } from './piv/objects.ts';

export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;
export type VirtualMgmtAlgorithm = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

/** The YubiKey 5 ATR (T=1, IFSC 254, historical bytes "…YubiKey"). */
export const YUBIKEY5_ATR = Uint8Array.of(
  0x3b, 0xfd, 0x13, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x15, 0x80, 0x73, 0xc0, 0x21, 0xc0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4b, 0x65, 0x79, 0x40,
);
export const DEFAULT_PIN = '123456';
export const DEFAULT_PUK = '12345678';
export const DEFAULT_MGMT_KEY = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8);

const MGMT: Record<VirtualMgmtAlgorithm, { id: number; keyLength: number; block: number }> = {
  '3DES': { id: 0x03, keyLength: 24, block: 8 },
  'AES-128': { id: 0x08, keyLength: 16, block: 16 },
  'AES-192': { id: 0x0a, keyLength: 24, block: 16 },
  'AES-256': { id: 0x0c, keyLength: 32, block: 16 },
};
const ALG_P256 = 0x11;
const ALG_P384 = 0x14;
const curveOf = (alg: number): VirtualCurve | undefined => (alg === ALG_P256 ? 'P-256' : alg === ALG_P384 ? 'P-384' : undefined);
const algOf = (curve: VirtualCurve): number => (curve === 'P-256' ? ALG_P256 : ALG_P384);

export interface VirtualPivCardOptions {
  crypto: WebCrypto;
  /** Yubico extensions (GET VERSION, SERIAL, METADATA, ATTEST, SET MGMT KEY, RESET, PIN/touch policy tags). Default true. */
  yubico?: boolean;
  /** Firmware version the card reports. Default 5.4.3 (GET METADATA from 5.3). */
  version?: readonly [number, number, number];
  serial?: number;
  pin?: string;
  puk?: string;
  pinTries?: number;
  pukTries?: number;
  /** The management key. Default: 3DES 0102030405060708 ×3 (YubiKeys before 5.7). */
  managementKey?: { algorithm: VirtualMgmtAlgorithm; key: Uint8Array };
  /** Accept extended-length APDUs. Default true. */
  extendedLength?: boolean;
  /** Offer GET CHALLENGE (ISO 7816-4). Default false, like a YubiKey. */
  getChallenge?: boolean;
  /** Largest object content. Default 3052 (YubiKey 5). */
  maxObjectSize?: number;
}

export interface VirtualSlotKey {
  key: VirtualEcKey;
  pinPolicy: number;
  touchPolicy: number;
  origin: 'generated' | 'imported';
}

const PIN_NEVER = 1;
const PIN_ONCE = 2;
const PIN_ALWAYS = 3;
const TOUCH_NEVER = 1;

/** YubiKey default PIN policies per slot. */
function defaultPinPolicy(slot: number): number {
  if (slot === 0x9c) return PIN_ALWAYS;
  if (slot === 0x9e) return PIN_NEVER;
  return PIN_ONCE;
}

const isKeySlot = (s: number): boolean => s === 0x9a || s === 0x9c || s === 0x9d || s === 0x9e || (s >= 0x82 && s <= 0x95);
const isSigningSlot = (s: number): boolean => s === 0x9a || s === 0x9c || s === 0x9e;
const isKeyEstablishmentSlot = (s: number): boolean => s === 0x9d || (s >= 0x82 && s <= 0x95);

const PIV_AID_FULL = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00);
/** 61 { 4F PIX, 79 { 4F NIST RID } } as a YubiKey answers SELECT. */
const APT = Uint8Array.of(0x61, 0x11, 0x4f, 0x06, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x79, 0x07, 0x4f, 0x05, 0xa0, 0x00, 0x00, 0x03, 0x08);

const SW = {
  OK: 0x9000,
  WRONG_LENGTH: 0x6700,
  LAST_OF_CHAIN_EXPECTED: 0x6883,
  SECURITY: 0x6982,
  BLOCKED: 0x6983,
  CONDITIONS: 0x6985,
  INCORRECT_DATA: 0x6a80,
  NOT_FOUND: 0x6a82,
  NO_MEMORY: 0x6a84,
  INCORRECT_P1P2: 0x6a86,
  REF_NOT_FOUND: 0x6a88,
  INS: 0x6d00,
  CLA: 0x6e00,
} as const;

const sw = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xff);
function withSw(data: Uint8Array, s: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = s >> 8;
  out[data.length + 1] = s & 0xff;
  return out;
}
const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function padSecret(text: string): Uint8Array {
  const b = new TextEncoder().encode(text);
  if (b.length < 6 || b.length > 8) throw new RangeError('PIN/PUK must be 6..8 bytes');
  const out = new Uint8Array(8).fill(0xff);
  out.set(b);
  return out;
}

/** 6..8 bytes then FF padding up to 8, no FF inside. */
function wellFormedSecret(v: Uint8Array): boolean {
  if (v.length !== 8) return false;
  let n = 8;
  while (n > 0 && v[n - 1] === 0xff) n--;
  if (n < 6) return false;
  for (let i = 0; i < n; i++) if (v[i] === 0xff) return false;
  return true;
}

/** One-byte tags, one-byte lengths, plain values (the inside of GENERATE's AC template). */
function flatItems(b: Uint8Array): { tag: number; value: Uint8Array }[] | undefined {
  const out: { tag: number; value: Uint8Array }[] = [];
  let i = 0;
  while (i < b.length) {
    if (i + 2 > b.length || (b[i] & 0x1f) === 0x1f || b[i + 1] > 0x7f || i + 2 + b[i + 1] > b.length) return undefined;
    out.push({ tag: b[i], value: b.subarray(i + 2, i + 2 + b[i + 1]) });
    i += 2 + b[i + 1];
  }
  return out;
}

/** A command the card answers, for tests that count and inspect traffic. */
export interface ReceivedApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  length: number;
}

export class VirtualPivCard {
  readonly received: ReceivedApdu[] = [];
  readonly yubico: boolean;
  readonly version: readonly [number, number, number];
  readonly serial: number;
  readonly atr = YUBIKEY5_ATR;

  // persistent state
  private pin: Uint8Array;
  private puk: Uint8Array;
  private readonly pinMax: number;
  private readonly pukMax: number;
  private pinLeft: number;
  private pukLeft: number;
  private pinIsDefault = true;
  private pukIsDefault = true;
  private mgmt: { algorithm: VirtualMgmtAlgorithm; key: Uint8Array };
  private mgmtIsDefault: boolean;
  private readonly keys = new Map<number, VirtualSlotKey>();
  private readonly objects = new Map<number, Uint8Array>();
  private f9!: VirtualEcKey;

  // volatile state (cleared by SELECT and reset)
  private selected = false;
  private pinVerified = false;
  /** set by a successful VERIFY, consumed by a PIN-always key, cancelled by any other command */
  private pinJustVerified = false;
  private mgmtAuthenticated = false;
  private mgmtPending: { kind: 'witness' | 'challenge'; value: Uint8Array } | null = null;
  private pending: Uint8Array | null = null;
  private chain: { cla: number; ins: number; p1: number; p2: number; parts: Uint8Array[]; size: number } | null = null;

  private readonly c: WebCrypto;
  private readonly o: { extendedLength: boolean; getChallenge: boolean; maxObjectSize: number };

  private constructor(opts: VirtualPivCardOptions) {
    this.c = opts.crypto;
    this.yubico = opts.yubico ?? true;
    this.version = opts.version ?? [5, 4, 3];
    this.serial = opts.serial ?? 12345678;
    this.pin = padSecret(opts.pin ?? DEFAULT_PIN);
    this.puk = padSecret(opts.puk ?? DEFAULT_PUK);
    this.pinIsDefault = (opts.pin ?? DEFAULT_PIN) === DEFAULT_PIN;
    this.pukIsDefault = (opts.puk ?? DEFAULT_PUK) === DEFAULT_PUK;
    this.pinMax = opts.pinTries ?? 3;
    this.pukMax = opts.pukTries ?? 3;
    this.pinLeft = this.pinMax;
    this.pukLeft = this.pukMax;
    this.mgmt = opts.managementKey ? { algorithm: opts.managementKey.algorithm, key: opts.managementKey.key.slice() } : { algorithm: '3DES', key: DEFAULT_MGMT_KEY.slice() };
    if (this.mgmt.key.length !== MGMT[this.mgmt.algorithm].keyLength) throw new RangeError('management key length does not fit its algorithm');
    this.mgmtIsDefault = eq(this.mgmt.key, DEFAULT_MGMT_KEY);
    this.o = { extendedLength: opts.extendedLength ?? true, getChallenge: opts.getChallenge ?? false, maxObjectSize: opts.maxObjectSize ?? 3052 };
  }

  static async create(opts: VirtualPivCardOptions): Promise<VirtualPivCard> {
    const card = new VirtualPivCard(opts);
    if (card.yubico) {
      card.f9 = generateKey(opts.crypto, 'P-256');
      const cert = await attestationRootCertificate(opts.crypto, card.f9);
      card.objects.set(0x5fff01, encodeTlv({ tag: 0x70, value: cert }, { tag: 0x71, value: Uint8Array.of(0) }, { tag: 0xfe, value: new Uint8Array(0) }));
    }
    return card;
  }

  /** The card function. */
  readonly handle: CardFunction = async (apdu) => this.process(apdu);

  // ---- inspection for tests -------------------------------------------------------------------
  get pinTriesLeft(): number {
    return this.pinLeft;
  }
  get pukTriesLeft(): number {
    return this.pukLeft;
  }
  get isPinVerified(): boolean {
    return this.pinVerified;
  }
  get isManagementAuthenticated(): boolean {
    return this.mgmtAuthenticated;
  }
  get managementAlgorithm(): VirtualMgmtAlgorithm {
    return this.mgmt.algorithm;
  }
  /** The key in a slot (public facts and the private scalar, for tests). */
  slot(slot: number): VirtualSlotKey | undefined {
    return this.keys.get(slot);
  }
  /** Raw content of a data object. */
  object(tag: number): Uint8Array | undefined {
    return this.objects.get(tag)?.slice();
  }
  /** Change a data object directly (tests that damage records). */
  setObject(tag: number, content: Uint8Array | undefined): void {
    if (content === undefined) this.objects.delete(tag);
    else this.objects.set(tag, content.slice());
  }
  /** Power cycle: volatile state is lost (nothing selected, no security status). */
  reset(): void {
    this.selected = false;
    this.clearSecurity();
    this.pending = null;
    this.chain = null;
  }

  private clearSecurity(): void {
    this.pinVerified = false;
    this.pinJustVerified = false;
    this.mgmtAuthenticated = false;
    this.mgmtPending = null;
  }

  private random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.c.getRandomValues(out);
    return out;
  }

  // ---- APDU level -------------------------------------------------------------------------------

  private async process(apdu: Uint8Array): Promise<Uint8Array> {
    let cmd: ParsedCommand;
    try {
      cmd = parseCommand(apdu);
    } catch {
      this.chain = null;
      this.pending = null;
      return sw(SW.WRONG_LENGTH);
    }
    this.received.push({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, length: apdu.length });
    if (cmd.extended && !this.o.extendedLength) {
      this.chain = null;
      this.pending = null;
      return sw(SW.WRONG_LENGTH);
    }
    const chained = (cmd.cla & 0x10) !== 0;
    const cla = cmd.cla & ~0x10;
    if (cla !== 0x00) return sw(SW.CLA);
    if (cmd.ins === 0xc0 && !chained && !this.chain) return this.getResponse(cmd);
    this.pending = null;

    if (chained || this.chain) {
      if (this.chain && (this.chain.ins !== cmd.ins || this.chain.p1 !== cmd.p1 || this.chain.p2 !== cmd.p2 || this.chain.cla !== cla)) {
        this.chain = null;
        return sw(SW.LAST_OF_CHAIN_EXPECTED);
      }
      if (chained) {
        if (cmd.ne !== undefined || cmd.data.length === 0) {
          this.chain = null;
          return sw(SW.LAST_OF_CHAIN_EXPECTED);
        }
        const ch = this.chain ?? { cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, parts: [], size: 0 };
        ch.parts.push(cmd.data);
        ch.size += cmd.data.length;
        if (ch.size > 65535) {
          this.chain = null;
          return sw(SW.WRONG_LENGTH);
        }
        this.chain = ch;
        return sw(SW.OK);
      }
      const ch = this.chain!;
      this.chain = null;
      const all = new Uint8Array(ch.size + cmd.data.length);
      let at = 0;
      for (const p of [...ch.parts, cmd.data]) {
        all.set(p, at);
        at += p.length;
      }
      cmd = { ...cmd, data: all };
    }

    const usesJustVerified = this.pinJustVerified;
    const [data, status] = await this.execute(cmd);
    // "PIN always": only the command right after VERIFY may use it.
    if (usesJustVerified && !(cmd.ins === 0x20 && status === SW.OK && cmd.data.length > 0)) this.pinJustVerified = false;
    return this.answer(data, status, cmd);
  }

  /** At most Ne bytes now (Ne = 0 without Le), the rest behind 61 xx. */
  private answer(data: Uint8Array, status: number, cmd: ParsedCommand): Uint8Array {
    if (status !== SW.OK || data.length === 0) return withSw(new Uint8Array(0), status === SW.OK ? SW.OK : status);
    const limit = cmd.ne ?? 0;
    if (data.length <= limit) return withSw(data, SW.OK);
    this.pending = data.slice(limit);
    return withSw(data.subarray(0, limit), 0x6100 | (Math.min(this.pending.length, 256) & 0xff));
  }

  private getResponse(cmd: ParsedCommand): Uint8Array {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return sw(SW.INCORRECT_P1P2);
    if (cmd.data.length !== 0 || cmd.ne === undefined) return sw(SW.WRONG_LENGTH);
    const pending = this.pending;
    this.pending = null;
    if (!pending) return sw(SW.CONDITIONS);
    const part = pending.subarray(0, cmd.ne);
    const rest = pending.subarray(part.length);
    if (rest.length === 0) return withSw(part, SW.OK);
    this.pending = rest.slice();
    return withSw(part, 0x6100 | (Math.min(rest.length, 256) & 0xff));
  }

  private async execute(cmd: ParsedCommand): Promise<[Uint8Array, number]> {
    const none = new Uint8Array(0);
    if (cmd.ins === 0xa4) return this.select(cmd);
    if (!this.selected) return [none, SW.INS];
    switch (cmd.ins) {
      case 0x20:
        return [none, this.verify(cmd)];
      case 0x24:
        return [none, this.changeReference(cmd)];
      case 0x2c:
        return [none, this.resetRetryCounter(cmd)];
      case 0x87:
        return this.generalAuthenticate(cmd);
      case 0x47:
        return this.generate(cmd);
      case 0xcb:
        return this.getData(cmd);
      case 0xdb:
        return [none, this.putData(cmd)];
      case 0x84:
        if (!this.o.getChallenge) return [none, SW.INS];
        if (cmd.p1 !== 0 || cmd.p2 !== 0) return [none, SW.INCORRECT_P1P2];
        if (cmd.data.length !== 0 || cmd.ne === undefined) return [none, SW.WRONG_LENGTH];
        return [this.random(cmd.ne), SW.OK];
    }
    if (this.yubico) {
      switch (cmd.ins) {
        case 0xfd:
          return [Uint8Array.from(this.version), SW.OK];
        case 0xf8:
          return [Uint8Array.of(this.serial >>> 24, (this.serial >>> 16) & 0xff, (this.serial >>> 8) & 0xff, this.serial & 0xff), SW.OK];
        case 0xf7:
          if (this.version[0] < 5 || (this.version[0] === 5 && this.version[1] < 3)) return [none, SW.INS];
          return this.metadata(cmd);
        case 0xf9:
          return this.attest(cmd);
        case 0xff:
          return [none, this.setManagementKey(cmd)];
        case 0xfb:
          return [none, this.factoryReset(cmd)];
      }
    }
    return [none, SW.INS];
  }

  // ---- SELECT / PIN -----------------------------------------------------------------------------

  private select(cmd: ParsedCommand): [Uint8Array, number] {
    if (cmd.p1 !== 0x04 || cmd.p2 !== 0x00) return [new Uint8Array(0), SW.INCORRECT_P1P2];
    const aid = cmd.data;
    this.clearSecurity();
    if (aid.length < 5 || aid.length > PIV_AID_FULL.length || !eq(aid, PIV_AID_FULL.subarray(0, aid.length))) {
      this.selected = false;
      return [new Uint8Array(0), SW.NOT_FOUND];
    }
    this.selected = true;
    return [APT.slice(), SW.OK];
  }

  private verify(cmd: ParsedCommand): number {
    if (cmd.p2 !== 0x80) return SW.REF_NOT_FOUND;
    if (cmd.p1 === 0xff) {
      if (cmd.data.length !== 0) return SW.INCORRECT_DATA;
      this.pinVerified = false;
      this.pinJustVerified = false;
      return SW.OK;
    }
    if (cmd.p1 !== 0x00) return SW.INCORRECT_P1P2;
    if (cmd.data.length === 0) {
      if (this.pinVerified) return SW.OK;
      return this.pinLeft === 0 ? SW.BLOCKED : 0x63c0 | this.pinLeft;
    }
    if (!wellFormedSecret(cmd.data)) return SW.INCORRECT_DATA;
    if (this.pinLeft === 0) return SW.BLOCKED;
    if (!eq(cmd.data, this.pin)) {
      this.pinLeft--;
      this.pinVerified = false;
      this.pinJustVerified = false;
      return 0x63c0 | this.pinLeft;
    }
    this.pinLeft = this.pinMax;
    this.pinVerified = true;
    this.pinJustVerified = true;
    return SW.OK;
  }

  private changeReference(cmd: ParsedCommand): number {
    if (cmd.p1 !== 0x00) return SW.INCORRECT_P1P2;
    if (cmd.p2 !== 0x80 && cmd.p2 !== 0x81) return SW.REF_NOT_FOUND;
    if (cmd.data.length !== 16) return SW.INCORRECT_DATA;
    const oldV = cmd.data.subarray(0, 8);
    const newV = cmd.data.subarray(8);
    if (!wellFormedSecret(oldV) || !wellFormedSecret(newV)) return SW.INCORRECT_DATA;
    const isPin = cmd.p2 === 0x80;
    if ((isPin ? this.pinLeft : this.pukLeft) === 0) return SW.BLOCKED;
    if (!eq(oldV, isPin ? this.pin : this.puk)) {
      if (isPin) {
        this.pinLeft--;
        this.pinVerified = false;
        return 0x63c0 | this.pinLeft;
      }
      this.pukLeft--;
      return 0x63c0 | this.pukLeft;
    }
    if (isPin) {
      this.pin = newV.slice();
      this.pinLeft = this.pinMax;
      this.pinIsDefault = false;
    } else {
      this.puk = newV.slice();
      this.pukLeft = this.pukMax;
      this.pukIsDefault = false;
    }
    return SW.OK;
  }

  private resetRetryCounter(cmd: ParsedCommand): number {
    if (cmd.p1 !== 0x00) return SW.INCORRECT_P1P2;
    if (cmd.p2 !== 0x80) return SW.REF_NOT_FOUND;
    if (cmd.data.length !== 16) return SW.INCORRECT_DATA;
    const puk = cmd.data.subarray(0, 8);
    const newPin = cmd.data.subarray(8);
    if (!wellFormedSecret(puk) || !wellFormedSecret(newPin)) return SW.INCORRECT_DATA;
    if (this.pukLeft === 0) return SW.BLOCKED;
    if (!eq(puk, this.puk)) {
      this.pukLeft--;
      return 0x63c0 | this.pukLeft;
    }
    this.pukLeft = this.pukMax;
    this.pin = newPin.slice();
    this.pinLeft = this.pinMax;
    this.pinIsDefault = false;
    return SW.OK;
  }

  // ---- GENERAL AUTHENTICATE ---------------------------------------------------------------------

  private parseTemplate(data: Uint8Array): Tlv[] | undefined {
    try {
      const list = parseTlv(data, { maxDepth: 2 });
      if (list.length !== 1 || list[0].tag !== 0x7c) return undefined;
      const tags = new Set<number>();
      for (const t of list[0].children) {
        if (tags.has(t.tag)) return undefined;
        tags.add(t.tag);
      }
      return [...list[0].children];
    } catch {
      return undefined;
    }
  }

  private mgmtEncrypt(block: Uint8Array): Uint8Array {
    return this.mgmt.algorithm === '3DES' ? tdesEncryptBlock(this.mgmt.key, block) : aesEncryptBlock(this.mgmt.key, block);
  }
  private mgmtDecrypt(block: Uint8Array): Uint8Array {
    return this.mgmt.algorithm === '3DES' ? tdesDecryptBlock(this.mgmt.key, block) : aesDecryptBlock(this.mgmt.key, block);
  }

  private async generalAuthenticate(cmd: ParsedCommand): Promise<[Uint8Array, number]> {
    const none = new Uint8Array(0);
    const items = this.parseTemplate(cmd.data);
    if (!items) return [none, SW.INCORRECT_DATA];
    if (cmd.p2 === 0x9b) return this.managementAuthenticate(cmd, items);
    if (!isKeySlot(cmd.p2)) return [none, SW.INCORRECT_P1P2];
    const k = this.keys.get(cmd.p2);
    if (!k) return [none, SW.REF_NOT_FOUND];
    if (cmd.p1 !== algOf(k.key.curve)) return [none, SW.INCORRECT_P1P2];
    const get = (tag: number): Tlv | undefined => items.find((t) => t.tag === tag);
    const response = get(0x82);
    const challenge = get(0x81);
    const exponent = get(0x85);
    if (items.length !== 2 || !response || response.value.length !== 0 || (!challenge === !exponent)) return [none, SW.INCORRECT_DATA];
    if (challenge && !isSigningSlot(cmd.p2)) return [none, SW.INCORRECT_DATA];
    if (exponent && !isKeyEstablishmentSlot(cmd.p2)) return [none, SW.INCORRECT_DATA];
    const size = fieldSize(k.key.curve);
    if (challenge && challenge.value.length !== size) return [none, SW.INCORRECT_DATA];
    // PIN policy.
    if (k.pinPolicy === PIN_ONCE && !this.pinVerified) return [none, SW.SECURITY];
    if (k.pinPolicy === PIN_ALWAYS) {
      if (!this.pinVerified || !this.pinJustVerified) return [none, SW.SECURITY];
      this.pinJustVerified = false;
    }
    if (challenge) {
      const sig = signDigest(this.c, k.key, challenge.value);
      return [encodeTlv({ tag: 0x7c, children: [{ tag: 0x82, value: sig }] }), SW.OK];
    }
    const z = ecdhX(k.key, exponent!.value);
    if (!z) return [none, SW.INCORRECT_DATA];
    return [encodeTlv({ tag: 0x7c, children: [{ tag: 0x82, value: z }] }), SW.OK];
  }

  private managementAuthenticate(cmd: ParsedCommand, items: Tlv[]): [Uint8Array, number] {
    const none = new Uint8Array(0);
    const alg = MGMT[this.mgmt.algorithm];
    if (cmd.p1 !== alg.id) return [none, SW.INCORRECT_P1P2];
    const n = alg.block;
    const witness = items.find((t) => t.tag === 0x80);
    const challenge = items.find((t) => t.tag === 0x81);
    const response = items.find((t) => t.tag === 0x82);
    // Step 1 of mutual: 80 00.
    if (items.length === 1 && witness && witness.value.length === 0) {
      const w = this.random(n);
      this.mgmtPending = { kind: 'witness', value: w };
      this.mgmtAuthenticated = false;
      return [encodeTlv({ tag: 0x7c, children: [{ tag: 0x80, value: this.mgmtEncrypt(w) }] }), SW.OK];
    }
    // Step 1 of single: 81 00.
    if (items.length === 1 && challenge && challenge.value.length === 0) {
      const ch = this.random(n);
      this.mgmtPending = { kind: 'challenge', value: ch };
      this.mgmtAuthenticated = false;
      return [encodeTlv({ tag: 0x7c, children: [{ tag: 0x81, value: ch }] }), SW.OK];
    }
    const pending = this.mgmtPending;
    this.mgmtPending = null;
    // Step 2 of mutual: 80 W 81 C.
    if (items.length === 2 && witness && challenge) {
      if (!pending || pending.kind !== 'witness') return [none, SW.INCORRECT_DATA];
      if (witness.value.length !== n || challenge.value.length !== n) return [none, SW.INCORRECT_DATA];
      if (!eq(witness.value, pending.value)) return [none, SW.SECURITY];
      this.mgmtAuthenticated = true;
      return [encodeTlv({ tag: 0x7c, children: [{ tag: 0x82, value: this.mgmtEncrypt(challenge.value) }] }), SW.OK];
    }
    // Step 2 of single: 82 E(C).
    if (items.length === 1 && response && response.value.length === n) {
      if (!pending || pending.kind !== 'challenge') return [none, SW.INCORRECT_DATA];
      if (!eq(this.mgmtDecrypt(response.value), pending.value)) return [none, SW.SECURITY];
      this.mgmtAuthenticated = true;
      return [none, SW.OK];
    }
    return [none, SW.INCORRECT_DATA];
  }

  // ---- GENERATE -------------------------------------------------------------------------------

  private generate(cmd: ParsedCommand): [Uint8Array, number] {
    const none = new Uint8Array(0);
    if (cmd.p1 !== 0x00 || !isKeySlot(cmd.p2)) return [none, SW.INCORRECT_P1P2];
    // AC L { 80 01 alg [AA 01 pin] [AB 01 touch] }. Yubico's AA and AB carry plain values although
    // their tag bytes say "constructed", so the template is read item by item, not as nested BER.
    const d = cmd.data;
    if (d.length < 2 || d[0] !== 0xac || d[1] > 0x7f || d.length !== 2 + d[1]) return [none, SW.INCORRECT_DATA];
    const items = flatItems(d.subarray(2));
    if (!items) return [none, SW.INCORRECT_DATA];
    let alg: number | undefined;
    let pinPolicy = defaultPinPolicy(cmd.p2);
    let touchPolicy = TOUCH_NEVER;
    const seen = new Set<number>();
    for (const t of items) {
      if (seen.has(t.tag) || t.value.length !== 1) return [none, SW.INCORRECT_DATA];
      seen.add(t.tag);
      if (t.tag === 0x80) alg = t.value[0];
      else if (t.tag === 0xaa && this.yubico && t.value[0] <= 3) pinPolicy = t.value[0] === 0 ? defaultPinPolicy(cmd.p2) : t.value[0];
      else if (t.tag === 0xab && this.yubico && t.value[0] <= 3) touchPolicy = t.value[0] === 0 ? TOUCH_NEVER : t.value[0];
      else return [none, SW.INCORRECT_DATA];
    }
    const curve = alg === undefined ? undefined : curveOf(alg);
    if (!curve) return [none, SW.INCORRECT_DATA];
    if (!this.mgmtAuthenticated) return [none, SW.SECURITY];
    const key = generateKey(this.c, curve);
    this.keys.set(cmd.p2, { key, pinPolicy, touchPolicy, origin: 'generated' });
    return [encodeTlv({ tag: 0x7f49, children: [{ tag: 0x86, value: key.point }] }), SW.OK];
  }

  // ---- data objects -----------------------------------------------------------------------------

  /** 5C L tag at the start of `data`: the tag and where the rest begins. */
  private readTagList(data: Uint8Array): { tag: number; rest: Uint8Array } | undefined {
    if (data.length < 3 || data[0] !== 0x5c) return undefined;
    const len = data[1];
    if (len < 1 || len > 3 || data.length < 2 + len) return undefined;
    let tag = 0;
    for (let i = 0; i < len; i++) tag = tag * 256 + data[2 + i];
    try {
      if (!eq(tagBytes(tag), data.subarray(2, 2 + len))) return undefined;
    } catch {
      return undefined;
    }
    return { tag, rest: data.subarray(2 + len) };
  }

  private getData(cmd: ParsedCommand): [Uint8Array, number] {
    const none = new Uint8Array(0);
    if (cmd.p1 !== 0x3f || cmd.p2 !== 0xff) return [none, SW.INCORRECT_P1P2];
    const tl = this.readTagList(cmd.data);
    if (!tl || tl.rest.length !== 0) return [none, SW.INCORRECT_DATA];
    if (tl.tag === 0x7e) return [DISCOVERY_OBJECT.slice(), SW.OK];
    const rule = readRuleOf(tl.tag, this.yubico);
    if (!rule) return [none, SW.INCORRECT_DATA];
    if (rule === 'pin' && !this.pinVerified) return [none, SW.SECURITY];
    const content = this.objects.get(tl.tag);
    if (!content) return [none, SW.NOT_FOUND];
    const wrapper = tl.tag === 0x7f61 ? 0x7f61 : 0x53;
    const out = new Uint8Array([...tagBytes(wrapper), ...encodeLength(content.length), ...content]);
    return [out, SW.OK];
  }

  private putData(cmd: ParsedCommand): number {
    if (cmd.p1 !== 0x3f || cmd.p2 !== 0xff) return SW.INCORRECT_P1P2;
    const tl = this.readTagList(cmd.data);
    if (!tl) return SW.INCORRECT_DATA;
    if (tl.tag === 0x7e) return SW.INCORRECT_DATA; // the discovery object is read only
    if (!readRuleOf(tl.tag, this.yubico)) return SW.INCORRECT_DATA;
    let list: Tlv[];
    try {
      list = parseTlv(tl.rest, { maxDepth: 1 });
    } catch {
      return SW.INCORRECT_DATA;
    }
    const wrapper = tl.tag === 0x7f61 ? 0x7f61 : 0x53;
    if (list.length !== 1 || list[0].tag !== wrapper) return SW.INCORRECT_DATA;
    if (!this.mgmtAuthenticated) return SW.SECURITY;
    const content = list[0].value;
    if (content.length > this.o.maxObjectSize) return SW.NO_MEMORY;
    if (content.length === 0) this.objects.delete(tl.tag);
    else this.objects.set(tl.tag, content.slice());
    return SW.OK;
  }

  // ---- Yubico -----------------------------------------------------------------------------------

  private metadata(cmd: ParsedCommand): [Uint8Array, number] {
    const none = new Uint8Array(0);
    if (cmd.p1 !== 0x00 || cmd.data.length !== 0) return [none, SW.INCORRECT_P1P2];
    const slot = cmd.p2;
    if (slot === 0x80 || slot === 0x81) {
      const isPin = slot === 0x80;
      return [
        encodeTlv(
          { tag: 0x01, value: Uint8Array.of(0xff) },
          { tag: 0x05, value: Uint8Array.of((isPin ? this.pinIsDefault : this.pukIsDefault) ? 1 : 0) },
          { tag: 0x06, value: Uint8Array.of(isPin ? this.pinMax : this.pukMax, isPin ? this.pinLeft : this.pukLeft) },
        ),
        SW.OK,
      ];
    }
    if (slot === 0x9b) {
      return [
        encodeTlv(
          { tag: 0x01, value: Uint8Array.of(MGMT[this.mgmt.algorithm].id) },
          { tag: 0x02, value: Uint8Array.of(0x00, TOUCH_NEVER) },
          { tag: 0x05, value: Uint8Array.of(this.mgmtIsDefault ? 1 : 0) },
        ),
        SW.OK,
      ];
    }
    if (!isKeySlot(slot) && slot !== 0xf9) return [none, SW.INCORRECT_P1P2];
    const k = slot === 0xf9 ? { key: this.f9, pinPolicy: PIN_NEVER, touchPolicy: TOUCH_NEVER, origin: 'imported' as const } : this.keys.get(slot);
    if (!k) return [none, SW.NOT_FOUND];
    return [
      encodeTlv(
        { tag: 0x01, value: Uint8Array.of(algOf(k.key.curve)) },
        { tag: 0x02, value: Uint8Array.of(k.pinPolicy, k.touchPolicy) },
        { tag: 0x03, value: Uint8Array.of(k.origin === 'generated' ? 1 : 2) },
        { tag: 0x04, value: encodeTlv({ tag: 0x86, value: k.key.point }) },
      ),
      SW.OK,
    ];
  }

  private async attest(cmd: ParsedCommand): Promise<[Uint8Array, number]> {
    const none = new Uint8Array(0);
    if (cmd.p2 !== 0x00 || cmd.data.length !== 0 || !isKeySlot(cmd.p1)) return [none, SW.INCORRECT_P1P2];
    const k = this.keys.get(cmd.p1);
    if (!k) return [none, SW.NOT_FOUND];
    if (k.origin !== 'generated') return [none, SW.INCORRECT_DATA];
    const cert = await attestationCertificate(this.c, this.f9, { slot: cmd.p1, ...k }, this.version, this.serial);
    return [cert, SW.OK];
  }

  private setManagementKey(cmd: ParsedCommand): number {
    if (cmd.p1 !== 0xff || (cmd.p2 !== 0xff && cmd.p2 !== 0xfe)) return SW.INCORRECT_P1P2;
    const d = cmd.data;
    if (d.length < 3 || d[1] !== 0x9b || d.length !== 3 + d[2]) return SW.INCORRECT_DATA;
    const alg = (Object.keys(MGMT) as VirtualMgmtAlgorithm[]).find((a) => MGMT[a].id === d[0]);
    if (!alg || MGMT[alg].keyLength !== d[2]) return SW.INCORRECT_DATA;
    if (!this.mgmtAuthenticated) return SW.SECURITY;
    this.mgmt = { algorithm: alg, key: d.slice(3) };
    this.mgmtIsDefault = eq(this.mgmt.key, DEFAULT_MGMT_KEY);
    return SW.OK;
  }

  private factoryReset(cmd: ParsedCommand): number {
    if (cmd.p1 !== 0 || cmd.p2 !== 0 || cmd.data.length !== 0) return SW.INCORRECT_P1P2;
    if (this.pinLeft !== 0 || this.pukLeft !== 0) return SW.CONDITIONS;
    this.pin = padSecret(DEFAULT_PIN);
    this.puk = padSecret(DEFAULT_PUK);
    this.pinLeft = this.pinMax;
    this.pukLeft = this.pukMax;
    this.pinIsDefault = true;
    this.pukIsDefault = true;
    this.mgmt = { algorithm: '3DES', key: DEFAULT_MGMT_KEY.slice() };
    this.mgmtIsDefault = true;
    this.keys.clear();
    const attestation = this.objects.get(0x5fff01);
    this.objects.clear();
    if (attestation) this.objects.set(0x5fff01, attestation);
    this.clearSecurity();
    return SW.OK;
  }
}

/** Shorthand: a virtual PIV card with default settings. */
export const createVirtualPivCard = (opts: VirtualPivCardOptions): Promise<VirtualPivCard> => VirtualPivCard.create(opts);
