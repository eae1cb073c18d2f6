/**
 * ISO/IEC 7816-3 §11 T=1 block transmission protocol, host side, for readers that exchange
 * TPDUs (CCID dwFeatures "TPDU level exchange"): the host runs T=1 itself.
 */
export type { T1Link, T1LinkFailure } from './link.ts';
export { T1LinkError } from './link.ts';
export type { T1Options } from './session.ts';
export { T1Session } from './session.ts';
