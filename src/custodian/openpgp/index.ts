/**
 * The OpenPGP card custodian (DESIGN §4): an administrator's signature key and a master key
 * custodian's key parts on an OpenPGP card (YubiKey 5, Nitrokey, OpenPGP card 3.4), driven
 * through the applet client in card/applets/openpgp over any CardTransport.
 *
 *   const card = await OpenPgpCard.open(transport);
 *   const signer = await OpenPgpAdminSigner.open(card, crypto, { pin: askForPin });
 *   const holder = new OpenPgpKeyPartHolder(card, crypto);
 */
export * from './errors.ts';
export { OpenPgpAdminSigner, type OpenPgpSignerOptions } from './signer.ts';
export { OpenPgpKeyPartHolder, type OpenPgpKeyPartInfo, type CreatePartRequest, type CreatedPart } from './key-part-holder.ts';
export {
  generateAdminKey, generateDecryptionKey, DEFAULT_ADMIN_CURVE, DEFAULT_PART_CURVE, type AdminKeyRequest, type DecryptionKeyRequest,
} from './provision.ts';
export { type PinRequest, type PinSource, retriesLeft, unblockPin, verifyCardPassword } from './pin.ts';
export {
  decodePartRecord, encodePartRecord, maxDescriptionBytes, recordLength, MAX_DESCRIPTION_BYTES, RECORD_TAG, type PartRecord,
  PartRecordFormatError,
} from './part-record.ts';
export { partId, slotOfPartId, PART_SLOTS, type PartSlot } from './part-id.ts';
export { factoryReset } from './factory-reset.ts';
