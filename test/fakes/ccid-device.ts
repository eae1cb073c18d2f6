/**
 * A fake WebUSB CCID reader (a USBDevice-shaped object) built from a real reader's descriptor
 * dump, emulating the reader at its exchange level with a card function behind it:
 *
 *   | level          | what the fake does with PC_to_RDR_XfrBlock                          |
 *   |----------------|---------------------------------------------------------------------|
 *   | extended APDU  | CCID chaining (wLevelParameter 1/3/2/0x10, bChainParameter 1/3/2/0x10) |
 *   | short APDU     | one short APDU per message (dwMaxCCIDMessageLength enforced)        |
 *   | TPDU           | one T=1 block per message, answered by a T1Card (test/fakes/t1-card.ts) |
 *
 * Scripted faults are addressed by the number of the XfrBlock they act on (1 = the first
 * XfrBlock after the device was created). It counts USB round trips and bytes for benchmarks.
 */
import {
  CHAIN_BEGIN,
  CHAIN_BEGIN_AND_END,
  CHAIN_CONTINUE,
  CHAIN_EMPTY_MORE,
  CHAIN_END,
  ERR_CMD_NOT_SUPPORTED,
  ERR_ICC_MUTE,
  HEADER_LENGTH,
  PC_TO_RDR_GET_SLOT_STATUS,
  PC_TO_RDR_ICC_POWER_OFF,
  PC_TO_RDR_ICC_POWER_ON,
  PC_TO_RDR_SET_PARAMETERS,
  PC_TO_RDR_XFR_BLOCK,
  RDR_TO_PC_DATA_BLOCK,
  RDR_TO_PC_NOTIFY_SLOT_CHANGE,
  RDR_TO_PC_PARAMETERS,
  RDR_TO_PC_SLOT_STATUS,
} from '../../src/card/transports/webusb-ccid/constants.ts';
import { exchangeLevel, type ExchangeLevel } from '../../src/card/transports/webusb-ccid/descriptors.ts';
import type { CcidUsbDevice } from '../../src/card/transports/webusb-ccid/usb.ts';
import {
  configurationDescriptorFor,
  FAKE_BULK_PACKET,
  FAKE_CONFIGURATION_VALUE,
  FAKE_EP_BULK_IN,
  FAKE_EP_BULK_OUT,
  FAKE_EP_INTERRUPT_IN,
  FAKE_INTERRUPT_PACKET,
  type LibccidDump,
} from './ccid-descriptor-text.ts';
import { T1Card, type T1Fault } from './t1-card.ts';

export type CardFunction = (apdu: Uint8Array) => Promise<Uint8Array>;

export type CcidFault =
  /** `count` time-extension DataBlocks (bStatus 0x80, bError = multiplier) before the reply, each after `delayMs`; the reply `thenMs` after the last. */
  | { kind: 'time-extension'; at: number; count?: number; multiplier: number; delayMs?: number; thenMs?: number }
  /** The reply message reaches the host in pieces, cut at these offsets. */
  | { kind: 'split'; at: number; offsets: number[] }
  /** The reply carries bSeq + 1. */
  | { kind: 'bad-seq'; at: number }
  /** The reply comes `ms` later. */
  | { kind: 'delay'; at: number; ms: number }
  /**
   * The card is pulled while the reader works on this XfrBlock: NotifySlotChange on the
   * interrupt endpoint (when there is one), then the reply fails as `mode` says:
   * 'status' a DataBlock with bStatus 0x42 (failed, no ICC) and ICC_MUTE; 'stall' the bulk-IN
   * endpoint stalls; 'transfer-error' the transfer fails (NetworkError).
   */
  | { kind: 'remove-card'; at: number; mode?: 'status' | 'stall' | 'transfer-error'; delayMs?: number }
  /** The bulk endpoint stalls instead of carrying the reply ('in'), or the command ('out'). */
  | { kind: 'stall'; at: number; direction: 'in' | 'out' }
  /** The transfer fails with a NetworkError, in or out. */
  | { kind: 'transfer-error'; at: number; direction: 'in' | 'out' }
  /** The reply is a failed DataBlock with this bError and ICC status. */
  | { kind: 'slot-error'; at: number; bError: number; iccStatus?: number }
  /** The reply is replaced by these bytes (given the command's bSeq): malformed messages. */
  | { kind: 'replace'; at: number; reply: (seq: number) => Uint8Array };

