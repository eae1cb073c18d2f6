/**
 * The embedded simulated instance (issue 6): a worker runs 1–3 simulated crypto units on one
 * simulated host, served over the real unit protocol, and keeps their state in the store's
 * encrypted simulated state. See docs/ui.md.
 */
export * from './config.ts';
export { startSimulation, SimulationStartError, type SimulationHandle, type SimulationReady, type SimWorkerFactory, type SimWorkerLike, type StartSimulationOptions } from './connection.ts';
export { SimulatedInstance, SimulationSaveError, SimulationStateError, type SimStatePersistence, type LoadSimulatedInstanceOptions } from './instance.ts';
export { runSimWorker, simLockName, type LockManagerLike, type SimWorkerPlatform } from './worker-main.ts';
