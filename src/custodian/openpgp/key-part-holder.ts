import { checkImporterSpki } from '../importer-key.ts';
import { bytesEqual } from '../../bytes/index.ts';
import { ApduError } from '../../card/errors.ts';
import {
  DO_PRIVATE_1, OpenPgpAlgorithmError, PW1_OTHER, PW3, SW_REFERENCED_DATA_NOT_FOUND, type OpenPgpCard,
} from '../../card/applets/openpgp/index.ts';
import {
  randomBytes, subjectKeyIdentifier, verificationPattern, vpEqual, wipe,
  type CurveName, type WebCrypto,
} from '../../crypto/index.ts';
import {
  decodeKeyAgreeRecipientInfo, encodeEcSpki, encodeKeyAgreeRecipientInfo, EnvelopeError, openPartEnvelope,
  PART_LENGTH, wrapPartForImporter,
} from '../../cryptounit/protocol/index.ts';
import { UnknownPartError } from '../errors.ts';
import type { KeyPartHolder, KeyPartInfo } from '../types.ts';
import {
  CardKeyMissingError, PartIntegrityError, PartKeyMismatchError, PartRecordError, PartRecordTooLargeError,
  PartSlotOccupiedError, UnsupportedCardError,
} from './errors.ts';
import {
  checkDescription, decodePartRecord, encodePartRecord, KEY_ID_LENGTH, looksLikePartRecord, maxDescriptionBytes,
  PartRecordFormatError, recordLength, type PartRecord,
} from './part-record.ts';
import { partId, slotOfPartId, type PartSlot, PART_SLOTS } from './part-id.ts';
import { verifyCardPassword } from './pin.ts';

/** A part on an OpenPGP card: the KeyPartInfo and where it lives. */
export interface OpenPgpKeyPartInfo extends KeyPartInfo {
  readonly slot: PartSlot;
  /** curve of the decryption key it is encrypted to */
  readonly curve: CurveName;
}

export interface CreatePartRequest {
  description: string;
  /** PW1: writes 0101, and opens the part once for the self-test */
  pin: string;
  /** 0101 (default, written with PW1) or 0102 (written with the admin PIN) */
  slot?: PartSlot;
  /** needed for slot 0102 */
  adminPin?: string;
  /** overwrite what the slot holds */
  replace?: boolean;
}

export interface CreatedPart extends OpenPgpKeyPartInfo {
  /** true when 32 bytes from the card's GET CHALLENGE went into the part */
  readonly cardRandomness: boolean;
}

/**
 * Key parts on an OpenPGP card (DESIGN §4). A part lives in a private use DO readable without
 * the PIN (0101, or 0102), as a record (part-record.ts) holding its description, its VP and
 * the part encrypted to the card's own decryption key (ECDH). So:
 *
 * - parts() shows descriptions and VPs without the PIN;
 * - wrapForImporter(s) takes the PIN: VERIFY PW1 (82), PSO:DECIPHER with the envelope's
 *   ephemeral point (the card computes Z; its key never leaves it), unwrap, check the VP,
 *   wrap to each importer key (DESIGN §3.7), wipe, and ask the card to forget PW1 (82);
 * - createPart() makes a new part from the card's random bytes XOR the browser's, encrypts
 *   it to the card's key at once, wipes it, stores the record, reads it back and opens it once
 *   through the card to prove it can be loaded.
 */
export class OpenPgpKeyPartHolder implements KeyPartHolder {
  readonly #card: OpenPgpCard;
  readonly #c: WebCrypto;

  constructor(card: OpenPgpCard, c: WebCrypto) {
    this.#card = card;
    this.#c = c;
  }

  /** The card ("0006:23852774"). */
  get cardId(): string {
    return this.#card.aid.id;
  }

  // ---- listing ----------------------------------------------------------------------------

  async parts(): Promise<readonly OpenPgpKeyPartInfo[]> {
    const out: OpenPgpKeyPartInfo[] = [];
    for (const slot of PART_SLOTS) {
      const record = await this.readRecord(slot);
      if (record) out.push(this.infoOf(slot, record));
    }
    return out;
  }