export interface FakeCcidOptions {
  dump: LibccidDump;
  /** The card; null for an empty slot. */
  card: CardFunction | null;
  atr?: Uint8Array;
  /** TPDU level: the T1Card's IFSC and faults. */
  t1?: { ifsc?: number; faults?: T1Fault[]; edc?: 'lrc' | 'crc' };
  faults?: CcidFault[];
  /** Make claimInterface fail like Chrome on a protected class. */
  refuseClaim?: boolean;
}

export interface BusStats {
  /** Bulk-OUT transfers (commands). */
  transfersOut: number;
  /** Bulk-IN transfers that carried data. */
  transfersIn: number;
  bytesOut: number;
  bytesIn: number;
  /** XfrBlock commands. */
  xfrBlocks: number;
}

/** A T=1 ATR with TA3 = IFSC, TB3 = BWI/CWI, TC3 = EDC, and historical bytes "ECHO". */
export function t1Atr(p: { ifsc: number; bwi?: number; cwi?: number; crc?: boolean }): Uint8Array {
  const hist = [0x45, 0x43, 0x48, 0x4f];
  const tc3 = p.crc ? [0x01] : [];
  const b = [0x3b, 0x80 | hist.length, 0x81, p.crc ? 0x71 : 0x31, p.ifsc, ((p.bwi ?? 4) << 4) | (p.cwi ?? 5), ...tc3, ...hist];
  let x = 0;
  for (let i = 1; i < b.length; i++) x ^= b[i];
  return Uint8Array.from([...b, x]);
}

const DEFAULT_APDU_ATR = Uint8Array.from([0x3b, 0x8f, 0x01, 0x80, 0x5d, 0x4e, 0x69, 0x74, 0x72, 0x6f, 0x6b, 0x65, 0x79, 0, 0, 0, 0, 0, 0x6a]);

