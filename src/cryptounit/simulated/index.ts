/** The simulated crypto unit (DESIGN §3) and the host that certifies it. */
export { SimulatedHost, type SimulatedHostOptions, HOST_STATE_FORMAT, HOST_STATE_VERSION } from './host.ts';
export { SimulatedCryptoUnit, type SimulatedCryptoUnitOptions, type SimulatedRestoreOptions } from './unit.ts';
export { SimulatedStateError } from './errors.ts';
export { UNIT_STATE_FORMAT, UNIT_STATE_VERSION } from './persist.ts';
export { MAX_REENCRYPT_BATCH } from './commands/key-storage.ts';
export type { Clock } from './clock.ts';
