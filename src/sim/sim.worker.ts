/**
 * The simulation worker (docs/ui.md, "The embedded simulated instance"): a simulated instance
 * of 1–3 crypto units, served over the unit worker protocol. The only module of the worker
 * that reads its globals; everything else gets them passed in (worker-main.ts).
 *
 * Started by src/main.ts as
 *   new Worker(new URL('./sim/sim.worker.ts', import.meta.url), { type: 'module', name: encodeSimConfig(…) })
 * No top-level await (the single-file build runs workers as classic scripts).
 */
import type { MessagePortLike } from '../cryptounit/transports/worker-protocol.ts';
import { runSimWorker, type LockManagerLike } from './worker-main.ts';

const scope = self as unknown as MessagePortLike & {
  name: string;
  indexedDB: IDBFactory;
  crypto: Crypto;
  navigator: { locks?: LockManagerLike };
};

runSimWorker(scope, { indexedDB: scope.indexedDB, crypto: scope.crypto, locks: scope.navigator.locks }).catch(() => {
  // reported to the page as a 'failed' status message
});
