/**
 * The one narrow interface to a crypto unit (DESIGN §2): DER AdminRequest bytes in, DER
 * AdminResponse bytes out. A transport moves bytes and nothing else; it never parses them and
 * never trusts them. The client verifies every response (see client/verify-response.ts).
 *
 * Transports: memory (in-process `handle`), worker (a unit inside a Web Worker), and later
 * http (a remote host). All of them fail with UnitTransportError, a TransportError, so the
 * layers above handle a lost unit the same way as a lost card reader.
 */
import { TransportError } from '../card/transport-errors.ts';

export interface UnitTransport {
  /**
   * Send one request and resolve with the unit's response. Rejects with UnitTransportError
   * when the bytes did not make it there and back (aborted, timed out, closed, dead worker).
   * A rejection says nothing about whether the unit ran the request.
   */
  send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

/** The unit itself, as the simulated unit exposes it: `unit.handle(request)`. */
export type UnitHandler = (request: Uint8Array) => Promise<Uint8Array>;

/** Why a unit exchange failed. */
export type UnitTransportFailure =
  /** the caller's AbortSignal fired */
  | 'aborted'
  /** no answer within the transport's time limit */
  | 'timeout'
  /** the transport was closed by its owner */
  | 'closed'
  /** the worker (or its port) died: an uncaught error, a failed load, a closed channel */
  | 'dead'
  /** the unit code threw instead of answering (a unit answers every request, so this is a fault) */
  | 'unit-failed'
  /** no unit with that id is served on the other side */
  | 'unknown-unit'
  /** the other side sent something that is not a message of the protocol, or too large */
  | 'bad-message';

const REMEDIES: Record<UnitTransportFailure, string> = {
  aborted: 'Repeat the step when ready. Refresh the unit first: a command may still have run.',
  timeout: 'The unit did not answer in time. Refresh the unit state before repeating the step: the command may have run.',
  closed: 'The connection to the unit was closed. Reconnect to the unit.',
  dead: 'The unit worker stopped. Reload the page (a simulated unit keeps its state in the browser\'s storage) and reconnect.',
  'unit-failed': 'The unit failed internally. Export the journal and report it; refresh the unit before going on.',
  'unknown-unit': 'The unit is not served by this worker. Check the instance configuration.',
  'bad-message': 'The unit connection carried an unexpected message. Reload the page and reconnect.',
};

/** A unit exchange that did not complete. `unitId` names the unit where the transport knows it. */
export class UnitTransportError extends TransportError {
  override name = 'UnitTransportError';
  constructor(
    readonly failure: UnitTransportFailure,
    message: string,
    readonly unitId?: string,
  ) {
    super(message, REMEDIES[failure]);
  }
}

/** Reject at once if the signal has already fired. */
export function throwIfUnitAborted(signal: AbortSignal | undefined, unitId?: string): void {
  if (signal?.aborted) throw new UnitTransportError('aborted', 'The unit exchange was cancelled.', unitId);
}
