import { concat } from '../../bytes/index.ts';
import { encodeCommand, parseCommand } from '../apdu.ts';
import { CardProtocolError } from '../errors.ts';
import { SW1_MORE_DATA } from '../status-words.ts';
import { sw1Of, sw2Of, type Exchange } from './exchange.ts';

/**
 * ISO/IEC 7816-4 §7.6.1 GET RESPONSE, used when a card answers SW 61xx ("xx more bytes
 * available", 00 = 256 or more):
 *
 *   | CLA      | INS | P1 P2 | Lc | Le                          |
 *   |----------|-----|-------|----|-----------------------------|
 *   | as cmd * | C0  | 00 00 | -  | xx from the previous 61xx   |
 *
 *   * the class of the command, with the chaining bit (b5, 0x10) cleared.
 */
export const INS_GET_RESPONSE = 0xc0;
/** CLA bit 5: command chaining (ISO/IEC 7816-4 §5.4.1, "the command is not the last of a chain"). */
export const CLA_CHAINING_BIT = 0x10;
/** Default cap on a response collected over GET RESPONSE (the extended-length maximum). */
export const DEFAULT_MAX_RESPONSE = 65536;

export interface GetResponseOptions {
  /** CLA of GET RESPONSE: 'echo' (default) repeats the command's class without the chaining bit. */
  cla?: number | 'echo';
  /** Largest response data to collect; more is a CardProtocolError. Default 65536. */
  maxResponse?: number;
}

/** The GET RESPONSE command for 61xx after a command of class `cla`. */
export function getResponseCommand(cla: number, sw2: number, opts: GetResponseOptions = {}): Uint8Array {
  const c = opts.cla === undefined || opts.cla === 'echo' ? cla & ~CLA_CHAINING_BIT : opts.cla;
  return encodeCommand({ cla: c, ins: INS_GET_RESPONSE, p1: 0, p2: 0, ne: sw2 === 0 ? 256 : sw2 });
}

/**
 * Given the first response to a command of class `cla`, keep sending GET RESPONSE while the card
 * answers 61xx and return the whole response: all data ‖ the last status word.
 */
export async function collectResponse(
  exchange: Exchange,
  cla: number,
  first: Uint8Array,
  signal?: AbortSignal,
  opts: GetResponseOptions = {},
): Promise<Uint8Array> {
  if (first.length < 2) throw new CardProtocolError(`response of ${first.length} bytes has no status word`);
  if (sw1Of(first) !== SW1_MORE_DATA) return first;
  const max = opts.maxResponse ?? DEFAULT_MAX_RESPONSE;
  const parts: Uint8Array[] = [first.subarray(0, first.length - 2)];
  let total = parts[0].length;
  let last = first;
  while (sw1Of(last) === SW1_MORE_DATA) {
    last = await exchange(getResponseCommand(cla, sw2Of(last), opts), signal);
    if (last.length < 2) throw new CardProtocolError(`GET RESPONSE answer of ${last.length} bytes has no status word`);
    const data = last.subarray(0, last.length - 2);
    total += data.length;
    if (total > max) throw new CardProtocolError(`the card offered more than ${max} response bytes`);
    if (data.length === 0 && sw1Of(last) === SW1_MORE_DATA) {
      throw new CardProtocolError('the card answered GET RESPONSE with no data and 61xx again');
    }
    parts.push(data);
  }
  parts.push(last.subarray(last.length - 2));
  return concat(...parts);
}

/** Processor: answers to 61xx are completed with GET RESPONSE, so callers never see 61xx. */
export function getResponse(exchange: Exchange, opts: GetResponseOptions = {}): Exchange {
  return async (apdu, signal) => {
    const cla = parseCommand(apdu).cla;
    return collectResponse(exchange, cla, await exchange(apdu, signal), signal, opts);
  };
}
