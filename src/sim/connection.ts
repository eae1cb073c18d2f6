/**
 * The page side of the simulation: start the worker for one simulated instance, hand out a
 * UnitTransport per unit, and report whether the units came up.
 *
 *   const sim = startSimulation({ createWorker: (name) => new Worker(url, { type: 'module', name }), config });
 *   const t = sim.transport(unitId);       // a UnitTransport for the unit client
 *   const r = await sim.ready;             // { created } or SimulationStartError
 *   sim.terminate();                       // before a reset, or when switching instances
 */
import type { UnitTransport } from '../cryptounit/transport.ts';
import { WorkerUnitConnection } from '../cryptounit/transports/worker.ts';
import type { MessagePortLike } from '../cryptounit/transports/worker-protocol.ts';
import { encodeSimConfig, parseSimStatus, type SimProblem, type SimWorkerConfig } from './config.ts';

/** A started worker, as the page needs it: a port plus terminate(). */
export interface SimWorkerLike extends MessagePortLike {
  terminate(): void;
}

/** Makes the worker, given the name that carries its configuration (main.ts: `new Worker(…)`). */
export type SimWorkerFactory = (name: string) => SimWorkerLike;

export interface StartSimulationOptions {
  createWorker: SimWorkerFactory;
  config: SimWorkerConfig;
  /** time limit of one unit request (default 60 s: P-521 signatures in a busy tab) */
  timeoutMs?: number;
  /** time limit for the units to come up (default 60 s) */
  startTimeoutMs?: number;
}

export interface SimulationReady {
  /** a fresh host and units were made (first start, or after a reset) */
  created: boolean;
  units: string[];
}

const REMEDIES: Record<SimProblem | 'worker' | 'timeout', string> = {
  config: 'Reload the page. If it persists, the app build is inconsistent.',
  locked: 'Close the other tab or window of webtke that runs this instance, then reload this page.',
  store: 'The browser\'s storage is not available (private mode, full disk or blocked storage). Allow site storage and reload.',
  state: 'Reset the simulation: the simulated units start again empty, with a new root.',
  worker: 'Reload the page. Settings → "Check worker support" tells whether this browser can run the worker.',
  timeout: 'Reload the page; if it happens again, check worker support in Settings.',
};

/** The simulated units did not come up. */
export class SimulationStartError extends Error {
  override name = 'SimulationStartError';
  readonly remedy: string;
  constructor(
    readonly problem: SimProblem | 'worker' | 'timeout',
    message: string,
  ) {
    super(message);
    this.remedy = REMEDIES[problem];
  }
}

export interface SimulationHandle {
  readonly config: SimWorkerConfig;
  readonly connection: WorkerUnitConnection;
  readonly ready: Promise<SimulationReady>;
  transport(unitId: string): UnitTransport;
  terminate(): void;
}

export function startSimulation(opts: StartSimulationOptions): SimulationHandle {
  const name = encodeSimConfig(opts.config);
  const worker = opts.createWorker(name);
  const connection = new WorkerUnitConnection(worker, { timeoutMs: opts.timeoutMs ?? 60_000 });
  let onMessage: (ev: Event) => void = () => undefined;
  let onError: (ev: Event) => void = () => undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ready = new Promise<SimulationReady>((resolve, reject) => {
    onMessage = (ev) => {
      const m = parseSimStatus((ev as MessageEvent).data);
      if (!m) return;
      if (m.type === 'ready') resolve({ created: m.created, units: m.units });
      else reject(new SimulationStartError(m.problem, m.message));
    };
    onError = (ev) => {
      const msg = (ev as ErrorEvent).message;
      reject(new SimulationStartError('worker', `the simulation worker failed to start${msg ? `: ${msg}` : ''}`));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    timer = setTimeout(
      () => reject(new SimulationStartError('timeout', 'the simulated units did not start in time')),
      opts.startTimeoutMs ?? 60_000,
    );
  });
  const cleanup = (): void => {
    clearTimeout(timer);
    worker.removeEventListener('message', onMessage);
    worker.removeEventListener('error', onError);
  };
  ready.then(cleanup, cleanup);
  let ended = false;
  return {
    config: { ...opts.config, units: [...opts.config.units] },
    connection,
    ready,
    transport: (unitId) => {
      if (!opts.config.units.includes(unitId)) throw new RangeError(`unit ${unitId} is not part of this simulation`);
      return connection.transport(unitId);
    },
    terminate: () => {
      if (ended) return;
      ended = true;
      connection.close();
      worker.terminate();
      cleanup();
    },
  };
}
