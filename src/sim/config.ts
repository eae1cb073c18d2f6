/**
 * What the simulation worker needs to know before its first message, and the status messages
 * it sends back (besides the unit protocol of cryptounit/transports/worker-protocol.ts).
 *
 * The configuration travels in the Worker's `name` (a JSON text), because the worker must
 * register its units synchronously at the top of its module (serveUnit), before any message
 * can arrive, and `self.name` is there from the start. Vite's inline workers of the single-file
 * build keep the name too.
 *
 *   | field      | form                                                       |
 *   |------------|------------------------------------------------------------|
 *   | webtke     | "sim/1"                                                    |
 *   | db         | the IndexedDB database name of the app's store (1–200 chars) |
 *   | instanceId | the simulated instance's id (32 hex digits)                 |
 *   | units      | the instance's unit ids, 1–3 of them, in instance order      |
 *
 * Status messages, worker → page, tagged `webtke: "sim/1"`:
 *
 *   | type     | fields                        | meaning                                         |
 *   |----------|-------------------------------|-------------------------------------------------|
 *   | 'ready'  | created: boolean, units       | the units run; created = a fresh host and units were made (first start or after a reset) |
 *   | 'failed' | problem, message              | the units cannot run; every unit request fails with 'unit-failed' |
 */
export const SIM_TAG = 'sim/1';
export const MIN_SIM_UNITS = 1;
export const MAX_SIM_UNITS = 3;
export const DEFAULT_SIM_UNITS = 2;

export interface SimWorkerConfig {
  db: string;
  instanceId: string;
  units: string[];
}

/** Why the simulation could not start. */
export type SimProblem =
  /** the worker's name is not a configuration */
  | 'config'
  /** another tab of webtke runs this simulated instance already */
  | 'locked'
  /** the store cannot be opened or read */
  | 'store'
  /** the saved state does not open or does not fit together (reset the simulation) */
  | 'state';

export type SimStatusMessage =
  | { webtke: typeof SIM_TAG; type: 'ready'; created: boolean; units: string[] }
  | { webtke: typeof SIM_TAG; type: 'failed'; problem: SimProblem; message: string };

export class SimConfigError extends Error {
  override name = 'SimConfigError';
}

const ID = /^[0-9a-f]{32}$/;

function check(v: unknown): SimWorkerConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SimConfigError('the configuration is not an object');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'db,instanceId,units,webtke') throw new SimConfigError(`unexpected fields: ${keys}`);
  if (o.webtke !== SIM_TAG) throw new SimConfigError('not a simulation worker configuration');
  if (typeof o.db !== 'string' || o.db.length < 1 || o.db.length > 200) throw new SimConfigError('db must be a name of 1–200 characters');
  if (typeof o.instanceId !== 'string' || !ID.test(o.instanceId)) throw new SimConfigError('instanceId must be 32 lowercase hex digits');
  const units = o.units;
  if (!Array.isArray(units) || units.length < MIN_SIM_UNITS || units.length > MAX_SIM_UNITS) {
    throw new SimConfigError(`a simulated instance has ${MIN_SIM_UNITS}–${MAX_SIM_UNITS} units`);
  }
  if (!units.every((u): u is string => typeof u === 'string' && ID.test(u)) || new Set(units).size !== units.length) {
    throw new SimConfigError('unit ids must be distinct, 32 lowercase hex digits each');
  }
  return { db: o.db, instanceId: o.instanceId, units: [...units] };
}

/** The Worker name that carries a configuration. */
export function encodeSimConfig(c: SimWorkerConfig): string {
  const checked = check({ webtke: SIM_TAG, db: c.db, instanceId: c.instanceId, units: c.units });
  return JSON.stringify({ webtke: SIM_TAG, ...checked });
}

/** Read a configuration from a Worker name; SimConfigError if it is not one. */
export function decodeSimConfig(name: string): SimWorkerConfig {
  let v: unknown;
  try {
    v = JSON.parse(name);
  } catch {
    throw new SimConfigError('the worker name is not JSON');
  }
  return check(v);
}

/** A well-formed status message, or undefined (other traffic on the port is not ours). */
export function parseSimStatus(data: unknown): SimStatusMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Record<string, unknown>;
  if (m.webtke !== SIM_TAG) return undefined;
  if (m.type === 'ready' && typeof m.created === 'boolean' && Array.isArray(m.units) && m.units.every((u) => typeof u === 'string')) {
    return { webtke: SIM_TAG, type: 'ready', created: m.created, units: [...(m.units as string[])] };
  }
  const problems: SimProblem[] = ['config', 'locked', 'store', 'state'];
  if (m.type === 'failed' && problems.includes(m.problem as SimProblem) && typeof m.message === 'string') {
    return { webtke: SIM_TAG, type: 'failed', problem: m.problem as SimProblem, message: m.message.slice(0, 1000) };
  }
  return undefined;
}
