import { createSignerInfo, type AdminCertificate } from '../../cryptounit/protocol/index.ts';
import type { CurveName, WebCrypto } from '../../crypto/index.ts';
import { CustodianClosedError } from '../errors.ts';
import type { AdminSigner } from '../types.ts';

/** Where an opened software key came from: a webtke file, or an imported IBM TKE CLI file. */
export type SoftSignerOrigin = 'webtke-file' | 'ibm-tke-file';

/**
 * An administrator's software signature key, opened. It holds a non-extractable WebCrypto
 * private key and the parsed certificate, never the password or any private key bytes.
 * `sign` returns a SignerInfo v3 (createSignerInfo); `close` drops the key.
 */
export class SoftAdminSigner implements AdminSigner {
  readonly #c: WebCrypto;
  readonly #cert: AdminCertificate;
  #key: CryptoKey | null;

  constructor(
    c: WebCrypto,
    cert: AdminCertificate,
    privateKey: CryptoKey,
    /** 'ibm-tke-file' keys were protected by only 4096 PBKDF2 iterations: offer to re-save them. */
    readonly origin: SoftSignerOrigin,
  ) {
    if (privateKey.extractable) throw new TypeError('a SoftAdminSigner key must be non-extractable');
    this.#c = c;
    this.#cert = cert;
    this.#key = privateKey;
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
  get closed(): boolean {
    return this.#key === null;
  }

  async sign(adminBlockDer: Uint8Array): Promise<Uint8Array> {
    const key = this.#key;
    if (!key) throw new CustodianClosedError();
    return createSignerInfo(this.#c, this.#cert.curve, key, this.#cert.ski, adminBlockDer);
  }

  close(): void {
    this.#key = null;
  }
}
