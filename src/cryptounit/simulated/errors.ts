/**
 * Errors of the simulated unit.
 *
 * `UnitFault` never leaves the unit: every check of DESIGN §3.3 throws one, and `handle`
 * turns it into a signed error response (rv = rc, payload = the 4-byte reason).
 * `SimulatedStateError` is what `restore` throws for saved state it cannot trust.
 */
export class UnitFault extends Error {
  override name = 'UnitFault';
  constructor(
    readonly rc: number,
    readonly reason = 0,
    message = `rc ${rc}/${reason}`,
  ) {
    super(message);
  }
}

/** Saved unit or host state that is damaged, of another format or version, or inconsistent. */
export class SimulatedStateError extends Error {
  override name = 'SimulatedStateError';
  constructor(
    message: string,
    /** the state field at fault, e.g. "counter", "oa.pkcs8", "admins[2]" */
    readonly field: string,
  ) {
    super(`${field}: ${message}`);
  }
}
