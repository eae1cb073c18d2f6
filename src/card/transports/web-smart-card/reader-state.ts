/**
 * Reader-state helpers for getStatusChange() (spec §SmartCardReaderStateIn/Out).
 *
 * PC/SC tracking works by handing back what you last saw: the caller passes its known state
 * (flags + event count) and the call returns when the actual state differs. The flags of an
 * output state become the next input state; `changed`, `unknown` and `ignore` are output-only
 * or caller-only and are dropped.
 */
import type { SmartCardReaderStateFlagsIn, SmartCardReaderStateFlagsOut, SmartCardReaderStateOut } from './api.ts';

/** The input flags that say "I believe the reader is as `out` says". */
export function knownStateFrom(out: SmartCardReaderStateFlagsOut): SmartCardReaderStateFlagsIn {
  return {
    unavailable: out.unavailable === true,
    empty: out.empty === true,
    present: out.present === true,
    exclusive: out.exclusive === true,
    inuse: out.inuse === true,
    mute: out.mute === true,
    unpowered: out.unpowered === true,
  };
}

/** What one reader looks like right now, in the terms the rest of webtke needs. */
export interface ReaderPresence {
  /** The reader is unplugged, unknown to PC/SC, or otherwise unusable. */
  gone: boolean;
  cardPresent: boolean;
  /** A card is present but does not answer (SCARD_STATE_MUTE). */
  mute: boolean;
  /** Another program holds the card exclusively. */
  exclusive: boolean;
  /** Other programs are connected (shared). */
  inUse: boolean;
  eventCount: number;
}

export function presenceOf(out: SmartCardReaderStateOut): ReaderPresence {
  const f = out.eventState;
  const gone = f.unavailable === true || f.unknown === true;
  return {
    gone,
    cardPresent: !gone && f.present === true,
    mute: f.mute === true,
    exclusive: f.exclusive === true,
    inUse: f.inuse === true,
    eventCount: Number.isInteger(out.eventCount) && out.eventCount >= 0 ? out.eventCount : 0,
  };
}
