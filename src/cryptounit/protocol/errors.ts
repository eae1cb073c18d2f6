/**
 * Decoding errors of the unit protocol. Each carries the rc/reason a unit answers with
 * (DESIGN §3.1 "Which error a malformed structure gets"), so the simulated unit can turn a
 * failed decode into its response without guessing.
 */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError';
  constructor(
    message: string,
    readonly rc: number,
    readonly reason = 0,
  ) {
    super(message);
  }
}

/** Not DER, or not the expected structure: rc 7. */
export class DerError extends ProtocolDecodeError {
  override name = 'DerError';
  constructor(message: string, readonly offset = -1) {
    super(message, 7);
  }
}

/** A fixed-size field of the wrong length: rc 33. */
export class FieldLengthError extends ProtocolDecodeError {
  override name = 'FieldLengthError';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly actual: number,
  ) {
    super(`${field} must be ${expected} bytes, got ${actual}`, 33);
  }
}

/** A SignerInfo that parses but is wrong inside: rc 193. */
export class SignerInfoError extends ProtocolDecodeError {
  override name = 'SignerInfoError';
  constructor(message: string) {
    super(message, 193);
  }
}

/** A key-part envelope (KeyAgreeRecipientInfo) that is not DER or is wrong inside: rc 32. */
export class EnvelopeError extends ProtocolDecodeError {
  override name = 'EnvelopeError';
  constructor(message: string) {
    super(message, 32);
  }
}

/** An admin certificate that fails a check: rc 7, reason 40. */
export class CertificateError extends ProtocolDecodeError {
  override name = 'CertificateError';
  constructor(message: string) {
    super(message, 7, 40);
  }
}
