import { concat, constantTimeEqual } from '../../../bytes/index.ts';
import { randomBytes, wipe, type WebCrypto } from '../../../crypto/index.ts';
import type { Command } from '../../apdu.ts';
import type { CardChannel, SendOptions } from '../../channel.ts';
import { ApduError, checkResponse, type CommandHeader } from '../../errors.ts';
import { chainPieces } from '../../processors/command-chaining.ts';
import type { Sensitivity } from '../../processors/traffic-log.ts';
import {
  SW_CLA_NOT_SUPPORTED, SW_INCORRECT_P1P2, SW_INS_NOT_SUPPORTED, SW_OK, SW_SECURITY_STATUS_NOT_SATISFIED,
} from '../../status-words.ts';
import { type ManagementKeyAlgorithm, type PivEcCurve } from './algorithms.ts';
import { encodeCertificateObject, parseCertificateObject } from './certificate-object.ts';
import { buildChangeReference, buildResetRetryCounter } from './change-reference.ts';
import { certificateObjectOf, KEY_CARD_MANAGEMENT, KEY_PIN, KEY_PUK } from './constants.ts';
import { buildGetData, buildPutData, parseGetData } from './data-object.ts';
import { ManagementKeyError, PivUnsupportedError } from './errors.ts';
import {
  buildKeyAgreement, buildMutualAuthenticate, buildSign, buildWitnessRequest, parseMutualResponse, parseSharedSecret,
  parseSignature, parseWitness,
} from './general-authenticate.ts';
import { buildGenerate, parseGeneratedPublicKey, type GenerateOptions } from './generate.ts';
import { buildGetChallenge, parseChallenge } from './get-challenge.ts';
import type { ManagementKey } from './management-key.ts';
import { buildGetMetadata, parseMetadata, type PivMetadata } from './metadata.ts';
import { buildSelect, parseApplicationProperties, type ApplicationProperties } from './select.ts';
import { buildVerify, buildVerifyReset, buildVerifyStatus, encodePin, pinStatusOf, type PinStatus } from './verify.ts';
import {
  buildAttest, buildGetSerial, buildGetVersion, buildSetManagementKey, parseAttestation, parseSerial, parseVersion,
  type FirmwareVersion,
} from './yubico.ts';

/** 6A 82: file or application (here: data object, key, application) not found. */
export const SW_NOT_FOUND = 0x6a82;
/** 6A 81: function not supported. */
export const SW_FUNCTION_NOT_SUPPORTED = 0x6a81;
/** 6A 80: incorrect data. */
export const SW_INCORRECT_DATA = 0x6a80;

/** Largest command data per APDU: longer commands go as ISO command chains (every PIV card chains). */
const SHORT_LC = 255;

export interface PivSessionOptions {
  /** WebCrypto: the random source for management-key challenges. */
  crypto: WebCrypto;
  /** Abort signal passed to every exchange. */
  signal?: AbortSignal;
}

/** CLA INS P1 P2 only: errors carry the header, never the command data (PINs, keys). */
const header = (cmd: Command): CommandHeader => ({ cla: cmd.cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2 });

const unsupported = (sw: number): boolean =>
  sw === SW_INS_NOT_SUPPORTED || sw === SW_CLA_NOT_SUPPORTED || sw === SW_FUNCTION_NOT_SUPPORTED;

/**
 * A selected PIV card application: each method is one PIV command (a few are two), built and
 * parsed by the pure functions of this folder and sent through a CardChannel. Status words
 * other than 9000 come out as the card layer's typed errors (ApduError, PinError,
 * PinBlockedError); management-key failures as ManagementKeyError.
 *
 * The card's security status (PIN verified, management key authenticated) lasts until the
 * application is selected again, the card is reset, or removed.
 */
export class PivSession {
  #version: FirmwareVersion | null | undefined;
  #metadataSupported: boolean | undefined;

  private constructor(
    readonly channel: CardChannel,
    private readonly opts: PivSessionOptions,
    public application: ApplicationProperties,
  ) {}

