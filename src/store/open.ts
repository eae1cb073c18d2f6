import { wrap, type IDBPDatabase } from 'idb';
import type { WebCrypto } from '../crypto/index.ts';
import { adminDirectory, type AdminDirectory } from './admins.ts';
import { makeContext, type Clock } from './context.ts';
import { MigrationError, StoreEnvironmentError, StoreError, StoreVersionError } from './errors.ts';
import { instanceRepository, type InstanceRepository } from './instances.ts';
import { journal, type Journal } from './journal.ts';
import { keyPartRepository, type KeyPartRepository } from './key-parts.ts';
import { keyStorage, type KeyStorage } from './key-storage.ts';
import { checkMigrations, MIGRATIONS, runMigrations, type Migration, type UpgradeTransaction } from './migrations.ts';
import { DEFAULT_DB_NAME, type WebtkeDB } from './schema.ts';
import { settings, type Settings } from './settings.ts';
import { simStateStore, type SimStateStore } from './sim-state.ts';

export interface OpenStoreOptions {
  /** the IndexedDB factory: `indexedDB` in a browser, `new IDBFactory()` of fake-indexeddb in Node */
  indexedDB: IDBFactory;
  crypto: WebCrypto;
  /** database name, default "webtke" */
  name?: string;
  /** milliseconds since 1970; default Date.now */
  clock?: Clock;
  /** the migration list; only tests pass another one (default MIGRATIONS) */
  migrations?: readonly Migration[];
  /**
   * Another tab or window needs to upgrade the database: this store has already closed itself
   * (later calls reject with StoreClosedError). Tell the user to reload.
   */
  onVersionChange?: () => void;
  /** An older connection elsewhere keeps this open from upgrading; it waits until that one closes. */
  onBlocked?: () => void;
}

/** The store: one small repository per concept. */
export interface WebtkeStore {
  readonly name: string;
  /** the schema version, = the number of migrations */
  readonly version: number;
  readonly instances: InstanceRepository;
  readonly admins: AdminDirectory;
  readonly keyParts: KeyPartRepository;
  readonly journal: Journal;
  readonly keyStorage: KeyStorage;
  readonly simState: SimStateStore;
  readonly settings: Settings;
  readonly closed: boolean;
  close(): void;
}

const IDB_CLASSES = ['IDBRequest', 'IDBDatabase', 'IDBTransaction', 'IDBObjectStore', 'IDBIndex', 'IDBCursor', 'IDBKeyRange'] as const;

/**
 * idb recognises IndexedDB objects with `instanceof` against the global interface classes,
 * so they must exist (browsers have them; in Node, install fake-indexeddb's classes as
 * globals, see docs/store.md) and come from the same implementation as the factory.
 */
function checkEnvironment(): void {
  const g = globalThis as Record<string, unknown>;
  const missing = IDB_CLASSES.filter((n) => typeof g[n] !== 'function');
  if (missing.length) {
    throw new StoreEnvironmentError(`IndexedDB interface classes missing as globals: ${missing.join(', ')} (in Node, install fake-indexeddb's)`);
  }
}

/**
 * Open (creating or upgrading) the webtke database. Every migration above the version on disk
 * runs in the one upgrade transaction; a failing one rolls the upgrade back (MigrationError).
 */
export async function openStore(opts: OpenStoreOptions): Promise<WebtkeStore> {
  checkEnvironment();
  const migrations = opts.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  const name = opts.name ?? DEFAULT_DB_NAME;
  const version = migrations.length;

  const request = opts.indexedDB.open(name, version);
  if (!(request instanceof IDBRequest)) {
    throw new StoreEnvironmentError('the indexedDB factory and the global IndexedDB classes come from different implementations');
  }
  const opened = wrap(request) as unknown as Promise<IDBPDatabase<WebtkeDB>>;
  let failure: MigrationError | undefined;
  request.addEventListener('upgradeneeded', (event) => {
    const tx = wrap(request.transaction!) as unknown as UpgradeTransaction;
    tx.done.catch(() => undefined); // an aborted upgrade rejects open(); nobody awaits done
    runMigrations(wrap(request.result) as unknown as IDBPDatabase<unknown>, tx, event.oldVersion, event.newVersion ?? version, migrations).catch(
      (e: unknown) => {
        failure = e instanceof MigrationError ? e : new MigrationError(0, String(e), e);
        try {
          request.transaction?.abort();
        } catch {
          // the transaction already ended; open() reports it
        }
      },
    );
  });
  if (opts.onBlocked) request.addEventListener('blocked', () => opts.onBlocked!());

  let db: IDBPDatabase<WebtkeDB>;
  try {
    db = await opened;
  } catch (e) {
    if (failure) throw failure;
    if ((e as { name?: string })?.name === 'VersionError') {
      throw new StoreVersionError(version, `the database "${name}" was written by a newer webtke (this one knows version ${version})`);
    }
    if (e instanceof StoreError) throw e;
    throw new StoreVersionError(version, `cannot open the database "${name}": ${(e as Error)?.message ?? e}`);
  }

  const ctx = makeContext(db, opts.crypto, opts.clock ?? (() => Date.now()));
  db.addEventListener('versionchange', () => {
    ctx.close();
    opts.onVersionChange?.();
  });
  // the browser closed the connection itself (storage cleared, disk error)
  db.addEventListener('close', () => ctx.close());
  return {
    name,
    version,
    instances: instanceRepository(ctx),
    admins: adminDirectory(ctx),
    keyParts: keyPartRepository(ctx),
    journal: journal(ctx),
    keyStorage: keyStorage(ctx),
    simState: simStateStore(ctx),
    settings: settings(ctx),
    get closed() {
      return ctx.closed;
    },
    close: () => ctx.close(),
  };
}

/** Delete a whole database (every instance, the journal, simulated state and its keys). */
export async function deleteStore(opts: { indexedDB: IDBFactory; name?: string }): Promise<void> {
  checkEnvironment();
  await wrap(opts.indexedDB.deleteDatabase(opts.name ?? DEFAULT_DB_NAME));
}
