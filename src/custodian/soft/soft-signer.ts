import { createSignerInfo, type AdminCertificate } from '../../cryptounit/protocol/index.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import { CertifiedAdminSigner } from '../certified-signer.ts';
import { CustodianClosedError } from '../errors.ts';

/** Where an opened software key came from: a webtke file, or an imported IBM TKE CLI file. */
export type SoftSignerOrigin = 'webtke-file' | 'ibm-tke-file';

/**
 * An administrator's software signature key, opened. It holds a non-extractable WebCrypto
 * private key and the parsed certificate, never the password or any private key bytes.
 * `sign` returns a SignerInfo v3 (createSignerInfo); `close` drops the key.
 */
export class SoftAdminSigner extends CertifiedAdminSigner {
  readonly #c: WebCrypto;
  #key: CryptoKey | null;

  constructor(
    c: WebCrypto,
    cert: AdminCertificate,
    privateKey: CryptoKey,
    /** 'ibm-tke-file' keys were protected by only 4096 PBKDF2 iterations: offer to re-save them. */
    readonly origin: SoftSignerOrigin,
  ) {
    super(cert);
    if (privateKey.extractable) throw new TypeError('a SoftAdminSigner key must be non-extractable');
    this.#c = c;
    this.#key = privateKey;
  }

  get closed(): boolean {
    return this.#key === null;
  }

  async sign(adminBlockDer: Uint8Array): Promise<Uint8Array> {
    const key = this.#key;
    if (!key) throw new CustodianClosedError();
    return createSignerInfo(this.#c, this.adminCertificate.curve, key, this.adminCertificate.ski, adminBlockDer);
  }

  close(): void {
    this.#key = null;
  }
}
