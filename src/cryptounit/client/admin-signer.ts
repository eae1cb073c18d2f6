import type { CurveName } from '../../crypto/index.ts';

/**
 * An administrator who can sign commands, as the client sees one (DESIGN §2: the client
 * takes signers by this structural type, so custodians never import the client and the
 * client never imports custodians). Software key files, PIV and OpenPGP cards implement it.
 */
export interface AdminSigner {
  /** SHA-256 of the admin's uncompressed public point (32 bytes) */
  readonly ski: Uint8Array;
  readonly curve: CurveName;
  /** the admin's name, for messages, when known */
  readonly name?: string;
  /**
   * Sign exactly these AdminBlock DER bytes with the curve's hash (one hash) and return the
   * DER SignerInfo: version 3, sid = ski, the curve's digest and signature algorithms.
   * May ask the user for consent (a PIN, a password) and may reject.
   */
  sign(adminBlockDer: Uint8Array): Promise<Uint8Array>;
}
