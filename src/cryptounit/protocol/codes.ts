/**
 * Function, command, query, key-storage and attribute codes (DESIGN §3.1, §3.4, §3.5, §3.8).
 *
 *   | code       | name            | kind            |
 *   |------------|-----------------|-----------------|
 *   | 0x02       | DOM_ADMIN_LOGIN | command         |
 *   | 0x04       | DOM_ADMIN_LOGOUT| command         |
 *   | 0x08       | DOM_SET_ATTR    | command         |
 *   | 0x09       | GEN_IMPORTER    | command         |
 *   | 0x0C       | IMPORT_WK       | command         |
 *   | 0x0D       | COMMIT_WK       | command         |
 *   | 0x0E       | FINALIZE_WK     | command         |
 *   | 0x10       | DOM_ZEROIZE     | command         |
 *   | 0x1B       | CLEAR_WK        | command         |
 *   | 0x1C       | CLEAR_NEXT_WK   | command         |
 *   | 0x00010002 | DOMADMIN        | query           |
 *   | 0x00010003 | DEVICE_CERT     | query           |
 *   | 0x00010004 | IMPORTER        | query           |
 *   | 0x0001000A | DOM_ATTRS       | query           |
 *   | 0x00010030 | DOMAIN_INFO     | query           |
 *   | 0x00020001 | GENERATE_KEY    | key storage     |
 *   | 0x00020002 | WRAP            | key storage     |
 *   | 0x00020003 | UNWRAP          | key storage     |
 *   | 0x00020004 | REENCRYPT       | key storage     |
 */

/** AdminRequest.function / AdminResponse.function: 00 01 00 29. */
export const ADMIN_FUNCTION_ID = 0x00010029;

export const Command = {
  DOM_ADMIN_LOGIN: 0x02,
  DOM_ADMIN_LOGOUT: 0x04,
  DOM_SET_ATTR: 0x08,
  GEN_IMPORTER: 0x09,
  IMPORT_WK: 0x0c,
  COMMIT_WK: 0x0d,
  FINALIZE_WK: 0x0e,
  DOM_ZEROIZE: 0x10,
  CLEAR_WK: 0x1b,
  CLEAR_NEXT_WK: 0x1c,
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

export const Query = {
  DOMADMIN: 0x00010002,
  DEVICE_CERT: 0x00010003,
  IMPORTER: 0x00010004,
  DOM_ATTRS: 0x0001000a,
  DOMAIN_INFO: 0x00010030,
} as const;
export type QueryCode = (typeof Query)[keyof typeof Query];

export const KeyStorageOp = {
  GENERATE_KEY: 0x00020001,
  WRAP: 0x00020002,
  UNWRAP: 0x00020003,
  REENCRYPT: 0x00020004,
} as const;
export type KeyStorageCode = (typeof KeyStorageOp)[keyof typeof KeyStorageOp];

export type AnyCode = CommandCode | QueryCode | KeyStorageCode;

/** DOM_SET_ATTR / DOM_ATTRS attribute indexes. */
export const Attribute = {
  SIGN_THR: 1,
  REVOKE_THR: 2,
  MODE: 4,
} as const;

/** DOM_ATTRS MODE values. */
export const Mode = { IMPRINT: 0, AUTHENTICATED: 1 } as const;

/** GEN_IMPORTER key types. */
export const ImporterKeyType = { P256: 2, P521: 3 } as const;

/** DOMAIN_INFO flags. */
export const DomainFlag = {
  CURRENT_VALID: 0x02,
  NEW_LOADED: 0x04,
  NEW_COMMITTED: 0x08,
} as const;

/** Commands below 0x00010000 change state and carry the domain/module binding and counter. */
export const STATE_CHANGING_LIMIT = 0x00010000;
export const isStateChanging = (code: number): boolean => code < STATE_CHANGING_LIMIT;
export const isQuery = (code: number): boolean => (code & 0xffff0000) === 0x00010000;
export const isKeyStorage = (code: number): boolean => (code & 0xffff0000) === 0x00020000;

const NAMES = new Map<number, string>([
  ...Object.entries(Command).map(([k, v]) => [v, k] as [number, string]),
  ...Object.entries(Query).map(([k, v]) => [v, k] as [number, string]),
  ...Object.entries(KeyStorageOp).map(([k, v]) => [v, k] as [number, string]),
]);
export const KNOWN_CODES: ReadonlySet<number> = new Set(NAMES.keys());

/** "COMMIT_WK (0x0D)" or "unknown (0x…)". */
export function codeName(code: number): string {
  return `${NAMES.get(code) ?? 'unknown'} (0x${code.toString(16).toUpperCase().padStart(code < 0x100 ? 2 : 8, '0')})`;
}
