/**
 * Turning the Web Smart Card API's failures into webtke's transport errors.
 *
 * The API rejects with a `SmartCardError` (a DOMException whose `responseCode` names the PC/SC
 * code, spec §SmartCardError) or with a plain DOMException (InvalidStateError for a stopped
 * service or stale handle, AbortError at shutdown, NotAllowedError/SecurityError when the user
 * or the permissions policy refuses). Each is mapped to a TransportError subclass that the
 * layers above already handle (CardRemovedError, TransportTimeoutError, TransportClosedError,
 * TransportAbortedError) or to one of the classes below, always with a remedy in plain words.
 * The original error stays reachable as `cause`.
 */
import {
  CardRemovedError,
  TransportAbortedError,
  TransportClosedError,
  TransportError,
  TransportTimeoutError,
} from '../../transport-errors.ts';
import { SMART_CARD_RESPONSE_CODES, type SmartCardResponseCode } from './api.ts';

const PCSC_SERVICE_REMEDY =
  'Start the smart-card service and try again: on Linux run `sudo systemctl start pcscd.socket pcscd`; ' +
  'on Windows start the "Smart Card" service (SCardSvr) in services.msc; on macOS and ChromeOS it starts ' +
  'by itself when a reader is plugged in, so unplug the reader and plug it in again.';

const OTHER_PROGRAMS =
  'Close other programs that use the card (GnuPG: run `gpgconf --kill scdaemon`; YubiKey Manager, ' +
  'OpenSC tools, certificate managers, other browser tabs of webtke), then try again.';

/** The system's smart-card service (pcscd, SCardSvr) is not running or not answering. */
export class SmartCardServiceError extends TransportError {
  override name = 'SmartCardServiceError';
  constructor(message: string, readonly responseCode?: string) {
    super(message, PCSC_SERVICE_REMEDY);
  }
}

/** Another program holds the card or reader (exclusively, or in a way that blocks ours). */
export class SharingViolationError extends TransportError {
  override name = 'SharingViolationError';
  constructor(readonly reader: string) {
    super(`Another program is using the card in "${reader}".`, OTHER_PROGRAMS);
  }
}

/**
 * The card was reset or powered down by someone else while we were connected: anything it
 * had verified (a PIN) and any selected application are forgotten.
 */
export class CardResetError extends TransportError {
  override name = 'CardResetError';
  constructor(readonly reader: string, readonly responseCode: 'reset-card' | 'unpowered-card') {
    super(
      responseCode === 'reset-card'
        ? `The card in "${reader}" was reset by another program; it has forgotten the PIN and the selected application.`
        : `The card in "${reader}" was powered down; it has forgotten the PIN and the selected application.`,
      `${OTHER_PROGRAMS} Then repeat the step; you will be asked for the PIN again.`,
    );
  }
}

/** The reader disappeared (unplugged) or PC/SC no longer knows it. */
export class ReaderUnavailableError extends TransportClosedError {
  override name = 'ReaderUnavailableError';
  constructor(readonly reader: string, readonly responseCode: 'reader-unavailable' | 'unknown-reader') {
    super(
      responseCode === 'reader-unavailable'
        ? `The reader "${reader}" was unplugged or is no longer available.`
        : `The reader "${reader}" is not known to the smart-card service (it was unplugged or renamed).`,
    );
  }
}

/** The card speaks no protocol the reader and we can use (neither T=0 nor T=1), or is not supported. */
export class UnsupportedCardError extends TransportError {
  override name = 'UnsupportedCardError';
  constructor(readonly reader: string, readonly responseCode: string) {
    super(
      `The card in "${reader}" cannot be used through this reader (${responseCode}).`,
      'Check that the card is inserted the right way round and is a PIV or OpenPGP card; try another reader, or use the software card.',
    );
  }
}

/** The user declined the browser's permission prompt, or the permissions policy blocks smart-card access. */
export class SmartCardPermissionError extends TransportError {
  override name = 'SmartCardPermissionError';
  constructor(message: string) {
    super(
      message,
      'Allow webtke to use the reader when the browser asks. Access to smart-card readers works only in the installed webtke app (Isolated Web App); otherwise use the software card.',
    );
  }
}

