/**
 * The seam between the T=1 engine and the reader: one block out, one block back.
 *
 * The CCID layer implements T1Link by wrapping the block in PC_to_RDR_XfrBlock (bBWI =
 * bwtMultiplier) and unwrapping RDR_to_PC_DataBlock. A reply that never came or came broken
 * (ICC mute, parity error, overrun) is a T1LinkError; the engine treats it as a lost or garbled
 * block (ISO/IEC 7816-3 §11.6.3 rule 7). Any other error (card removed, aborted, closed) ends
 * the exchange unchanged.
 */
export interface T1Link {
  /**
   * Send one T=1 block (the CCID layer wraps it in PC_to_RDR_XfrBlock with bBWI = bwtMultiplier) and return the card's reply block.
   *
   * The engine zeroes `block` once the promise settles (it may carry a PIN): copy it if you
   * need it afterwards. `bwtMultiplier` is 1 except for the exchange that carries
   * S(WTX response), where it is the multiplier the card asked for.
   */
  exchangeBlock(block: Uint8Array, opts: { bwtMultiplier: number; signal?: AbortSignal }): Promise<Uint8Array>;
}

/** Why a link reports a lost or broken reply. */
export type T1LinkFailure = 'mute' | 'parity' | 'overrun' | 'other';

/** Thrown by a T1Link for a reply that did not arrive or arrived broken (ICC mute, parity, overrun): the engine treats it as a lost/garbled block. */
export class T1LinkError extends Error {
  override name = 'T1LinkError';
  constructor(
    message = 'The T=1 reply block was lost or garbled.',
    /** What the reader reported. */
    readonly failure: T1LinkFailure = 'other',
  ) {
    super(message);
  }
}
