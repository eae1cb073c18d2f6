/**
 * ISO/IEC 7816-3 §11 T=1 block transmission protocol, host side, for readers that exchange
 * TPDUs (CCID dwFeatures "TPDU level exchange"): the host runs T=1 itself. See docs/t1.md.
 */
export type { T1Link, T1LinkFailure } from './link.ts';
export { T1LinkError } from './link.ts';
export type { T1Options } from './session.ts';
export { T1Session, DEFAULT_MAX_RETRIES, MAX_COMMAND_APDU, MAX_RESPONSE_APDU } from './session.ts';
export type { T1ProtocolFailure } from './errors.ts';
export { T1ProtocolError } from './errors.ts';
export type { Bit, IBlock, RBlock, SBlock, T1Block, T1Frame, T1BlockErrorReason } from './block.ts';
export { buildBlock, parseBlock, describeBlock, T1BlockError, DEFAULT_IFS, MAX_INF, MAX_BLOCK_SIZE } from './block.ts';
export type { EdcKind } from './edc.ts';
