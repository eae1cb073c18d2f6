/**
 * Everything the app needs to talk to smart cards, in one module that is loaded on first use
 * (`loadCardRuntime()`), so the card transports, applets and card custodians stay out of the
 * app's first load. Never import this module statically: use `loadCardRuntime()` from
 * load-card-runtime.ts. Types may be imported directly from their modules.
 */
export { cardAccessErrorFrom, diagnoseCardAccess, USB_CLASS_SMART_CARD } from '../card/doctor.ts';
export { CcidSetupError, openCcidReader } from '../card/transports/webusb-ccid/index.ts';
export { listSmartCardReaders, openSmartCardReader } from '../card/transports/web-smart-card/index.ts';
export { OpenPgpCard } from '../card/applets/openpgp/index.ts';
export { OpenPgpKeyPartHolder, OpenPgpAdminSigner, generateAdminKey, retriesLeft as openPgpRetriesLeft } from '../custodian/openpgp/index.ts';
export { PivCard, PivKeyPartHolder, PivAdminSigner, createPivAdmin } from '../custodian/piv/index.ts';

export { cardPartSetup, createCardPart, CardPartSetupError, type CardPartSetup, type CreateCardPartRequest } from './card-parts.ts';
