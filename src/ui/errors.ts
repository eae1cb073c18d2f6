/**
 * Errors in words (issue 6: "Errors show the plain-language message and the remedy for rc/reason
 * codes, never just '209/71'"). Every typed error of the layers below becomes a title, a
 * message and, where one exists, what to do; numbers (rc/reason, status words) come last, for
 * support only. <webtke-error> renders the result.
 */
import { PinBlockedError } from '../card/errors.ts';
import { TransportError } from '../card/transport-errors.ts';
import {
  ConsentError, DriftRefusedError, EngineBusyError, KeyCreationBlockedError, PreconditionError, StepFailedError,
  UnitsUnreachableError,
} from '../ceremony/index.ts';
import { codeName } from '../cryptounit/protocol/index.ts';
import { ResponseAuthError, SignerError, UnitError, UnitProtocolError } from '../cryptounit/client.ts';
import { WrongSecretError } from '../custodian/index.ts';
import { CardPinBlockedError } from '../custodian/openpgp/errors.ts';
import { PivPinBlockedError } from '../custodian/piv/errors.ts';
import { CorruptFileError, LegacyRsaKeyError, WeakPasswordError, WrongPasswordError } from '../custodian/soft/index.ts';
import { RootPinConflictError, StoreError } from '../store/index.ts';
import { SimulationStartError } from '../sim/connection.ts';
import { ConsentCancelled } from './consent/modal.ts';

export interface Explained {
  title: string;
  message: string;
  remedy?: string;
  /** numbers for support (rc/reason, command), shown after the words */
  code?: string;
  /** explanations of underlying errors (a failed step's cause, each unreachable unit) */
  details?: Explained[];
}

const remedyOf = (e: unknown): string | undefined => {
  const r = (e as { remedy?: unknown })?.remedy;
  return typeof r === 'string' && r.length > 0 ? r : undefined;
};

const PRECONDITION_REMEDY: Record<PreconditionError['code'], string> = {
  state: 'Refresh the instance and follow the next safe action it shows.',
  'input-needed': 'Give what the step needs (administrators, thresholds or key parts) and start it again.',
  'would-strand-keys': 'Re-encipher the key storage first, so that no stored key is left under a master key no unit has.',
  'protocol-rule': 'Change the request so the units accept it (for example, add administrators before raising a threshold).',
  'no-key-storage': 'A remote instance keeps its key storage on its host.',
};

