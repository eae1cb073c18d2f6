/**
 * The ceremony engine (DESIGN §5), with no DOM: snapshots of every unit of an instance, drift
 * detection, the next safe action, plans that run on every unit with a write-ahead journal,
 * the printable transcript, and the key storage of simulated instances. docs/ceremony.md has
 * the walk-through and the API for the UI.
 */
export { InstanceRuntime, type InstanceRuntimeOptions, type PlanOutcome, MAX_REENCRYPT_BATCH } from './instance-runtime.ts';
export type {
  Consent, SignerRequest, SignatureUnit, WrapRequest, PartToWrap, ImporterTarget, ConfirmRequest, ProgressReport, StepInfo,
} from './consent.ts';
export {
  refreshInstance, storageSummary, reachableUnits, unreachableUnits, registerVps, normalizeVpHex, describeFailure, ZERO_VP,
  type InstanceSnapshot, type UnitSnapshot, type ReachableUnit, type UnreachableUnit, type UnitFailure, type StorageSummary,
  type RotationSummary, type UnitLink, type VpHex, type CurrentRegister, type NewRegister, type ImporterView, type UnitIdentityView,
} from './snapshot.ts';
export { analyzeDrift, MAX_ADMINS, type DriftReport, type DriftFinding, type DriftField, type DriftClass } from './drift.ts';
export { keyProgress, type KeyProgress, type StorageProgress, type NewVpConflict } from './progress.ts';
export { nextSafeAction, type NextAction, type NextActionKind, type SignatureNeed } from './next-safe-action.ts';
export { CeremonyJournal, failureEntry, type IntentInput, type ResultInput, type SignerName } from './journal.ts';
export { buildTranscript, escapeHtml, type TranscriptFormat, type TranscriptInput } from './transcript.ts';
export { KeyStorageService, KEY_ID_BYTES, type KeyView, type KeyTestResult } from './key-storage.ts';
export type { EngineContext, StepReport, StepUnitReport, PlanRun } from './context.ts';
export { newPlanRun } from './context.ts';
export { DRIFT_PHRASE } from './step-runner.ts';
export * from './errors.ts';
export * from './plans/index.ts';
