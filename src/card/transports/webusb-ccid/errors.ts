/**
 * Typed errors of the CCID transport. All are TransportErrors, so the layers above handle them
 * without knowing the transport; each carries the facts a diagnosis needs.
 */
import { TransportError } from '../../transport-errors.ts';
import {
  ERR_BAD_ATR_TCK,
  ERR_BAD_ATR_TS,
  ERR_BUSY_WITH_AUTO_SEQUENCE,
  ERR_CMD_ABORTED,
  ERR_CMD_NOT_SUPPORTED,
  ERR_CMD_SLOT_BUSY,
  ERR_DEACTIVATED_PROTOCOL,
  ERR_HW_ERROR,
  ERR_ICC_CLASS_NOT_SUPPORTED,
  ERR_ICC_MUTE,
  ERR_ICC_PROTOCOL_NOT_SUPPORTED,
  ERR_PIN_CANCELLED,
  ERR_PIN_TIMEOUT,
  ERR_PROCEDURE_BYTE_CONFLICT,
  ERR_XFR_OVERRUN,
  ERR_XFR_PARITY,
} from './constants.ts';

/** The configuration descriptor is malformed. */
export class CcidDescriptorError extends TransportError {
  override name = 'CcidDescriptorError';
  constructor(
    message: string,
    /** Offset in the configuration descriptor. */
    readonly offset: number,
  ) {
    super(`USB descriptor: ${message} (offset ${offset})`, 'This USB device reports broken descriptors; try another reader.');
  }
}

/** The device has no CCID (smart-card reader) interface. */
export class NotCcidDeviceError extends TransportError {
  override name = 'NotCcidDeviceError';
  constructor(message = 'This USB device is not a smart-card reader (no CCID interface).') {
    super(message, 'Choose the smart-card reader or security key in the device picker.');
  }
}

/** The CCID interface lacks the bulk-IN or bulk-OUT endpoint. */
export class CcidEndpointError extends TransportError {
  override name = 'CcidEndpointError';
  constructor(message: string) {
    super(message, 'This reader does not follow the CCID specification; try another reader.');
  }
}

/** The reader exchanges at a level this transport does not drive (character level), or the card's protocol is not supported. */
export class CcidUnsupportedError extends TransportError {
  override name = 'CcidUnsupportedError';
  constructor(message: string) {
    super(message, 'Use another reader, or the Web Smart Card route if the operating system supports this one.');
  }
}

/** A reply whose bSeq is not the command's. */
export class CcidSequenceError extends TransportError {
  override name = 'CcidSequenceError';
  constructor(
    readonly expected: number,
    readonly received: number,
  ) {
    super(`The reader answered message ${received} while message ${expected} was expected.`, 'Try again; if it repeats, reconnect the reader.');
  }
}

/** A reply that breaks the CCID message rules (wrong type, slot, length or chaining). */
export class CcidProtocolError extends TransportError {
  override name = 'CcidProtocolError';
  constructor(message: string) {
    super(`Reader protocol error: ${message}`, 'Reconnect the reader and try again.');
  }
}

/** A USB transfer failed (stall, babble, or a transfer error reported by the browser). */
export class CcidTransferError extends TransportError {
  override name = 'CcidTransferError';
  constructor(
    message: string,
    readonly direction: 'in' | 'out',
    readonly endpoint: number,
    /** 'stall', 'babble', or the browser's error name (e.g. NetworkError). */
    readonly reason: string,
  ) {
    super(message, 'Reconnect the reader and try again.');
  }
}

export type CcidErrorCode =
  | 'aborted'
  | 'icc-mute'
  | 'xfr-parity'
  | 'xfr-overrun'
  | 'hardware'
  | 'bad-atr'
  | 'protocol-not-supported'
  | 'class-not-supported'
  | 'procedure-byte-conflict'
  | 'deactivated-protocol'
  | 'busy-with-auto-sequence'
  | 'pin-timeout'
  | 'pin-cancelled'
  | 'slot-busy'
  | 'command-not-supported'
  | 'bad-parameter'
  | 'other';

