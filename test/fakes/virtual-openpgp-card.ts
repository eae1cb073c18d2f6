/**
 * A virtual OpenPGP card (application version 3.4), for tests only. Its interface is the card
 * function `(apdu) => Promise<response>`, so it sits behind the memory transport or the fake
 * CCID readers at every exchange level (extended APDU, short APDU, T=1 TPDU).
 *
 * It follows the specification strictly enough that a wrong client fails:
 *
 * - nothing but SELECT works before the application is selected (6D 00); SELECT resets the
 *   security status of every password; a power cycle (reset()) drops it too;
 * - passwords: PW1 (81 for signing, 82 for the rest, one PIN and one counter), PW3 and the
 *   resetting code, each with its own retry counter (3 tries); a wrong password answers 63 Cx
 *   or, like a YubiKey, 69 82 (option wrongPinStatus); a blocked one 69 83; lengths outside
 *   6..127 (PW1) / 8..127 (PW3, RC) are 6A 80 without counting a try;
 * - C4 byte 1: PW1 (81) valid for one PSO:CDS (then cleared) or for several;
 * - keys are generated only after PW3, only for EC attributes (ECDSA on C1/C3, ECDH on C2,
 *   P-256/P-384/P-521); changing a slot's attributes deletes its key;
 * - PSO:CDS signs with the signature key only, after PW1 (81); PSO:DECIPHER does ECDH with the
 *   decryption key only, after PW1 (82), and answers X (or the whole point, option);
 * - private DOs 0101-0104 with the specification's access conditions, up to the maximum in C0;
 *   the cardholder certificate 7F21 up to its maximum; both written after the right password;
 * - command chaining and 61 xx / GET RESPONSE for long responses (framing.ts); commands that
 *   return data need an Le field (67 00 otherwise), commands that do not must have none;
 * - TERMINATE DF (after PW3, or with PW3 blocked) and ACTIVATE FILE: factory reset.
 *
 * - option kdf: a KDF-DO (F9) as a personalised card has it; PINs are compared as their S2K hash.
 *
 * Not modelled: RSA and EdDSA keys, key import, secure messaging, SELECT DATA (three
 * certificates), the cardholder data 65 beyond a fixed answer, CHANGE REFERENCE DATA.
 */
import { bytesEqual, concat, toHex } from '../../src/bytes/index.ts';
import { encodeTlv, parseTlv, type Tlv, type TlvInput } from '../../src/card/tlv.ts';
import type { CurveName } from '../../src/crypto/index.ts';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { Framing, type AppletAnswer, type AppletCommand } from './openpgp/framing.ts';
import { generateCardKey, sharedPoint, signHash, type CardEcKey } from './openpgp/ec-key.ts';

export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;

const AID_PREFIX = Uint8Array.of(0xd2, 0x76, 0x00, 0x01, 0x24, 0x01);
const CURVE_OIDS: Readonly<Record<CurveName, Uint8Array>> = {
  'P-256': Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  'P-384': Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x22),
  'P-521': Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x23),
};
/** A fresh card's attributes: RSA 2048 in every slot (as YubiKeys ship). */
const RSA_2048 = Uint8Array.of(0x01, 0x08, 0x00, 0x00, 0x11, 0x00);
const ALG_ECDH = 0x12;
const ALG_ECDSA = 0x13;
const DEFAULT_PW1 = '123456';
const DEFAULT_PW3 = '12345678';
const TRIES = 3;
const MAX_PIN = 127;
const MIN = { pw1: 6, pw3: 8, rc: 8 } as const;

type Slot = 'sig' | 'dec' | 'aut';
type Ref = 0x81 | 0x82 | 0x83;
const CRT: Readonly<Record<number, Slot>> = { 0xb6: 'sig', 0xb8: 'dec', 0xa4: 'aut' };
const ATTR_TAG: Readonly<Record<number, Slot>> = { 0xc1: 'sig', 0xc2: 'dec', 0xc3: 'aut' };
const KEY_REF: Readonly<Record<Slot, number>> = { sig: 1, dec: 2, aut: 3 };

