import { bytesEqual } from '../../bytes/index.ts';
import { ApduError } from '../../card/errors.ts';
import { SW_SECURITY_STATUS_NOT_SATISFIED } from '../../card/status-words.ts';
import { isPivEcCurve, type PinPolicyName, type PivEcCurve } from '../../card/applets/piv/index.ts';
import { CURVES, digest, ecdsaVerify, importPublicPoint } from '../../crypto/index.ts';
import { encodeSignerInfo, parseAdminCertificate, type AdminCertificate } from '../../cryptounit/protocol/index.ts';
import { CertifiedAdminSigner } from '../certified-signer.ts';
import { CustodianClosedError } from '../errors.ts';
import { unlocked, type PivCard } from './card.ts';
import { PivCardMismatchError, PivPinRequiredError, PivSlotEmptyError } from './errors.ts';
import { ADMIN_SLOT } from './layout.ts';

/** What a PIN prompt is told when the card wants the PIN again. */
export interface PinRequest {
  reason: 'signature';
  /** tries left, when the card tells */
  retriesLeft: number | undefined;
}

/** Asks the person for the PIN (the UI's prompt); the answer goes straight to the card. */
export type PinPrompt = (request: PinRequest) => Promise<string>;

export interface OpenPivSignerOptions {
  /** The PIN, verified once when the signer opens. */
  pin: string;
  /**
   * Asked before a signature when the key's PIN policy is "always" (the card says so through
   * GET METADATA, or answers 69 82). Without it such a signature fails with PivPinRequiredError.
   */
  askPin?: PinPrompt;
}

/**
 * An administrator's signature key on a PIV card: the key in slot 9C, the admin certificate in
 * 5FC10A. The PIN is verified once, when the signer opens; afterwards each signature is one
 * GENERAL AUTHENTICATE (the digest goes in, a DER signature comes out), as long as the card
 * session lasts and the key's PIN policy is "once" (webtke generates it so on YubiKeys). For a
 * key with policy "always" (the PIV default for 9C), each signature asks for the PIN again.
 */
export class PivAdminSigner extends CertifiedAdminSigner {
  readonly #card: PivCard;
  readonly #curve: PivEcCurve;
  readonly #publicKey: CryptoKey;
  readonly #pinPolicy: PinPolicyName | undefined;
  readonly #askPin: PinPrompt | undefined;
  #closed = false;
  /** a card without GET METADATA showed that 9C wants the PIN before every signature */
  #learnedAlways = false;

  private constructor(card: PivCard, cert: AdminCertificate, curve: PivEcCurve, publicKey: CryptoKey, pinPolicy: PinPolicyName | undefined, askPin: PinPrompt | undefined) {
    super(cert);
    this.#card = card;
    this.#curve = curve;
    this.#publicKey = publicKey;
    this.#pinPolicy = pinPolicy;
    this.#askPin = askPin;
  }

  /**
   * Open the admin signer of a card: read and check the admin certificate (every check a unit
   * makes), compare its key with the card's (GET METADATA, where the card has it), verify the PIN.
   */
  static open(card: PivCard, opts: OpenPivSignerOptions): Promise<PivAdminSigner> {
    return card.exclusive(() => PivAdminSigner.#open(card, opts));
  }

  static async #open(card: PivCard, opts: OpenPivSignerOptions): Promise<PivAdminSigner> {
    const der = await card.session.readCertificate(ADMIN_SLOT);
    if (!der) {
      throw new PivSlotEmptyError('9C', 'the card holds no admin certificate (object 5FC10A is empty)', 'Create an admin key on this card first.');
    }
    const cert = await parseAdminCertificate(card.crypto, der);
    if (!isPivEcCurve(cert.curve)) throw new PivCardMismatchError(`the admin certificate is for a ${cert.curve} key, which PIV cannot hold`);
    const md = await card.session.metadata(ADMIN_SLOT);
    if (md?.publicPoint && !bytesEqual(md.publicPoint, cert.publicPoint)) {
      throw new PivCardMismatchError('the key in slot 9C is not the one the admin certificate names');
    }
    const publicKey = await importPublicPoint(card.crypto, cert.curve, cert.publicPoint, 'ECDSA');
    await unlocked.verifyPin(card, opts.pin);
    return new PivAdminSigner(card, cert, cert.curve, publicKey, md?.pinPolicy, opts.askPin);
  }

  /** The 9C key's PIN policy when the card reports it. */
  get pinPolicy(): PinPolicyName | undefined {
    return this.#pinPolicy;
  }
  get closed(): boolean {
    return this.#closed;
  }

  async sign(adminBlockDer: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new CustodianClosedError();
    return this.#card.exclusive(() => this.#sign(adminBlockDer));
  }

  async #sign(adminBlockDer: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new CustodianClosedError();
    const hash = await digest(this.#card.crypto, CURVES[this.#curve].hash, adminBlockDer);
    const always = this.#pinPolicy === 'always' || this.#learnedAlways;
    if (always) await this.#askAndVerify();
    let signature: Uint8Array;
    try {
      signature = await this.#card.session.sign(ADMIN_SLOT, this.#curve, hash);
    } catch (e) {
      if (!(e instanceof ApduError && e.sw === SW_SECURITY_STATUS_NOT_SATISFIED) || always) throw e;
      // The card wants the PIN before this signature: policy "always" on a card without
      // GET METADATA (standard PIV 9C) — the PIN still counts as verified then, and later
      // signatures ask first — or the card was reset since the signer opened.
      const info = await unlocked.pinInfo(this.#card);
      if (info.verified) this.#learnedAlways = true;
      await this.#askAndVerify(info.retriesLeft);
      signature = await this.#card.session.sign(ADMIN_SLOT, this.#curve, hash);
    }
    if (this.#closed) throw new CustodianClosedError();
    if (!(await ecdsaVerify(this.#card.crypto, this.#curve, this.#publicKey, adminBlockDer, signature))) {
      throw new PivCardMismatchError('the card\'s signature does not verify under the admin certificate\'s key');
    }
    return encodeSignerInfo(this.adminCertificate.ski, this.#curve, signature);
  }

  async #askAndVerify(retriesLeft?: number): Promise<void> {
    if (!this.#askPin) throw new PivPinRequiredError();
    const left = retriesLeft ?? (await unlocked.pinInfo(this.#card)).retriesLeft;
    const pin = await this.#askPin({ reason: 'signature', retriesLeft: left });
    await unlocked.verifyPin(this.#card, pin);
  }

  close(): void {
    this.#closed = true;
  }
}
