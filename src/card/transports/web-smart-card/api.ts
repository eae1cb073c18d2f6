/**
 * Our own model of the WICG Web Smart Card API (https://wicg.github.io/web-smart-card/), so the
 * transport depends on no global type and tests can pass a fake. Only the members webtke uses
 * are modelled; the real `navigator.smartCard` satisfies these interfaces structurally.
 *
 *   [Exposed=(DedicatedWorker, SharedWorker, Window), SecureContext, IsolatedContext]
 *   interface SmartCardResourceManager { Promise<SmartCardContext> establishContext(); };
 *
 *   interface SmartCardContext {
 *     Promise<sequence<DOMString>> listReaders();
 *     Promise<sequence<SmartCardReaderStateOut>> getStatusChange(
 *         sequence<SmartCardReaderStateIn> readerStates, optional SmartCardGetStatusChangeOptions options = {});
 *     Promise<SmartCardConnectResult> connect(DOMString readerName, SmartCardAccessMode accessMode,
 *         optional SmartCardConnectOptions options = {});
 *   };
 *
 *   interface SmartCardConnection {
 *     Promise<undefined> disconnect(optional SmartCardDisposition disposition = "leave");
 *     Promise<ArrayBuffer> transmit(BufferSource sendBuffer, optional SmartCardTransmitOptions options = {});
 *     Promise<undefined> startTransaction(SmartCardTransactionCallback transaction, optional SmartCardTransactionOptions options = {});
 *     Promise<SmartCardConnectionStatus> status();
 *     ...control(), getAttribute(), setAttribute() (not used by webtke)
 *   };
 *
 * Two facts of the spec shape the transport:
 * - A context runs ONE PC/SC operation at a time ([[operationInProgress]]): a second call while
 *   one runs rejects with InvalidStateError. A transmit() and a waiting getStatusChange() must
 *   therefore live on two different contexts.
 * - Failures are `SmartCardError` (a DOMException) whose `responseCode` names the PC/SC code.
 */

export type SmartCardProtocol = 'raw' | 't0' | 't1';
export type SmartCardAccessMode = 'shared' | 'exclusive' | 'direct';
export type SmartCardDisposition = 'leave' | 'reset' | 'unpower' | 'eject';
export type SmartCardConnectionState =
  | 'absent' | 'present' | 'swallowed' | 'powered' | 'negotiable' | 't0' | 't1' | 'raw';

/**
 * SmartCardResponseCode (spec §SmartCardResponseCode enum). `transaction-failed` is not in the
 * current draft but appeared in earlier Chromium builds; it is accepted so that it maps cleanly.
 */
export const SMART_CARD_RESPONSE_CODES = [
  'no-service',
  'no-smartcard',
  'not-ready',
  'not-transacted',
  'proto-mismatch',
  'reader-unavailable',
  'removed-card',
  'reset-card',
  'server-too-busy',
  'sharing-violation',
  'system-cancelled',
  'unknown-reader',
  'unpowered-card',
  'unresponsive-card',
  'unsupported-card',
  'unsupported-feature',
  'transaction-failed',
] as const;
export type SmartCardResponseCode = (typeof SMART_CARD_RESPONSE_CODES)[number];

/** SmartCardReaderStateFlagsIn: what the application believes the reader state is. */
export interface SmartCardReaderStateFlagsIn {
  unaware?: boolean;
  ignore?: boolean;
  unavailable?: boolean;
  empty?: boolean;
  present?: boolean;
  exclusive?: boolean;
  inuse?: boolean;
  mute?: boolean;
  unpowered?: boolean;
}

/** SmartCardReaderStateFlagsOut: the actual reader state. */
export interface SmartCardReaderStateFlagsOut {
  ignore?: boolean;
  changed?: boolean;
  unavailable?: boolean;
  unknown?: boolean;
  empty?: boolean;
  present?: boolean;
  exclusive?: boolean;
  inuse?: boolean;
  mute?: boolean;
  unpowered?: boolean;
}

export interface SmartCardReaderStateIn {
  readerName: string;
  currentState: SmartCardReaderStateFlagsIn;
  /** Number of insertion/removal events known to the application (high word of the PC/SC state). */
  currentCount?: number;
}

export interface SmartCardReaderStateOut {
  readerName: string;
  eventState: SmartCardReaderStateFlagsOut;
  /** Number of insertion/removal events so far; 0 where the platform does not count them. */
  eventCount: number;
  answerToReset?: ArrayBuffer;
}

export interface SmartCardGetStatusChangeOptions {
  /** Milliseconds; absent = INFINITE. */
  timeout?: number;
  signal?: AbortSignal;
}

export interface SmartCardConnectOptions {
  preferredProtocols?: SmartCardProtocol[];
}

export interface SmartCardTransmitOptions {
  protocol?: SmartCardProtocol;
}

export interface SmartCardConnectionStatus {
  readerName: string;
  state: SmartCardConnectionState;
  answerToReset?: ArrayBuffer;
}

export interface SmartCardConnectionLike {
  disconnect(disposition?: SmartCardDisposition): Promise<void>;
  transmit(sendBuffer: Uint8Array, options?: SmartCardTransmitOptions): Promise<ArrayBuffer>;
  status(): Promise<SmartCardConnectionStatus>;
}

export interface SmartCardConnectResult {
  connection: SmartCardConnectionLike;
  /** Absent when PC/SC reported no valid protocol (e.g. 'direct' access). */
  activeProtocol?: SmartCardProtocol;
}

export interface SmartCardContextLike {
  listReaders(): Promise<string[]>;
  getStatusChange(
    readerStates: SmartCardReaderStateIn[],
    options?: SmartCardGetStatusChangeOptions,
  ): Promise<SmartCardReaderStateOut[]>;
  connect(
    readerName: string,
    accessMode: SmartCardAccessMode,
    options?: SmartCardConnectOptions,
  ): Promise<SmartCardConnectResult>;
}

/** `navigator.smartCard`. */
export interface SmartCardResourceManagerLike {
  establishContext(): Promise<SmartCardContextLike>;
}
