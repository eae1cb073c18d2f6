/**
 * CCID bulk messages (CCID §6.1, §6.2): building PC_to_RDR commands and reading RDR_to_PC
 * replies. The 10-byte header layout is in constants.ts.
 */
import {
  COMMAND_STATUS_SHIFT,
  HEADER_LENGTH,
  ICC_STATUS_MASK,
  OFF_CHAIN,
  OFF_ERROR,
  OFF_LENGTH,
  OFF_SEQ,
  OFF_SLOT,
  OFF_SPECIFIC,
  OFF_STATUS,
  OFF_TYPE,
} from './constants.ts';
import { CcidProtocolError } from './errors.ts';

/** A PC_to_RDR command message: header (with the 3 message-specific bytes) and data. */
export function encodeMessage(type: number, slot: number, seq: number, specific: readonly [number, number, number], data: Uint8Array = new Uint8Array(0)): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HEADER_LENGTH + data.length);
  out[OFF_TYPE] = type;
  const n = data.length;
  out[OFF_LENGTH] = n & 0xff;
  out[OFF_LENGTH + 1] = (n >>> 8) & 0xff;
  out[OFF_LENGTH + 2] = (n >>> 16) & 0xff;
  out[OFF_LENGTH + 3] = (n >>> 24) & 0xff;
  out[OFF_SLOT] = slot;
  out[OFF_SEQ] = seq;
  out[OFF_SPECIFIC] = specific[0];
  out[OFF_SPECIFIC + 1] = specific[1];
  out[OFF_SPECIFIC + 2] = specific[2];
  out.set(data, HEADER_LENGTH);
  return out;
}

/** dwLength of a message header (the caller has at least 10 bytes). */
export function messageDataLength(header: Uint8Array): number {
  return (header[OFF_LENGTH] | (header[OFF_LENGTH + 1] << 8) | (header[OFF_LENGTH + 2] << 16) | (header[OFF_LENGTH + 3] << 24)) >>> 0;
}

/** A reply from the reader (RDR_to_PC_DataBlock, SlotStatus, Parameters ...). */
export interface CcidReply {
  readonly type: number;
  readonly slot: number;
  readonly seq: number;
  readonly status: number;
  readonly error: number;
  /** bChainParameter (DataBlock), bClockStatus (SlotStatus), bProtocolNum (Parameters). */
  readonly specific: number;
  readonly data: Uint8Array;
  /** bmICCStatus: 0 active, 1 inactive, 2 absent. */
  readonly iccStatus: number;
  /** bmCommandStatus: 0 ok, 1 failed, 2 time extension. */
  readonly commandStatus: number;
}

/** Decode one whole reply message (exactly header + dwLength bytes). */
export function decodeReply(msg: Uint8Array): CcidReply {
  if (msg.length < HEADER_LENGTH) throw new CcidProtocolError(`message of ${msg.length} bytes is shorter than the header`);
  const n = messageDataLength(msg);
  if (msg.length !== HEADER_LENGTH + n) throw new CcidProtocolError(`dwLength ${n} but ${msg.length - HEADER_LENGTH} data bytes`);
  const status = msg[OFF_STATUS];
  return {
    type: msg[OFF_TYPE],
    slot: msg[OFF_SLOT],
    seq: msg[OFF_SEQ],
    status,
    error: msg[OFF_ERROR],
    specific: msg[OFF_CHAIN],
    data: msg.slice(HEADER_LENGTH),
    iccStatus: status & ICC_STATUS_MASK,
    commandStatus: status >> COMMAND_STATUS_SHIFT,
  };
}