/** Turn any error into words. */
export function explainError(e: unknown): Explained {
  if (e instanceof UnitError) {
    return {
      title: `The crypto unit refused ${codeName(e.command).replace(/ \(0x[0-9A-F]+\)$/i, '')}`,
      message: e.message,
      remedy: e.remedy,
      code: `${codeName(e.command)} answered ${e.rc}/${e.reason}`,
    };
  }
  if (e instanceof StepFailedError) {
    const done = e.completed.length ? `It completed on ${e.completed.length} unit(s) before that. ` : '';
    return {
      title: `${e.step}: failed on ${e.unitLabel}`,
      message: `${done}The step stopped there; nothing more was sent.`,
      remedy: e.next ? `Next safe action: ${e.next.title}. ${e.next.detail}` : 'Refresh the instance to see the next safe action.',
      details: [explainError(e.cause)],
    };
  }
  if (e instanceof UnitsUnreachableError) {
    return {
      title: `${e.step}: some units do not answer`,
      message: 'Nothing was sent: a step needs every unit of the instance.',
      remedy: 'Reconnect the units listed, then refresh.',
      details: e.units.map((u) => ({ title: u.label, message: u.error.message, remedy: u.error.remedy })),
    };
  }
  if (e instanceof DriftRefusedError) {
    return {
      title: `${e.step}: the units differ`,
      message: 'The step was not started because the units are not configured alike.',
      remedy: 'Look at the differences below (highlighted in the Instance view) and decide explicitly how to bring the units back in line.',
      details: e.findings.map((f) => ({ title: f.field, message: f.message })),
    };
  }
  if (e instanceof ConsentError) {
    if (e.problem === 'declined') {
      const shown = e.cause !== undefined && !(e.cause instanceof ConsentCancelled);
      return { title: 'Cancelled', message: 'The step was cancelled before anything was sent to a unit.', ...(shown ? { details: [explainError(e.cause)] } : {}) };
    }
    return { title: 'The signatures or key parts given cannot be used', message: e.message, remedy: 'Start the step again and choose the administrators or key parts it asks for.' };
  }
  if (e instanceof PreconditionError) {
    return { title: 'This step cannot run now', message: e.message, remedy: PRECONDITION_REMEDY[e.code] };
  }
  if (e instanceof KeyCreationBlockedError) return { title: 'No key can be created now', message: e.message, remedy: 'Finish the master key change under way first.' };
  if (e instanceof EngineBusyError) return { title: 'Another step is running', message: e.message, remedy: 'Wait for it to finish.' };
  if (e instanceof PivPinBlockedError) return { title: 'The card\'s PIN is blocked', message: e.message, remedy: e.remedy };
  if (e instanceof CardPinBlockedError) return { title: 'The card\'s PIN is blocked', message: e.message, remedy: e.remedy };
  if (e instanceof PinBlockedError) return { title: 'The PIN is blocked', message: e.message, remedy: 'Unblock it with the PUK or the admin PIN, as the card allows.' };
  if (e instanceof WrongPasswordError) {
    return { title: 'Wrong password', message: 'The file does not open with this password.', remedy: 'Type the password again (files have no retry counter).' };
  }
  if (e instanceof WrongSecretError) {
    const n = e.retriesLeft;
    return {
      title: 'Wrong PIN',
      message: n === undefined ? e.message : `${n} ${n === 1 ? 'try' : 'tries'} left before the card blocks the PIN.`,
      remedy: n === 1 ? 'Be careful: one more wrong PIN blocks the card; unblocking needs the PUK or admin PIN.' : 'Type the PIN again.',
    };
  }
  if (e instanceof CorruptFileError) {
    return { title: 'This file cannot be used', message: e.message, remedy: 'Choose the right file: it may be damaged, or another kind of file (a key part file instead of a signature key file, or an IBM TKE file to import).' };
  }
  if (e instanceof WeakPasswordError) return { title: 'Password too short', message: e.message, remedy: 'Choose a longer password or passphrase.' };
  if (e instanceof LegacyRsaKeyError) return { title: 'RSA keys are not supported', message: e.message };
  if (e instanceof SignerError) return { title: 'That signature cannot be used', message: e.message, remedy: 'Choose an administrator installed on every unit of the step, and their own key.' };
  if (e instanceof ResponseAuthError) return { title: 'A unit\'s answer was not trusted', message: e.message, remedy: e.remedy };
  if (e instanceof UnitProtocolError) return { title: 'A unit answered in an unexpected form', message: e.message, remedy: e.remedy };
  if (e instanceof ConsentCancelled) return { title: 'Cancelled', message: 'Nothing was done.' };
  if (e instanceof SimulationStartError) return { title: 'The simulated units did not start', message: e.message, remedy: e.remedy };
  if (e instanceof RootPinConflictError) {
    return { title: 'The unit has another root than the pinned one', message: e.message, remedy: 'If the unit was legitimately replaced, forget the pinned root in Settings (this is journaled) and connect again.' };
  }
  if (e instanceof TransportError) return { title: 'The connection failed', message: e.message, remedy: e.remedy };
  if (e instanceof StoreError) return { title: 'The browser\'s storage refused this', message: e.message, remedy: remedyOf(e) };
  const err = e as { name?: string; message?: string } | null;
  return { title: err?.name && err.name !== 'Error' ? err.name : 'Something went wrong', message: err?.message ?? String(e), remedy: remedyOf(e) };
}