const CODES: ReadonlyMap<number, [CcidErrorCode, string]> = new Map([
  [ERR_CMD_ABORTED, ['aborted', 'The reader aborted the command.']],
  [ERR_ICC_MUTE, ['icc-mute', 'The card did not answer (ICC mute).']],
  [ERR_XFR_PARITY, ['xfr-parity', 'Parity error between reader and card.']],
  [ERR_XFR_OVERRUN, ['xfr-overrun', 'Buffer overrun between reader and card.']],
  [ERR_HW_ERROR, ['hardware', 'The reader reported a hardware error.']],
  [ERR_BAD_ATR_TS, ['bad-atr', 'The card sent a bad answer-to-reset (TS).']],
  [ERR_BAD_ATR_TCK, ['bad-atr', 'The card sent a bad answer-to-reset (TCK).']],
  [ERR_ICC_PROTOCOL_NOT_SUPPORTED, ['protocol-not-supported', 'The card’s protocol is not supported by the reader.']],
  [ERR_ICC_CLASS_NOT_SUPPORTED, ['class-not-supported', 'The card’s voltage class is not supported by the reader.']],
  [ERR_PROCEDURE_BYTE_CONFLICT, ['procedure-byte-conflict', 'The card sent a conflicting procedure byte.']],
  [ERR_DEACTIVATED_PROTOCOL, ['deactivated-protocol', 'The protocol is deactivated.']],
  [ERR_BUSY_WITH_AUTO_SEQUENCE, ['busy-with-auto-sequence', 'The reader is busy powering the card up.']],
  [ERR_PIN_TIMEOUT, ['pin-timeout', 'PIN entry on the reader timed out.']],
  [ERR_PIN_CANCELLED, ['pin-cancelled', 'PIN entry on the reader was cancelled.']],
  [ERR_CMD_SLOT_BUSY, ['slot-busy', 'The reader slot is busy with another command.']],
  [ERR_CMD_NOT_SUPPORTED, ['command-not-supported', 'The reader does not support this command.']],
]);

/** The reader reported a failed command (bmCommandStatus = 1) for a reason other than a missing card. */
export class CcidCommandError extends TransportError {
  override name = 'CcidCommandError';
  readonly code: CcidErrorCode;
  constructor(
    /** The command's bMessageType. */
    readonly messageType: number,
    readonly bStatus: number,
    readonly bError: number,
  ) {
    const [code, text] = describeCcidError(bError);
    super(`${text} (CCID bStatus ${hex(bStatus)}, bError ${hex(bError)}, message ${hex(messageType)})`, remedyFor(code));
    this.code = code;
  }
}

/** ICC mute: the card did not answer in time. */
export class IccMuteError extends CcidCommandError {
  override name = 'IccMuteError';
}
/** Parity error (or overrun) on the line between reader and card. */
export class XfrParityError extends CcidCommandError {
  override name = 'XfrParityError';
}
/** The reader's hardware failed. */
export class CcidHardwareError extends CcidCommandError {
  override name = 'CcidHardwareError';
}
/** The reader does not support the command (bError 0) or one of its parameters (bError = its offset). */
export class CommandNotSupportedError extends CcidCommandError {
  override name = 'CommandNotSupportedError';
}

const hex = (v: number): string => v.toString(16).toUpperCase().padStart(2, '0');

export function describeCcidError(bError: number): [CcidErrorCode, string] {
  const known = CODES.get(bError);
  if (known) return known;
  if (bError >= 0x01 && bError <= 0x7f) return ['bad-parameter', `The reader refused message field at offset ${bError}.`];
  return ['other', `The reader reported error ${hex(bError)}.`];
}

function remedyFor(code: CcidErrorCode): string {
  switch (code) {
    case 'icc-mute':
    case 'xfr-parity':
    case 'xfr-overrun':
    case 'bad-atr':
      return 'Remove and reinsert the card, then try again.';
    case 'hardware':
      return 'Reconnect the reader; if it repeats, use another reader.';
    case 'slot-busy':
    case 'busy-with-auto-sequence':
      return 'Wait a moment and try again.';
    case 'command-not-supported':
    case 'bad-parameter':
    case 'protocol-not-supported':
    case 'class-not-supported':
      return 'This reader or card is not supported by this route; try another reader.';
    default:
      return 'Try again; if it repeats, reconnect the reader.';
  }
}

/** The typed error for a failed CCID command. */
export function ccidCommandError(messageType: number, bStatus: number, bError: number): CcidCommandError {
  switch (bError) {
    case ERR_ICC_MUTE:
      return new IccMuteError(messageType, bStatus, bError);
    case ERR_XFR_PARITY:
    case ERR_XFR_OVERRUN:
      return new XfrParityError(messageType, bStatus, bError);
    case ERR_HW_ERROR:
      return new CcidHardwareError(messageType, bStatus, bError);
    default:
      if (bError <= 0x7f) return new CommandNotSupportedError(messageType, bStatus, bError);
      return new CcidCommandError(messageType, bStatus, bError);
  }
}

/** A WebUSB call during setup failed (open, selectConfiguration, claimInterface, GET_DESCRIPTOR). `cause` is the browser's error, for the card doctor to classify. */
export class CcidSetupError extends TransportError {
  override name = 'CcidSetupError';
  constructor(
    readonly operation: 'open' | 'controlTransferIn' | 'selectConfiguration' | 'claimInterface' | 'selectAlternateInterface',
    override readonly cause: unknown,
    readonly interfaceClass?: number,
  ) {
    const name = (cause as { name?: string } | null)?.name ?? 'Error';
    const message = (cause as { message?: string } | null)?.message ?? String(cause);
    super(`USB ${operation} failed (${name}: ${message}).`, 'Run the card doctor for what this means on this browser and system.');
  }
}
