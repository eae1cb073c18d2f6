import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { MigrationError } from './errors.ts';
import { INDEXES, STORES } from './schema.ts';

/**
 * Versioned schema migrations. Migration n takes the database from version n-1 to n; opening
 * runs, in order, every migration above the version on disk, inside the one versionchange
 * transaction IndexedDB gives an upgrade. If any of them fails, the whole upgrade is rolled
 * back and the database stays at its old version with its data.
 *
 * Rules for writing a migration:
 * - It works on the untyped database: the schema at its version is not the current one.
 * - It may await IndexedDB requests of `tx` only. Awaiting anything else (WebCrypto, timers,
 *   fetch) lets the transaction commit half-way, and IndexedDB then refuses further requests.
 * - Once released, a migration never changes; a new change is a new migration at the end.
 */
export type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;

export interface Migration {
  /** the version this migration produces (1 for the first) */
  readonly version: number;
  /** one line for docs/store.md and error messages */
  readonly description: string;
  up(db: IDBPDatabase<unknown>, tx: UpgradeTransaction): void | Promise<void>;
}

/**
 * The migrations of webtke, oldest first. The version of the database is their count.
 *
 * v1 holds what DESIGN §2 lists for the store; v2 adds what issue 6 adds for simulated
 * instances (key storage, rotation, encrypted unit state) and settings. Both were written
 * together, before any release; they are split so the upgrade path is exercised from day one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'instances with their units, admin directory, key part metadata, journal',
    up(db) {
      db.createObjectStore(STORES.instances, { keyPath: 'id' });
      db.createObjectStore(STORES.admins, { keyPath: 'ski' }).createIndex(INDEXES.adminsByName, 'name');
      db.createObjectStore(STORES.keyParts, { keyPath: 'id' }).createIndex(INDEXES.keyPartsByVp, 'vp');
      db.createObjectStore(STORES.journal, { keyPath: 'seq' }).createIndex(INDEXES.journalByInstance, 'instanceId');
    },
  },
  {
    version: 2,
    description: 'key storage and rotations of simulated instances, encrypted simulated unit state, settings',
    up(db) {
      const keys = db.createObjectStore(STORES.keyRecords, { keyPath: ['instanceId', 'keyId'] });
      keys.createIndex(INDEXES.keyRecordsByInstance, 'instanceId');
      keys.createIndex(INDEXES.keyRecordsByVp, ['instanceId', 'vp']);
      keys.createIndex(INDEXES.keyRecordsByNextVp, ['instanceId', 'nextVp']);
      db.createObjectStore(STORES.rotations, { keyPath: 'instanceId' });
      db.createObjectStore(STORES.simState, { keyPath: ['instanceId', 'slot'] }).createIndex(INDEXES.simStateByInstance, 'instanceId');
      db.createObjectStore(STORES.simKeys, { keyPath: 'instanceId' });
      db.createObjectStore(STORES.settings, { keyPath: 'key' });
    },
  },
];

/** Versions must run 1, 2, 3 … in order; anything else is a programming error. */
export function checkMigrations(list: readonly Migration[]): void {
  if (list.length === 0) throw new MigrationError(0, 'there must be at least one migration');
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(m.version, `migration ${i + 1} is numbered ${m.version}; versions run 1, 2, 3 … in order`);
  });
}

/** Run migrations oldVersion+1 … newVersion in order. A failure is a MigrationError naming its version. */
export async function runMigrations(
  db: IDBPDatabase<unknown>,
  tx: UpgradeTransaction,
  oldVersion: number,
  newVersion: number,
  list: readonly Migration[],
): Promise<void> {
  for (const m of list) {
    if (m.version <= oldVersion || m.version > newVersion) continue;
    try {
      await m.up(db, tx);
    } catch (e) {
      throw new MigrationError(m.version, `migration ${m.version} (${m.description}) failed: ${(e as Error)?.message ?? e}`, e);
    }
  }
}
