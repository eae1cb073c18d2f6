/**
 * The store (DESIGN §2): IndexedDB through idb, with versioned migrations. It holds only
 * non-secret state, plus simulated unit state encrypted under a non-extractable key.
 * docs/store.md describes the schema, the migrations and the journal format.
 */
export { openStore, deleteStore, type OpenStoreOptions, type WebtkeStore } from './open.ts';
export type { Clock } from './context.ts';
export * from './errors.ts';
export { MIGRATIONS, type Migration, type UpgradeTransaction } from './migrations.ts';
export { DEFAULT_DB_NAME, STORES, INDEXES, type WebtkeDB } from './schema.ts';
export { assertNoSecrets, isSecretName, SECRET_WORDS } from './secret-guard.ts';
export { canonicalJson, canonicalJsonBytes } from './canonical-json.ts';
export type {
  InstanceKind, UnitEndpoint, PinnedRoot, UnitRecord, InstanceRecord, NewUnit, NewInstance, UnitPatch, InstanceRepository,
} from './instances.ts';
export type { AdminLocation, AdminRecord, AdminDirectory } from './admins.ts';
export type { KeyPartRecord, NewKeyPart, KeyPartRepository } from './key-parts.ts';
export {
  JOURNAL_KINDS, type JournalKind, type RegisterVps, type JournalSigner, type JournalEntryInput, type JournalEntry,
  type JournalListOptions, type Journal,
} from './journal.ts';
export {
  GENESIS_PREV_HASH, JOURNAL_FORMAT, JOURNAL_FORMAT_VERSION, entryHash, verifyChain, verifyJournalExport,
  type ChainProblem, type ChainHead, type JournalVerification, type JournalExport,
} from './journal-chain.ts';
export type { KeyRecord, RotationRecord, RotationStatus, NewKey, KeyStorage } from './key-storage.ts';
export { HOST_SLOT, MAX_SIM_STATE, type SimStateStore } from './sim-state.ts';
export type { SettingValue, Settings } from './settings.ts';
