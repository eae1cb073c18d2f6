/**
 * Master key parts made on a smart card from the app (issue 5, "App integration"; DESIGN §4),
 * over the card custodians: `PivKeyPartHolder.createPart` with `initPivKeyPartKey`, and
 * `OpenPgpKeyPartHolder.createPart` with `generateDecryptionKey`. Part of the lazily loaded card
 * runtime (re-exported by card-runtime.ts): never import this module statically from ui/.
 *
 *   | card    | the part is encrypted to             | needs                                         |
 *   |---------|--------------------------------------|-----------------------------------------------|
 *   | PIV     | the ECDH key in slot 9D (key-part key, recorded in 5FC120) | PIN, management key (also to generate 9D) |
 *   | OpenPGP | the card's decryption (ECDH) key     | PIN (PW1); admin PIN (PW3) to generate the key or write DO 0102 |
 *
 * The PIN is checked first, so a wrong PIN costs one try and makes nothing (the PIV custodian
 * checks it only after storing the part). The part itself never leaves the custodian: the
 * caller gets its listing entry (description, VP) only.
 */
import {
  DO_PRIVATE_1, OpenPgpAlgorithmError, PW1_OTHER, SW_REFERENCED_DATA_NOT_FOUND, type OpenPgpCard,
} from '../card/applets/openpgp/index.ts';
import { ApduError } from '../card/errors.ts';
import type { WebCrypto } from '../crypto/index.ts';
import type { KeyPartInfo } from '../custodian/index.ts';
import {
  DEFAULT_PART_CURVE, generateDecryptionKey, OpenPgpKeyPartHolder, PART_SLOTS, verifyCardPassword,
} from '../custodian/openpgp/index.ts';
import {
  decodeKeyPartKeyRecord, DEFAULT_PIV_CURVE, initPivKeyPartKey, KEY_PART_KEY_OBJECT, PART_KEY_SLOT, PivKeyPartHolder, RecordFormatError,
  type PivCard,
} from '../custodian/piv/index.ts';
import type { CardSession } from './cards.ts';

/** Whether a card can take a key part now, and what creating one needs. */
export interface CardPartSetup {
  /** the card has its key-part key (PIV 9D recorded in 5FC120; OpenPGP an ECDH decryption key) */
  ready: boolean;
  /** its curve, when ready */
  curve?: string;
  /** the slot holds a key webtke did not record (PIV 9D), or a key parts cannot use (OpenPGP RSA): generating replaces it */
  replacesKey: boolean;
  /** OpenPGP: the private DO the next part goes to; 0x0102 is written with the admin PIN */
  nextSlot?: number;
  /** OpenPGP: both part slots are taken */
  full?: boolean;
}

export interface CreateCardPartRequest {
  description: string;
  pin: string;
  /** PIV: the card management key (hex) */
  managementKey?: string;
  /** OpenPGP: the admin PIN, to generate the decryption key or to write DO 0102 */
  adminPin?: string;
  /** generate the key-part key first (PIV slot 9D / OpenPGP decryption key) */
  prepareKey?: boolean;
}

/** What creating a part on a card found missing; nothing was changed on the card. */
export class CardPartSetupError extends Error {
  override name = 'CardPartSetupError';
  constructor(message: string, readonly remedy: string) {
    super(message);
  }
}

async function pivSetup(piv: PivCard): Promise<CardPartSetup> {
  return piv.exclusive(async () => {
    const content = await piv.session.getData(KEY_PART_KEY_OBJECT);
    if (content && content.length > 0) {
      try {
        return { ready: true, curve: decodeKeyPartKeyRecord(content).curve, replacesKey: false };
      } catch (e) {
        if (!(e instanceof RecordFormatError)) throw e;
      }
    }
    const md = await piv.session.metadata(PART_KEY_SLOT);
    return { ready: false, replacesKey: md?.publicPoint !== undefined };
  });
}

async function openPgpDecryptionKey(card: OpenPgpCard): Promise<{ curve: string } | 'none' | 'unusable'> {
  let curve: string;
  try {
    curve = card.ecAlgorithm('decryption', 'ecdh');
  } catch (e) {
    if (e instanceof OpenPgpAlgorithmError) return 'unusable';
    throw e;
  }
  try {
    await card.publicKey('decryption', 'ecdh');
  } catch (e) {
    if (e instanceof ApduError && e.sw === SW_REFERENCED_DATA_NOT_FOUND) return 'none';
    throw e;
  }
  return { curve };
}

