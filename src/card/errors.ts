import { describeStatusWord, SW_AUTH_METHOD_BLOCKED, SW_OK, SW1_WARNING_CHANGED } from './status-words.ts';
import type { Response } from './apdu.ts';

/** CLA INS P1 P2 of the command an error answers, for messages and logs (never the data). */
export interface CommandHeader {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
}

/** The card answered with a status word other than 9000. */
export class ApduError extends Error {
  override name = 'ApduError';
  /** The header of the command it answers, when known: a copy of CLA INS P1 P2 only, so a caller passing a whole Command can never leave its data (a PIN) in an error. */
  readonly command?: CommandHeader;
  constructor(
    /** SW1 << 8 | SW2. */
    readonly sw: number,
    /** Plain-language meaning of the status word. */
    readonly meaning: string = describeStatusWord(sw).meaning,
    command?: CommandHeader,
  ) {
    super(`${meaning} (SW ${sw.toString(16).toUpperCase().padStart(4, '0')}${command ? `, INS ${command.ins.toString(16).toUpperCase().padStart(2, '0')}` : ''})`);
    if (command) this.command = { cla: command.cla, ins: command.ins, p1: command.p1, p2: command.p2 };
  }
  get sw1(): number {
    return this.sw >> 8;
  }
  get sw2(): number {
    return this.sw & 0xff;
  }
}

/** A PIN (or other reference data) was wrong: SW 63Cx, x = tries left. */
export class PinError extends ApduError {
  override name = 'PinError';
  constructor(
    sw: number,
    /** Tries left before the PIN is blocked. */
    readonly retriesLeft: number,
    command?: CommandHeader,
  ) {
    super(sw, describeStatusWord(sw).meaning, command);
  }
}

/** The PIN (or key) is blocked: SW 6983, or 63C0 (a wrong try that used up the last one). */
export class PinBlockedError extends PinError {
  override name = 'PinBlockedError';
  constructor(sw: number = SW_AUTH_METHOD_BLOCKED, command?: CommandHeader) {
    super(sw, 0, command);
  }
}

/**
 * A card (or card emulation) broke ISO 7816 rules in a way the host cannot work around: a
 * response without a status word, an endless GET RESPONSE chain, a response over the size cap.
 */
export class CardProtocolError extends Error {
  override name = 'CardProtocolError';
  constructor(
    message: string,
    readonly remedy = 'Remove and reinsert the card, then try again. If it keeps happening, the card may not be supported.',
  ) {
    super(message);
  }
}

/** The typed error for a status word other than 9000. */
export function errorForStatus(sw: number, command?: CommandHeader): ApduError {
  if (sw === SW_OK) throw new RangeError('9000 is not an error');
  if (sw === SW_AUTH_METHOD_BLOCKED) return new PinBlockedError(sw, command);
  if (sw >> 8 === SW1_WARNING_CHANGED && (sw & 0xf0) === 0xc0) {
    const left = sw & 0x0f;
    return left === 0 ? new PinBlockedError(sw, command) : new PinError(sw, left, command);
  }
  return new ApduError(sw, describeStatusWord(sw).meaning, command);
}

/** The response data when SW is 9000; otherwise throws the typed error. */
export function checkResponse(response: Response, command?: CommandHeader): Uint8Array {
  if (response.sw !== SW_OK) throw errorForStatus(response.sw, command);
  return response.data;
}
