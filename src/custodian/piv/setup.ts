import {
  ManagementKey, isPivEcCurve, type PinPolicyName, type PivEcCurve,
} from '../../card/applets/piv/index.ts';
import { CURVES, digest } from '../../crypto/index.ts';
import { buildAdminCertificate, checkAdminName, parseAdminCertificate, type AdminCertificate } from '../../cryptounit/protocol/index.ts';
import { unlocked, type PivCard } from './card.ts';
import { PivSlotInUseError } from './errors.ts';
import { ADMIN_SLOT, KEY_PART_KEY_OBJECT, PART_KEY_SLOT, PART_OBJECTS, objectName } from './layout.ts';
import { encodeKeyPartKeyRecord, looksLikePartRecord } from './records.ts';

/** PIV has no P-521; P-384 is the strongest curve it has, and webtke's default on cards. */
export const DEFAULT_PIV_CURVE: PivEcCurve = 'P-384';

export interface CreatePivAdminOptions {
  /** the administrator name (CN), 1–30 characters */
  name: string;
  curve?: PivEcCurve;
  /** the card management key: hex, or an opened ManagementKey (not wiped here) */
  managementKey: string | ManagementKey;
  pin: string;
  /**
   * PIN policy of the new 9C key on cards with the Yubico extensions. Default 'once': the PIN
   * is verified once per card session, and each signature is then one APDU. Standard PIV
   * cards keep 9C at "always" (PIN before every signature).
   */
  pinPolicy?: PinPolicyName;
  /** Replace an admin key already on the card. Default false. */
  replace?: boolean;
  notBefore?: Date;
}

async function authenticate(card: PivCard, key: string | ManagementKey): Promise<void> {
  const mk = typeof key === 'string' ? await unlocked.managementKey(card, key) : key;
  try {
    await card.session.authenticate(mk);
  } finally {
    if (typeof key === 'string') mk.wipe();
  }
}

/**
 * Create an administrator on a PIV card: generate the key in slot 9C on the card, have the card
 * sign the admin certificate (DESIGN §3.2: OU=TKE Administration, CN=<name>, SKI extension),
 * and store the certificate in 5FC10A. Needs the management key and the PIN. Returns the
 * certificate as a unit would read it.
 */
export function createPivAdmin(card: PivCard, opts: CreatePivAdminOptions): Promise<AdminCertificate> {
  return card.exclusive(() => createAdmin(card, opts));
}

async function createAdmin(card: PivCard, opts: CreatePivAdminOptions): Promise<AdminCertificate> {
  const name = checkAdminName(opts.name);
  const curve = opts.curve ?? DEFAULT_PIV_CURVE;
  if (!isPivEcCurve(curve)) throw new RangeError(`PIV cards hold P-256 or P-384 keys, not ${String(curve)}`);
  const s = card.session;
  if (!opts.replace) {
    const existing = (await s.readCertificate(ADMIN_SLOT)) ?? (await s.metadata(ADMIN_SLOT))?.publicPoint;
    if (existing) throw new PivSlotInUseError('9C', 'the card already holds an admin key in slot 9C; replacing it makes its certificate useless to every unit');
  }
  await authenticate(card, opts.managementKey);
  const publicPoint = await s.generateEcKey(ADMIN_SLOT, curve, card.yubico ? { pinPolicy: opts.pinPolicy ?? 'once' } : {});
  await unlocked.verifyPin(card, opts.pin);
  const der = await buildAdminCertificate(card.crypto, {
    name,
    curve,
    publicPoint,
    notBefore: opts.notBefore,
    sign: async (tbs) => s.sign(ADMIN_SLOT, curve, await digest(card.crypto, CURVES[curve].hash, tbs)),
  });
  const cert = await parseAdminCertificate(card.crypto, der);
  await s.writeCertificate(ADMIN_SLOT, der);
  return cert;
}

export interface InitKeyPartKeyOptions {
  managementKey: string | ManagementKey;
  curve?: PivEcCurve;
  /** PIN policy of the 9D key on Yubico cards; default 'once'. */
  pinPolicy?: PinPolicyName;
  /** Replace a key-part key although parts are stored under it (they become unreadable). Default false. */
  replace?: boolean;
}

/**
 * Prepare a card to hold key parts: generate the ECDH key in slot 9D (the PIV key management
 * key) and record its public point in 5FC120. Refuses when parts are stored under the current
 * key, unless `replace` (they could never be opened again).
 */
export function initPivKeyPartKey(card: PivCard, opts: InitKeyPartKeyOptions): Promise<{ curve: PivEcCurve; point: Uint8Array }> {
  return card.exclusive(() => initPartKey(card, opts));
}

async function initPartKey(card: PivCard, opts: InitKeyPartKeyOptions): Promise<{ curve: PivEcCurve; point: Uint8Array }> {
  const curve = opts.curve ?? DEFAULT_PIV_CURVE;
  if (!isPivEcCurve(curve)) throw new RangeError(`PIV cards hold P-256 or P-384 keys, not ${String(curve)}`);
  const s = card.session;
  if (!opts.replace) {
    for (const tag of PART_OBJECTS) {
      const content = await s.getData(tag);
      if (content && looksLikePartRecord(content)) {
        throw new PivSlotInUseError('9D', `key parts are stored under the current key-part key (first in ${objectName(tag)}); a new key would make them unreadable`);
      }
    }
  }
  await authenticate(card, opts.managementKey);
  const point = await s.generateEcKey(PART_KEY_SLOT, curve, card.yubico ? { pinPolicy: opts.pinPolicy ?? 'once' } : {});
  await s.putData(KEY_PART_KEY_OBJECT, encodeKeyPartKeyRecord({ curve, point }));
  return { curve, point };
}