  private infoOf(slot: PartSlot, r: PartRecord): OpenPgpKeyPartInfo {
    return { id: partId(this.cardId, slot), description: r.description, vp: r.vp.slice(), slot, curve: r.curve };
  }

  /** The record in a slot; undefined when the slot is empty or holds other data. */
  private async readRecord(slot: PartSlot): Promise<PartRecord | undefined> {
    const raw = await this.#card.readPrivateDo(slot);
    if (!looksLikePartRecord(raw)) return undefined;
    try {
      return decodePartRecord(raw);
    } catch (e) {
      if (e instanceof PartRecordFormatError) throw new PartRecordError(slot, e.message);
      throw e;
    }
  }

  // ---- the decryption key -----------------------------------------------------------------

  private async decryptionKey(): Promise<{ curve: CurveName; point: Uint8Array; ski: Uint8Array }> {
    let curve: CurveName;
    try {
      curve = this.#card.ecAlgorithm('decryption', 'ecdh');
    } catch (e) {
      if (e instanceof OpenPgpAlgorithmError) throw new CardKeyMissingError('decryption', e.message);
      throw e;
    }
    let point: Uint8Array;
    try {
      point = await this.#card.publicKey('decryption', 'ecdh');
    } catch (e) {
      if (e instanceof ApduError && e.sw === SW_REFERENCED_DATA_NOT_FOUND) throw new CardKeyMissingError('decryption');
      throw e;
    }
    return { curve, point, ski: await subjectKeyIdentifier(this.#c, point) };
  }

  // ---- creating a part --------------------------------------------------------------------

  /** The longest description (UTF-8 bytes) a part on this card can have. */
  async maxDescriptionBytes(): Promise<number> {
    return maxDescriptionBytes(this.#card.ecAlgorithm('decryption', 'ecdh'), this.#card.data.extendedCapabilities.maxSpecialDo);
  }

  async createPart(req: CreatePartRequest): Promise<CreatedPart> {
    const slot = req.slot ?? DO_PRIVATE_1;
    const description = checkDescription(req.description);
    const caps = this.#card.data.extendedCapabilities;
    if (!caps.privateDos) throw new UnsupportedCardError('the card has no private use data objects to keep a key part in');
    const key = await this.decryptionKey();
    const needed = recordLength(key.curve, description.length);
    if (needed > caps.maxSpecialDo) throw new PartRecordTooLargeError(needed, caps.maxSpecialDo, maxDescriptionBytes(key.curve, caps.maxSpecialDo));
    if (!req.replace) {
      const existing = await this.#card.readPrivateDo(slot);
      if (existing.length > 0) {
        let desc: string | undefined;
        try {
          desc = looksLikePartRecord(existing) ? decodePartRecord(existing).description : undefined;
        } catch {
          desc = undefined;
        }
        throw new PartSlotOccupiedError(slot, desc);
      }
    }
    // Passwords first, so a wrong one changes nothing and no part is ever made for nothing.
    if (slot !== DO_PRIVATE_1) {
      if (req.adminPin === undefined) throw new RangeError('a part in private DO 0102 is written with the admin PIN');
      await verifyCardPassword(this.#card, PW3, req.adminPin);
    }
    try {
      await verifyCardPassword(this.#card, PW1_OTHER, req.pin);

      // 1. Card randomness XOR browser randomness; 2. encrypt at once to the card's key; 4. wipe.
      const useCard = caps.getChallenge && caps.maxChallenge >= PART_LENGTH;
      const part = randomBytes(this.#c, PART_LENGTH);
      let record: Uint8Array;
      let vp: Uint8Array;
      try {
        if (useCard) {
          const fromCard = await this.#card.challenge(PART_LENGTH);
          for (let i = 0; i < PART_LENGTH; i++) part[i] ^= fromCard[i];
          wipe(fromCard);
        }
        vp = await verificationPattern(this.#c, part);
        const envelope = decodeKeyAgreeRecipientInfo(await wrapPartForImporter(this.#c, encodeEcSpki(key.curve, key.point), part));
        record = encodePartRecord({
          description: req.description,
          vp,
          curve: key.curve,
          recipientKeyId: key.ski.slice(0, KEY_ID_LENGTH),
          ephemeralPoint: envelope.originatorPoint,
          ukm: envelope.ukm,
          encryptedKey: envelope.encryptedKey,
        });
      } finally {
        wipe(part);
      }

      // 3. Store it beside its description and VP, read it back, and open it once through the card.
      await this.#card.writePrivateDo(slot, record);
      if (!bytesEqual(await this.#card.readPrivateDo(slot), record)) throw new PartIntegrityError('the card did not keep the key part record as written');
      const opened = await this.openRecord(slot, decodePartRecord(record), key);
      try {
        if (!vpEqual(await verificationPattern(this.#c, opened), vp)) throw new PartIntegrityError('the stored key part does not open to its VP');
      } finally {
        wipe(opened);
      }
      return { ...this.infoOf(slot, decodePartRecord(record)), cardRandomness: useCard };
    } finally {
      await this.forgetPasswords(slot !== DO_PRIVATE_1);
    }
  }

  private async forgetPasswords(pw3: boolean): Promise<void> {
    if (this.#card.isVerified(PW1_OTHER)) await this.#card.resetSecurityStatus(PW1_OTHER).catch(() => {});
    if (pw3 && this.#card.isVerified(PW3)) await this.#card.resetSecurityStatus(PW3).catch(() => {});
  }

  // ---- opening a part ---------------------------------------------------------------------

  /** PSO:DECIPHER the record's envelope (PW1 (82) verified); returns the part, for the caller to wipe. */
  private async openRecord(slot: PartSlot, record: PartRecord, key: { curve: CurveName; ski: Uint8Array }): Promise<Uint8Array> {
    const envelope = encodeKeyAgreeRecipientInfo({
      originatorPoint: record.ephemeralPoint,
      ukm: record.ukm,
      recipientSki: key.ski,
      encryptedKey: record.encryptedKey,
    });
    try {
      return await openPartEnvelope(this.#c, { curve: key.curve, ski: key.ski, deriveSharedSecret: (eph) => this.#card.ecdh(eph) }, envelope);
    } catch (e) {
      if (e instanceof EnvelopeError) throw new PartRecordError(slot, `the part does not open: ${e.message}`);
      throw e;
    }
  }

  async wrapForImporter(partId: string, importerSpki: Uint8Array, pin: string): Promise<Uint8Array> {
    const [envelope] = await this.wrapForImporters(partId, [importerSpki], pin);
    return envelope;
  }

  async wrapForImporters(id: string, importerSpkis: readonly Uint8Array[], pin: string): Promise<Uint8Array[]> {
    const slot = slotOfPartId(this.cardId, id);
    if (slot === undefined) throw new UnknownPartError(id);
    if (importerSpkis.length === 0) throw new RangeError('name at least one importer key');
    for (const spki of importerSpkis) await checkImporterSpki(this.#c, spki);
    const record = await this.readRecord(slot);
    if (!record) throw new UnknownPartError(id);
    const key = await this.decryptionKey();
    if (record.curve !== key.curve || !bytesEqual(record.recipientKeyId, key.ski.subarray(0, KEY_ID_LENGTH))) throw new PartKeyMismatchError(id);
    await verifyCardPassword(this.#card, PW1_OTHER, pin);
    try {
      const part = await this.openRecord(slot, record, key);
      try {
        if (!vpEqual(await verificationPattern(this.#c, part), record.vp)) {
          throw new PartIntegrityError(`key part ${id} does not open to the VP stored beside it`);
        }
        const envelopes: Uint8Array[] = [];
        for (const spki of importerSpkis) envelopes.push(await wrapPartForImporter(this.#c, spki, part));
        return envelopes;
      } finally {
        wipe(part);
      }
    } finally {
      await this.forgetPasswords(false);
    }
  }
}

