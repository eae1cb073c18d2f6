/**
 * The OpenPGP smart card application (version 3.4) client: constants, one command per file
 * (pure build and parse, plus a runner over a CardChannel), the records the card returns, and
 * OpenPgpCard, a session that ties them together.
 */
export * from './constants.ts';
export * from './errors.ts';
export * from './records/aid.ts';
export * from './records/algorithm-attributes.ts';
export * from './records/algorithm-information.ts';
export * from './records/application-related-data.ts';
export * from './records/extended-capabilities.ts';
export * from './records/extended-length-info.ts';
export * from './records/historical-bytes.ts';
export * from './records/key-information.ts';
export * from './records/public-key.ts';
export * from './records/pw-status.ts';
export * from './records/kdf.ts';
export { passwordBytes } from './pin-kdf.ts';
export * from './commands/select.ts';
export * from './commands/get-data.ts';
export * from './commands/put-data.ts';
export * from './commands/verify.ts';
export * from './commands/reset-retry-counter.ts';
export * from './commands/generate-key-pair.ts';
export * from './commands/pso-cds.ts';
export * from './commands/pso-decipher.ts';
export * from './commands/get-challenge.ts';
export * from './commands/lifecycle.ts';
export { OpenPgpCard, OpenPgpCardChangedError, type OpenPgpCardOptions } from './card.ts';
