import { encodeCommand, parseCommand } from '../apdu.ts';
import { SW1_WRONG_LE } from '../status-words.ts';
import { sw1Of, sw2Of, type Exchange } from './exchange.ts';

/**
 * ISO/IEC 7816-3 §10.3.3 / 7816-4 §5.1.3: SW 6Cxx means "wrong Le; the exact length is xx"
 * (00 = 256). The command is sent once more, unchanged but for Le = xx. Only commands that
 * carry an Le field (cases 2 and 4) are re-sent; a second 6Cxx is returned as is.
 */
export function wrongLengthRetry(exchange: Exchange): Exchange {
  return async (apdu, signal) => {
    const first = await exchange(apdu, signal);
    if (first.length < 2 || sw1Of(first) !== SW1_WRONG_LE) return first;
    const cmd = parseCommand(apdu);
    if (cmd.ne === undefined) return first;
    const ne = sw2Of(first) === 0 ? 256 : sw2Of(first);
    const again = encodeCommand({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: cmd.data, ne }, { extended: cmd.extended });
    try {
      return await exchange(again, signal);
    } finally {
      again.fill(0);
      cmd.data.fill(0);
    }
  };
}