export interface VirtualOpenPgpCardOptions {
  /** Card serial (4 bytes). Default 0x00000001 + a counter, so each card differs. */
  serial?: number;
  /** Manufacturer id. Default FFFF (test card). */
  manufacturer?: number;
  pw1?: string;
  pw3?: string;
  /** A resetting code set from the start. Default none. */
  resettingCode?: string;
  /** C4 byte 1: PW1 (81) valid for one signature only. Default false (several). */
  pw1ValidOnce?: boolean;
  /** How a wrong password is answered: '63cx' (tries left) or '6982' (YubiKey). Default '63cx'. */
  wrongPinStatus?: '63cx' | '6982';
  /** PSO:DECIPHER answer: 'x' (X only, default) or 'point' (04 ‖ X ‖ Y). */
  decipherResult?: 'x' | 'point';
  /** Extended-length APDUs. Default true. */
  extendedLength?: boolean;
  /** Command chaining. Default true. */
  chaining?: boolean;
  /** Largest command / response data per APDU. Default 3070 (a YubiKey's). */
  maxCommand?: number;
  maxResponse?: number;
  /** C0: largest GET CHALLENGE (0 = not supported). Default 3070. */
  maxChallenge?: number;
  /** C0: largest cardholder certificate. Default 2048. */
  maxCertificate?: number;
  /** C0: largest private DO. Default 255 (a YubiKey's). */
  maxSpecialDo?: number;
  /** Curves the card offers (FA lists them). Default all three. */
  curves?: CurveName[];
  /** Answer GET DATA FA. Default true. */
  algorithmInformation?: boolean;
  /** Application version [major, minor]. Default [3, 4]. */
  version?: [number, number];
  /** Random bytes (GET CHALLENGE, keys). Default crypto.getRandomValues. */
  random?: (n: number) => Uint8Array;
  /**
   * A KDF-DO (F9) set up as a personalised card has it: PINs are compared as the iterated
   * salted S2K of what is typed (the card stores the hashes). A factory reset turns it off.
   */
  kdf?: { hash?: 'SHA-256' | 'SHA-512'; count?: number };
}

interface Persistent {
  pw1: Uint8Array;
  pw3: Uint8Array;
  rc: Uint8Array | null;
  tries: { pw1: number; rc: number; pw3: number };
  pw1ValidOnce: boolean;
  attrs: Record<Slot, Uint8Array>;
  keys: Record<Slot, CardEcKey | null>;
  privateDos: Map<number, Uint8Array>;
  certificate: Uint8Array;
  signatureCount: number;
  terminated: boolean;
  /** the KDF-DO contents; null = no KDF (81 01 00) */
  kdf: { hash: 'SHA-256' | 'SHA-512'; count: number; salts: { pw1: Uint8Array; rc: Uint8Array; pw3: Uint8Array } } | null;
}

let serialCounter = 0;
const UTF8 = new TextEncoder();
const ok = (data?: Uint8Array): AppletAnswer => ({ data, sw: 0x9000 });
const err = (sw: number): AppletAnswer => ({ sw });

export class VirtualOpenPgpCard {
  /** Every APDU received (copies), for counting and inspection. */
  readonly received: Uint8Array[] = [];
  /** Bytes in and out at the card (APDUs and responses). */
  readonly traffic = { apdus: 0, bytesIn: 0, bytesOut: 0 };
  private readonly o: Required<Omit<VirtualOpenPgpCardOptions, 'resettingCode' | 'pw1' | 'pw3' | 'serial' | 'kdf'>> & {
    serial: number;
    kdf: { hash: 'SHA-256' | 'SHA-512'; count: number } | undefined;
  };
  private readonly framing: Framing;
  private s!: Persistent;
  private selected = false;
  private readonly verified = new Set<Ref>();
  private readonly initial: { pw1: string; pw3: string; rc: string | undefined };

