/**
 * What every AdminSigner shows about itself, from its admin certificate (DESIGN §3.2): the
 * name, the certificate, the SKI, the curve and the public point, each a copy. The software,
 * PIV and OpenPGP signers extend it and add only how they sign and close.
 */
import type { AdminCertificate } from '../cryptounit/protocol/index.ts';
import type { CurveName } from '../crypto/index.ts';
import type { AdminSigner } from './types.ts';

export abstract class CertifiedAdminSigner implements AdminSigner {
  readonly #cert: AdminCertificate;

  protected constructor(cert: AdminCertificate) {
    this.#cert = cert;
  }

  /** The parsed admin certificate, for the signer's own use. */
  protected get adminCertificate(): AdminCertificate {
    return this.#cert;
  }

  get name(): string {
    return this.#cert.name;
  }
  /** A copy of the certificate DER. */
  get certificate(): Uint8Array {
    return this.#cert.der.slice();
  }
  get ski(): Uint8Array {
    return this.#cert.ski.slice();
  }
  get curve(): CurveName {
    return this.#cert.curve;
  }
  /** The uncompressed public point (a copy). */
  get publicPoint(): Uint8Array {
    return this.#cert.publicPoint.slice();
  }

  abstract sign(adminBlockDer: Uint8Array): Promise<Uint8Array>;
  abstract close(): void;
}
