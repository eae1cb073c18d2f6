/**
 * Typed errors of the store. Every one extends StoreError, so callers can tell store failures
 * from platform failures (a DOMException from IndexedDB itself passes through unchanged).
 * A store operation that throws has changed nothing.
 */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** The environment lacks what idb needs (the IndexedDB interface classes as globals). */
export class StoreEnvironmentError extends StoreError {
  override name = 'StoreEnvironmentError';
}

/**
 * A record that names a secret: a property called like a password, PIN, passphrase, private
 * key, PKCS#8, secret or key part. `path` is where it was found, e.g. `units[0].pin`.
 */
export class SecretFieldError extends StoreError {
  override name = 'SecretFieldError';
  constructor(readonly path: string) {
    super(`refusing to store "${path}": the app never persists a secret, password, PIN or key part`);
  }
}

/** A field of a record is missing, of the wrong type or out of range. */
export class InvalidRecordError extends StoreError {
  override name = 'InvalidRecordError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** No record of that kind with that key. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  constructor(
    readonly what: string,
    readonly key: string,
  ) {
    super(`no ${what} "${key}"`);
  }
}

/** A record with that key exists already. */
export class AlreadyExistsError extends StoreError {
  override name = 'AlreadyExistsError';
  constructor(
    readonly what: string,
    readonly key: string,
  ) {
    super(`${what} "${key}" exists already`);
  }
}

/** A unit already has a different pinned root; unpin it first (a deliberate, journaled act). */
export class RootPinConflictError extends StoreError {
  override name = 'RootPinConflictError';
  constructor(
    readonly unitId: string,
    readonly pinned: string,
    readonly offered: string,
  ) {
    super(`unit ${unitId} is pinned to root ${pinned}, not ${offered}`);
  }
}

export type RotationProblem =
  /** a rotation is open: key creation and a second rotation are refused */
  | 'rotation-open'
  /** the operation needs an open rotation and there is none */
  | 'no-rotation'
  /** a VP does not match the rotation's (from or to) */
  | 'wrong-vp'
  /** promotion needs every record staged; `keyIds` lists the ones that are not */
  | 'incomplete';

/** A key storage operation that the rotation rules (DESIGN §3.8) forbid. */
export class RotationError extends StoreError {
  override name = 'RotationError';
  constructor(
    readonly instanceId: string,
    readonly problem: RotationProblem,
    message: string,
    readonly keyIds: readonly string[] = [],
  ) {
    super(message);
  }
}

export type SimStateProblem =
  /** the instance's state key is gone (reset) while state rows remain */
  | 'missing-key'
  /** AES-GCM refused the ciphertext: wrong key, or the row was changed or moved */
  | 'auth-failed'
  /** the state key was replaced (a reset) while this save was encrypting */
  | 'key-changed';

/** Simulated unit state that cannot be decrypted or saved. */
export class SimStateError extends StoreError {
  override name = 'SimStateError';
  constructor(
    readonly instanceId: string,
    readonly slot: string,
    readonly problem: SimStateProblem,
    message: string,
  ) {
    super(message);
  }
}

/** A migration failed; the upgrade was rolled back and the database is at its old version. */
export class MigrationError extends StoreError {
  override name = 'MigrationError';
  constructor(
    readonly version: number,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** The database on disk is newer than this app knows (a downgrade), or cannot be opened. */
export class StoreVersionError extends StoreError {
  override name = 'StoreVersionError';
  constructor(
    readonly supported: number,
    message: string,
  ) {
    super(message);
  }
}

/** The store was closed (by close(), or because another tab upgrades the database). */
export class StoreClosedError extends StoreError {
  override name = 'StoreClosedError';
  constructor() {
    super('the store is closed; open it again');
  }
}