  constructor(opts: VirtualOpenPgpCardOptions = {}) {
    this.o = {
      serial: opts.serial ?? 0x00000001 + serialCounter++,
      manufacturer: opts.manufacturer ?? 0xffff,
      pw1ValidOnce: opts.pw1ValidOnce ?? false,
      wrongPinStatus: opts.wrongPinStatus ?? '63cx',
      decipherResult: opts.decipherResult ?? 'x',
      extendedLength: opts.extendedLength ?? true,
      chaining: opts.chaining ?? true,
      maxCommand: opts.maxCommand ?? 3070,
      maxResponse: opts.maxResponse ?? 3070,
      maxChallenge: opts.maxChallenge ?? 3070,
      maxCertificate: opts.maxCertificate ?? 2048,
      maxSpecialDo: opts.maxSpecialDo ?? 255,
      curves: opts.curves ?? ['P-256', 'P-384', 'P-521'],
      algorithmInformation: opts.algorithmInformation ?? true,
      version: opts.version ?? [3, 4],
      random: opts.random ?? ((n) => crypto.getRandomValues(new Uint8Array(n))),
      kdf: opts.kdf ? { hash: opts.kdf.hash ?? 'SHA-256', count: opts.kdf.count ?? 0x10000 } : undefined,
    };
    this.initial = { pw1: opts.pw1 ?? DEFAULT_PW1, pw3: opts.pw3 ?? DEFAULT_PW3, rc: opts.resettingCode };
    const maxCommand = this.o.extendedLength || this.o.chaining ? this.o.maxCommand : 255;
    const maxResponse = this.o.extendedLength ? this.o.maxResponse : 256;
    this.framing = new Framing({ extendedLength: this.o.extendedLength, chaining: this.o.chaining, maxCommand, maxResponse });
    this.factoryState(true);
  }

  /** The card function (for MemoryTransport, FakeCcidDevice). */
  readonly handle: CardFunction = async (apdu) => {
    this.received.push(apdu.slice());
    this.traffic.apdus++;
    this.traffic.bytesIn += apdu.length;
    const r = this.framing.handle(apdu, (cmd) => this.execute(cmd));
    this.traffic.bytesOut += r.length;
    return r;
  };

  // ---- test controls and inspection ----------------------------------------------------------

  /** Power cycle (card removed and inserted again): selection and security status are lost. */
  reset(): void {
    this.selected = false;
    this.verified.clear();
    this.framing.reset();
  }

  /** The full AID the card reports. */
  get aid(): Uint8Array {
    const [maj, min] = this.o.version;
    const bcd = (n: number): number => ((Math.floor(n / 10) << 4) | n % 10);
    const s = this.o.serial;
    return concat(AID_PREFIX, Uint8Array.of(bcd(maj), bcd(min), this.o.manufacturer >> 8, this.o.manufacturer & 0xff, s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff, 0, 0));
  }
  get retries(): { pw1: number; rc: number; pw3: number } {
    return { ...this.s.tries };
  }
  get signatureCount(): number {
    return this.s.signatureCount;
  }
  isVerified(ref: Ref): boolean {
    return this.verified.has(ref);
  }
  /** A private DO's raw content (test inspection; no access check). */
  privateDo(tag: number): Uint8Array {
    return (this.s.privateDos.get(tag) ?? new Uint8Array(0)).slice();
  }
  /** Overwrite a private DO directly (to simulate damage). */
  setPrivateDo(tag: number, value: Uint8Array): void {
    this.s.privateDos.set(tag, value.slice());
  }
  /** The public point of a slot's key, if any (test inspection). */
  publicPoint(slot: 'signature' | 'decryption' | 'authentication'): Uint8Array | undefined {
    return this.s.keys[slot === 'signature' ? 'sig' : slot === 'decryption' ? 'dec' : 'aut']?.publicPoint.slice();
  }
  setPw1ValidOnce(once: boolean): void {
    this.s.pw1ValidOnce = once;
  }

