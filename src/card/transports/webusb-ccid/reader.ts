/**
 * The CCID reader as a CardTransport: power, the exchange level (extended APDU, short APDU,
 * TPDU with T=1), card presence, abort, busy and close.
 */
import { concat } from '../../../bytes/index.ts';
import { parseAtr, type Atr } from '../../atr.ts';
import { commandChaining } from '../../processors/command-chaining.ts';
import type { Exchange } from '../../processors/exchange.ts';
import { shortApduExchange } from '../../processors/short-apdu.ts';
import type { CardEvent, CardTransport, ReaderInfo } from '../../transport.ts';
import { CardRemovedError, TransportAbortedError, TransportClosedError, TransportTimeoutError } from '../../transport-errors.ts';
import { CardEvents } from '../card-events.ts';
import { ExchangeGate } from '../exchange-gate.ts';
import {
  CHAIN_BEGIN,
  CHAIN_BEGIN_AND_END,
  CHAIN_CONTINUE,
  CHAIN_EMPTY_MORE,
  CHAIN_END,
  COMMAND_FAILED,
  ERR_ICC_MUTE,
  ERR_XFR_OVERRUN,
  ERR_XFR_PARITY,
  FEATURE_AUTO_IFSD,
  FEATURE_AUTO_PARAMETERS_FROM_ATR,
  FEATURE_AUTO_PPS,
  ICC_ABSENT,
  ICC_INACTIVE,
  PC_TO_RDR_GET_SLOT_STATUS,
  PC_TO_RDR_ICC_POWER_OFF,
  PC_TO_RDR_ICC_POWER_ON,
  PC_TO_RDR_SET_PARAMETERS,
  PC_TO_RDR_XFR_BLOCK,
  POWER_SELECT_AUTO,
  PROTOCOL_NUM_T1,
  PROTOCOL_T0,
  PROTOCOL_T1,
  RDR_TO_PC_DATA_BLOCK,
  RDR_TO_PC_HARDWARE_ERROR,
  RDR_TO_PC_NOTIFY_SLOT_CHANGE,
  RDR_TO_PC_PARAMETERS,
  RDR_TO_PC_SLOT_STATUS,
  TCCKST1_BASE,
  TCCKST1_CRC,
  TCCKST1_INVERSE,
} from './constants.ts';
import type { CcidClassDescriptor, CcidInterface, ExchangeLevel } from './descriptors.ts';
import { ccidCommandError, CcidCommandError, CcidProtocolError, CcidTransferError, CcidUnsupportedError } from './errors.ts';
import type { CcidReply } from './messages.ts';
import { CcidPipe } from './pipe.ts';
import { T1LinkError, T1ProtocolError, T1Session, type T1Link } from './t1/index.ts';
import { defaultTimers, type CcidUsbDevice, type Timers } from './usb.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Time allowed for power-off and slot checks while closing or diagnosing. */
const QUICK_TIMEOUT_MS = 1_000;
/** Largest response APDU collected from CCID chained DataBlocks: 65536 data bytes + SW. */
const MAX_RESPONSE_APDU = 65538;
/** Largest short APDU: header 4 + Lc 1 + 255 + Le 1. */
const SHORT_APDU_MAX = 261;

export interface CcidReaderOptions {
  /** Time allowed for each reply, ms; time extensions multiply it. Default 10 s. */
  timeoutMs?: number;
  /** Slot to use (bMaxSlotIndex > 0 readers). Default 0. */
  slot?: number;
  /** Use this interface when the device has more than one CCID interface. */
  interfaceNumber?: number;
  /** The raw configuration descriptor, when the caller already has it (skips GET_DESCRIPTOR). */
  configurationDescriptor?: Uint8Array;
  /** Timers (tests drive time through them). */
  timers?: Timers;
  /** T=1 retransmissions per block. */
  t1MaxRetries?: number;
}

/** Reader facts, from the USB and CCID class descriptors. */
export interface CcidReaderInfo extends ReaderInfo {
  readonly kind: 'webusb-ccid';
  readonly vendorId: number;
  readonly productId: number;
  readonly manufacturerName: string | undefined;
  readonly productName: string | undefined;
  readonly serialNumber: string | undefined;
  readonly interfaceNumber: number;
  readonly interfaceClass: number;
  readonly level: ExchangeLevel;
  readonly maxMessageLength: number;
  readonly maxIFSD: number;
  readonly protocols: { readonly t0: boolean; readonly t1: boolean };
  readonly features: number;
  readonly hasInterruptEndpoint: boolean;
  readonly descriptor: CcidClassDescriptor;
}

