import { CardChannel, type SendOptions } from '../../channel.ts';
import { ApduError } from '../../errors.ts';
import type { TrafficLog } from '../../processors/traffic-log.ts';
import type { CardTransport } from '../../transport.ts';
import { wipe, type CurveName, type WebCrypto } from '../../../crypto/index.ts';
import { activateFile, terminateDf } from './commands/lifecycle.ts';
import { getChallenge } from './commands/get-challenge.ts';
import { getData } from './commands/get-data.ts';
import { generateKeyPair } from './commands/generate-key-pair.ts';
import { computeDigitalSignature } from './commands/pso-cds.ts';
import { ecdhDecipher } from './commands/pso-decipher.ts';
import { putData } from './commands/put-data.ts';
import { buildResetRetryCounterAfterPw3, buildResetRetryCounterWithCode, resetRetryCounter } from './commands/reset-retry-counter.ts';
import { selectOpenPgp } from './commands/select.ts';
import { resetSecurityStatus, verifyPassword } from './commands/verify.ts';
import {
  ATTRIBUTES_DO_OF, DO_ALGORITHM_INFORMATION, DO_APPLICATION_RELATED, DO_CARDHOLDER_CERTIFICATE, DO_KDF, DO_PW_STATUS,
  PW1_SIGN, PW3, SW_INCORRECT_DATA, SW_REFERENCED_DATA_NOT_FOUND, type KeySlot, type PasswordReference,
  type PrivateDo,
} from './constants.ts';
import { OpenPgpAlgorithmError } from './errors.ts';
import { versionAtLeast, type OpenPgpAid } from './records/aid.ts';
import { encodeEcAttributes, type AlgorithmAttributes } from './records/algorithm-attributes.ts';
import { parseAlgorithmInformation, type AlgorithmInformation } from './records/algorithm-information.ts';
import { parseApplicationRelatedData, type ApplicationRelatedData } from './records/application-related-data.ts';
import { parsePwStatus, type PwStatus } from './records/pw-status.ts';
import { parseKdfDo, type PinKdf } from './records/kdf.ts';
import { passwordBytes } from './pin-kdf.ts';

/** Another card is in the reader than the one this session was opened with. */
export class OpenPgpCardChangedError extends Error {
  override name = 'OpenPgpCardChangedError';
  readonly remedy = 'Put the card this step was started with back in the reader.';
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(`the card in the reader (${found}) is not the one this session was opened with (${expected})`);
  }
}

export interface OpenPgpCardOptions {
  /** Log every APDU (passwords and secrets redacted). */
  log?: TrafficLog;
  /** WebCrypto, for cards that hash PINs with a KDF-DO (F9) before VERIFY. */
  crypto?: WebCrypto;
  /**
   * Extended-length APDUs: 'auto' (default) uses them when the card's historical bytes say it
   * takes them; false keeps to short APDUs with command chaining and GET RESPONSE.
   */
  extendedLength?: 'auto' | boolean;
}

/** The KDF-DO, when the card says it has one (C0); absent or unreadable means none. */
async function readKdf(channel: CardChannel, info: ApplicationRelatedData): Promise<PinKdf> {
  if (!info.extendedCapabilities.kdf) return { kind: 'none' };
  try {
    return parseKdfDo(await getData(channel, DO_KDF));
  } catch (e) {
    if (e instanceof ApduError && ABSENT_DO.has(e.sw)) return { kind: 'none' };
    throw e;
  }
}

/** Status words that mean "this card has no such data object". */
const ABSENT_DO = new Set([SW_REFERENCED_DATA_NOT_FOUND, SW_INCORRECT_DATA, 0x6b00, 0x6d00, 0x6a86]);

/**
 * A session with the OpenPGP application of one card: every command goes through a
 * CardChannel over the transport given. It selects the application, reads the application
 * related data (6E) once, and keeps track of what the card's security status must be:
 *
 * - which passwords were verified since the last SELECT (VERIFY success adds, a failed VERIFY,
 *   a reset, SELECT and card removal clear; PW1 (81) is cleared after each PSO:CDS when C4
 *   says it is valid for one signature only);
 * - after the card was removed, the next command selects the application again and checks
 *   that the card is the same one (OpenPgpCardChangedError otherwise).
 *
 * Methods throw the card layer's errors (ApduError, PinError, PinBlockedError,
 * TransportError) unchanged; the custodian turns them into words for people.
 */