  // ---- the application ----------------------------------------------------------------------

  /** The card's state as made (first) or after ACTIVATE FILE (a factory reset turns the KDF off). */
  private factoryState(asMade = false): void {
    const k = asMade ? this.o.kdf : undefined;
    const kdf = k ? { ...k, salts: { pw1: this.o.random(8), rc: this.o.random(8), pw3: this.o.random(8) } } : null;
    const stored = (which: 'pw1' | 'rc' | 'pw3', typed: string): Uint8Array => (kdf ? s2k(kdf.hash, kdf.count, kdf.salts[which], typed) : UTF8.encode(typed));
    const pw1 = asMade ? this.initial.pw1 : DEFAULT_PW1;
    const pw3 = asMade ? this.initial.pw3 : DEFAULT_PW3;
    const rc = asMade ? this.initial.rc : undefined;
    this.s = {
      pw1: stored('pw1', pw1),
      pw3: stored('pw3', pw3),
      rc: rc === undefined ? null : stored('rc', rc),
      tries: { pw1: TRIES, rc: rc === undefined ? 0 : TRIES, pw3: TRIES },
      pw1ValidOnce: this.o.pw1ValidOnce,
      attrs: { sig: RSA_2048.slice(), dec: RSA_2048.slice(), aut: RSA_2048.slice() },
      keys: { sig: null, dec: null, aut: null },
      privateDos: new Map(),
      certificate: new Uint8Array(0),
      signatureCount: 0,
      terminated: false,
      kdf,
    };
  }

  private execute(c: AppletCommand): AppletAnswer {
    if (c.ins === 0xa4) return this.select(c);
    if (this.s.terminated) return c.ins === 0x44 ? this.activate(c) : err(0x6985);
    if (!this.selected) return err(0x6d00);
    switch (c.ins) {
      case 0xca:
        return this.getData(c);
      case 0xda:
        return this.putData(c);
      case 0x20:
        return this.verify(c);
      case 0x2c:
        return this.resetRetryCounter(c);
      case 0x47:
        return this.generate(c);
      case 0x2a:
        return this.pso(c);
      case 0x84:
        return this.getChallenge(c);
      case 0xe6:
        return this.terminate(c);
      case 0x44:
        return this.activate(c);
      default:
        return err(0x6d00);
    }
  }

  private select(c: AppletCommand): AppletAnswer {
    if (c.p1 !== 0x04 || (c.p2 !== 0x00 && c.p2 !== 0x0c)) return err(0x6a86);
    const full = this.aid;
    if (c.data.length < AID_PREFIX.length || c.data.length > full.length || !bytesEqual(c.data, full.subarray(0, c.data.length))) {
      this.selected = false;
      return err(0x6a82);
    }
    this.verified.clear();
    if (this.s.terminated) {
      this.selected = false;
      return err(0x6285);
    }
    this.selected = true;
    return ok();
  }

  // ---- GET DATA / PUT DATA ----

  private getData(c: AppletCommand): AppletAnswer {
    if (c.data.length !== 0) return err(0x6700);
    if (c.ne === undefined) return err(0x6700);
    const tag = (c.p1 << 8) | c.p2;
    switch (tag) {
      case 0x006e:
        return ok(this.applicationRelatedData());
      case 0x004f:
        return ok(this.aid);
      case 0x5f52:
        return ok(this.historicalBytes());
      case 0x00c4:
        return ok(this.pwStatus());
      case 0x0065:
        return ok(encodeTlv({ tag: 0x65, children: [{ tag: 0x5b, value: new Uint8Array(0) }, { tag: 0x5f2d, value: new Uint8Array(0) }, { tag: 0x5f35, value: Uint8Array.of(0x39) }] }));
      case 0x007a:
        return ok(encodeTlv({ tag: 0x7a, children: [{ tag: 0x93, value: Uint8Array.of(this.s.signatureCount >> 16, (this.s.signatureCount >> 8) & 0xff, this.s.signatureCount & 0xff) }] }));
      case 0x7f21:
        return ok(this.s.certificate.slice());
      case 0x00fa:
        return this.o.algorithmInformation ? ok(this.algorithmInformation()) : err(0x6a88);
      case 0x00f9:
        return this.o.kdf ? ok(this.kdfDo()) : err(0x6a88);
      case 0x0101:
      case 0x0102:
        return ok(this.privateDo(tag));
      case 0x0103:
        return this.verified.has(0x82) ? ok(this.privateDo(tag)) : err(0x6982);
      case 0x0104:
        return this.verified.has(0x83) ? ok(this.privateDo(tag)) : err(0x6982);
      default:
        return err(0x6a88);
    }
  }

