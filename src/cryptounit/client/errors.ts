/**
 * Errors of the unit client. Each carries its data:
 *
 *   - ResponseAuthError   a response failed authentication or binding: never accepted
 *   - UnitError           an authentic response with a non-zero return code (rc/reason, message, remedy)
 *   - UnitProtocolError   an authentic, successful response whose payload has the wrong form
 *   - SignerError         a SignerInfo that does not fit the prepared command or its signer
 *   - PreparedCommandError a prepared command (or its JSON) that is inconsistent or for another unit
 *
 * Transport failures stay UnitTransportError (../transport.ts).
 */
import { codeName, describeReturnCode } from '../protocol/index.ts';

/** Which check of a response failed (see verify-response.ts for the order). */
export type ResponseCheck =
  /** not strict DER, not an AdminResponse/ResponseBlock/SignerInfo of the right form, function not 00010029 */
  | 'format'
  /** AdminResponse.domainIndex or ResponseBlock.domain's index is not the unit's */
  | 'domain-index'
  /** the OA SignerInfo names another key than this unit's OA key, or another algorithm */
  | 'signer'
  /** the OA signature does not verify over the responseBlock */
  | 'signature'
  /** AdminResponse.rv and ResponseBlock.rv differ */
  | 'rv'
  /** ResponseBlock.command is not the request's command */
  | 'command'
  /** ResponseBlock.module is not this unit's module serial and instance */
  | 'module'
  /** the domain instance changed without the counter moving, or a command kept/changed it against the rules */
  | 'domain-instance'
  /** the counter went backwards, or a successful command did not set it to its own counter */
  | 'counter'
  /** the unit's certificate chain does not verify */
  | 'chain'
  /** the unit's root is not the pinned root */
  | 'pinned-root'
  /** a reconnect found another unit (another OA key or module) than the one this client knows */
  | 'identity';

/** A response that must not be believed. Nothing the client knows about the unit changed. */
export class ResponseAuthError extends Error {
  override name = 'ResponseAuthError';
  constructor(
    readonly check: ResponseCheck,
    message: string,
    /** the request's command code */
    readonly command?: number,
  ) {
    super(`Unit response rejected (${check}): ${message}`);
  }
  readonly remedy =
    'Do not trust this answer. Check that the connection leads to the intended unit (and its pinned root); if it persists, stop the ceremony and investigate.';
}

/** The unit answered, authentically, with a non-zero return code. */
export class UnitError extends Error {
  override name = 'UnitError';
  readonly remedy: string;
  constructor(
    readonly rc: number,
    readonly reason: number,
    /** the command, query or key-storage code that failed */
    readonly command: number,
  ) {
    const info = describeReturnCode(rc, reason);
    super(info.message);
    this.remedy = info.remedy;
  }
  /** "COMMIT_WK (0x0D) failed with 101/48: …" */
  get detail(): string {
    return `${codeName(this.command)} failed with ${this.rc}/${this.reason}: ${this.message}`;
  }
}

/** An authentic successful response whose payload does not have the documented form. */
export class UnitProtocolError extends Error {
  override name = 'UnitProtocolError';
  constructor(
    message: string,
    readonly command: number,
  ) {
    super(`${codeName(command)}: ${message}`);
  }
  readonly remedy = 'The unit speaks another protocol version or is faulty. Check the unit and the webtke version.';
}

/** A signature that cannot be used for the prepared command. */
export class SignerError extends Error {
  override name = 'SignerError';
  constructor(
    message: string,
    /** hex SKI of the signer, when known */
    readonly ski?: string,
  ) {
    super(message);
  }
}

/** A prepared command that is inconsistent, or meant for another unit than this client's. */
export class PreparedCommandError extends Error {
  override name = 'PreparedCommandError';
}