  /** SELECT the PIV application on the card behind `channel`. 6A 82 (no PIV) comes out as ApduError. */
  static async select(channel: CardChannel, opts: PivSessionOptions): Promise<PivSession> {
    const data = await channel.sendChecked(buildSelect(), { signal: opts.signal });
    return new PivSession(channel, opts, parseApplicationProperties(data));
  }

  /** SELECT again: resets the security status on the card. */
  async reselect(): Promise<void> {
    this.application = parseApplicationProperties(await this.run(buildSelect()));
  }

  // ---- transport -------------------------------------------------------------------------

  /** Send one command (chained when its data passes 255 bytes); return the data on 9000, else throw. */
  private async run(cmd: Command, sensitive?: Sensitivity): Promise<Uint8Array> {
    const r = await this.exchange(cmd, sensitive);
    return checkResponse(r, header(cmd));
  }

  /** Send one command and return data and status word, whatever the status. */
  private async exchange(cmd: Command, sensitive?: Sensitivity): Promise<{ data: Uint8Array; sw: number }> {
    const o: SendOptions = { signal: this.opts.signal, sensitive };
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length <= SHORT_LC) return this.channel.send(cmd, o);
    const pieces = chainPieces(cmd, SHORT_LC);
    for (let i = 0; i < pieces.length - 1; i++) {
      const r = await this.channel.send(pieces[i], o);
      if (r.sw !== SW_OK) return r;
    }
    return this.channel.send(pieces[pieces.length - 1], o);
  }

  // ---- Yubico extensions -----------------------------------------------------------------

  /** Firmware version (GET VERSION), or undefined when the card has no Yubico extensions. Cached. */
  async version(): Promise<FirmwareVersion | undefined> {
    if (this.#version !== undefined) return this.#version ?? undefined;
    const r = await this.exchange(buildGetVersion());
    if (r.sw === SW_OK) this.#version = parseVersion(r.data);
    else if (unsupported(r.sw)) this.#version = null;
    else throw new ApduError(r.sw, undefined, header(buildGetVersion()));
    return this.#version ?? undefined;
  }

  /** The card's serial number (GET SERIAL), or undefined when it does not tell. */
  async serial(): Promise<number | undefined> {
    const r = await this.exchange(buildGetSerial());
    if (r.sw === SW_OK) return parseSerial(r.data);
    if (unsupported(r.sw)) return undefined;
    throw new ApduError(r.sw, undefined, header(buildGetSerial()));
  }

  /**
   * GET METADATA of a slot (key slots, 9B, 80 PIN, 81 PUK). Undefined when the card has no
   * GET METADATA (standard cards, YubiKeys before 5.3) or the slot is empty (6A 82).
   */
  async metadata(slot: number): Promise<PivMetadata | undefined> {
    if (this.#metadataSupported === false) return undefined;
    const cmd = buildGetMetadata(slot);
    const r = await this.exchange(cmd);
    if (r.sw === SW_OK) {
      this.#metadataSupported = true;
      return parseMetadata(r.data);
    }
    if (unsupported(r.sw)) {
      this.#metadataSupported = false;
      return undefined;
    }
    if (r.sw === SW_NOT_FOUND) return undefined;
    throw new ApduError(r.sw, undefined, header(cmd));
  }

  /** Whether GET METADATA answered at least once (undefined before the first try). */
  get hasMetadata(): boolean | undefined {
    return this.#metadataSupported;
  }

  /** The attestation certificate (DER) of a key generated on the card (ATTEST). */
  async attest(slot: number): Promise<Uint8Array> {
    const cmd = buildAttest(slot);
    const r = await this.exchange(cmd);
    if (r.sw === SW_OK) return parseAttestation(r.data);
    if (unsupported(r.sw)) throw new PivUnsupportedError('ATTEST');
    throw new ApduError(r.sw, undefined, header(cmd));
  }

  // ---- PIN -------------------------------------------------------------------------------

  /** VERIFY without data: verified or not, and the tries left. Never uses a try. */
  async pinStatus(reference = KEY_PIN): Promise<PinStatus> {
    const cmd = buildVerifyStatus(reference);
    const r = await this.exchange(cmd);
    const s = pinStatusOf(r.sw);
    if (!s) throw new ApduError(r.sw, undefined, header(cmd));
    return s;
  }

  /** VERIFY the PIN. Wrong: PinError{retriesLeft}; blocked: PinBlockedError. */
  async verifyPin(pin: string): Promise<void> {
    const encoded = encodePin(pin);
    const cmd = buildVerify(encoded);
    try {
      await this.run(cmd, 'command');
    } finally {
      wipe(encoded);
    }
  }

  /** Forget that the PIN was verified (VERIFY P1=FF). */
  async logoutPin(): Promise<void> {
    await this.run(buildVerifyReset());
  }

  /** CHANGE REFERENCE DATA for the PIN. */
  async changePin(oldPin: string, newPin: string): Promise<void> {
    await this.changeReference(KEY_PIN, oldPin, newPin, 'PIN');
  }

  /** CHANGE REFERENCE DATA for the PUK. */
  async changePuk(oldPuk: string, newPuk: string): Promise<void> {
    await this.changeReference(KEY_PUK, oldPuk, newPuk, 'PUK');
  }

  private async changeReference(ref: typeof KEY_PIN | typeof KEY_PUK, oldValue: string, newValue: string, what: string): Promise<void> {
    const a = encodePin(oldValue, what);
    const b = encodePin(newValue, what);
    const cmd = buildChangeReference(ref, a, b);
    try {
      await this.run(cmd, 'command');
    } finally {
      wipe(a, b, cmd.data);
    }
  }

  /** RESET RETRY COUNTER: unblock the PIN with the PUK and set a new PIN. A wrong PUK: PinError (PUK tries left). */
  async unblockPin(puk: string, newPin: string): Promise<void> {
    const a = encodePin(puk, 'PUK');
    const b = encodePin(newPin, 'PIN');
    const cmd = buildResetRetryCounter(a, b);
    try {
      await this.run(cmd, 'command');
    } finally {
      wipe(a, b, cmd.data);
    }
  }

  // ---- management key --------------------------------------------------------------------

  /** The management key's algorithm as the card reports it (GET METADATA 9B), if it does. */
  async managementKeyAlgorithm(): Promise<ManagementKeyAlgorithm | undefined> {
    return (await this.metadata(KEY_CARD_MANAGEMENT))?.managementAlgorithm;
  }

  /**
   * Mutual authentication with the card management key (SP 800-73-4 Part 2 Appendix A):
   * the card proves it holds the key and we prove we do. Afterwards PUT DATA and GENERATE are
   * allowed until the application is selected again.
   *
   * `collectRandom` > 0 also returns that many bytes of card randomness: the decrypted
   * witnesses of extra witness requests (each one a fresh random block the card drew, never
   * sent back in clear), for cards without GET CHALLENGE.
   */
  async authenticate(key: ManagementKey, collectRandom = 0): Promise<Uint8Array> {
    const alg = key.algorithm;
    const n = alg.blockSize;
    const collected: Uint8Array[] = [];
    let have = 0;
    try {
      for (;;) {
        const wCmd = buildWitnessRequest(alg.id);
        const wr = await this.exchange(wCmd);
        if (wr.sw === SW_INCORRECT_DATA || wr.sw === SW_INCORRECT_P1P2) {
          throw new ManagementKeyError(`the card's management key is not ${alg.name}`, 'rejected-by-card', 'Give the algorithm the card uses (3DES, AES-128, AES-192 or AES-256).');
        }
        const encWitness = parseWitness(checkResponse(wr, header(wCmd)), n);
        const witness = key.decryptBlock(encWitness);
        if (have < collectRandom) {
          collected.push(witness);
          have += witness.length;
          continue;
        }
        const challenge = randomBytes(this.opts.crypto, n);
        const expected = key.encryptBlock(challenge);
        const mCmd = buildMutualAuthenticate(alg.id, witness, challenge);
        try {
          const mr = await this.exchange(mCmd, 'command');
          if (mr.sw === SW_SECURITY_STATUS_NOT_SATISFIED) {
            throw new ManagementKeyError('the card refused the management key', 'rejected-by-card');
          }
          const answer = parseMutualResponse(checkResponse(mr, header(mCmd)), n);
          if (!constantTimeEqual(answer, expected)) {
            throw new ManagementKeyError(
              'the card answered the challenge wrongly: it does not hold this management key',
              'card-not-authentic',
              'Do not use this card: its answer does not prove it holds the management key.',
            );
          }
        } finally {
          wipe(witness, challenge, expected, mCmd.data);
        }
        return concat(...collected).slice(0, collectRandom);
      }
    } finally {
      wipe(...collected);
    }
  }

  /** SET MANAGEMENT KEY (Yubico); needs the current key authenticated. */
  async setManagementKey(newKey: ManagementKey, requireTouch = false): Promise<void> {
    const bytes = newKey.exportBytes();
    const cmd = buildSetManagementKey(newKey.algorithm.name, bytes, requireTouch);
    try {
      const r = await this.exchange(cmd, 'command');
      if (unsupported(r.sw)) throw new PivUnsupportedError('SET MANAGEMENT KEY');
      checkResponse(r, header(cmd));
    } finally {
      wipe(bytes, cmd.data);
    }
  }

  // ---- keys ------------------------------------------------------------------------------

  /** GENERATE an EC key pair in `slot`; returns the uncompressed public point. Needs the management key. */
  async generateEcKey(slot: number, curve: PivEcCurve, opts: GenerateOptions = {}): Promise<Uint8Array> {
    return parseGeneratedPublicKey(await this.run(buildGenerate(slot, curve, opts)), curve);
  }

  /** Sign a digest (the curve's hash, field size) with the key in `slot`; DER signature. One APDU. */
  async sign(slot: number, curve: PivEcCurve, digest: Uint8Array): Promise<Uint8Array> {
    return parseSignature(await this.run(buildSign(slot, curve, digest)), curve);
  }

  /** ECDH of the key in `slot` with `point`; returns Z (x-coordinate). The caller wipes it. */
  async ecdh(slot: number, curve: PivEcCurve, point: Uint8Array): Promise<Uint8Array> {
    const data = await this.run(buildKeyAgreement(slot, curve, point), 'response');
    try {
      return parseSharedSecret(data, curve);
    } finally {
      wipe(data);
    }
  }

  // ---- data objects ----------------------------------------------------------------------

  /** GET DATA: the object's content, or undefined when the object does not exist (6A 82). */
  async getData(tag: number): Promise<Uint8Array | undefined> {
    const cmd = buildGetData(tag);
    const r = await this.exchange(cmd);
    if (r.sw === SW_NOT_FOUND) return undefined;
    return parseGetData(checkResponse(r, header(cmd)), tag);
  }

  /** PUT DATA: write the object's content. Needs the management key. */
  async putData(tag: number, content: Uint8Array): Promise<void> {
    await this.run(buildPutData(tag, content));
  }

  /** The certificate in a key slot's certificate object, or undefined when there is none. */
  async readCertificate(slot: number): Promise<Uint8Array | undefined> {
    const content = await this.getData(certificateObjectOf(slot));
    if (!content || content.length === 0) return undefined;
    return parseCertificateObject(content);
  }

  /** Write a certificate into a key slot's certificate object (70 cert, 71 00, FE 00). */
  async writeCertificate(slot: number, certificateDer: Uint8Array): Promise<void> {
    await this.putData(certificateObjectOf(slot), encodeCertificateObject(certificateDer));
  }

  /** GET CHALLENGE: `length` random bytes from the card, or undefined when the card has no GET CHALLENGE. */
  async getChallenge(length: number): Promise<Uint8Array | undefined> {
    const cmd = buildGetChallenge(length);
    const r = await this.exchange(cmd);
    if (unsupported(r.sw)) return undefined;
    return parseChallenge(checkResponse(r, header(cmd)), length);
  }
}
