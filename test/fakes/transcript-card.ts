/**
 * A card that replays an APDU transcript: each command must be exactly the next expected one,
 * and gets the recorded response. An unexpected APDU throws TranscriptMismatchError (and is
 * remembered, so assertDone() fails too even if a caller swallowed the error); assertDone()
 * fails when recorded steps are left over.
 */
import { fromHex, toHex } from '../../src/bytes/index.ts';

export interface TranscriptStep {
  /** Expected command APDU (bytes, or hex with optional spaces). */
  command: Uint8Array | string;
  /** Response APDU to give (data ‖ SW). */
  response: Uint8Array | string;
}

export class TranscriptMismatchError extends Error {
  override name = 'TranscriptMismatchError';
}

const bytes = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? fromHex(v, { separators: true }) : v);

export class TranscriptCard {
  private readonly steps: { command: Uint8Array; response: Uint8Array }[];
  private next = 0;
  private failure: TranscriptMismatchError | null = null;

  constructor(steps: readonly TranscriptStep[]) {
    this.steps = steps.map((s) => ({ command: bytes(s.command), response: bytes(s.response) }));
  }

  /** The card function. */
  readonly handle = async (apdu: Uint8Array): Promise<Uint8Array> => {
    if (this.failure) throw this.failure;
    const step = this.steps[this.next];
    if (!step) {
      this.failure = new TranscriptMismatchError(`unexpected APDU ${toHex(apdu)} after the end of the transcript (${this.steps.length} steps)`);
      throw this.failure;
    }
    if (toHex(step.command) !== toHex(apdu)) {
      this.failure = new TranscriptMismatchError(`step ${this.next + 1}: expected ${toHex(step.command)}, got ${toHex(apdu)}`);
      throw this.failure;
    }
    this.next++;
    return step.response.slice();
  };

  /** Steps played so far. */
  get played(): number {
    return this.next;
  }

  /** Throws unless every step was played and no APDU was unexpected. */
  assertDone(): void {
    if (this.failure) throw this.failure;
    if (this.next !== this.steps.length) {
      throw new TranscriptMismatchError(`${this.steps.length - this.next} of ${this.steps.length} transcript steps were not played; next: ${toHex(this.steps[this.next].command)}`);
    }
  }
}
