/**
 * A simulated service instance inside the worker: one SimulatedHost (the manufacturer root)
 * and 1–3 SimulatedCryptoUnits on it, restored from the store's encrypted simulated state or
 * created fresh, and saved again after every request that changed a unit.
 *
 *   | slot (store.simState) | contents                                  | saved                      |
 *   |-----------------------|-------------------------------------------|----------------------------|
 *   | 'host'                | SimulatedHost.exportState() (root key)     | when units are created     |
 *   | <unit id>             | SimulatedCryptoUnit.exportState()         | after each request that changed it |
 *
 * A unit's export is deterministic (the same state gives the same bytes), so "changed" is
 * decided by comparing the SHA-256 of the export with the last one saved: no list of
 * state-changing commands to keep in step with the unit. The response goes back only after
 * its state is saved, so a reload never shows a unit older than an answer the page has seen.
 */
import { bytesEqual } from '../bytes/index.ts';
import { sha256, wipe, type WebCrypto } from '../crypto/index.ts';
import { SimulatedCryptoUnit, SimulatedHost, SimulatedStateError } from '../cryptounit/simulated/index.ts';
import type { UnitHandler } from '../cryptounit/transport.ts';
import { HOST_SLOT, SimStateError, type SimStateStore } from '../store/index.ts';

/** What a simulated instance needs from the store (store.simState). */
export type SimStatePersistence = Pick<SimStateStore, 'load' | 'save'>;

export interface LoadSimulatedInstanceOptions {
  simState: SimStatePersistence;
  crypto: WebCrypto;
  instanceId: string;
  /** the instance's unit ids, in instance order */
  unitIds: readonly string[];
}

/** The saved state does not open or does not fit together; the remedy is a reset. */
export class SimulationStateError extends Error {
  override name = 'SimulationStateError';
  readonly remedy = 'Reset the simulation (Settings or Instance view): the simulated units start again empty, with a new root.';
  constructor(
    /** 'host' or the unit id at fault */
    readonly slot: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** A unit ran a request, but its new state could not be saved. */
export class SimulationSaveError extends Error {
  override name = 'SimulationSaveError';
  constructor(
    readonly unitId: string,
    override readonly cause: unknown,
  ) {
    super(`the simulated unit answered, but its new state could not be saved (${(cause as Error)?.message ?? String(cause)}); it will be saved again after the next request — refresh the unit before going on`);
  }
}

export class SimulatedInstance {
  private constructor(
    private readonly c: WebCrypto,
    private readonly simState: SimStatePersistence,
    private readonly instanceId: string,
    private readonly units: ReadonlyMap<string, SimulatedCryptoUnit>,
    /** SHA-256 of the last saved export, per unit */
    private readonly saved: Map<string, Uint8Array>,
    /** true when a fresh host and units were made (nothing was saved before) */
    readonly created: boolean,
  ) {}

  /**
   * Restore the instance from the store, or create it when nothing is saved. A unit id with no
   * saved state on a restored host gets a fresh unit of that host. Saved state that cannot be
   * opened or trusted is SimulationStateError (nothing is overwritten).
   */
  static async load(opts: LoadSimulatedInstanceOptions): Promise<SimulatedInstance> {
    const { simState, crypto: c, instanceId, unitIds } = opts;
    const read = async (slot: string): Promise<Uint8Array | undefined> => {
      try {
        return await simState.load(instanceId, slot);
      } catch (e) {
        if (e instanceof SimStateError) throw new SimulationStateError(slot, `the saved state of ${slot === HOST_SLOT ? 'the simulated host' : `unit ${slot}`} does not open: ${e.message}`, e);
        throw e;
      }
    };

    const hostState = await read(HOST_SLOT);
    const unitStates = new Map<string, Uint8Array | undefined>();
    for (const id of unitIds) unitStates.set(id, await read(id));
    if (!hostState && [...unitStates.values()].some((s) => s !== undefined)) {
      throw new SimulationStateError(HOST_SLOT, 'units were saved but their host was not: their root is lost');
    }

    let host: SimulatedHost;
    try {
      host = hostState ? await SimulatedHost.restore(hostState, { crypto: c }) : await SimulatedHost.create({ crypto: c });
    } catch (e) {
      if (e instanceof SimulatedStateError) throw new SimulationStateError(HOST_SLOT, `the saved simulated host is damaged: ${e.message}`, e);
      throw e;
    } finally {
      if (hostState) wipe(hostState);
    }

    const units = new Map<string, SimulatedCryptoUnit>();
    const fresh: string[] = [];
    for (const id of unitIds) {
      const state = unitStates.get(id);
      try {
        if (state) {
          units.set(id, await SimulatedCryptoUnit.restore(state, { host, crypto: c }));
        } else {
          units.set(id, await SimulatedCryptoUnit.create({ host, crypto: c }));
          fresh.push(id);
        }
      } catch (e) {
        if (e instanceof SimulatedStateError) throw new SimulationStateError(id, `the saved state of unit ${id} is damaged: ${e.message}`, e);
        throw e;
      } finally {
        if (state) wipe(state);
      }
    }

    const inst = new SimulatedInstance(c, simState, instanceId, units, new Map(), !hostState);
    // The host hands out module serials: save it whenever it made a unit, before the units.
    if (fresh.length > 0) {
      const h = await host.exportState();
      try {
        await simState.save(instanceId, HOST_SLOT, h);
      } finally {
        wipe(h);
      }
    }
    for (const id of unitIds) {
      if (fresh.includes(id)) await inst.persist(id);
      else await inst.remember(id);
    }
    return inst;
  }

  /** The unit ids, in instance order. */
  get unitIds(): string[] {
    return [...this.units.keys()];
  }

  /** The handler of one unit: answer the request, save the unit if it changed, then return the answer. */
  handler(unitId: string): UnitHandler {
    const unit = this.units.get(unitId);
    if (!unit) throw new RangeError(`no simulated unit ${unitId} in this instance`);
    return async (request) => {
      const response = await unit.handle(request);
      try {
        await this.persist(unitId);
      } catch (e) {
        throw new SimulationSaveError(unitId, e);
      }
      return response;
    };
  }

  /** Record the digest of the unit's current state without saving it (it is what is stored). */
  private async remember(unitId: string): Promise<void> {
    const state = await this.units.get(unitId)!.exportState();
    try {
      this.saved.set(unitId, await sha256(this.c, state));
    } finally {
      wipe(state);
    }
  }

  /** Save the unit's state if it differs from the last saved one. */
  private async persist(unitId: string): Promise<boolean> {
    const state = await this.units.get(unitId)!.exportState();
    try {
      const digest = await sha256(this.c, state);
      const last = this.saved.get(unitId);
      if (last && bytesEqual(last, digest)) return false;
      await this.simState.save(this.instanceId, unitId, state);
      this.saved.set(unitId, digest);
      return true;
    } finally {
      wipe(state);
    }
  }
}