export class OpenPgpCard {
  private channelRef: CardChannel;
  private info: ApplicationRelatedData;
  private kdf: PinKdf;
  private readonly verifiedRefs = new Set<PasswordReference>();
  private needsSelect = false;
  private readonly unsubscribe: () => void;

  private constructor(
    readonly transport: CardTransport,
    private readonly opts: OpenPgpCardOptions,
    channel: CardChannel,
    info: ApplicationRelatedData,
    kdf: PinKdf,
  ) {
    this.channelRef = channel;
    this.info = info;
    this.kdf = kdf;
    this.unsubscribe = transport.on('card-removed', () => {
      this.verifiedRefs.clear();
      this.needsSelect = true;
    });
  }

  /** SELECT the OpenPGP application and read its application related data. */
  static async open(transport: CardTransport, opts: OpenPgpCardOptions = {}): Promise<OpenPgpCard> {
    const short = new CardChannel(transport, { log: opts.log, extendedLength: false });
    await selectOpenPgp(short);
    const info = parseApplicationRelatedData(await getData(short, DO_APPLICATION_RELATED));
    const mode = opts.extendedLength ?? 'auto';
    const extended = mode === 'auto' ? info.cardCapabilities?.extendedLength === true : mode;
    const channel = extended ? new CardChannel(transport, { log: opts.log, extendedLength: true }) : short;
    return new OpenPgpCard(transport, opts, channel, info, await readKdf(channel, info));
  }

  /** The channel commands go through (extended or short, as chosen at open). */
  get channel(): CardChannel {
    return this.channelRef;
  }
  /** Application related data as last read. */
  get data(): ApplicationRelatedData {
    return this.info;
  }
  get aid(): OpenPgpAid {
    return this.info.aid;
  }
  /** True when commands go as extended-length APDUs. */
  get extendedLength(): boolean {
    return this.opts.extendedLength === true || (this.opts.extendedLength !== false && this.info.cardCapabilities?.extendedLength === true);
  }
  /** Whether this session has seen `ref` verified since the last SELECT. */
  isVerified(ref: PasswordReference): boolean {
    return this.verifiedRefs.has(ref);
  }

  /** Stop listening to the transport (the card stays as it is; see resetSecurityStatus). */
  close(): void {
    this.unsubscribe();
  }

  // ---- session ----------------------------------------------------------------------------

  /** Select the application again (this resets every password's security status). */
  async select(opts: SendOptions = {}): Promise<void> {
    this.verifiedRefs.clear();
    await selectOpenPgp(this.channelRef, opts);
    this.needsSelect = false;
  }

  /** After a card removal: select again and check it is the same card. */
  private async ready(opts: SendOptions): Promise<void> {
    if (!this.needsSelect) return;
    await this.select(opts);
    const fresh = parseApplicationRelatedData(await getData(this.channelRef, DO_APPLICATION_RELATED, opts));
    if (fresh.aid.id !== this.info.aid.id) {
      this.needsSelect = true;
      throw new OpenPgpCardChangedError(this.info.aid.id, fresh.aid.id);
    }
    this.info = fresh;
  }

  /** Read the application related data again (after changing algorithms or keys). */
  async refresh(opts: SendOptions = {}): Promise<ApplicationRelatedData> {
    await this.ready(opts);
    this.info = parseApplicationRelatedData(await getData(this.channelRef, DO_APPLICATION_RELATED, opts));
    return this.info;
  }

  // ---- data objects -----------------------------------------------------------------------

  async getData(tag: number, opts: SendOptions = {}): Promise<Uint8Array> {
    await this.ready(opts);
    return getData(this.channelRef, tag, opts);
  }

  /** GET DATA, or undefined when the card has no such DO (6A88, 6A80, 6B00, 6D00, 6A86). */
  async getOptionalData(tag: number, opts: SendOptions = {}): Promise<Uint8Array | undefined> {
    try {
      return await this.getData(tag, opts);
    } catch (e) {
      if (e instanceof ApduError && ABSENT_DO.has(e.sw)) return undefined;
      throw e;
    }
  }

