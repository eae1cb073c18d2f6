import { TransportError } from '../../../transport-errors.ts';

/**
 * Why a T=1 exchange failed for good:
 * - `resynch-failed`: blocks kept failing and S(RESYNCH request) got no valid answer either
 *   (ISO/IEC 7816-3 §11.6.3 rule 7.4: the card now needs a warm reset or deactivation);
 * - `outcome-unknown`: the link was resynchronised, but the last command block had already
 *   reached the card, so it may have run the command; its answer is lost and the command is
 *   not sent again;
 * - `repeated-failure`: the link was resynchronised and the exchange restarted, and it failed
 *   again;
 * - `aborted-by-card`: the card aborted a chain with S(ABORT request) (rule 9);
 * - `response-too-long`: the card's chained answer grew past the largest response APDU; the
 *   host aborted the chain.
 */
export type T1ProtocolFailure = 'resynch-failed' | 'outcome-unknown' | 'repeated-failure' | 'aborted-by-card' | 'response-too-long';

const REMEDIES: Record<T1ProtocolFailure, string> = {
  'resynch-failed': 'Remove and reinsert the card, then repeat the step.',
  'outcome-unknown':
    'The card may or may not have carried out the last command. Check the card state before repeating the step.',
  'repeated-failure': 'Remove and reinsert the card, then repeat the step.',
  'aborted-by-card': 'The card cancelled the exchange. Repeat the step; if it happens again, use another card.',
  'response-too-long': 'The card sent more data than any valid answer holds. Use another card.',
};

/** The T=1 block protocol could not complete an exchange (after retransmission and resynchronisation). */
export class T1ProtocolError extends TransportError {
  override name = 'T1ProtocolError';
  constructor(
    message: string,
    readonly reason: T1ProtocolFailure,
  ) {
    super(message, REMEDIES[reason]);
  }
}
