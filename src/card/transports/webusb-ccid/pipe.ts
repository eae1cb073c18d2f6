/**
 * One CCID message exchange at a time over the bulk endpoints: a PC_to_RDR command out, its
 * RDR_to_PC reply back.
 *
 * - bSeq: every command gets the next sequence number; the reply must echo it. A reply to a
 *   command the host gave up on (aborted, timed out, cut off by card removal) is recognised
 *   and dropped, so it never answers the next command; any other mismatch is CcidSequenceError.
 * - Time extension (bmCommandStatus = 2): keep reading, with the timeout multiplied by bError.
 * - A reply split over several transferIn results is put together from the header's dwLength.
 * - WebUSB cannot cancel a transferIn: a read the host stopped waiting for stays pending and
 *   is picked up by the next read, so no bytes are lost.
 */
import { concat } from '../../../bytes/index.ts';
import { TransportAbortedError, TransportClosedError, TransportError, TransportTimeoutError } from '../../transport-errors.ts';
import { throwIfAborted, whenAborted } from '../exchange-gate.ts';
import { COMMAND_TIME_EXTENSION, HEADER_LENGTH } from './constants.ts';
import type { EndpointInfo } from './descriptors.ts';
import { CcidProtocolError, CcidSequenceError, CcidTransferError } from './errors.ts';
import { decodeReply, encodeMessage, messageDataLength, type CcidReply } from './messages.ts';
import type { CcidUsbDevice, Timers } from './usb.ts';

export interface PipeOptions {
  /** Time allowed for a reply, ms (scaled by time extensions). */
  timeoutMs: number;
  timers: Timers;
}

export interface CommandOptions {
  signal?: AbortSignal;
  /** Multiplies the reply timeout (bBWI at TPDU level). */
  timeoutScale?: number;
  /** Replaces the pipe's reply timeout for this command (closing, quick checks). */
  timeoutMs?: number;
}

/** Replies given up on that are remembered, at most. */
const MAX_OUTSTANDING = 8;

export class CcidPipe {
  private seq = 0;
  private buffer: Uint8Array = new Uint8Array(0);
  private pendingIn: Promise<USBInTransferResult> | null = null;
  private readonly outstanding = new Set<number>();
  private readonly readSize: number;
  private lock: Promise<void> = Promise.resolve();

  constructor(
    private readonly device: CcidUsbDevice,
    private readonly bulkIn: EndpointInfo,
    private readonly bulkOut: EndpointInfo,
    /** dwMaxCCIDMessageLength. */
    readonly maxMessageLength: number,
    readonly slot: number,
    private readonly opts: PipeOptions,
  ) {
    const p = Math.max(1, bulkIn.packetSize);
    this.readSize = Math.ceil(maxMessageLength / p) * p;
  }

  /** Largest data field of one message. */
  get maxPayload(): number {
    return this.maxMessageLength - HEADER_LENGTH;
  }

  /** Sequence numbers of replies given up on and not yet seen. */
  get abandoned(): readonly number[] {
    return [...this.outstanding];
  }

  /**
   * Send one command and return its reply (of type `expect`). A failed command
   * (bmCommandStatus = 1) is returned as is: the caller decides what it means.
   */
  async command(type: number, specific: readonly [number, number, number], data: Uint8Array, expect: number, opts: CommandOptions = {}): Promise<CcidReply> {
    const { signal } = opts;
    throwIfAborted(signal);
    // One command on the bus at a time, even when a caller gave up on an earlier one that is
    // still winding down (the next waits for it; the queue keeps its order if a waiter aborts).
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = this.lock;
    this.lock = before.then(() => mine);
    try {
      if (signal) {
        const abort = whenAborted(signal);
        try {
          await Promise.race([before, abort.promise]);
        } finally {
          abort.dispose();
        }
      } else {
        await before;
      }
      return await this.commandNow(type, specific, data, expect, opts);
    } finally {
      release();
    }
  }

  private async commandNow(type: number, specific: readonly [number, number, number], data: Uint8Array, expect: number, opts: CommandOptions): Promise<CcidReply> {
    const { signal } = opts;
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    await this.drain(timeoutMs, signal);
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    const scale = Math.max(1, opts.timeoutScale ?? 1);
    const base = timeoutMs * scale;
    const msg = encodeMessage(type, this.slot, seq, specific, data);
    try {
      try {
        await this.write(msg, this.opts.timers.now() + base, signal);
      } finally {
        msg.fill(0);
      }
      let deadline = this.opts.timers.now() + base;
      for (;;) {
        const reply = await this.readMessage(deadline, signal);
        if (reply.seq !== seq) {
          if (this.outstanding.delete(reply.seq)) continue;
          throw new CcidSequenceError(seq, reply.seq);
        }
        if (reply.commandStatus === COMMAND_TIME_EXTENSION) {
          deadline = this.opts.timers.now() + base * Math.max(1, reply.error);
          continue;
        }
        if (reply.slot !== this.slot) throw new CcidProtocolError(`reply for slot ${reply.slot}, expected ${this.slot}`);
        if (reply.type !== expect) throw new CcidProtocolError(`reply type ${hex(reply.type)} to message ${hex(type)}, expected ${hex(expect)}`);
        return reply;
      }
    } catch (e) {
      // The reply may still come: remember it, so it is not taken for the next one.
      if (!(e instanceof CcidSequenceError) && !(e instanceof CcidProtocolError) && !(e instanceof CcidTransferError) && !(e instanceof TransportClosedError)) {
        this.remember(seq);
      }
      throw e;
    }
  }

  private remember(seq: number): void {
    this.outstanding.add(seq);
    while (this.outstanding.size > MAX_OUTSTANDING) this.outstanding.delete(this.outstanding.values().next().value!);
  }

