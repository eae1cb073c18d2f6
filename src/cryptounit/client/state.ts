/**
 * Typed results of the unit queries (DESIGN §3.5) and the whole-unit snapshot the ceremony
 * layer compares across units (DESIGN §5: admins, thresholds, registers and VPs, importer).
 */
import type { CurveName } from '../../crypto/index.ts';
import { Attribute, decodeAttributePairs, Mode, Query, type AdminCertificate, type DomainInfo } from '../protocol/index.ts';
import { UnitProtocolError } from './errors.ts';
import type { UnitIdentity } from './identity.ts';

export interface UnitAttributes {
  signThreshold: number;
  revokeThreshold: number;
  /** MODE 0 = imprint, 1 = authenticated (EP11's name for "left imprint mode") */
  mode: 'imprint' | 'authenticated';
}

export interface ImporterInfo {
  /** DER SubjectPublicKeyInfo (RFC 5480), as the unit gave it */
  spki: Uint8Array;
  curve: CurveName;
  /** SHA-256 of the uncompressed point: the rKeyId a part envelope names */
  ski: Uint8Array;
}

export interface UnitState {
  identity: UnitIdentity;
  /** the unit's transaction counter when the snapshot was taken */
  counter: bigint;
  /** installed administrators, in order of installation, each certificate verified */
  admins: AdminCertificate[];
  attributes: UnitAttributes;
  registers: DomainInfo;
  /** the current importer key, or null when there is none */
  importer: ImporterInfo | null;
  /** false when the counter kept moving while the snapshot was taken (another client was busy) */
  stable: boolean;
}

/** DOM_ATTRS: exactly the pairs 1 SIGN_THR, 2 REVOKE_THR, 4 MODE, in index order. */
export function decodeUnitAttributes(payload: Uint8Array): UnitAttributes {
  const pairs = decodeAttributePairs(payload);
  const bad = (why: string): never => {
    throw new UnitProtocolError(`attributes ${why}`, Query.DOM_ATTRS);
  };
  if (!pairs) bad('are not a list of (u32, u32) pairs');
  const indexes = pairs!.map((p) => p.index);
  if (indexes.join(',') !== [Attribute.SIGN_THR, Attribute.REVOKE_THR, Attribute.MODE].join(',')) {
    bad(`must be SIGN_THR, REVOKE_THR, MODE in order, got indexes ${indexes.join(', ')}`);
  }
  const [sign, revoke, mode] = pairs!.map((p) => p.value);
  if (sign > 8 || revoke > 8) bad(`hold a threshold over 8 (${sign}/${revoke})`);
  if (mode !== Mode.IMPRINT && mode !== Mode.AUTHENTICATED) bad(`hold an unknown MODE ${mode}`);
  return { signThreshold: sign, revokeThreshold: revoke, mode: mode === Mode.IMPRINT ? 'imprint' : 'authenticated' };
}
