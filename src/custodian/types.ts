import type { CurveName } from '../crypto/index.ts';

/**
 * The Custodian interface (DESIGN §2, §4). The ceremony layer sees custodians only through
 * these two types; software files (soft/), PIV and OpenPGP cards implement the same ones.
 *
 * There is deliberately no method that returns a clear key part or a private key: a signer
 * only signs, and a part holder only hands out a part already encrypted to a unit's importer
 * key.
 */

/** An administrator's signature key. */
export interface AdminSigner {
  /** the administrator name: the CN of the certificate, trailing spaces trimmed */
  readonly name: string;
  /** DER of the self-signed admin certificate (DESIGN §3.2) */
  readonly certificate: Uint8Array;
  /** SHA-256 of the public key's uncompressed point (32 bytes) */
  readonly ski: Uint8Array;
  readonly curve: CurveName;
  /**
   * Sign the DER bytes of an AdminBlock; returns a DER SignerInfo v3 (sid = SKI, digest and
   * signature algorithms of the curve).
   */
  sign(adminBlockDer: Uint8Array): Promise<Uint8Array>;
  /**
   * Forget the key: drop the private key (software) or end the session (card). Later calls
   * to sign reject with CustodianClosedError. Idempotent.
   */
  close(): void;
}

/** What a custodian may show about a key part: never the part itself. */
export interface KeyPartInfo {
  /** stable identifier of the part inside its holder */
  readonly id: string;
  readonly description: string;
  /** verification pattern of the part (DESIGN §3.6), 32 bytes */
  readonly vp: Uint8Array;
}

/**
 * Holds master key parts and wraps one for a unit's importer key on request.
 *
 * Every wrap takes the custodian's secret (software: the file password; card: the PIN). The
 * holder keeps no secret between calls: the ceremony layer asks the custodian right before
 * the wrap and passes the answer straight through. A wrong secret rejects with
 * WrongSecretError (with `retriesLeft` where the custodian counts tries).
 */
export interface KeyPartHolder {
  parts(): Promise<readonly KeyPartInfo[]>;
  /**
   * Wrap one part to one importer key (DER SubjectPublicKeyInfo, RFC 5480). Returns the part
   * envelope: a DER KeyAgreeRecipientInfo (DESIGN §3.7).
   */
  wrapForImporter(partId: string, importerSpki: Uint8Array, secret: string): Promise<Uint8Array>;
  /**
   * Wrap one part to several importer keys (all units of an instance) with one secret entry:
   * the clear part exists once, for the whole call. Envelopes come back in the order of
   * `importerSpkis`.
   */
  wrapForImporters(partId: string, importerSpkis: readonly Uint8Array[], secret: string): Promise<Uint8Array[]>;
}