  private putData(c: AppletCommand): AppletAnswer {
    if (c.ne !== undefined) return err(0x6700);
    const tag = (c.p1 << 8) | c.p2;
    const need = (ref: Ref): boolean => this.verified.has(ref);
    switch (tag) {
      case 0x0101:
      case 0x0103:
      case 0x0102:
      case 0x0104: {
        const ref: Ref = tag === 0x0101 || tag === 0x0103 ? 0x82 : 0x83;
        if (!need(ref)) return err(0x6982);
        if (c.data.length > this.o.maxSpecialDo) return err(0x6700);
        this.s.privateDos.set(tag, c.data.slice());
        return ok();
      }
      case 0x7f21:
        if (!need(0x83)) return err(0x6982);
        if (c.data.length > this.o.maxCertificate) return err(0x6700);
        this.s.certificate = c.data.slice();
        return ok();
      case 0x00c1:
      case 0x00c2:
      case 0x00c3: {
        if (!need(0x83)) return err(0x6982);
        const slot = ATTR_TAG[c.p2];
        if (!this.ecAttributesValid(slot, c.data)) return err(0x6a80);
        if (!bytesEqual(this.s.attrs[slot], c.data)) this.s.keys[slot] = null;
        this.s.attrs[slot] = c.data.slice();
        return ok();
      }
      case 0x00c4:
        if (!need(0x83)) return err(0x6982);
        if (c.data.length !== 1 || c.data[0] > 1) return err(0x6a80);
        this.s.pw1ValidOnce = c.data[0] === 0;
        return ok();
      case 0x00d3:
        if (!need(0x83)) return err(0x6982);
        if (c.data.length === 0) {
          this.s.rc = null;
          this.s.tries.rc = 0;
          return ok();
        }
        if (c.data.length < MIN.rc || c.data.length > MAX_PIN) return err(0x6a80);
        this.s.rc = c.data.slice();
        this.s.tries.rc = TRIES;
        return ok();
      default:
        return err(0x6a88);
    }
  }

  private ecAttributesValid(slot: Slot, a: Uint8Array): boolean {
    const id = slot === 'dec' ? ALG_ECDH : ALG_ECDSA;
    if (a.length < 2 || a[0] !== id) return false;
    const oid = a[a.length - 1] === 0xff ? a.subarray(1, -1) : a.subarray(1);
    return this.o.curves.some((curve) => bytesEqual(CURVE_OIDS[curve], oid));
  }

  private curveOf(slot: Slot): CurveName | undefined {
    const a = this.s.attrs[slot];
    const oid = a[a.length - 1] === 0xff ? a.subarray(1, -1) : a.subarray(1);
    return (Object.keys(CURVE_OIDS) as CurveName[]).find((c) => bytesEqual(CURVE_OIDS[c], oid));
  }

  // ---- passwords ----

  private checkPassword(which: 'pw1' | 'pw3' | 'rc', given: Uint8Array): 'ok' | AppletAnswer {
    if (this.s.tries[which] === 0) return err(0x6983);
    if (given.length < MIN[which] || given.length > MAX_PIN) return err(0x6a80);
    const stored = which === 'pw1' ? this.s.pw1 : which === 'pw3' ? this.s.pw3 : this.s.rc!;
    if (bytesEqual(stored, given)) {
      this.s.tries[which] = TRIES;
      return 'ok';
    }
    this.s.tries[which]--;
    return this.o.wrongPinStatus === '6982' ? err(0x6982) : err(0x63c0 | this.s.tries[which]);
  }

