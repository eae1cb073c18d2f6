import { checkImporterSpki } from '../importer-key.ts';
import { bytesEqual } from '../../bytes/index.ts';
import type { ManagementKey, PivEcCurve } from '../../card/applets/piv/index.ts';
import {
  randomBytes, subjectKeyIdentifier, verificationPattern, vpEqual, wipe,
} from '../../crypto/index.ts';
import {
  EnvelopeError, PART_LENGTH, encodeEcSpki, openPartEnvelope, wrapPartForImporter,
} from '../../cryptounit/protocol/index.ts';
import { UnknownPartError } from '../errors.ts';
import type { KeyPartHolder, KeyPartInfo } from '../types.ts';
import { unlocked, type PivCard } from './card.ts';
import { PivCardMismatchError, PivRecordError, PivSlotEmptyError, PivStorageFullError } from './errors.ts';
import { KEY_PART_KEY_OBJECT, PART_KEY_SLOT, PART_OBJECTS, objectName } from './layout.ts';
import {
  PART_ID_LENGTH, RecordFormatError, checkDescription, decodeKeyPartKeyRecord, decodePartRecord, encodePartRecord,
  looksLikePartRecord, partIdText, type KeyPartKeyRecord, type PartRecord,
} from './records.ts';

/** A part object whose content is a webtke record that does not parse. */
export interface DamagedRecord {
  object: string;
  problem: string;
}

export interface CreatePivPartOptions {
  description: string;
  /** the card management key (hex, or an opened ManagementKey that stays the caller's) */
  managementKey: string | ManagementKey;
  /** the PIN: after storing, the part is opened once through the card to prove it can be */
  pin: string;
}

/**
 * Master key parts on a PIV card (DESIGN §4). A part is generated from the card's random bytes
 * XORed with the browser's, encrypted at once to the card's own ECDH key (slot 9D) as a part
 * envelope (the same KeyAgreeRecipientInfo units take, addressed to the 9D key), and stored in
 * a retired-certificate data object with its description and VP. The clear part is wiped as
 * soon as it is wrapped.
 *
 * Listing reads the records without the PIN. A wrap verifies the PIN, opens the envelope
 * through the card's ECDH (GENERAL AUTHENTICATE on 9D), wraps the part to each importer key,
 * and wipes it.
 */
export class PivKeyPartHolder implements KeyPartHolder {
  readonly #card: PivCard;
  /** part id → data object, from the last listing */
  readonly #where = new Map<string, number>();
  #damaged: DamagedRecord[] = [];

  constructor(card: PivCard) {
    this.#card = card;
  }

  /** Records that carry the webtke format but do not parse (seen by the last listing). */
  get damagedRecords(): readonly DamagedRecord[] {
    return this.#damaged;
  }

  parts(): Promise<readonly KeyPartInfo[]> {
    return this.#card.exclusive(() => this.#parts());
  }

