import { concat } from '../../bytes/index.ts';
import { VP_LENGTH } from '../../crypto/index.ts';
import { DomainFlag } from './codes.ts';
import { FieldLengthError } from './errors.ts';

/**
 * DOMAIN_INFO response payload (DESIGN §3.5), webtke's own:
 *
 *   | offset | size | field                                              |
 *   |--------|------|----------------------------------------------------|
 *   | 0      | 32   | current register VP (32 zero bytes when empty)     |
 *   | 32     | 32   | new register VP (32 zero bytes when empty)         |
 *   | 64     | 1    | flags: 02 current VALID, 04 new loaded, 08 new committed |
 */
export const DOMAIN_INFO_LENGTH = 2 * VP_LENGTH + 1;

export type CurrentRegisterState = 'EMPTY' | 'VALID';
export type NewRegisterState = 'EMPTY' | 'FULL_UNCOMMITTED' | 'FULL_COMMITTED';

export interface DomainInfo {
  currentVp: Uint8Array;
  newVp: Uint8Array;
  flags: number;
  current: CurrentRegisterState;
  next: NewRegisterState;
}

export function encodeDomainInfo(currentVp: Uint8Array, newVp: Uint8Array, flags: number): Uint8Array {
  return concat(currentVp, newVp, Uint8Array.of(flags));
}

export function decodeDomainInfo(bytes: Uint8Array): DomainInfo {
  if (bytes.length !== DOMAIN_INFO_LENGTH) throw new FieldLengthError('DOMAIN_INFO', `${DOMAIN_INFO_LENGTH}`, bytes.length);
  const flags = bytes[64];
  const current: CurrentRegisterState = flags & DomainFlag.CURRENT_VALID ? 'VALID' : 'EMPTY';
  const next: NewRegisterState =
    flags & DomainFlag.NEW_COMMITTED ? 'FULL_COMMITTED' : flags & DomainFlag.NEW_LOADED ? 'FULL_UNCOMMITTED' : 'EMPTY';
  return { currentVp: bytes.slice(0, 32), newVp: bytes.slice(32, 64), flags, current, next };
}
