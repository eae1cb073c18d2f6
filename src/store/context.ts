import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { WebCrypto } from '../crypto/index.ts';
import { StoreClosedError } from './errors.ts';
import type { WebtkeDB } from './schema.ts';

/** Milliseconds since 1970 (UTC), like Date.now(); passed in so tests control time. */
export type Clock = () => number;

/** What every repository gets: the open database and the platform objects. */
export interface StoreContext {
  /** the open database; throws StoreClosedError once the store is closed */
  db(): IDBPDatabase<WebtkeDB>;
  readonly crypto: WebCrypto;
  readonly now: Clock;
}

export function makeContext(db: IDBPDatabase<WebtkeDB>, crypto: WebCrypto, now: Clock): StoreContext & { close(): void; readonly closed: boolean } {
  let closed = false;
  return {
    db() {
      if (closed) throw new StoreClosedError();
      return db;
    },
    crypto,
    now,
    close() {
      if (!closed) db.close();
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}

type Names = StoreNames<WebtkeDB>;

/**
 * Run `fn` in one transaction over `stores`. If `fn` throws (a validation error after some
 * reads, or a failed request), the transaction is aborted, so nothing it wrote stays, and
 * the error is rethrown. The result is returned only after the transaction has committed.
 *
 * `fn` may await requests of `tx` only: awaiting anything else (WebCrypto, timers) lets
 * IndexedDB commit the transaction early. Do the crypto before or after.
 */
export async function inTransaction<const S extends Names[], M extends IDBTransactionMode, T>(
  ctx: StoreContext,
  stores: S,
  mode: M,
  fn: (tx: IDBPTransaction<WebtkeDB, S, M>) => Promise<T>,
): Promise<T> {
  const tx = ctx.db().transaction(stores, mode);
  try {
    const result = await fn(tx);
    await tx.done;
    return result;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already aborted (a failed request aborts it) or finished
    }
    await tx.done.catch(() => undefined);
    throw e;
  }
}

/** True for the DOMException IndexedDB raises when `add` meets an existing key. */
export const isConstraintError = (e: unknown): boolean => (e as { name?: string })?.name === 'ConstraintError';
