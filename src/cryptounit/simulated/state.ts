import type { CurveName } from '../../crypto/index.ts';
import type { MasterKey } from './master-key.ts';
import type { OwnKey } from './keys.ts';

/**
 * What a unit is (fixed for its life, DESIGN §3.2) and what it holds (changed only by
 * state-changing commands). A UnitState is never modified: a command computes a new one and
 * the unit swaps it in only when the whole command has succeeded, so a failure at any point
 * changes nothing.
 */
export const MAX_ADMINS = 8;
export const MAX_THRESHOLD = 8;

export interface UnitIdentity {
  domainIndex: number;
  moduleSerial: Uint8Array;
  moduleInstance: Uint8Array;
  /** P-521 ECDSA, kept across zeroize */
  oa: OwnKey;
  oaSki: Uint8Array;
  oaCertificate: Uint8Array;
  rootCertificate: Uint8Array;
}

export interface Admin {
  /** the exact installed certificate bytes */
  certificate: Uint8Array;
  name: string;
  curve: CurveName;
  ski: Uint8Array;
  publicKey: CryptoKey;
}

export interface Importer {
  /** ECDH key on P-256 or P-521 */
  key: OwnKey;
  /** RFC 5480 SubjectPublicKeyInfo DER */
  spki: Uint8Array;
  ski: Uint8Array;
}

export interface NewRegister {
  key: MasterKey;
  committed: boolean;
}

export interface UnitState {
  /** u128 transaction counter */
  readonly counter: bigint;
  /** 4 bytes, redrawn at every zeroize */
  readonly domainInstance: Uint8Array;
  /** in order of installation */
  readonly admins: readonly Admin[];
  readonly signThreshold: number;
  readonly revokeThreshold: number;
  /** current register: EMPTY (null) or VALID */
  readonly current: MasterKey | null;
  /** new register: EMPTY (null), FULL UNCOMMITTED or FULL COMMITTED */
  readonly next: NewRegister | null;
  readonly importer: Importer | null;
}

/** Imprint mode: both thresholds 0 (they are always both 0 or both 1..8). */
export const isImprint = (s: UnitState): boolean => s.signThreshold === 0;

/**
 * Wipe what `before` held and `after` no longer holds (master keys, the importer's PKCS#8
 * bytes), once `after` is in place. The importer's CryptoKey itself cannot be wiped; it is
 * dropped with the state.
 */
export function retire(before: UnitState, after: UnitState): void {
  const kept = new Set<MasterKey>();
  if (after.current) kept.add(after.current);
  if (after.next) kept.add(after.next.key);
  for (const k of [before.current, before.next?.key]) if (k && !kept.has(k)) k.wipe();
  if (before.importer && before.importer !== after.importer) before.importer.key.pkcs8.fill(0);
}