  private verify(c: AppletCommand): AppletAnswer {
    if (c.ne !== undefined) return err(0x6700);
    if (c.p2 !== 0x81 && c.p2 !== 0x82 && c.p2 !== 0x83) return err(0x6a86);
    const ref = c.p2 as Ref;
    const which = ref === 0x83 ? 'pw3' : 'pw1';
    if (c.p1 === 0xff) {
      if (c.data.length !== 0) return err(0x6700);
      this.verified.delete(ref);
      return ok();
    }
    if (c.p1 !== 0x00) return err(0x6a86);
    if (c.data.length === 0) {
      if (this.verified.has(ref)) return ok();
      return this.s.tries[which] === 0 ? err(0x6983) : err(0x63c0 | this.s.tries[which]);
    }
    this.verified.delete(ref);
    const r = this.checkPassword(which, c.data);
    if (r !== 'ok') return r;
    this.verified.add(ref);
    return ok();
  }

  private resetRetryCounter(c: AppletCommand): AppletAnswer {
    if (c.ne !== undefined) return err(0x6700);
    if (c.p2 !== 0x81) return err(0x6a86);
    let newPin: Uint8Array;
    if (c.p1 === 0x00) {
      if (!this.s.rc) return err(0x6982);
      if (this.s.tries.rc === 0) return err(0x6983);
      const rcLen = this.s.rc.length;
      if (c.data.length < rcLen) return err(0x6a80);
      const r = this.checkPassword('rc', c.data.subarray(0, rcLen));
      if (r !== 'ok') return r;
      newPin = c.data.subarray(rcLen);
    } else if (c.p1 === 0x02) {
      if (!this.verified.has(0x83)) return err(0x6982);
      newPin = c.data;
    } else {
      return err(0x6a86);
    }
    if (newPin.length < MIN.pw1 || newPin.length > MAX_PIN) return err(0x6a80);
    this.s.pw1 = newPin.slice();
    this.s.tries.pw1 = TRIES;
    return ok();
  }

  // ---- keys ----

  private generate(c: AppletCommand): AppletAnswer {
    if (c.ne === undefined) return err(0x6700);
    if (c.p2 !== 0x00 || (c.p1 !== 0x80 && c.p1 !== 0x81)) return err(0x6a86);
    // The CRT: B6 00, B8 00 or A4 00 (the 3.4 form with a key reference, 84 01 0x, is taken too).
    let crt: Tlv[];
    try {
      crt = parseTlv(c.data);
    } catch {
      return err(0x6a80);
    }
    if (crt.length !== 1 || CRT[crt[0].tag] === undefined) return err(0x6a80);
    const slot = CRT[crt[0].tag];
    const inner = crt[0].value;
    if (inner.length !== 0 && !(inner.length === 3 && inner[0] === 0x84 && inner[1] === 1 && inner[2] === KEY_REF[slot])) return err(0x6a80);
    if (c.p1 === 0x80) {
      if (!this.verified.has(0x83)) return err(0x6982);
      const a = this.s.attrs[slot];
      const curve = this.curveOf(slot);
      if (a[0] !== (slot === 'dec' ? ALG_ECDH : ALG_ECDSA) || !curve) return err(0x6a81);
      this.s.keys[slot] = generateCardKey(curve, this.o.random);
      if (slot === 'sig') this.s.signatureCount = 0;
    }
    const key = this.s.keys[slot];
    if (!key) return err(0x6a88);
    return ok(encodeTlv({ tag: 0x7f49, children: [{ tag: 0x86, value: key.publicPoint }] }));
  }

  private pso(c: AppletCommand): AppletAnswer {
    if (c.ne === undefined) return err(0x6700);
    const p1p2 = (c.p1 << 8) | c.p2;
    if (p1p2 === 0x9e9a) return this.computeDigitalSignature(c);
    if (p1p2 === 0x8086) return this.decipher(c);
    return err(0x6a86);
  }

