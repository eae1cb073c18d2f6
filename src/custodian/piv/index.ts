/**
 * The PIV card custodian (DESIGN §4): an admin signature key in slot 9C with its certificate in
 * 5FC10A, and master key parts stored encrypted to the card's own ECDH key (9D) in data objects.
 * See docs/smart-cards-piv.md.
 */
export { PivCard, type PinEntryInfo, type OpenPivCardOptions } from './card.ts';
export { PivAdminSigner, type OpenPivSignerOptions, type PinPrompt, type PinRequest } from './signer.ts';
export { PivKeyPartHolder, type CreatePivPartOptions, type DamagedRecord } from './key-part-holder.ts';
export { createPivAdmin, initPivKeyPartKey, DEFAULT_PIV_CURVE, type CreatePivAdminOptions, type InitKeyPartKeyOptions } from './setup.ts';
export * from './errors.ts';
export { ADMIN_SLOT, ADMIN_CERT_OBJECT, PART_KEY_SLOT, KEY_PART_KEY_OBJECT, PART_OBJECTS } from './layout.ts';
export {
  encodePartRecord, decodePartRecord, encodeKeyPartKeyRecord, decodeKeyPartKeyRecord, checkDescription, RecordFormatError,
  type PartRecord, type KeyPartKeyRecord,
} from './records.ts';
