/**
 * CardChannel: what applet clients (PIV, OpenPGP) talk to. It stacks the ISO 7816-4
 * processors over a CardTransport:
 *
 *   send(cmd)
 *     → 6Cxx: re-send with the exact Le          (wrong-length.ts)
 *     → 61xx: GET RESPONSE until the end         (get-response.ts)
 *     → command chaining over maxCommandData     (command-chaining.ts, when set)
 *     → short form only, for cards without extended length (short-apdu.ts, when extendedLength is false)
 *     → traffic log, with PINs and keys redacted (traffic-log.ts, when given)
 *     → transport.transmit()
 */
import { encodeCommand, parseResponse, type Command, type Response } from './apdu.ts';
import { checkResponse } from './errors.ts';
import type { CardTransport } from './transport.ts';
import { commandChaining } from './processors/command-chaining.ts';
import type { Exchange } from './processors/exchange.ts';
import { getResponse, type GetResponseOptions } from './processors/get-response.ts';
import { shortApduExchange } from './processors/short-apdu.ts';
import type { Sensitivity, TrafficLog } from './processors/traffic-log.ts';
import { wrongLengthRetry } from './processors/wrong-length.ts';

export interface CardChannelOptions {
  /** Log every APDU here (secrets redacted). */
  log?: TrafficLog;
  /**
   * Whether the card takes extended-length APDUs. When false, long commands go as command chains
   * and long responses come through GET RESPONSE. Default true (the transport converts them
   * itself when the reader cannot carry them).
   */
  extendedLength?: boolean;
  /** Send commands with more data than this as command chains (CLA | 0x10). Default: no limit. */
  maxCommandData?: number;
  /** GET RESPONSE class and size cap. */
  getResponse?: GetResponseOptions;
}

export interface SendOptions {
  signal?: AbortSignal;
  /** Mark key material so the traffic log never holds it; the encoded command is wiped after sending. */
  sensitive?: Sensitivity;
}

export class CardChannel {
  private readonly exchange: Exchange;
  private readonly log: TrafficLog | undefined;

  constructor(
    readonly transport: CardTransport,
    opts: CardChannelOptions = {},
  ) {
    this.log = opts.log;
    let ex: Exchange = (apdu, signal) => transport.transmit(apdu, signal);
    if (opts.log) ex = opts.log.wrap(ex);
    if (opts.extendedLength === false) ex = shortApduExchange(ex, opts.getResponse);
    if (opts.maxCommandData !== undefined) ex = commandChaining(ex, { maxData: opts.maxCommandData });
    ex = getResponse(ex, opts.getResponse);
    this.exchange = wrongLengthRetry(ex);
  }

  /** Send a command; return data and status word, whatever the status word. */
  async send(cmd: Command, opts: SendOptions = {}): Promise<Response> {
    const apdu = encodeCommand(cmd);
    try {
      const run = (): Promise<Uint8Array> => this.exchange(apdu, opts.signal);
      const r = this.log ? await this.log.within(opts.sensitive, run) : await run();
      const parsed = parseResponse(r);
      // parseResponse copies the data out; a response holding key material (an ECDH shared
      // secret, say) leaves no second copy in the transport's buffer
      if (opts.sensitive === 'response' || opts.sensitive === 'both') r.fill(0);
      return parsed;
    } finally {
      if (opts.sensitive === 'command' || opts.sensitive === 'both') apdu.fill(0);
    }
  }

  /** Send a command; return its data when the status word is 9000, else throw the typed error (ApduError, PinError, PinBlockedError). */
  async sendChecked(cmd: Command, opts: SendOptions = {}): Promise<Uint8Array> {
    const r = await this.send(cmd, opts);
    return checkResponse(r, { cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2 });
  }
}