  private computeDigitalSignature(c: AppletCommand): AppletAnswer {
    if (!this.verified.has(0x81)) return err(0x6982);
    try {
      const key = this.s.keys.sig;
      if (!key || this.s.attrs.sig[0] !== ALG_ECDSA) return err(0x6a88);
      if (c.data.length < 20 || c.data.length > 64) return err(0x6700);
      this.s.signatureCount++;
      return ok(signHash(key, c.data));
    } finally {
      if (this.s.pw1ValidOnce) this.verified.delete(0x81);
    }
  }

  private decipher(c: AppletCommand): AppletAnswer {
    if (!this.verified.has(0x82)) return err(0x6982);
    const key = this.s.keys.dec;
    if (!key || this.s.attrs.dec[0] !== ALG_ECDH) return err(0x6a88);
    // A6 { 7F49 { 86 <point> } }, nothing else.
    let point: Uint8Array | undefined;
    try {
      const [a6, ...rest] = parseTlv(c.data);
      const pk = a6?.tag === 0xa6 && a6.children.length === 1 ? a6.children[0] : undefined;
      const p86 = pk?.tag === 0x7f49 && pk.children.length === 1 && pk.children[0].tag === 0x86 ? pk.children[0] : undefined;
      if (rest.length === 0 && p86) point = p86.value;
    } catch {
      point = undefined;
    }
    if (!point) return err(0x6a80);
    const shared = sharedPoint(key, point);
    if (!shared) return err(0x6a80);
    const size = (shared.length - 1) / 2;
    return ok(this.o.decipherResult === 'point' ? shared : shared.slice(1, 1 + size));
  }

  private getChallenge(c: AppletCommand): AppletAnswer {
    if (this.o.maxChallenge === 0) return err(0x6d00);
    if (c.p1 !== 0 || c.p2 !== 0) return err(0x6a86);
    if (c.data.length !== 0 || c.ne === undefined || c.ne > this.o.maxChallenge) return err(0x6700);
    return ok(this.o.random(c.ne));
  }

  // ---- life cycle ----

  private terminate(c: AppletCommand): AppletAnswer {
    if (c.p1 !== 0 || c.p2 !== 0) return err(0x6a86);
    if (c.data.length !== 0 || c.ne !== undefined) return err(0x6700);
    if (!this.verified.has(0x83) && this.s.tries.pw3 !== 0) return err(0x6982);
    this.s.terminated = true;
    this.verified.clear();
    return ok();
  }

  private activate(c: AppletCommand): AppletAnswer {
    if (c.p1 !== 0 || c.p2 !== 0) return err(0x6a86);
    if (c.data.length !== 0 || c.ne !== undefined) return err(0x6700);
    if (this.s.terminated) {
      this.factoryState();
      this.selected = false;
      this.verified.clear();
    }
    return ok();
  }

  // ---- data objects the card composes ----

  private historicalBytes(): Uint8Array {
    // Category 00, card capabilities 73 00 00 <chaining | extended Lc/Le | 7F66>, status 05 90 00.
    const caps = (this.o.chaining ? 0x80 : 0) | (this.o.extendedLength ? 0x60 : 0);
    return Uint8Array.of(0x00, 0x73, 0x00, 0x00, caps, 0x05, 0x90, 0x00);
  }

  private pwStatus(): Uint8Array {
    const t = this.s.tries;
    return Uint8Array.of(this.s.pw1ValidOnce ? 0x00 : 0x01, MAX_PIN, MAX_PIN, MAX_PIN, t.pw1, t.rc, t.pw3);
  }

