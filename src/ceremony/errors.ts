/**
 * Typed errors of the ceremony engine. Each carries the data the UI needs to say what happened
 * and what to do next; none carries a secret.
 *
 *   | error                    | when                                                              |
 *   |--------------------------|-------------------------------------------------------------------|
 *   | UnitsUnreachableError    | a step's preflight found units that do not answer (nothing sent)   |
 *   | DriftRefusedError        | the units differ and the user did not accept the drift (nothing sent) |
 *   | PreconditionError        | the step cannot run in this state, or needs input it did not get   |
 *   | ConsentError             | the person declined, or the consent gave unusable signers/envelopes |
 *   | StepFailedError          | a command failed on one unit; the step stopped there               |
 *   | KeyCreationBlockedError  | a key cannot be created now (rotation open, registers differ, …)   |
 *   | EngineBusyError          | another plan is running on this instance                           |
 */
import type { DriftFinding } from './drift.ts';
import type { NextAction } from './next-safe-action.ts';
import type { InstanceSnapshot, UnitFailure } from './snapshot.ts';

export class CeremonyError extends Error {
  override name = 'CeremonyError';
}

/** Some units did not answer their queries: nothing else is safe. */
export class UnitsUnreachableError extends CeremonyError {
  override name = 'UnitsUnreachableError';
  constructor(
    readonly step: string,
    readonly units: readonly { unitId: string; label: string; error: UnitFailure }[],
  ) {
    super(`${step}: ${units.map((u) => `${u.label} (${u.error.message})`).join('; ')}; reconnect before going on`);
  }
}

/** The units differ in a way only a person can judge, and the drift was not accepted. */
export class DriftRefusedError extends CeremonyError {
  override name = 'DriftRefusedError';
  constructor(
    readonly step: string,
    readonly findings: readonly DriftFinding[],
  ) {
    super(`${step}: the units differ (${findings.map((f) => f.message).join('; ')}); the step was not started`);
  }
}

export type PreconditionCode =
  /** the units are not in a state this step applies to */
  | 'state'
  /** the step needs input (key parts, thresholds, certificates) that was not given */
  | 'input-needed'
  /** the step would leave key blobs that no unit can open */
  | 'would-strand-keys'
  /** a rule of the unit protocol would refuse it (thresholds above the admin count, …) */
  | 'protocol-rule'
  /** the instance has no key storage here (a remote instance keeps it on its host) */
  | 'no-key-storage';

/** The step cannot run now; nothing was sent. */
export class PreconditionError extends CeremonyError {
  override name = 'PreconditionError';
  constructor(
    readonly step: string,
    readonly code: PreconditionCode,
    message: string,
    readonly units: readonly string[] = [],
  ) {
    super(`${step}: ${message}`);
  }
}

export type ConsentProblem =
  /** the person said no (or the consent UI rejected) */
  | 'declined'
  /** fewer distinct signers than the step needs */
  | 'too-few-signers'
  /** a signer is not an administrator of every unit the step signs for */
  | 'unknown-signer'
  /** the wrapped parts do not have the asked shape or name another importer key */
  | 'bad-envelopes';

/** The consent interface did not give what the step needs; nothing was sent. */
export class ConsentError extends CeremonyError {
  override name = 'ConsentError';
  constructor(
    readonly step: string,
    readonly problem: ConsentProblem,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`${step}: ${message}`);
  }
}

/**
 * A command failed on one unit (a unit error, a transport failure, a response that could not be
 * trusted). The step stopped there: units before it ran the command, this one and the ones after
 * did not (or, for a transport failure, may have). `snapshot` and `next` are the state queried
 * after the failure, when the units could be queried.
 */
export class StepFailedError extends CeremonyError {
  override name = 'StepFailedError';
  constructor(
    readonly step: string,
    readonly unitId: string,
    readonly unitLabel: string,
    override readonly cause: unknown,
    /** the units the step completed on before the failure */
    readonly completed: readonly string[],
    readonly snapshot?: InstanceSnapshot,
    readonly next?: NextAction,
  ) {
    super(`${step} failed on ${unitLabel}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export type KeyCreationBlock =
  /** a rotation is open in the key storage */
  | 'rotation-open'
  /** a new master key register is loaded on some unit: a rotation is under way */
  | 'new-register-loaded'
  /** the units have no current master key */
  | 'no-master-key'
  /** the units' current master keys differ, or the units drift */
  | 'units-differ'
  /** some unit does not answer */
  | 'unreachable';

/** A key cannot be created now (DESIGN §3.8: never while a rotation is open). */
export class KeyCreationBlockedError extends CeremonyError {
  override name = 'KeyCreationBlockedError';
  constructor(
    readonly reason: KeyCreationBlock,
    message: string,
  ) {
    super(message);
  }
}

/** One plan at a time per instance. */
export class EngineBusyError extends CeremonyError {
  override name = 'EngineBusyError';
  constructor(readonly running: string) {
    super(`the plan "${running}" is still running on this instance`);
  }
}
