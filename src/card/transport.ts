/**
 * The one interface between the card layer and a physical or virtual card: bytes in, bytes
 * out. Everything above (status words, chaining, applets) works on any CardTransport; the
 * transports below (webusb-ccid, web-smart-card, memory) each implement it.
 */

/** Facts about the reader that the layers above may need. */
export interface ReaderInfo {
  /** Human-readable reader name, e.g. "Yubico YubiKey OTP+FIDO+CCID". */
  readonly name: string;
  /** Which transport carries the bytes. */
  readonly kind: 'webusb-ccid' | 'web-smart-card' | 'memory';
  /**
   * True when an extended-length APDU (ISO 7816-4 §5.1) may be passed to transmit() as is.
   * Every CardTransport must still accept extended APDUs; where the reader cannot carry them
   * the transport converts them (command chaining + GET RESPONSE) itself.
   */
  readonly extendedApdu: boolean;
}

export type CardEvent = 'card-removed' | 'card-inserted';

export interface CardTransport {
  /** Answer-to-reset of the card in the slot (empty if the transport does not expose it). */
  readonly atr: Uint8Array;
  readonly reader: ReaderInfo;
  /**
   * Send one command APDU (short or extended form) and return the response: data ‖ SW1 SW2.
   * One exchange at a time: a call while another is running rejects with TransportBusyError.
   * `signal` aborts the exchange with TransportAbortedError.
   */
  transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Subscribe to card presence changes; returns the unsubscribe function. */
  on(event: CardEvent, listener: () => void): () => void;
  /** Power the card down and release the device. Idempotent. */
  close(): Promise<void>;
}