  private extendedCapabilities(): Uint8Array {
    const flags = (this.o.maxChallenge > 0 ? 0x40 : 0) | 0x10 | 0x08 | 0x04 | (this.o.kdf ? 0x01 : 0);
    const u16 = (n: number): number[] => [n >> 8, n & 0xff];
    return Uint8Array.of(flags, 0x00, ...u16(this.o.maxChallenge), ...u16(this.o.maxCertificate), ...u16(this.o.maxSpecialDo), 0x00, 0x00);
  }

  private applicationRelatedData(): Uint8Array {
    const keyInfo = Uint8Array.of(1, this.s.keys.sig ? 1 : 0, 2, this.s.keys.dec ? 1 : 0, 3, this.s.keys.aut ? 1 : 0);
    const top: TlvInput[] = [
      { tag: 0x4f, value: this.aid },
      { tag: 0x5f52, value: this.historicalBytes() },
      { tag: 0x7f74, children: [{ tag: 0x81, value: Uint8Array.of(0x00) }] },
    ];
    if (this.o.extendedLength) {
      top.push({ tag: 0x7f66, children: [{ tag: 0x02, value: Uint8Array.of(this.o.maxCommand >> 8, this.o.maxCommand & 0xff) }, { tag: 0x02, value: Uint8Array.of(this.o.maxResponse >> 8, this.o.maxResponse & 0xff) }] });
    }
    top.push({
      tag: 0x73,
      children: [
        { tag: 0xc0, value: this.extendedCapabilities() },
        { tag: 0xc1, value: this.s.attrs.sig },
        { tag: 0xc2, value: this.s.attrs.dec },
        { tag: 0xc3, value: this.s.attrs.aut },
        { tag: 0xc4, value: this.pwStatus() },
        { tag: 0xc5, value: new Uint8Array(60) },
        { tag: 0xc6, value: new Uint8Array(60) },
        { tag: 0xcd, value: new Uint8Array(12) },
        { tag: 0xde, value: keyInfo },
      ],
    });
    return encodeTlv({ tag: 0x6e, children: top });
  }

  /** F9 contents as a YubiKey answers (without the F9 tag). */
  private kdfDo(): Uint8Array {
    const k = this.s.kdf;
    if (!k) return Uint8Array.of(0x81, 0x01, 0x00);
    const n = k.count;
    return encodeTlv(
      { tag: 0x81, value: Uint8Array.of(0x03) },
      { tag: 0x82, value: Uint8Array.of(k.hash === 'SHA-256' ? 0x08 : 0x0a) },
      { tag: 0x83, value: Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff) },
      { tag: 0x84, value: k.salts.pw1 },
      { tag: 0x85, value: k.salts.rc },
      { tag: 0x86, value: k.salts.pw3 },
    );
  }

  private algorithmInformation(): Uint8Array {
    const entries: { tag: number; value: Uint8Array }[] = [];
    for (const [tag, id] of [[0xc1, ALG_ECDSA], [0xc2, ALG_ECDH], [0xc3, ALG_ECDSA]] as const) {
      entries.push({ tag, value: RSA_2048 });
      for (const curve of this.o.curves) entries.push({ tag, value: concat(Uint8Array.of(id), CURVE_OIDS[curve]) });
    }
    return encodeTlv({ tag: 0xfa, children: entries });
  }
}

/** Iterated and salted S2K (RFC 4880 §3.7.1.3) over salt ‖ password, `count` bytes, with @noble/hashes. */
export function s2k(hash: 'SHA-256' | 'SHA-512', count: number, salt: Uint8Array, password: string): Uint8Array {
  const unit = concat(salt, UTF8.encode(password));
  const h = (hash === 'SHA-256' ? sha256 : sha512).create();
  let left = count;
  while (left >= unit.length) {
    h.update(unit);
    left -= unit.length;
  }
  h.update(unit.subarray(0, left));
  return h.digest();
}

/** "FFFF:00000001" — the id the client shows for a virtual card. */
export const virtualCardId = (card: VirtualOpenPgpCard): string =>
  `${toHex(card.aid.subarray(8, 10)).toUpperCase()}:${toHex(card.aid.subarray(10, 14)).toUpperCase()}`;