  async putData(tag: number, value: Uint8Array, opts: SendOptions = {}): Promise<void> {
    await this.ready(opts);
    await putData(this.channelRef, tag, value, opts);
  }

  /** PW status bytes (C4), read fresh: retries left and PW1 (81) validity. */
  async pwStatus(opts: SendOptions = {}): Promise<PwStatus> {
    return parsePwStatus(await this.getData(DO_PW_STATUS, opts));
  }

  /** A private use DO (0101-0104); empty when never written. */
  readPrivateDo(tag: PrivateDo, opts: SendOptions = {}): Promise<Uint8Array> {
    return this.getData(tag, opts);
  }

  writePrivateDo(tag: PrivateDo, value: Uint8Array, opts: SendOptions = {}): Promise<void> {
    return this.putData(tag, value, opts);
  }

  /** The cardholder certificate (7F21, first occurrence); empty when none is stored. */
  readCertificate(opts: SendOptions = {}): Promise<Uint8Array> {
    return this.getData(DO_CARDHOLDER_CERTIFICATE, opts);
  }

  writeCertificate(der: Uint8Array, opts: SendOptions = {}): Promise<void> {
    return this.putData(DO_CARDHOLDER_CERTIFICATE, der, opts);
  }

  /** Algorithm information (FA, 3.4); undefined when the card does not offer it. */
  async algorithmInformation(opts: SendOptions = {}): Promise<AlgorithmInformation | undefined> {
    if (!versionAtLeast(this.info.aid, 3, 4)) return undefined;
    const raw = await this.getOptionalData(DO_ALGORITHM_INFORMATION, opts);
    return raw && raw.length > 0 ? parseAlgorithmInformation(raw) : undefined;
  }

  /** How the card wants passwords sent: as typed, or hashed with its KDF-DO (F9). */
  get pinKdf(): PinKdf {
    return this.kdf;
  }

  // ---- passwords --------------------------------------------------------------------------

  /**
   * VERIFY a password (UTF-8). On success the session records it as verified; on any
   * failure it records it as not verified and rethrows the card layer's error.
   */
  async verify(ref: PasswordReference, password: string, opts: SendOptions = {}): Promise<void> {
    await this.ready(opts);
    const bytes = await passwordBytes(this.opts.crypto, this.kdf, ref === PW3 ? 'pw3' : 'pw1', password);
    this.verifiedRefs.delete(ref);
    try {
      await verifyPassword(this.channelRef, ref, bytes, opts);
      this.verifiedRefs.add(ref);
    } finally {
      bytes.fill(0);
    }
  }

  /**
   * Forget a verified password on the card: VERIFY FF (3.4); older cards are selected again,
   * which resets every password.
   */
  async resetSecurityStatus(ref: PasswordReference, opts: SendOptions = {}): Promise<void> {
    await this.ready(opts);
    if (versionAtLeast(this.info.aid, 3, 4)) {
      this.verifiedRefs.delete(ref);
      await resetSecurityStatus(this.channelRef, ref, opts);
    } else {
      await this.select(opts);
    }
  }

  /** RESET RETRY COUNTER with the resetting code: unblock PW1 and set it to `newPin`. */
  async unblockWithResettingCode(resettingCode: string, newPin: string, opts: SendOptions = {}): Promise<void> {
    await this.ready(opts);
    const rc = await passwordBytes(this.opts.crypto, this.kdf, 'rc', resettingCode);
    const pin = await passwordBytes(this.opts.crypto, this.kdf, 'pw1', newPin);
    try {
      await resetRetryCounter(this.channelRef, buildResetRetryCounterWithCode(rc, pin), opts);
    } finally {
      wipe(rc, pin);
    }
  }

  /** RESET RETRY COUNTER after PW3 was verified: unblock PW1 and set it to `newPin`. */
  async unblockAfterPw3(newPin: string, opts: SendOptions = {}): Promise<void> {
    await this.ready(opts);
    const pin = await passwordBytes(this.opts.crypto, this.kdf, 'pw1', newPin);
    try {
      await resetRetryCounter(this.channelRef, buildResetRetryCounterAfterPw3(pin), opts);
    } finally {
      wipe(pin);
    }
  }

