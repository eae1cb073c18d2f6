/**
 * Custodians (DESIGN §2, §4): who holds admin signature keys and master key parts. The
 * ceremony layer uses only these types; implementations live in soft/ (files) and, later,
 * piv/ and openpgp/ (smart cards).
 */
export type { AdminSigner, KeyPartHolder, KeyPartInfo } from './types.ts';
export { WrongSecretError, UnknownPartError, CustodianClosedError, InvalidImporterKeyError } from './errors.ts';
export { vpDisplay, keyPartListing, formatKeyPartListing, type KeyPartListingRow } from './listing.ts';
