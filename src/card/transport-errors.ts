/**
 * Errors raised by card transports. Every transport raises these (or subclasses of them), so
 * the layers above can handle removal, busy and abort without knowing which transport it is.
 */

/** A transport-level failure: the bytes did not make it there and back. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    /** What a user can do about it, in plain words. */
    readonly remedy = 'Check the reader connection and try again.',
  ) {
    super(message);
  }
}

/** The card was removed (or never present) when an exchange needed it. */
export class CardRemovedError extends TransportError {
  override name = 'CardRemovedError';
  constructor(message = 'The card was removed from the reader.') {
    super(message, 'Insert the card again and repeat the step; nothing was completed on the card.');
  }
}

/** transmit() was called while another exchange was still running. */
export class TransportBusyError extends TransportError {
  override name = 'TransportBusyError';
  constructor() {
    super('The reader is busy with another exchange.', 'Wait for the running step to finish.');
  }
}

/** The exchange was aborted through its AbortSignal. */
export class TransportAbortedError extends TransportError {
  override name = 'TransportAbortedError';
  constructor(message = 'The card exchange was cancelled.') {
    super(message, 'Repeat the step when ready.');
  }
}

/** The transport was closed (or the device disconnected) and cannot be used again. */
export class TransportClosedError extends TransportError {
  override name = 'TransportClosedError';
  constructor(message = 'The reader connection is closed.') {
    super(message, 'Reconnect the reader and choose it again.');
  }
}

/** A card did not answer within the allowed time. */
export class TransportTimeoutError extends TransportError {
  override name = 'TransportTimeoutError';
  constructor(message = 'The card did not answer in time.') {
    super(message, 'Remove and reinsert the card, then try again.');
  }
}