  // ---- keys -------------------------------------------------------------------------------

  /** The slot's EC attributes, or OpenPgpAlgorithmError when the slot is not set to `kind` on a NIST curve. */
  ecAlgorithm(slot: KeySlot, kind: 'ecdsa' | 'ecdh'): CurveName {
    const a: AlgorithmAttributes = this.info.algorithmAttributes[slot];
    if (a.kind !== kind || a.curve === null) {
      throw new OpenPgpAlgorithmError(`the ${slot} key is set to ${a.kind === 'rsa' ? `RSA ${a.modulusBits}` : a.kind}, not ${kind.toUpperCase()} on P-256, P-384 or P-521`);
    }
    return a.curve;
  }

  /** PUT DATA C1/C2/C3: set the slot to ECDSA or ECDH on a curve (after PW3); rereads 6E. */
  async setEcAlgorithm(slot: KeySlot, kind: 'ecdsa' | 'ecdh', curve: CurveName, opts: SendOptions = {}): Promise<void> {
    await this.putData(ATTRIBUTES_DO_OF[slot], encodeEcAttributes(kind, curve), opts);
    await this.refresh(opts);
  }

  /** GENERATE a new key pair in the slot (after PW3); returns its public point. */
  async generateKey(slot: KeySlot, kind: 'ecdsa' | 'ecdh', opts: SendOptions = {}): Promise<Uint8Array> {
    const curve = this.ecAlgorithm(slot, kind);
    await this.ready(opts);
    return generateKeyPair(this.channelRef, slot, 'generate', curve, opts);
  }

  /** The slot's public point (always allowed); ApduError 6A88 when the slot has no key. */
  async publicKey(slot: KeySlot, kind: 'ecdsa' | 'ecdh', opts: SendOptions = {}): Promise<Uint8Array> {
    const curve = this.ecAlgorithm(slot, kind);
    await this.ready(opts);
    return generateKeyPair(this.channelRef, slot, 'read', curve, opts);
  }

  /**
   * ECDSA with the signature key over a hash the caller computed with the curve's hash (the
   * card signs the hash as given: one APDU). Needs PW1 (81). Returns DER.
   */
  async signHash(hash: Uint8Array, opts: SendOptions = {}): Promise<Uint8Array> {
    const curve = this.ecAlgorithm('signature', 'ecdsa');
    await this.ready(opts);
    try {
      return await computeDigitalSignature(this.channelRef, hash, curve, opts);
    } finally {
      if (this.info.pwStatus.pw1ValidOnce) this.verifiedRefs.delete(PW1_SIGN);
    }
  }

  /** ECDH with the decryption key: Z (x-coordinate) for the other party's point. Needs PW1 (82). */
  async ecdh(point: Uint8Array, opts: SendOptions = {}): Promise<Uint8Array> {
    const curve = this.ecAlgorithm('decryption', 'ecdh');
    await this.ready(opts);
    return ecdhDecipher(this.channelRef, point, curve, opts);
  }

  /** n random bytes from the card (GET CHALLENGE). */
  async challenge(n: number, opts: SendOptions = {}): Promise<Uint8Array> {
    await this.ready(opts);
    return getChallenge(this.channelRef, n, opts);
  }

  // ---- life cycle -------------------------------------------------------------------------

  /**
   * Factory reset: TERMINATE DF then ACTIVATE FILE. Needs PW3 verified, or PW3 blocked.
   * Every key, private DO and certificate is destroyed; PINs return to the defaults.
   */
  async factoryReset(opts: SendOptions = {}): Promise<void> {
    await this.ready(opts);
    await terminateDf(this.channelRef, opts);
    await activateFile(this.channelRef, opts);
    await this.select(opts);
    this.info = parseApplicationRelatedData(await getData(this.channelRef, DO_APPLICATION_RELATED, opts));
    this.kdf = await readKdf(this.channelRef, this.info);
  }
}

