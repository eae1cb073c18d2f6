/**
 * The simulation worker's program, with every platform object passed in (sim.worker.ts hands
 * it the worker's own globals; tests hand it a MessagePort, fake-indexeddb and WebCrypto).
 *
 *   1. read the configuration from the worker's name (config.ts);
 *   2. register every unit with serveUnit at once (synchronously), each handler waiting for 3;
 *   3. take the instance's Web Lock (one tab at a time runs a simulated instance: two copies
 *      of the same units would overwrite each other's saved state), open the store, restore or
 *      create the units (instance.ts), and post 'ready'; or post 'failed' and answer every unit
 *      request with 'unit-failed' and the reason.
 */
import type { WebCrypto } from '../crypto/index.ts';
import { serveUnit } from '../cryptounit/transports/worker-host.ts';
import type { MessagePortLike } from '../cryptounit/transports/worker-protocol.ts';
import { openStore, type WebtkeStore } from '../store/index.ts';
import { decodeSimConfig, SIM_TAG, type SimProblem, type SimStatusMessage, type SimWorkerConfig } from './config.ts';
import { SimulatedInstance, SimulationStateError } from './instance.ts';

/** The subset of the Web Locks API used (navigator.locks). */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

export interface SimWorkerPlatform {
  indexedDB: IDBFactory;
  crypto: WebCrypto;
  /** navigator.locks where the worker has it */
  locks?: LockManagerLike;
  /**
   * How long to keep trying for the lock before reporting 'locked' (default 5 s): on a reload
   * the old page's worker may still hold it for a moment.
   */
  lockWaitMs?: number;
}

const LOCK_RETRY_MS = 200;

/** The name of the Web Lock a tab holds while it runs the simulated instance. */
export const simLockName = (instanceId: string): string => `webtke-simulation-${instanceId}`;

class SimStartError extends Error {
  constructor(
    readonly problem: SimProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Try for the lock until `waitMs` has passed (a reloading page's old worker lets go of it shortly). */
async function holdLockWaiting(locks: LockManagerLike | undefined, name: string, waitMs: number): Promise<boolean> {
  const end = Date.now() + waitMs;
  for (;;) {
    if (await holdLock(locks, name)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
  }
}

/** Hold the instance's lock for the worker's life; false when another tab holds it. */
function holdLock(locks: LockManagerLike | undefined, name: string): Promise<boolean> {
  if (!locks) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        // never settles while we hold it: the lock goes when the worker ends
        return lock === null ? Promise.resolve() : new Promise(() => undefined);
      })
      .catch(() => resolve(true)); // no usable lock manager here (opaque origins): run without one
  });
}

async function start(config: SimWorkerConfig, platform: SimWorkerPlatform): Promise<{ instance: SimulatedInstance; store: WebtkeStore }> {
  if (!(await holdLockWaiting(platform.locks, simLockName(config.instanceId), platform.lockWaitMs ?? 5000))) {
    throw new SimStartError('locked', 'this simulated instance is running in another tab or window of webtke; close it there and reload this page');
  }
  let store: WebtkeStore;
  try {
    store = await openStore({ indexedDB: platform.indexedDB, crypto: platform.crypto, name: config.db });
  } catch (e) {
    throw new SimStartError('store', `the browser's storage cannot be opened: ${(e as Error)?.message ?? e}`);
  }
  try {
    const instance = await SimulatedInstance.load({ simState: store.simState, crypto: platform.crypto, instanceId: config.instanceId, unitIds: config.units });
    return { instance, store };
  } catch (e) {
    store.close();
    if (e instanceof SimulationStateError) throw new SimStartError('state', `${e.message}. ${e.remedy}`);
    throw new SimStartError('store', `the simulated units cannot be loaded: ${(e as Error)?.message ?? e}`);
  }
}

/**
 * Run the simulation on `scope` (the worker's global scope, or a port in tests). Returns a
 * promise for the started instance (rejecting with the reason it could not start), for tests.
 */
export function runSimWorker(scope: MessagePortLike & { readonly name?: string }, platform: SimWorkerPlatform): Promise<SimulatedInstance> {
  const post = (m: SimStatusMessage): void => scope.postMessage(m, []);
  let config: SimWorkerConfig;
  try {
    config = decodeSimConfig(scope.name ?? '');
  } catch (e) {
    post({ webtke: SIM_TAG, type: 'failed', problem: 'config', message: (e as Error).message });
    return Promise.reject(e);
  }
  const started = start(config, platform);
  started.catch(() => undefined);
  // Registered now, synchronously: requests that arrive while the units load wait for them.
  for (const unitId of config.units) {
    serveUnit(scope, async (request) => {
      let instance: SimulatedInstance;
      try {
        ({ instance } = await started);
      } catch (e) {
        throw new Error(`the simulated unit is not running: ${(e as Error).message}`);
      }
      return instance.handler(unitId)(request);
    }, unitId);
  }
  return started.then(
    ({ instance }) => {
      post({ webtke: SIM_TAG, type: 'ready', created: instance.created, units: instance.unitIds });
      return instance;
    },
    (e: unknown) => {
      const problem: SimProblem = e instanceof SimStartError ? e.problem : 'store';
      post({ webtke: SIM_TAG, type: 'failed', problem, message: (e as Error)?.message ?? String(e) });
      throw e;
    },
  );
}