type Waiter = { resolve: (r: USBInTransferResult) => void; reject: (e: unknown) => void };
type Pending = { bytes: Uint8Array } | { stall: true } | { error: string };

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FakeCcidDevice implements CcidUsbDevice {
  // USBDevice facts
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly manufacturerName: string;
  readonly serialNumber = 'FAKE0001';
  readonly configurations: USBConfiguration[];
  configuration: USBConfiguration | null = null;
  opened = false;

  readonly level: ExchangeLevel;
  readonly maxMessage: number;
  readonly hasInterrupt: boolean;
  readonly stats: BusStats = { transfersOut: 0, transfersIn: 0, bytesOut: 0, bytesIn: 0, xfrBlocks: 0 };
  /** Every bulk-OUT message, as sent. */
  readonly sent: Uint8Array[] = [];
  /** bBWI of each XfrBlock (TPDU level: the WTX multiplier). */
  readonly bwis: number[] = [];
  readonly clearedHalts: string[] = [];
  /** SetParameters data received. */
  parameters: Uint8Array | null = null;
  powered = false;
  present: boolean;
  t1Card: T1Card | null = null;

  private readonly descriptor: Uint8Array;
  private card: CardFunction | null;
  private readonly atr: Uint8Array;
  private readonly faults: CcidFault[];
  private readonly fired = new Set<CcidFault>();
  private readonly bulkQueue: Pending[] = [];
  private readonly intQueue: Uint8Array[] = [];
  private bulkWaiter: Waiter | null = null;
  private intWaiter: Waiter | null = null;
  private claimed = new Set<number>();
  /** Work on commands runs one after another, as in a reader. */
  private work: Promise<void> = Promise.resolve();
  // extended-level chaining state
  private cmdChain: Uint8Array[] | null = null;
  private respRest: Uint8Array | null = null;

  constructor(private readonly o: FakeCcidOptions) {
    const d = o.dump;
    this.vendorId = d.idVendor;
    this.productId = d.idProduct;
    this.productName = d.product;
    this.manufacturerName = d.manufacturer;
    this.level = exchangeLevel(d.ccid.features);
    this.maxMessage = d.ccid.maxMessageLength;
    this.hasInterrupt = d.numEndpoints >= 3;
    this.descriptor = configurationDescriptorFor(d);
    this.card = o.card;
    this.present = o.card !== null;
    this.atr = o.atr ?? (this.level === 'tpdu' ? t1Atr({ ifsc: o.t1?.ifsc ?? 254, crc: o.t1?.edc === 'crc' }) : DEFAULT_APDU_ATR);
    this.faults = o.faults ?? [];
    this.configurations = [this.usbConfiguration()];
  }

  /** Faults that never acted (a test whose fault did not fire proves nothing). */
  unfiredFaults(): CcidFault[] {
    return this.faults.filter((f) => !this.fired.has(f));
  }

  // ---- USBDevice ---------------------------------------------------------------------------

  async open(): Promise<void> {
    this.opened = true;
    this.configuration = this.configurations[0];
  }

  async close(): Promise<void> {
    this.opened = false;
    this.claimed.clear();
    const abort = (): DOMException => new DOMException('The transfer was cancelled.', 'AbortError');
    this.bulkWaiter?.reject(abort());
    this.intWaiter?.reject(abort());
    this.bulkWaiter = this.intWaiter = null;
  }

  async selectConfiguration(value: number): Promise<void> {
    this.mustBeOpen();
    if (value !== FAKE_CONFIGURATION_VALUE) throw new DOMException('The configuration value provided is not supported by the device.', 'NotFoundError');
    this.configuration = this.configurations[0];
  }

  async claimInterface(n: number): Promise<void> {
    this.mustBeOpen();
    if (this.o.refuseClaim) throw new DOMException('The requested interface implements a protected class.', 'SecurityError');
    if (n > this.o.dump.interfaceNumber) throw new DOMException('The interface number provided is not supported by the device in its current configuration.', 'NotFoundError');
    this.claimed.add(n);
  }

  async releaseInterface(n: number): Promise<void> {
    this.claimed.delete(n);
  }

  async selectAlternateInterface(): Promise<void> {
    throw new DOMException('not used', 'NotSupportedError');
  }

  async controlTransferIn(setup: USBControlTransferParameters, length: number): Promise<USBInTransferResult> {
    this.mustBeOpen();
    if (setup.requestType === 'standard' && setup.recipient === 'device' && setup.request === 0x06 && setup.value >> 8 === 0x02) {
      if ((setup.value & 0xff) !== 0) return { status: 'stall' } as USBInTransferResult;
      return { status: 'ok', data: dv(this.descriptor.slice(0, length)) } as USBInTransferResult;
    }
    return { status: 'stall' } as USBInTransferResult;
  }

  async clearHalt(direction: USBDirection, ep: number): Promise<void> {
    this.clearedHalts.push(`${direction}${ep}`);
  }

  async transferOut(ep: number, data: BufferSource): Promise<USBOutTransferResult> {
    this.mustBeOpen();
    if (ep !== (FAKE_EP_BULK_OUT & 0x0f) || !this.claimed.has(this.o.dump.interfaceNumber)) throw new DOMException('The specified endpoint is not part of a claimed and selected alternate interface.', 'NotFoundError');
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(data).slice();
    const n = this.stats.xfrBlocks + (bytes[0] === PC_TO_RDR_XFR_BLOCK ? 1 : 0);
    if (bytes[0] === PC_TO_RDR_XFR_BLOCK) {
      const outFault = this.take(n, (f) => (f.kind === 'stall' || f.kind === 'transfer-error') && f.direction === 'out');
      if (outFault?.kind === 'stall') return { status: 'stall', bytesWritten: 0 } as USBOutTransferResult;
      if (outFault?.kind === 'transfer-error') throw new DOMException('A transfer error has occurred.', 'NetworkError');
    }
    this.stats.transfersOut++;
    this.stats.bytesOut += bytes.length;
    this.sent.push(bytes);
    this.work = this.work.then(() => this.handle(bytes)).catch((e) => console.error('fake CCID device failed:', e));
    return { status: 'ok', bytesWritten: bytes.length } as USBOutTransferResult;
  }

  async transferIn(ep: number, length: number): Promise<USBInTransferResult> {
    this.mustBeOpen();
    if (ep === (FAKE_EP_INTERRUPT_IN & 0x0f) && this.hasInterrupt) {
      const next = this.intQueue.shift();
      if (next) return { status: 'ok', data: dv(next) } as USBInTransferResult;
      if (this.intWaiter) throw new DOMException('An interrupt transfer is already pending.', 'InvalidStateError');
      return new Promise((resolve, reject) => (this.intWaiter = { resolve, reject }));
    }
    if (ep !== (FAKE_EP_BULK_IN & 0x0f) || !this.claimed.has(this.o.dump.interfaceNumber)) throw new DOMException('The specified endpoint is not part of a claimed and selected alternate interface.', 'NotFoundError');
    if (this.bulkWaiter) throw new DOMException('A bulk transfer is already pending.', 'InvalidStateError');
    const next = this.bulkQueue.shift();
    if (next) return this.deliver(next, length);
    return new Promise<USBInTransferResult>((resolve, reject) => (this.bulkWaiter = { resolve, reject })).then((r) => r);
  }

  // ---- test controls -----------------------------------------------------------------------

  /** Pull the card out (NotifySlotChange when the reader has an interrupt endpoint). */
  removeCard(): void {
    this.present = false;
    this.powered = false;
    this.t1Card = null;
    this.notify();
  }

  /** Put a card in (unpowered, as after insertion). */
  insertCard(card: CardFunction): void {
    this.card = card;
    this.present = true;
    this.powered = false;
    this.notify();
  }

  /** Send RDR_to_PC_NotifySlotChange with these slot-0 bits (b0 present, b1 changed) without changing the slot. */
  notifySlot(bits: number): void {
    if (this.hasInterrupt) this.pushInterrupt(Uint8Array.of(RDR_TO_PC_NOTIFY_SLOT_CHANGE, bits));
  }

  // ---- internals ---------------------------------------------------------------------------

  private mustBeOpen(): void {
    if (!this.opened) throw new DOMException('The device must be opened first.', 'InvalidStateError');
  }

  private notify(): void {
    if (!this.hasInterrupt) return;
    // bmSlotICCState for slot 0: b0 present, b1 changed.
    this.pushInterrupt(Uint8Array.of(RDR_TO_PC_NOTIFY_SLOT_CHANGE, (this.present ? 1 : 0) | 2));
  }

  private pushInterrupt(msg: Uint8Array): void {
    if (this.intWaiter) {
      const w = this.intWaiter;
      this.intWaiter = null;
      w.resolve({ status: 'ok', data: dv(msg) } as USBInTransferResult);
    } else this.intQueue.push(msg);
  }

  private push(p: Pending): void {
    if (this.bulkWaiter) {
      const w = this.bulkWaiter;
      this.bulkWaiter = null;
      if ('error' in p) w.reject(new DOMException('A transfer error has occurred.', p.error));
      else w.resolve(this.deliverNow(p, 1 << 20));
    } else this.bulkQueue.push(p);
  }

  private deliver(p: Pending, length: number): Promise<USBInTransferResult> {
    if ('error' in p) return Promise.reject(new DOMException('A transfer error has occurred.', p.error));
    return Promise.resolve(this.deliverNow(p, length));
  }

  private deliverNow(p: Pending, length: number): USBInTransferResult {
    if ('stall' in p) return { status: 'stall' } as USBInTransferResult;
    if ('error' in p) throw new Error('unreachable: errors are delivered as rejections');
    let bytes = p.bytes;
    if (bytes.length > length) {
      this.bulkQueue.unshift({ bytes: bytes.slice(length) });
      bytes = bytes.slice(0, length);
    }
    this.stats.transfersIn++;
    this.stats.bytesIn += bytes.length;
    return { status: 'ok', data: dv(bytes) } as USBInTransferResult;
  }

  private take<K extends CcidFault>(n: number, match: (f: CcidFault) => f is K): K | undefined;
  private take(n: number, match: (f: CcidFault) => boolean): CcidFault | undefined;
  private take(n: number, match: (f: CcidFault) => boolean): CcidFault | undefined {
    const f = this.faults.find((x) => x.at === n && !this.fired.has(x) && match(x));
    if (f) this.fired.add(f);
    return f;
  }

  private reply(type: number, seq: number, status: number, error: number, specific: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
    const m = new Uint8Array(HEADER_LENGTH + data.length);
    m[0] = type;
    new DataView(m.buffer).setUint32(1, data.length, true);
    m[5] = 0;
    m[6] = seq;
    m[7] = status;
    m[8] = error;
    m[9] = specific;
    m.set(data, HEADER_LENGTH);
    return m;
  }

  /** bStatus for "failed" with the current ICC state. */
  private failed(): number {
    return 0x40 | (this.present ? (this.powered ? 0 : 1) : 2);
  }

  private async handle(msg: Uint8Array): Promise<void> {
    const type = msg[0];
    const seq = msg[6];
    const len = new DataView(msg.buffer, msg.byteOffset).getUint32(1, true);
    const data = msg.subarray(HEADER_LENGTH);
    if (msg[5] !== 0) return this.push({ bytes: this.reply(RDR_TO_PC_SLOT_STATUS, seq, 0x40 | 2, 5, 0) });
    if (len !== data.length || msg.length > this.maxMessage) {
      return this.push({ bytes: this.reply(type === PC_TO_RDR_XFR_BLOCK ? RDR_TO_PC_DATA_BLOCK : RDR_TO_PC_SLOT_STATUS, seq, this.failed(), 1, 0) });
    }
    switch (type) {
      case PC_TO_RDR_GET_SLOT_STATUS:
        return this.push({ bytes: this.reply(RDR_TO_PC_SLOT_STATUS, seq, this.present ? (this.powered ? 0 : 1) : 2, 0, 0) });
      case PC_TO_RDR_ICC_POWER_OFF:
        this.powered = false;
        this.t1Card = null;
        return this.push({ bytes: this.reply(RDR_TO_PC_SLOT_STATUS, seq, this.present ? 1 : 2, 0, 0) });
      case PC_TO_RDR_ICC_POWER_ON:
        if (!this.present || !this.card) return this.push({ bytes: this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x42, ERR_ICC_MUTE, 0) });
        this.powered = true;
        this.cmdChain = null;
        this.respRest = null;
        if (this.level === 'tpdu') this.t1Card = new T1Card(this.card, { ifsc: this.o.t1?.ifsc ?? 254, faults: this.o.t1?.faults, edc: this.o.t1?.edc });
        return this.push({ bytes: this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, 0, this.atr) });
      case PC_TO_RDR_SET_PARAMETERS:
        if (!this.present) return this.push({ bytes: this.reply(RDR_TO_PC_PARAMETERS, seq, 0x42, ERR_ICC_MUTE, 0) });
        if (msg[7] !== 1 || data.length !== 7) return this.push({ bytes: this.reply(RDR_TO_PC_PARAMETERS, seq, this.failed(), msg[7] !== 1 ? 7 : 1, 0) });
        this.parameters = data.slice();
        return this.push({ bytes: this.reply(RDR_TO_PC_PARAMETERS, seq, this.powered ? 0 : 1, 0, 1, data) });
      case PC_TO_RDR_XFR_BLOCK:
        return this.xfrBlock(msg, seq, data);
      default:
        return this.push({ bytes: this.reply(RDR_TO_PC_SLOT_STATUS, seq, this.failed(), ERR_CMD_NOT_SUPPORTED, 0) });
    }
  }

  private async xfrBlock(msg: Uint8Array, seq: number, data: Uint8Array): Promise<void> {
    const n = ++this.stats.xfrBlocks;
    this.bwis.push(msg[7]);
    const level = msg[8] | (msg[9] << 8);
    const removal = this.take(n, (f) => f.kind === 'remove-card') as Extract<CcidFault, { kind: 'remove-card' }> | undefined;
    if (removal) {
      this.removeCard();
      await sleep(removal.delayMs ?? 5);
      const mode = removal.mode ?? 'status';
      if (mode === 'stall') return this.push({ stall: true });
      if (mode === 'transfer-error') return this.push({ error: 'NetworkError' });
      return this.push({ bytes: this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x42, ERR_ICC_MUTE, 0) });
    }
    const inFault = this.take(n, (f) => (f.kind === 'stall' || f.kind === 'transfer-error') && f.direction === 'in');
    const slotError = this.take(n, (f) => f.kind === 'slot-error') as Extract<CcidFault, { kind: 'slot-error' }> | undefined;
    let out: Uint8Array;
    if (!this.present || !this.powered) {
      out = this.reply(RDR_TO_PC_DATA_BLOCK, seq, this.failed(), ERR_ICC_MUTE, 0);
    } else if (slotError) {
      out = this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x40 | (slotError.iccStatus ?? 0), slotError.bError, 0);
    } else {
      out = await this.levelReply(seq, level, data);
    }
    // Time extensions, delay, then the reply (maybe broken).
    const wtx = this.take(n, (f) => f.kind === 'time-extension') as Extract<CcidFault, { kind: 'time-extension' }> | undefined;
    if (wtx) {
      for (let i = 0; i < (wtx.count ?? 1); i++) {
        if (wtx.delayMs) await sleep(wtx.delayMs);
        this.push({ bytes: this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x80, wtx.multiplier, 0) });
      }
      if (wtx.thenMs) await sleep(wtx.thenMs);
    }
    const delay = this.take(n, (f) => f.kind === 'delay') as Extract<CcidFault, { kind: 'delay' }> | undefined;
    if (delay) await sleep(delay.ms);
    if (inFault?.kind === 'stall') return this.push({ stall: true });
    if (inFault?.kind === 'transfer-error') return this.push({ error: 'NetworkError' });
    if (this.take(n, (f) => f.kind === 'bad-seq')) out[6] = (seq + 1) & 0xff;
    const replace = this.take(n, (f) => f.kind === 'replace') as Extract<CcidFault, { kind: 'replace' }> | undefined;
    if (replace) out = replace.reply(seq);
    const split = this.take(n, (f) => f.kind === 'split') as Extract<CcidFault, { kind: 'split' }> | undefined;
    if (split) {
      let from = 0;
      for (const cut of [...split.offsets, out.length]) {
        if (cut <= from || cut > out.length) continue;
        this.push({ bytes: out.slice(from, cut) });
        from = cut;
      }
      return;
    }
    this.push({ bytes: out });
  }

  /** The DataBlock the reader sends for this XfrBlock, at its exchange level. */
  private async levelReply(seq: number, level: number, data: Uint8Array): Promise<Uint8Array> {
    const room = this.maxMessage - HEADER_LENGTH;
    const bad = (offset: number): Uint8Array => this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x40, offset, 0);
    if (this.level === 'tpdu') {
      if (level !== 0) return bad(8);
      const r = await this.t1Card!.receiveBlock(data.slice());
      if (r === null) return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x40, ERR_ICC_MUTE, 0);
      return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, 0, r);
    }
    if (this.level === 'short-apdu') {
      if (level !== 0) return bad(8);
      if (data.length > 261) return bad(1);
      const r = await this.card!(data.slice());
      if (r.length > room) return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0x40, 0xfc, 0); // XFR_OVERRUN
      return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, 0, r);
    }
    // Extended APDU level with CCID chaining.
    switch (level) {
      case CHAIN_BEGIN_AND_END:
      case CHAIN_END: {
        if (level === CHAIN_BEGIN_AND_END && this.cmdChain) return bad(8);
        if (level === CHAIN_END && !this.cmdChain) return bad(8);
        const apdu = level === CHAIN_END ? joined([...this.cmdChain!, data]) : data.slice();
        this.cmdChain = null;
        const r = await this.card!(apdu);
        if (r.length <= room) return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, CHAIN_BEGIN_AND_END, r);
        this.respRest = r.slice(room);
        return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, CHAIN_BEGIN, r.subarray(0, room));
      }
      case CHAIN_BEGIN:
      case CHAIN_CONTINUE:
        if ((level === CHAIN_BEGIN) === (this.cmdChain !== null) || data.length === 0) return bad(8);
        this.cmdChain = [...(this.cmdChain ?? []), data.slice()];
        return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, CHAIN_EMPTY_MORE);
      case CHAIN_EMPTY_MORE: {
        if (!this.respRest || data.length !== 0) return bad(8);
        const part = this.respRest.subarray(0, room);
        const rest = this.respRest.subarray(part.length);
        this.respRest = rest.length ? rest.slice() : null;
        return this.reply(RDR_TO_PC_DATA_BLOCK, seq, 0, 0, rest.length ? CHAIN_CONTINUE : CHAIN_END, part);
      }
      default:
        return bad(8);
    }
  }

  private usbConfiguration(): USBConfiguration {
    const d = this.o.dump;
    const ep = (n: number, direction: USBDirection, type: USBEndpointType, packetSize: number): USBEndpoint => ({ endpointNumber: n & 0x0f, direction, type, packetSize }) as USBEndpoint;
    const endpoints = [ep(FAKE_EP_BULK_OUT, 'out', 'bulk', FAKE_BULK_PACKET), ep(FAKE_EP_BULK_IN, 'in', 'bulk', FAKE_BULK_PACKET)];
    if (this.hasInterrupt) endpoints.push(ep(FAKE_EP_INTERRUPT_IN, 'in', 'interrupt', FAKE_INTERRUPT_PACKET));
    const alt = { alternateSetting: 0, interfaceClass: d.interfaceClass, interfaceSubclass: d.interfaceSubclass, interfaceProtocol: d.interfaceProtocol, interfaceName: null, endpoints } as unknown as USBAlternateInterface;
    const iface = { interfaceNumber: d.interfaceNumber, alternate: alt, alternates: [alt], claimed: false } as unknown as USBInterface;
    return { configurationValue: FAKE_CONFIGURATION_VALUE, configurationName: null, interfaces: [iface] } as unknown as USBConfiguration;
  }
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

