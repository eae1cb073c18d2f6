/**
 * Custodians (DESIGN §2, §4): who holds admin signature keys and master key parts. The
 * ceremony layer uses only these types; implementations live in soft/ (password-protected
 * files), piv/ and openpgp/ (smart-card applets). Import an implementation from its folder.
 */
export type { AdminSigner, KeyPartHolder, KeyPartInfo } from './types.ts';
export { WrongSecretError, UnknownPartError, CustodianClosedError, InvalidImporterKeyError } from './errors.ts';
export { vpDisplay, keyPartListing, formatKeyPartListing, type KeyPartListingRow } from './listing.ts';
export { checkPartDescription, KeyPartDescriptionError, MAX_DESCRIPTION_LENGTH } from './part-description.ts';
export { checkImporterSpki } from './importer-key.ts';
