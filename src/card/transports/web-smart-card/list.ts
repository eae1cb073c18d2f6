/**
 * Listing the readers PC/SC knows, with the state of each (card present, ATR, held by another
 * program), for a reader picker. Asking with `unaware` makes getStatusChange() answer at once
 * with the actual state.
 */
import type { SmartCardResourceManagerLike } from './api.ts';
import { mapSmartCardError } from './errors.ts';
import { presenceOf } from './reader-state.ts';

export interface SmartCardReaderEntry {
  name: string;
  /** False when the reader is unplugged or unusable. */
  available: boolean;
  cardPresent: boolean;
  /** ATR of the card in it, when the platform reports one (empty otherwise). */
  atr: Uint8Array;
  /** A card is present but does not answer. */
  mute: boolean;
  /** Another program holds the card exclusively right now. */
  exclusive: boolean;
  /** Other programs are connected to the card (shared). */
  inUse: boolean;
}

/** The readers of this computer as `api` (navigator.smartCard) sees them; [] when there are none. */
export async function listSmartCardReaders(api: SmartCardResourceManagerLike): Promise<SmartCardReaderEntry[]> {
  let names: string[];
  let ctx;
  try {
    ctx = await api.establishContext();
    names = await ctx.listReaders();
  } catch (e) {
    throw mapSmartCardError(e, '(all readers)', 'reader listing');
  }
  if (names.length === 0) return [];
  let states;
  try {
    states = await ctx.getStatusChange(names.map((readerName) => ({ readerName, currentState: { unaware: true } })));
  } catch (e) {
    throw mapSmartCardError(e, '(all readers)', 'reader status');
  }
  return names.map((name) => {
    const out = states.find((s) => s.readerName === name);
    if (!out) return { name, available: false, cardPresent: false, atr: new Uint8Array(0), mute: false, exclusive: false, inUse: false };
    const p = presenceOf(out);
    return {
      name,
      available: !p.gone,
      cardPresent: p.cardPresent,
      atr: p.cardPresent && out.answerToReset ? new Uint8Array(out.answerToReset.slice(0)) : new Uint8Array(0),
      mute: p.mute,
      exclusive: p.exclusive,
      inUse: p.inUse,
    };
  });
}
