/**
 * IndexedDB for store tests, the same in Node and Chromium:
 * - Node: a fresh fake-indexeddb factory per call (isolation), and fake-indexeddb's interface
 *   classes installed as globals once, because idb recognises IndexedDB objects with
 *   `instanceof IDBRequest` etc. (browsers have those globals; Node does not).
 * - Chromium: the real `indexedDB` with a unique database name; cleanup() deletes it.
 * Other test folders (ceremony, ui) may import this too.
 */
import { isNode } from '../harness.ts';

const IDB_GLOBALS = [
  'IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBFactory', 'IDBIndex', 'IDBKeyRange', 'IDBObjectStore', 'IDBOpenDBRequest',
  'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent',
] as const;

export interface TestIdb {
  indexedDB: IDBFactory;
  /** a database name no other test uses */
  name: string;
  /** delete the database (browser); close every connection to it first */
  cleanup(): Promise<void>;
}

let counter = 0;

export async function testIdb(): Promise<TestIdb> {
  const name = `webtke-test-${Date.now().toString(36)}-${counter++}-${Math.random().toString(36).slice(2, 8)}`;
  if (isNode) {
    const spec = 'fake-indexeddb';
    const fake = (await import(/* @vite-ignore */ spec)) as Record<string, unknown> & { IDBFactory: new () => IDBFactory };
    const g = globalThis as Record<string, unknown>;
    for (const n of IDB_GLOBALS) g[n] ??= fake[n];
    return { indexedDB: new fake.IDBFactory(), name, cleanup: async () => undefined };
  }
  const factory = (globalThis as unknown as { indexedDB: IDBFactory }).indexedDB;
  return {
    indexedDB: factory,
    name,
    cleanup: () =>
      new Promise<void>((resolve, reject) => {
        const r = factory.deleteDatabase(name);
        r.onsuccess = () => resolve();
        r.onerror = () => reject(r.error);
        r.onblocked = () => reject(new Error(`deleting ${name} is blocked: a connection is still open`));
      }),
  };
}