/** True for the response codes the spec defines (plus `transaction-failed`). */
export function isSmartCardResponseCode(code: unknown): code is SmartCardResponseCode {
  return typeof code === 'string' && (SMART_CARD_RESPONSE_CODES as readonly string[]).includes(code);
}

/** The `responseCode` of a SmartCardError, or undefined for anything else. */
export function responseCodeOf(e: unknown): string | undefined {
  const code = (e as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'string' ? code : undefined;
}

function nameOf(e: unknown): string {
  const n = (e as { name?: unknown } | null)?.name;
  return typeof n === 'string' ? n : '';
}

function withCause<E extends TransportError>(err: E, cause: unknown): E {
  Object.defineProperty(err, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  return err;
}

/**
 * Map any rejection of the Web Smart Card API to a TransportError. `reader` names the reader
 * in messages; `operation` (e.g. "connect") goes into the fallback message.
 */
export function mapSmartCardError(e: unknown, reader: string, operation: string): TransportError {
  if (e instanceof TransportError) return e;
  const code = responseCodeOf(e);
  const detail = (e as { message?: unknown } | null)?.message;
  const said = typeof detail === 'string' && detail !== '' ? `: ${detail}` : '';
  if (code !== undefined) {
    switch (code) {
      case 'no-smartcard':
        return withCause(new CardRemovedError(`There is no card in "${reader}".`), e);
      case 'removed-card':
        return withCause(new CardRemovedError(`The card was removed from "${reader}".`), e);
      case 'reset-card':
      case 'unpowered-card':
        return withCause(new CardResetError(reader, code), e);
      case 'reader-unavailable':
      case 'unknown-reader':
        return withCause(new ReaderUnavailableError(reader, code), e);
      case 'no-service':
        return withCause(new SmartCardServiceError('The smart-card service of this computer is not running.', code), e);
      case 'server-too-busy':
        return withCause(new SmartCardServiceError('The smart-card service of this computer is too busy to answer.', code), e);
      case 'sharing-violation':
        return withCause(new SharingViolationError(reader), e);
      case 'unresponsive-card':
        return withCause(new TransportTimeoutError(`The card in "${reader}" does not respond.`), e);
      case 'unsupported-card':
      case 'proto-mismatch':
        return withCause(new UnsupportedCardError(reader, code), e);
      case 'system-cancelled':
        return withCause(
          new TransportError(
            `The system cancelled the ${operation} on "${reader}" (for example because the computer is going to sleep or the user logged off).`,
            'Repeat the step.',
          ),
          e,
        );
      case 'not-ready':
        return withCause(
          new TransportError(`The reader "${reader}" is not ready.`, 'Wait a moment, remove and reinsert the card, then try again.'),
          e,
        );
      case 'not-transacted':
      case 'transaction-failed':
        return withCause(
          new TransportError(
            `The exchange with the card in "${reader}" failed (${code}).`,
            'Remove and reinsert the card, then repeat the step.',
          ),
          e,
        );
      case 'unsupported-feature':
        return withCause(
          new TransportError(`The reader "${reader}" does not support this ${operation}.`, 'Try another reader, or use the software card.'),
          e,
        );
      default:
        return withCause(new TransportError(`Smart-card ${operation} on "${reader}" failed (${code})${said}.`), e);
    }
  }
  switch (nameOf(e)) {
    case 'AbortError':
      return withCause(new TransportAbortedError(), e);
    case 'InvalidStateError':
      // SCARD_E_SERVICE_STOPPED and SCARD_E_INVALID_HANDLE both surface as InvalidStateError.
      return withCause(new TransportClosedError(`The connection to the smart-card service was lost during ${operation}${said}.`), e);
    case 'NotAllowedError':
      return withCause(new SmartCardPermissionError(`Access to "${reader}" was not allowed${said}.`), e);
    case 'SecurityError':
      return withCause(new SmartCardPermissionError(`The browser does not allow smart-card access here${said}.`), e);
    default:
      return withCause(new TransportError(`Smart-card ${operation} on "${reader}" failed${said}.`), e);
  }
}