export class CcidReader implements CardTransport {
  readonly reader: CcidReaderInfo;
  private readonly pipe: CcidPipe;
  private readonly gate = new ExchangeGate();
  private readonly events = new CardEvents();
  private readonly timers: Timers;
  private readonly exchange: Exchange;
  private currentAtr: Uint8Array = new Uint8Array(0);
  private parsedAtr: Atr | undefined;
  private powered = false;
  /** Card presence as last known (interrupt endpoint or slot status). */
  private present = false;
  private t1: T1Session | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly device: CcidUsbDevice,
    private readonly iface: CcidInterface,
    private readonly options: CcidReaderOptions = {},
  ) {
    this.timers = options.timers ?? defaultTimers;
    const d = iface.descriptor;
    this.reader = {
      name: device.productName ? `${device.manufacturerName ? device.manufacturerName + ' ' : ''}${device.productName}` : `CCID reader ${hex4(device.vendorId)}:${hex4(device.productId)}`,
      kind: 'webusb-ccid',
      extendedApdu: iface.level === 'extended-apdu' || iface.level === 'tpdu',
      vendorId: device.vendorId,
      productId: device.productId,
      manufacturerName: device.manufacturerName ?? undefined,
      productName: device.productName ?? undefined,
      serialNumber: device.serialNumber ?? undefined,
      interfaceNumber: iface.interfaceNumber,
      interfaceClass: iface.interfaceClass,
      level: iface.level,
      maxMessageLength: d.maxMessageLength,
      maxIFSD: d.maxIFSD,
      protocols: { t0: (d.protocols & PROTOCOL_T0) !== 0, t1: (d.protocols & PROTOCOL_T1) !== 0 },
      features: d.features,
      hasInterruptEndpoint: iface.interruptIn !== undefined,
      descriptor: d,
    };
    this.pipe = new CcidPipe(device, iface.bulkIn, iface.bulkOut, d.maxMessageLength, options.slot ?? 0, {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      timers: this.timers,
    });
    this.exchange = this.levelExchange();
  }

  get atr(): Uint8Array {
    return this.currentAtr;
  }
  /** The parsed ATR, when it parses. */
  get atrInfo(): Atr | undefined {
    return this.parsedAtr;
  }
  /** Whether a card is in the slot, as last known. */
  get cardPresent(): boolean {
    return this.present;
  }
  /** The T=1 session at TPDU level (for diagnostics). */
  get t1Session(): T1Session | null {
    return this.t1;
  }

  /** Learn the slot state, power the card if present, and watch the interrupt endpoint. Called once by openCcidReader. */
  async start(signal?: AbortSignal): Promise<void> {
    await this.gate.run(signal, async (inner) => {
      const s = await this.pipe.command(PC_TO_RDR_GET_SLOT_STATUS, [0, 0, 0], new Uint8Array(0), RDR_TO_PC_SLOT_STATUS, { signal: inner });
      this.present = s.iccStatus !== ICC_ABSENT;
      if (!this.present) return;
      try {
        await this.powerUp(inner, false);
      } catch (e) {
        // The reader is fine; a card that is pulled, mute or unsupported shows up at its first use.
        if (!(e instanceof CardRemovedError || e instanceof CcidCommandError || e instanceof CcidUnsupportedError)) throw e;
      }
    });
    if (this.iface.interruptIn) void this.watchSlots();
  }

  /** Power the card up now if it is not (after an insertion), and return its ATR. */
  async connect(signal?: AbortSignal): Promise<Uint8Array> {
    return this.gate.run(signal, async (inner) => {
      if (!this.powered) await this.powerUp(inner, true);
      return this.currentAtr;
    });
  }

  transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    return this.gate.run(signal, async (inner) => {
      try {
        if (!this.powered) await this.powerUp(inner, true);
        return await this.exchange(apdu, inner);
      } catch (e) {
        throw await this.diagnose(e, inner);
      }
    });
  }

  on(event: CardEvent, listener: () => void): () => void {
    return this.events.on(event, listener);
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.gate.close();
    if (this.powered) {
      this.powered = false;
      try {
        await this.pipe.command(PC_TO_RDR_ICC_POWER_OFF, [0, 0, 0], new Uint8Array(0), RDR_TO_PC_SLOT_STATUS, { timeoutMs: QUICK_TIMEOUT_MS });
      } catch {
        // The reader may be gone already; closing goes on.
      }
    }
    this.t1 = null;
    this.currentAtr = new Uint8Array(0);
    try {
      await this.device.releaseInterface(this.iface.interfaceNumber);
    } catch {
      // ditto
    }
    try {
      await this.device.close();
    } catch {
      // ditto
    }
    this.events.clear();
  }

  // ---- power -------------------------------------------------------------------------------

  private async powerUp(signal: AbortSignal, announce: boolean): Promise<void> {
    const r = await this.pipe.command(PC_TO_RDR_ICC_POWER_ON, [POWER_SELECT_AUTO, 0, 0], new Uint8Array(0), RDR_TO_PC_DATA_BLOCK, { signal });
    if (r.commandStatus === COMMAND_FAILED) {
      if (r.iccStatus === ICC_ABSENT) {
        this.noteAbsent();
        throw new CardRemovedError('No card is in the reader.');
      }
      throw ccidCommandError(PC_TO_RDR_ICC_POWER_ON, r.status, r.error);
    }
    this.currentAtr = r.data.slice();
    try {
      this.parsedAtr = parseAtr(this.currentAtr);
    } catch {
      this.parsedAtr = undefined;
    }
    if (this.iface.level === 'tpdu') await this.startT1(signal);
    this.powered = true;
    const wasPresent = this.present;
    this.present = true;
    if (announce && !wasPresent) this.events.emit('card-inserted');
  }

  /** TPDU level: SetParameters for T=1 from the ATR, then the T=1 session (with S(IFS request) unless the reader does it). */
  private async startT1(signal: AbortSignal): Promise<void> {
    const atr = this.parsedAtr;
    if (!atr) throw new CcidUnsupportedError('The card’s answer-to-reset does not parse, so its protocol is unknown.');
    if (!atr.t1) throw new CcidUnsupportedError('The card offers only T=0; this reader needs the host to run the protocol, and only T=1 is supported.');
    if (!this.reader.protocols.t1) throw new CcidUnsupportedError('The reader does not support T=1.');
    const d = this.iface.descriptor;
    const edcSize = atr.t1.edc === 'crc' ? 2 : 1;
    const maxInf = Math.min(254, this.pipe.maxPayload - 3 - edcSize);
    if (maxInf < 1) throw new CcidUnsupportedError('The reader’s messages are too small for T=1 blocks.');
    const ifsc = Math.min(atr.t1.ifsc, maxInf);
    const ifsd = Math.max(1, Math.min(maxInf, d.maxIFSD > 0 ? d.maxIFSD : 254));
    const fidi = d.features & FEATURE_AUTO_PPS || atr.specificMode ? atr.ta1 : 0x11;
    const params = Uint8Array.of(
      fidi,
      TCCKST1_BASE | (atr.convention === 'inverse' ? TCCKST1_INVERSE : 0) | (atr.t1.edc === 'crc' ? TCCKST1_CRC : 0),
      atr.extraGuardTime,
      (atr.t1.bwi << 4) | atr.t1.cwi,
      0,
      atr.t1.ifsc,
      0,
    );
    const p = await this.pipe.command(PC_TO_RDR_SET_PARAMETERS, [PROTOCOL_NUM_T1, 0, 0], params, RDR_TO_PC_PARAMETERS, { signal });
    if (p.commandStatus === COMMAND_FAILED) {
      if (p.iccStatus === ICC_ABSENT) {
        this.noteAbsent();
        throw new CardRemovedError();
      }
      // Readers that configure themselves from the ATR may refuse; anything else is an error.
      if (!(d.features & FEATURE_AUTO_PARAMETERS_FROM_ATR)) throw ccidCommandError(PC_TO_RDR_SET_PARAMETERS, p.status, p.error);
    }
    const link: T1Link = {
      exchangeBlock: async (block, o) => {
        const r = await this.pipe.command(PC_TO_RDR_XFR_BLOCK, [o.bwtMultiplier > 1 ? o.bwtMultiplier & 0xff : 0, 0, 0], block, RDR_TO_PC_DATA_BLOCK, {
          signal: o.signal,
          timeoutScale: o.bwtMultiplier,
        });
        if (r.commandStatus === COMMAND_FAILED) {
          if (r.iccStatus === ICC_ABSENT) {
            this.noteAbsent();
            throw new CardRemovedError();
          }
          if (r.error === ERR_ICC_MUTE) throw new T1LinkError('The card did not answer the T=1 block (ICC mute).', 'mute');
          if (r.error === ERR_XFR_PARITY) throw new T1LinkError('The T=1 block came back with a parity error.', 'parity');
          if (r.error === ERR_XFR_OVERRUN) throw new T1LinkError('The T=1 block overran the reader’s buffer.', 'overrun');
          throw ccidCommandError(PC_TO_RDR_XFR_BLOCK, r.status, r.error);
        }
        return r.data;
      },
    };
    const session = new T1Session(link, { ifsc, ifsd, edc: atr.t1.edc, maxRetries: this.options.t1MaxRetries });
    if (!(d.features & FEATURE_AUTO_IFSD)) await session.negotiateIfsd(signal);
    this.t1 = session;
  }

  // ---- exchange levels ---------------------------------------------------------------------

  private levelExchange(): Exchange {
    switch (this.iface.level) {
      case 'extended-apdu':
        return (apdu, signal) => this.xfrExtended(apdu, signal);
      case 'short-apdu': {
        let ex: Exchange = (apdu, signal) => this.xfrShort(apdu, signal);
        // A reader whose messages cannot hold a full short APDU gets smaller chain pieces.
        const room = this.pipe.maxPayload;
        if (room < SHORT_APDU_MAX) ex = commandChaining(ex, { maxData: Math.max(1, room - 6) });
        return shortApduExchange(ex);
      }
      case 'tpdu':
        return (apdu, signal) => {
          if (!this.t1) throw new CardRemovedError('The card is not powered.');
          return this.t1.transceive(apdu, signal);
        };
      default:
        throw new CcidUnsupportedError(`exchange level ${this.iface.level}`);
    }
  }

  /** One PC_to_RDR_XfrBlock with wLevelParameter `level`, its DataBlock checked. */
  private async xfr(data: Uint8Array, level: number, signal?: AbortSignal): Promise<CcidReply> {
    const r = await this.pipe.command(PC_TO_RDR_XFR_BLOCK, [0, level & 0xff, level >> 8], data, RDR_TO_PC_DATA_BLOCK, { signal });
    if (r.commandStatus !== COMMAND_FAILED) return r;
    if (r.iccStatus === ICC_ABSENT) {
      this.noteAbsent();
      throw new CardRemovedError();
    }
    if (r.iccStatus === ICC_INACTIVE) {
      // The card was reset or replaced between exchanges: the session on it is gone.
      this.powered = false;
      this.t1 = null;
      this.events.emit('card-removed');
      this.events.emit('card-inserted');
      throw new CardRemovedError('The card was reset or replaced; repeat the step.');
    }
    throw ccidCommandError(PC_TO_RDR_XFR_BLOCK, r.status, r.error);
  }

  /** Short APDU level: the APDU in one message, the response in one message. */
  private async xfrShort(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (apdu.length > this.pipe.maxPayload) throw new CcidProtocolError(`APDU of ${apdu.length} bytes does not fit a message of ${this.pipe.maxPayload}`);
    const r = await this.xfr(apdu, CHAIN_BEGIN_AND_END, signal);
    if (r.specific !== CHAIN_BEGIN_AND_END) throw new CcidProtocolError(`chained response (bChainParameter ${r.specific}) at short APDU level`);
    return r.data;
  }

  /**
   * Extended APDU level: a command longer than one message goes as CCID chain pieces
   * (wLevelParameter 1, 3 ..., 2), each but the last answered by an empty DataBlock with
   * bChainParameter 0x10; a response longer than one message comes as DataBlocks with
   * bChainParameter 1, 3 ..., 2, each fetched with an empty XfrBlock, wLevelParameter 0x10.
   */
  private async xfrExtended(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const max = this.pipe.maxPayload;
    let reply: CcidReply;
    if (apdu.length <= max) {
      reply = await this.xfr(apdu, CHAIN_BEGIN_AND_END, signal);
    } else {
      let at = 0;
      for (;;) {
        const last = at + max >= apdu.length;
        const level = at === 0 ? CHAIN_BEGIN : last ? CHAIN_END : CHAIN_CONTINUE;
        reply = await this.xfr(apdu.subarray(at, at + max), level, signal);
        if (last) break;
        if (reply.specific !== CHAIN_EMPTY_MORE || reply.data.length !== 0) {
          throw new CcidProtocolError(`the reader answered command piece ${level} with bChainParameter ${reply.specific} and ${reply.data.length} bytes`);
        }
        at += max;
      }
    }
    if (reply.specific !== CHAIN_BEGIN_AND_END && reply.specific !== CHAIN_BEGIN) {
      throw new CcidProtocolError(`response starts with bChainParameter ${reply.specific}`);
    }
    const parts = [reply.data];
    let total = reply.data.length;
    while (reply.specific === CHAIN_BEGIN || reply.specific === CHAIN_CONTINUE) {
      reply = await this.xfr(new Uint8Array(0), CHAIN_EMPTY_MORE, signal);
      if (reply.specific !== CHAIN_CONTINUE && reply.specific !== CHAIN_END) {
        throw new CcidProtocolError(`response piece with bChainParameter ${reply.specific}`);
      }
      total += reply.data.length;
      if (total > MAX_RESPONSE_APDU) throw new CcidProtocolError(`chained response longer than ${MAX_RESPONSE_APDU} bytes`);
      parts.push(reply.data);
    }
    return parts.length === 1 ? parts[0] : concat(...parts);
  }

  // ---- presence ----------------------------------------------------------------------------

  /**
   * The card is gone: forget the session, tell the listeners, and (when the news came from
   * the interrupt endpoint rather than from the running exchange itself) fail the running exchange.
   */
  private noteAbsent(cancelRunning = false): void {
    const was = this.present;
    this.present = false;
    this.powered = false;
    this.t1 = null;
    this.currentAtr = new Uint8Array(0);
    this.parsedAtr = undefined;
    if (cancelRunning) this.gate.cancel(new CardRemovedError());
    if (was) this.events.emit('card-removed');
  }

  /**
   * After a failed exchange: a stall, transfer error, timeout or mute may mean the card was
   * pulled. Ask the slot; if it is empty the answer is CardRemovedError.
   */
  private async diagnose(e: unknown, signal: AbortSignal): Promise<unknown> {
    if (e instanceof CardRemovedError || e instanceof TransportAbortedError || e instanceof TransportClosedError || signal.aborted) return e;
    const suspicious = e instanceof CcidTransferError || e instanceof TransportTimeoutError || (e instanceof CcidCommandError && e.code === 'icc-mute') || e instanceof T1LinkError;
    if (!suspicious && !(e instanceof T1ProtocolError)) return e;
    try {
      const s = await this.pipe.command(PC_TO_RDR_GET_SLOT_STATUS, [0, 0, 0], new Uint8Array(0), RDR_TO_PC_SLOT_STATUS, { signal, timeoutMs: QUICK_TIMEOUT_MS });
      if (s.iccStatus === ICC_ABSENT) {
        this.noteAbsent();
        return new CardRemovedError();
      }
    } catch {
      // Keep the first error.
    }
    return e;
  }

  /** RDR_to_PC_NotifySlotChange on the interrupt endpoint (CCID §6.3.1): 2 bits per slot, b0 present, b1 changed. */
  private async watchSlots(): Promise<void> {
    const ep = this.iface.interruptIn!;
    const slot = this.options.slot ?? 0;
    let stalls = 0;
    while (!this.closing) {
      let res: USBInTransferResult;
      try {
        res = await this.device.transferIn(ep.number, Math.max(ep.packetSize, 8));
      } catch {
        return; // closed or disconnected
      }
      if (this.closing) return;
      if (res.status === 'stall') {
        if (++stalls > 3) return;
        await this.device.clearHalt('in', ep.number).catch(() => {});
        continue;
      }
      stalls = 0;
      const data = res.data ? new Uint8Array(res.data.buffer, res.data.byteOffset, res.data.byteLength) : new Uint8Array(0);
      if (data.length < 1) continue;
      if (data[0] === RDR_TO_PC_NOTIFY_SLOT_CHANGE) {
        const byte = 1 + (slot >> 2);
        if (data.length <= byte) continue;
        const bits = (data[byte] >> ((slot & 3) * 2)) & 0x03;
        this.onSlotChange((bits & 1) === 1);
      } else if (data[0] === RDR_TO_PC_HARDWARE_ERROR) {
        // bSlot, bSeq, bHardwareErrorCode: the running exchange will fail on its own.
      }
    }
  }

  /**
   * Readers also report the current state when polled or started (with the "changed" bit set),
   * so only a difference from what we know counts. A card swapped faster than the reader
   * reports shows up on the next exchange instead (an inactive card: removed, then inserted).
   */
  private onSlotChange(present: boolean): void {
    if (!present) {
      if (this.present) this.noteAbsent(true);
      return;
    }
    if (this.present) return;
    this.present = true;
    this.powered = false;
    this.events.emit('card-inserted');
  }
}

const hex4 = (v: number): string => v.toString(16).toUpperCase().padStart(4, '0');

