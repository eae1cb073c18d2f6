/**
 * Web Smart Card transport: CardTransport over navigator.smartCard (WICG Web Smart Card API),
 * which reaches the operating system's PC/SC service. Available to Isolated Web Apps (ChromeOS
 * first); see docs/smart-cards-browsers.md.
 */
export type {
  SmartCardAccessMode,
  SmartCardConnectionLike,
  SmartCardConnectionStatus,
  SmartCardConnectResult,
  SmartCardContextLike,
  SmartCardDisposition,
  SmartCardProtocol,
  SmartCardReaderStateFlagsIn,
  SmartCardReaderStateFlagsOut,
  SmartCardReaderStateIn,
  SmartCardReaderStateOut,
  SmartCardResourceManagerLike,
  SmartCardResponseCode,
} from './api.ts';
export { SMART_CARD_RESPONSE_CODES } from './api.ts';
export {
  CardResetError,
  ReaderUnavailableError,
  SharingViolationError,
  SmartCardPermissionError,
  SmartCardServiceError,
  UnsupportedCardError,
  isSmartCardResponseCode,
  mapSmartCardError,
  responseCodeOf,
} from './errors.ts';
export { listSmartCardReaders, type SmartCardReaderEntry } from './list.ts';
export {
  WebSmartCardTransport,
  openSmartCardReader,
  type OpenSmartCardReaderOptions,
  type WebSmartCardReaderInfo,
} from './transport.ts';