  async #parts(): Promise<readonly KeyPartInfo[]> {
    const { found } = await this.#scan();
    return found.map(({ record }) => ({ id: partIdText(record.id), description: record.description, vp: record.vp.slice() }));
  }

  /** Read every part object: the records, and which objects hold anything at all. */
  async #scan(): Promise<{ found: { tag: number; record: PartRecord }[]; used: Set<number> }> {
    const out: { tag: number; record: PartRecord }[] = [];
    const used = new Set<number>();
    const damaged: DamagedRecord[] = [];
    this.#where.clear();
    for (const tag of PART_OBJECTS) {
      const content = await this.#card.session.getData(tag);
      if (!content || content.length === 0) continue;
      used.add(tag); // a record, a damaged record, or another tool's certificate: never overwritten
      if (!looksLikePartRecord(content)) continue;
      try {
        const record = decodePartRecord(content);
        out.push({ tag, record });
        this.#where.set(partIdText(record.id), tag);
      } catch (e) {
        if (!(e instanceof RecordFormatError)) throw e;
        damaged.push({ object: objectName(tag), problem: e.message });
      }
    }
    this.#damaged = damaged;
    return { found: out, used };
  }

  /** The key-part key: its record in 5FC120, checked against the card's key where the card tells. */
  async #partKey(): Promise<KeyPartKeyRecord & { ski: Uint8Array }> {
    const s = this.#card.session;
    const content = await s.getData(KEY_PART_KEY_OBJECT);
    if (!content) {
      throw new PivSlotEmptyError('9D', 'the card has no key-part key (object 5FC120 is empty)', 'Prepare the card for key parts first (it generates the ECDH key in slot 9D).');
    }
    let rec: KeyPartKeyRecord;
    try {
      rec = decodeKeyPartKeyRecord(content);
    } catch (e) {
      if (e instanceof RecordFormatError) throw new PivRecordError(objectName(KEY_PART_KEY_OBJECT), e.message);
      throw e;
    }
    const md = await s.metadata(PART_KEY_SLOT);
    if (md?.publicPoint && !bytesEqual(md.publicPoint, rec.point)) {
      throw new PivCardMismatchError('the key in slot 9D is not the key-part key recorded in 5FC120');
    }
    return { ...rec, ski: await subjectKeyIdentifier(this.#card.crypto, rec.point) };
  }

  /**
   * 32 random bytes from the card: GET CHALLENGE where the card has it, else decrypted
   * management-key witnesses; authenticates the management key either way (PUT DATA needs it).
   */
  async #cardRandomAndAuthenticate(key: ManagementKey): Promise<Uint8Array> {
    const s = this.#card.session;
    const challenge = await s.getChallenge(PART_LENGTH);
    if (challenge) {
      await s.authenticate(key);
      return challenge;
    }
    return s.authenticate(key, PART_LENGTH);
  }

  /**
   * Create a part on the card and return its listing entry. Steps: card random ⊕ browser
   * random; wrap to the card's 9D key at once and wipe; store the record; then open the stored
   * record through the card (PIN) and compare its VP, so a part that could not be loaded later
   * is never reported as created.
   */
  createPart(opts: CreatePivPartOptions): Promise<KeyPartInfo> {
    return this.#card.exclusive(() => this.#createPart(opts));
  }

  async #createPart(opts: CreatePivPartOptions): Promise<KeyPartInfo> {
    const description = checkDescription(opts.description);
    const c = this.#card.crypto;
    const s = this.#card.session;
    const pk = await this.#partKey();
    const { used } = await this.#scan();
    const tag = PART_OBJECTS.find((t) => !used.has(t));
    if (tag === undefined) throw new PivStorageFullError(PART_OBJECTS.length);

    const key = typeof opts.managementKey === 'string' ? await unlocked.managementKey(this.#card, opts.managementKey) : opts.managementKey;
    let record: PartRecord;
    try {
      const fromCard = await this.#cardRandomAndAuthenticate(key);
      const part = randomBytes(c, PART_LENGTH);
      let vp: Uint8Array;
      let envelope: Uint8Array;
      try {
        for (let i = 0; i < PART_LENGTH; i++) part[i] ^= fromCard[i];
        wipe(fromCard);
        vp = await verificationPattern(c, part);
        envelope = await wrapPartForImporter(c, encodeEcSpki(pk.curve, pk.point), part);
      } finally {
        wipe(part, fromCard);
      }
      record = { id: randomBytes(c, PART_ID_LENGTH), description, vp, envelope };
      await s.putData(tag, encodePartRecord(record));
    } finally {
      if (typeof opts.managementKey === 'string') key.wipe();
    }

    // Prove the stored part opens through the card.
    const stored = await s.getData(tag);
    let check: PartRecord;
    try {
      if (!stored) throw new RecordFormatError('the object is empty after writing');
      check = decodePartRecord(stored);
    } catch (e) {
      if (e instanceof RecordFormatError) throw new PivRecordError(objectName(tag), `the record did not read back: ${e.message}`);
      throw e;
    }
    if (!bytesEqual(check.id, record.id)) throw new PivRecordError(objectName(tag), 'the record read back is another one');
    await unlocked.verifyPin(this.#card, opts.pin);
    try {
      wipe(await this.#open(tag, check, pk));
    } catch (e) {
      // A part the card cannot open is useless: take the record off the card again.
      if (e instanceof PivRecordError) await s.putData(tag, new Uint8Array(0)).catch(() => {});
      throw e;
    }
    this.#where.set(partIdText(record.id), tag);
    return { id: partIdText(record.id), description, vp: record.vp.slice() };
  }

  /** Open a record's envelope through the card's ECDH and check the VP. The caller wipes the part. */
  async #open(tag: number, record: PartRecord, pk: KeyPartKeyRecord & { ski: Uint8Array }): Promise<Uint8Array> {
    const c = this.#card.crypto;
    const curve: PivEcCurve = pk.curve;
    let part: Uint8Array;
    try {
      part = await openPartEnvelope(c, {
        curve,
        ski: pk.ski,
        deriveSharedSecret: (ephemeralPoint) => this.#card.session.ecdh(PART_KEY_SLOT, curve, ephemeralPoint),
      }, record.envelope);
    } catch (e) {
      if (e instanceof EnvelopeError) throw new PivRecordError(objectName(tag), `the part does not open with the card's key-part key: ${e.message}`);
      throw e;
    }
    try {
      if (!vpEqual(await verificationPattern(c, part), record.vp)) throw new PivRecordError(objectName(tag), 'the part opened, but its VP is not the recorded one');
    } catch (e) {
      wipe(part);
      throw e;
    }
    return part;
  }

  async #find(partId: string): Promise<{ tag: number; record: PartRecord }> {
    const read = async (tag: number): Promise<PartRecord | undefined> => {
      const content = await this.#card.session.getData(tag);
      if (!content || !looksLikePartRecord(content)) return undefined;
      try {
        return decodePartRecord(content);
      } catch (e) {
        if (e instanceof RecordFormatError) throw new PivRecordError(objectName(tag), e.message);
        throw e;
      }
    };
    const known = this.#where.get(partId);
    if (known !== undefined) {
      const record = await read(known);
      if (record && partIdText(record.id) === partId) return { tag: known, record };
    }
    const hit = (await this.#scan()).found.find((f) => partIdText(f.record.id) === partId);
    if (!hit && this.#damaged.length > 0) {
      const d = this.#damaged[0];
      throw new PivRecordError(d.object, `no readable part ${partId} on the card, and this record is damaged (${d.problem}): it may be that part`);
    }
    if (!hit) throw new UnknownPartError(partId);
    return hit;
  }

  async wrapForImporter(partId: string, importerSpki: Uint8Array, pin: string): Promise<Uint8Array> {
    const [envelope] = await this.wrapForImporters(partId, [importerSpki], pin);
    return envelope;
  }

  wrapForImporters(partId: string, importerSpkis: readonly Uint8Array[], pin: string): Promise<Uint8Array[]> {
    return this.#card.exclusive(() => this.#wrapForImporters(partId, importerSpkis, pin));
  }

  async #wrapForImporters(partId: string, importerSpkis: readonly Uint8Array[], pin: string): Promise<Uint8Array[]> {
    if (importerSpkis.length === 0) throw new RangeError('name at least one importer key');
    const c = this.#card.crypto;
    const { tag, record } = await this.#find(partId);
    for (const spki of importerSpkis) await checkImporterSpki(c, spki);
    const pk = await this.#partKey();
    await unlocked.verifyPin(this.#card, pin);
    const part = await this.#open(tag, record, pk);
    try {
      const out: Uint8Array[] = [];
      for (const spki of importerSpkis) out.push(await wrapPartForImporter(c, spki, part));
      return out;
    } finally {
      wipe(part);
    }
  }
}