  /** Read and drop the replies of commands given up on, before a new command goes out. */
  private async drain(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.outstanding.size === 0) return;
    let deadline = this.opts.timers.now() + timeoutMs;
    try {
      while (this.outstanding.size > 0) {
        const r = await this.readMessage(deadline, signal);
        if (r.commandStatus === COMMAND_TIME_EXTENSION && this.outstanding.has(r.seq)) {
          deadline = this.opts.timers.now() + timeoutMs * Math.max(1, r.error);
          continue;
        }
        this.outstanding.delete(r.seq);
      }
    } catch (e) {
      // A timeout: those replies are not coming. A stall or transfer error: they are lost.
      // Either way go on (the reader answers "slot busy" if it still is busy).
      if (!(e instanceof TransportTimeoutError) && !(e instanceof CcidTransferError) && !(e instanceof CcidProtocolError)) throw e;
      this.outstanding.clear();
    }
  }

  private async write(msg: Uint8Array<ArrayBuffer>, deadline: number, signal?: AbortSignal): Promise<void> {
    const ep = this.bulkOut.number;
    let res: USBOutTransferResult;
    try {
      res = await this.race(this.device.transferOut(ep, msg), deadline, signal);
    } catch (e) {
      throw mapUsbError(e, 'out', ep);
    }
    if (res.status === 'stall') {
      await this.device.clearHalt('out', ep).catch(() => {});
      throw new CcidTransferError('The reader stalled the bulk-OUT endpoint.', 'out', ep, 'stall');
    }
    if (res.status !== 'ok' || res.bytesWritten !== msg.length) {
      throw new CcidTransferError(`Only ${res.bytesWritten} of ${msg.length} bytes reached the reader.`, 'out', ep, res.status ?? 'short');
    }
  }

  /** Read one whole message (reassembled from as many transfers as it takes). */
  private async readMessage(deadline: number, signal?: AbortSignal): Promise<CcidReply> {
    for (;;) {
      if (this.buffer.length >= HEADER_LENGTH) {
        const n = messageDataLength(this.buffer);
        if (n > this.maxPayload) {
          this.buffer = new Uint8Array(0);
          throw new CcidProtocolError(`reply dwLength ${n} exceeds dwMaxCCIDMessageLength ${this.maxMessageLength} - 10`);
        }
        if (this.buffer.length >= HEADER_LENGTH + n) {
          const msg = this.buffer.subarray(0, HEADER_LENGTH + n);
          const rest = this.buffer.subarray(HEADER_LENGTH + n);
          const reply = decodeReply(msg);
          msg.fill(0);
          this.buffer = rest.slice();
          return reply;
        }
      }
      const chunk = await this.nextTransfer(deadline, signal);
      if (chunk.length > 0) this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    }
  }

  private async nextTransfer(deadline: number, signal?: AbortSignal): Promise<Uint8Array> {
    const ep = this.bulkIn.number;
    if (!this.pendingIn) {
      const p = this.device.transferIn(ep, this.readSize);
      p.catch(() => {});
      this.pendingIn = p;
    }
    const pending = this.pendingIn;
    let res: USBInTransferResult;
    try {
      res = await this.race(pending, deadline, signal);
    } catch (e) {
      if (e instanceof TransportTimeoutError || isAbortReason(e, signal)) throw e; // the transfer stays pending for the next read
      this.pendingIn = null;
      this.buffer = new Uint8Array(0);
      throw mapUsbError(e, 'in', ep);
    }
    this.pendingIn = null;
    if (res.status === 'stall') {
      this.buffer = new Uint8Array(0);
      await this.device.clearHalt('in', ep).catch(() => {});
      throw new CcidTransferError('The reader stalled the bulk-IN endpoint.', 'in', ep, 'stall');
    }
    if (res.status === 'babble') {
      this.buffer = new Uint8Array(0);
      throw new CcidTransferError('The reader sent more data than asked for (babble).', 'in', ep, 'babble');
    }
    const dv = res.data;
    return dv ? new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength).slice() : new Uint8Array(0);
  }

  /** Wait for `p`, but no later than `deadline`, and not after `signal` fires. */
  private async race<T>(p: Promise<T>, deadline: number, signal?: AbortSignal): Promise<T> {
    const t = this.opts.timers;
    let handle: unknown;
    const timeout = new Promise<never>((_, reject) => {
      handle = t.setTimeout(() => reject(new TransportTimeoutError()), Math.max(0, deadline - t.now()));
    });
    const abort = signal ? whenAborted(signal) : undefined;
    try {
      return await Promise.race(abort ? [p, timeout, abort.promise] : [p, timeout]);
    } finally {
      t.clearTimeout(handle);
      abort?.dispose();
    }
  }
}

function isAbortReason(e: unknown, signal?: AbortSignal): boolean {
  return (signal?.aborted === true && e === signal.reason) || e instanceof TransportAbortedError;
}

const hex = (v: number): string => v.toString(16).toUpperCase().padStart(2, '0');

/** A WebUSB rejection as a transport error. */
export function mapUsbError(e: unknown, direction: 'in' | 'out', endpoint: number): Error {
  if (e instanceof TransportError) return e;
  const name = (e as { name?: string } | null)?.name ?? 'Error';
  const message = (e as { message?: string } | null)?.message ?? String(e);
  if (name === 'NotFoundError' || name === 'AbortError' || name === 'InvalidStateError') {
    return new TransportClosedError(`The reader was disconnected or closed (${name}: ${message}).`);
  }
  return new CcidTransferError(`USB transfer ${direction} on endpoint ${endpoint} failed (${name}: ${message}).`, direction, endpoint, name);
}
