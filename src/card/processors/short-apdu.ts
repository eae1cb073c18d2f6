import { encodeCommand, parseCommand, SHORT_MAX_LC, SHORT_MAX_NE } from '../apdu.ts';
import { chainPieces, sendChain } from './command-chaining.ts';
import { collectResponse, type GetResponseOptions } from './get-response.ts';
import type { Exchange } from './exchange.ts';

/**
 * For links that carry short APDUs only (CCID "short APDU level" readers, cards without
 * extended length): accept any APDU and send extended ones in short form.
 *
 * - A short APDU is passed through unchanged (its 61xx/6Cxx answers are the caller's business).
 * - An extended APDU is rewritten (ISO/IEC 7816-4 §5.1, §5.4.1, §7.6.1):
 *     command data over 255 bytes  → a command chain of 255-byte pieces (CLA | 0x10 on all but the last);
 *     Ne over 256                  → Le = 00 (256) on the last piece, then GET RESPONSE while
 *                                    the card answers 61xx, so the whole response comes back;
 *     Ne of 256 or less            → that Le on the last piece (61xx is still completed).
 */
export interface ShortApduOptions extends GetResponseOptions {}

export function shortApduExchange(exchange: Exchange, opts: ShortApduOptions = {}): Exchange {
  return async (apdu, signal) => {
    const cmd = parseCommand(apdu);
    if (!cmd.extended) return exchange(apdu, signal);
    const ne = cmd.ne === undefined ? undefined : Math.min(cmd.ne, SHORT_MAX_NE);
    const pieces = chainPieces({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: cmd.data, ne }, SHORT_MAX_LC).map((c) =>
      encodeCommand(c),
    );
    cmd.data.fill(0);
    const first = await sendChain(exchange, pieces, signal);
    return collectResponse(exchange, cmd.cla, first, signal, opts);
  };
}
