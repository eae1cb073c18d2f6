import { bytesEqual } from '../../bytes/index.ts';
import { ApduError } from '../../card/errors.ts';
import { OpenPgpAlgorithmError, PW1_SIGN, SW_REFERENCED_DATA_NOT_FOUND, type OpenPgpCard } from '../../card/applets/openpgp/index.ts';
import { CURVES, digest, ecdsaVerify, importPublicPoint, type CurveName, type WebCrypto } from '../../crypto/index.ts';
import { CertificateError, encodeSignerInfo, parseAdminCertificate, ProtocolDecodeError, type AdminCertificate } from '../../cryptounit/protocol/index.ts';
import { CertifiedAdminSigner } from '../certified-signer.ts';
import { CustodianClosedError } from '../errors.ts';
import { AdminCertificateError, CardKeyMissingError, PinRequiredError } from './errors.ts';
import { ensureVerified, verifyCardPassword, type PinSource } from './pin.ts';

const SW_SECURITY_NOT_SATISFIED = 0x6982;

export interface OpenPgpSignerOptions {
  /**
   * Asked for the PIN whenever the card needs PW1 (81) verified: before the first signature
   * unless unlock() was called, and before every signature on a card whose PW1 is valid for
   * one signature only (C4). Without it, such a signature rejects with PinRequiredError.
   */
  pin?: PinSource;
}

/**
 * An administrator's signature key on an OpenPGP card (DESIGN §4): the signature key (C1),
 * ECDSA on P-256/P-384/P-521, generated on the card; the admin certificate in the cardholder
 * certificate DO (7F21).
 *
 * sign() hashes the AdminBlock here with the curve's hash, has the card sign the hash
 * (PSO:CDS, one APDU once PW1 (81) is verified), turns r ‖ s into DER, checks the signature
 * against the certificate's key (WebCrypto, no APDU) and wraps it in a SignerInfo.
 */
export class OpenPgpAdminSigner extends CertifiedAdminSigner {
  #closed = false;
  readonly #key: CryptoKey;
  readonly #card: OpenPgpCard;
  readonly #c: WebCrypto;
  readonly #opts: OpenPgpSignerOptions;

  private constructor(card: OpenPgpCard, c: WebCrypto, cert: AdminCertificate, key: CryptoKey, opts: OpenPgpSignerOptions) {
    super(cert);
    this.#card = card;
    this.#c = c;
    this.#key = key;
    this.#opts = opts;
  }

  /**
   * Read the admin certificate and the signature key's public point from the card (no PIN),
   * and check that they belong together.
   */
  static async open(card: OpenPgpCard, c: WebCrypto, opts: OpenPgpSignerOptions = {}): Promise<OpenPgpAdminSigner> {
    let curve: CurveName;
    try {
      curve = card.ecAlgorithm('signature', 'ecdsa');
    } catch (e) {
      if (e instanceof OpenPgpAlgorithmError) throw new CardKeyMissingError('signature', e.message);
      throw e;
    }
    let point: Uint8Array;
    try {
      point = await card.publicKey('signature', 'ecdsa');
    } catch (e) {
      if (e instanceof ApduError && e.sw === SW_REFERENCED_DATA_NOT_FOUND) throw new CardKeyMissingError('signature');
      throw e;
    }
    const der = await card.readCertificate();
    if (der.length === 0) throw new AdminCertificateError('the card holds no admin certificate');
    let cert: AdminCertificate;
    try {
      cert = await parseAdminCertificate(c, der);
    } catch (e) {
      if (e instanceof CertificateError || e instanceof ProtocolDecodeError) throw new AdminCertificateError(`the card's certificate is not an admin certificate: ${e.message}`);
      throw e;
    }
    if (cert.curve !== curve || !bytesEqual(cert.publicPoint, point)) {
      throw new AdminCertificateError('the admin certificate on the card names another key than the card\'s signature key');
    }
    const key = await importPublicPoint(c, curve, point, 'ECDSA');
    return new OpenPgpAdminSigner(card, c, cert, key, opts);
  }

  /** The card ("0006:23852774"). */
  get cardId(): string {
    return this.#card.aid.id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** True when the next signature needs no VERIFY. */
  get unlocked(): boolean {
    return this.#card.isVerified(PW1_SIGN);
  }

  /** VERIFY PW1 (81) now, so signatures need no PIN prompt (CardPinError, CardPinBlockedError). */
  async unlock(pin: string): Promise<void> {
    if (this.#closed) throw new CustodianClosedError();
    await verifyCardPassword(this.#card, PW1_SIGN, pin);
  }

  async sign(adminBlockDer: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new CustodianClosedError();
    const curve = this.adminCertificate.curve;
    const hash = await digest(this.#c, CURVES[curve].hash, adminBlockDer);
    let signature: Uint8Array;
    try {
      signature = await this.signHash(hash);
    } catch (e) {
      // The card forgot PW1 (another program, a reset we did not see): ask once more.
      if (!(e instanceof ApduError && e.sw === SW_SECURITY_NOT_SATISFIED) || !this.#opts.pin) throw e;
      await verifyCardPassword(this.#card, PW1_SIGN, await this.#opts.pin({ password: 'PW1', purpose: 'sign', retriesLeft: (await this.#card.pwStatus()).retries.pw1, card: this.#card.aid.id }));
      signature = await this.#card.signHash(hash);
    }
    if (!(await ecdsaVerify(this.#c, curve, this.#key, adminBlockDer, signature))) {
      throw new AdminCertificateError('the card\'s signature does not verify with the admin certificate\'s key');
    }
    return encodeSignerInfo(this.adminCertificate.ski, curve, signature);
  }

  private async signHash(hash: Uint8Array): Promise<Uint8Array> {
    if (!(await ensureVerified(this.#card, PW1_SIGN, 'sign', this.#opts.pin))) throw new PinRequiredError('PW1');
    return this.#card.signHash(hash);
  }

  /** End the session: later signatures reject; the card is asked to forget PW1 (81). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#card.isVerified(PW1_SIGN)) void this.#card.resetSecurityStatus(PW1_SIGN).catch(() => {});
  }
}
