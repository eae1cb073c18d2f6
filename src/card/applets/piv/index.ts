/**
 * The PIV card application client (NIST SP 800-73-4, with the Yubico extensions): constants,
 * one command per file (pure build and parse), and PivSession, which sends them through a
 * CardChannel.
 */
export * from './constants.ts';
export * from './errors.ts';
export * from './algorithms.ts';
export { ManagementKey } from './management-key.ts';
export * from './select.ts';
export * from './verify.ts';
export * from './change-reference.ts';
export * from './general-authenticate.ts';
export * from './generate.ts';
export * from './data-object.ts';
export * from './certificate-object.ts';
export * from './metadata.ts';
export * from './yubico.ts';
export * from './get-challenge.ts';
export { PivSession, type PivSessionOptions, SW_NOT_FOUND, SW_FUNCTION_NOT_SUPPORTED, SW_INCORRECT_DATA } from './session.ts';