async function openPgpSetup(card: OpenPgpCard): Promise<CardPartSetup> {
  const key = await openPgpDecryptionKey(card);
  let nextSlot: number | undefined;
  for (const slot of PART_SLOTS) {
    if ((await card.readPrivateDo(slot)).length === 0) {
      nextSlot = slot;
      break;
    }
  }
  const slots = { nextSlot, full: nextSlot === undefined };
  if (typeof key === 'object') return { ready: true, curve: key.curve, replacesKey: false, ...slots };
  return { ready: false, replacesKey: key === 'unusable', ...slots };
}

/** What a card needs before it can take a key part (reads only; no PIN). */
export function cardPartSetup(s: CardSession): Promise<CardPartSetup> {
  if (s.piv) return pivSetup(s.piv);
  if (s.openpgp) return openPgpSetup(s.openpgp);
  throw new Error(`${s.label} has no applet webtke can keep key parts with`);
}

/**
 * Create a master key part on the card (its random bytes XOR the browser's, encrypted at once
 * to the card's key-part key, stored on the card, opened once through the card to prove it
 * loads) and return its listing entry. With `prepareKey`, the key-part key is generated first.
 */
export async function createCardPart(s: CardSession, crypto: WebCrypto, req: CreateCardPartRequest): Promise<KeyPartInfo> {
  if (s.piv) return createPivPart(s.piv, s.parts, req);
  if (s.openpgp) return createOpenPgpPart(s.openpgp, crypto, s.parts, req);
  throw new Error(`${s.label} has no applet webtke can keep key parts with`);
}

async function createPivPart(piv: PivCard, holder: unknown, req: CreateCardPartRequest): Promise<KeyPartInfo> {
  if (!(holder instanceof PivKeyPartHolder)) throw new Error('this PIV card session has no PIV key part holder');
  const managementKey = req.managementKey ?? '';
  if (managementKey.trim() === '') {
    throw new CardPartSetupError('a key part on a PIV card is stored with the card management key', 'Type the card\'s management key (hex).');
  }
  const setup = await pivSetup(piv);
  if (!setup.ready && !req.prepareKey) {
    throw new CardPartSetupError('the card has no key-part key (slot 9D) to encrypt a part to', 'Tick "Generate the key-part key" and try again.');
  }
  await piv.verifyPin(req.pin); // a wrong PIN costs one try here, before anything is made
  if (!setup.ready) await initPivKeyPartKey(piv, { managementKey, curve: DEFAULT_PIV_CURVE });
  return holder.createPart({ description: req.description, managementKey, pin: req.pin });
}

async function createOpenPgpPart(card: OpenPgpCard, crypto: WebCrypto, holder: unknown, req: CreateCardPartRequest): Promise<KeyPartInfo> {
  if (!(holder instanceof OpenPgpKeyPartHolder)) throw new Error('this OpenPGP card session has no OpenPGP key part holder');
  const setup = await openPgpSetup(card);
  if (setup.full || setup.nextSlot === undefined) {
    throw new CardPartSetupError('both key part slots of this card (private DOs 0101 and 0102) are in use', 'Use another card, or a key part file.');
  }
  const slot = setup.nextSlot as (typeof PART_SLOTS)[number];
  const needsAdmin = !setup.ready || slot !== DO_PRIVATE_1;
  if (!setup.ready && !req.prepareKey) {
    throw new CardPartSetupError('the card has no decryption key (ECDH) to encrypt a part to', 'Tick "Generate the key-part key" and try again.');
  }
  if (needsAdmin && !req.adminPin) {
    throw new CardPartSetupError(
      setup.ready ? 'the card\'s second key part slot (private DO 0102) is written with the admin PIN' : 'generating the card\'s decryption key needs the admin PIN',
      'Type the card\'s admin PIN (PW3) as well.',
    );
  }
  await verifyCardPassword(card, PW1_OTHER, req.pin); // a wrong PIN costs one try here, before anything is made
  try {
    if (!setup.ready) await generateDecryptionKey(card, { adminPin: req.adminPin!, curve: DEFAULT_PART_CURVE });
    return await holder.createPart({ description: req.description, pin: req.pin, slot, ...(slot !== DO_PRIVATE_1 ? { adminPin: req.adminPin } : {}) });
  } finally {
    if (card.isVerified(PW1_OTHER)) await card.resetSecurityStatus(PW1_OTHER).catch(() => {});
  }
}
