import { CardChannel, type CardChannelOptions } from '../../card/channel.ts';
import { ApduError, PinBlockedError, PinError } from '../../card/errors.ts';
import {
  KEY_PIN, KEY_PUK, ManagementKey, OBJ_YK_ATTESTATION_CERT, PivSession, PivUnsupportedError, SW_NOT_FOUND,
  parseCertificateObject, type FirmwareVersion, type ManagementKeyAlgorithm,
} from '../../card/applets/piv/index.ts';
import type { CardTransport } from '../../card/transport.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import { NotPivCardError, PivPinBlockedError, WrongPinError } from './errors.ts';

/** What the PIN entry shows. */
export interface PinEntryInfo {
  verified: boolean;
  /** tries left before the PIN blocks, when the card tells */
  retriesLeft: number | undefined;
  /** tries in total, when the card tells (GET METADATA) */
  totalTries: number | undefined;
  blocked: boolean;
}

export interface OpenPivCardOptions {
  crypto: WebCrypto;
  /** Options for the CardChannel made over the transport (traffic log, chaining). */
  channel?: CardChannelOptions;
  signal?: AbortSignal;
}

/**
 * A PIV card opened for a custodian: the selected PIV application plus what the custodians
 * need around it (PIN entry facts, typed PIN errors, the management key's algorithm).
 * One PivCard serves both the admin signer and the key part holder of the card.
 */
export class PivCard {
  private constructor(
    readonly session: PivSession,
    readonly crypto: WebCrypto,
    /** firmware version when the card has the Yubico extensions */
    readonly version: FirmwareVersion | undefined,
    readonly serial: number | undefined,
  ) {}

  /** SELECT the PIV application; read version and serial where the card offers them. */
  static async open(transportOrChannel: CardTransport | CardChannel, opts: OpenPivCardOptions): Promise<PivCard> {
    const channel = transportOrChannel instanceof CardChannel ? transportOrChannel : new CardChannel(transportOrChannel, opts.channel);
    let session: PivSession;
    try {
      session = await PivSession.select(channel, { crypto: opts.crypto, signal: opts.signal });
    } catch (e) {
      if (e instanceof ApduError && e.sw === SW_NOT_FOUND) throw new NotPivCardError();
      throw e;
    }
    const version = await session.version();
    const serial = version ? await session.serial() : undefined;
    return new PivCard(session, opts.crypto, version, serial);
  }

  #tail: Promise<unknown> = Promise.resolve();

  /**
   * Run `fn` alone on the card: custodian operations take several APDUs (VERIFY then
   * GENERAL AUTHENTICATE, GET DATA then ECDH), so operations from the signer, the part holder
   * and the PIN entry are queued, never interleaved. Every public operation goes through here.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Whether the card speaks the Yubico PIV extensions (answered GET VERSION). */
  get yubico(): boolean {
    return this.version !== undefined;
  }

  /** PIN facts for the PIN entry: tries left (and in total), blocked, verified. Uses no try. */
  pinInfo(): Promise<PinEntryInfo> {
    return this.exclusive(() => unlocked.pinInfo(this));
  }

  /** PUK tries left, when the card tells (GET METADATA 81). */
  pukRetriesLeft(): Promise<number | undefined> {
    return this.exclusive(() => unlocked.pukRetriesLeft(this));
  }

  /**
   * VERIFY the PIN with the custodian's typed errors: WrongPinError (a WrongSecretError with
   * retriesLeft) or PivPinBlockedError (which says what unblocks it).
   */
  verifyPin(pin: string): Promise<void> {
    return this.exclusive(() => unlocked.verifyPin(this, pin));
  }

  /**
   * The attestation of the key in `slot` (Yubico): the certificate the card issues for a key it
   * generated, and the attestation key's certificate (5FFF01) that signs it. Undefined on cards
   * without attestation or for keys not generated on the card.
   */
  attestation(slot: number): Promise<{ certificate: Uint8Array; issuer: Uint8Array | undefined } | undefined> {
    return this.exclusive(async () => {
      if (!this.yubico) return undefined;
      let certificate: Uint8Array;
      try {
        certificate = await this.session.attest(slot);
      } catch (e) {
        if (e instanceof PivUnsupportedError || e instanceof ApduError) return undefined;
        throw e;
      }
      const content = await this.session.getData(OBJ_YK_ATTESTATION_CERT);
      return { certificate, issuer: content ? parseCertificateObject(content) : undefined };
    });
  }

  /** Forget the PIN on the card (VERIFY P1=FF). */
  logout(): Promise<void> {
    return this.exclusive(() => this.session.logoutPin());
  }

  /**
   * A management key from hex, with its algorithm as the card reports it (GET METADATA 9B);
   * without metadata the length decides (24 bytes: 3DES). `algorithm` overrides both.
   */
  managementKey(hex: string, algorithm?: ManagementKeyAlgorithm): Promise<ManagementKey> {
    return this.exclusive(() => unlocked.managementKey(this, hex, algorithm));
  }
}

/**
 * The same operations without the queue, for code already running inside card.exclusive()
 * (the custodian's own operations). Not exported from the custodian's index.
 */
export const unlocked = {
  async pinInfo(card: PivCard): Promise<PinEntryInfo> {
    const md = await card.session.metadata(KEY_PIN);
    const st = await card.session.pinStatus();
    const retriesLeft = st.retriesLeft ?? md?.retries?.remaining;
    return { verified: st.verified, retriesLeft, totalTries: md?.retries?.total, blocked: st.blocked };
  },

  async pukRetriesLeft(card: PivCard): Promise<number | undefined> {
    return (await card.session.metadata(KEY_PUK))?.retries?.remaining;
  },

  async verifyPin(card: PivCard, pin: string): Promise<void> {
    try {
      await card.session.verifyPin(pin);
    } catch (e) {
      if (e instanceof PinBlockedError) throw new PivPinBlockedError(await unlocked.pukRetriesLeft(card).catch(() => undefined), e);
      if (e instanceof PinError) throw new WrongPinError(e);
      throw e;
    }
  },

  async managementKey(card: PivCard, hex: string, algorithm?: ManagementKeyAlgorithm): Promise<ManagementKey> {
    const key = ManagementKey.fromHex(hex, algorithm);
    if (algorithm) return key;
    const onCard = await card.session.managementKeyAlgorithm();
    if (!onCard || onCard === key.algorithm.name) return key;
    try {
      return key.withAlgorithm(onCard);
    } finally {
      key.wipe();
    }
  },
};
