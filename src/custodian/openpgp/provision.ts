import {
  DO_PW_STATUS, encodePw1Validity, OpenPgpAlgorithmError, PRIVATE_DOS, PW1_SIGN, PW3, sameEcAlgorithm, type KeySlot, type OpenPgpCard,
} from '../../card/applets/openpgp/index.ts';
import { CURVES, digest, type CurveName, type WebCrypto } from '../../crypto/index.ts';
import { buildAdminCertificate, checkAdminName, parseAdminCertificate } from '../../cryptounit/protocol/index.ts';
import { AdminCertificateTooLargeError, PartsWouldBeLostError, UnsupportedCardError } from './errors.ts';
import { looksLikePartRecord } from './part-record.ts';
import { partId } from './part-id.ts';
import { verifyCardPassword } from './pin.ts';
import { OpenPgpAdminSigner, type OpenPgpSignerOptions } from './signer.ts';

/**
 * Setting up an OpenPGP card for webtke (DESIGN §4): the admin key in the signature slot
 * with its certificate, and the key part (decryption) key. Both need the admin PIN (PW3);
 * the admin certificate is signed by the card, so it needs the PIN (PW1) too.
 */

export const DEFAULT_ADMIN_CURVE: CurveName = 'P-384';
export const DEFAULT_PART_CURVE: CurveName = 'P-256';

/**
 * Check the card can hold `kind` on `curve` in `slot`: its algorithm information (FA, 3.4)
 * must list it; without FA, the slot must already be set to it or be changeable.
 */
async function checkAlgorithm(card: OpenPgpCard, slot: KeySlot, kind: 'ecdsa' | 'ecdh', curve: CurveName): Promise<void> {
  const current = card.data.algorithmAttributes[slot];
  if (sameEcAlgorithm(current, kind, curve)) return;
  const info = await card.algorithmInformation();
  if (info) {
    if (!info[slot].some((a) => sameEcAlgorithm(a, kind, curve))) {
      throw new OpenPgpAlgorithmError(`the card does not offer ${kind.toUpperCase()} on ${curve} for its ${slot} key`);
    }
    return;
  }
  if (!card.data.extendedCapabilities.algorithmAttributesChangeable) {
    throw new UnsupportedCardError(`the card's ${slot} key algorithm cannot be changed to ${kind.toUpperCase()} ${curve}`);
  }
}

export interface AdminKeyRequest {
  /** the administrator name for the certificate (1–30 characters) */
  name: string;
  /** default P-384; P-521 where the card offers it */
  curve?: CurveName;
  adminPin: string;
  pin: string;
  notBefore?: Date;
  notAfter?: Date;
  /**
   * 'session' (default): one VERIFY of the PIN serves every signature until the session
   * ends (C4 byte 1 = 01, set when the card says 00 and lets it be changed);
   * 'per-signature': C4 byte 1 = 00, the card asks for the PIN before each signature.
   */
  pinPolicy?: 'session' | 'per-signature';
  /** options of the signer returned */
  signer?: OpenPgpSignerOptions;
}

/**
 * Generate the admin key on the card and store its self-signed certificate:
 *
 *   VERIFY PW3 · PUT DATA C1 (ECDSA curve) · [PUT DATA C4: PIN policy] · GENERATE (B6) ·
 *   VERIFY PW1 (81) · PSO:CDS over the TBSCertificate hash · PUT DATA 7F21 · VERIFY FF (forget PW3)
 *
 * Any earlier signature key in the slot is replaced. Returns the signer, unlocked when the
 * card's PW1 stays valid for several signatures.
 */
export async function generateAdminKey(card: OpenPgpCard, c: WebCrypto, req: AdminKeyRequest): Promise<OpenPgpAdminSigner> {
  const name = checkAdminName(req.name);
  const curve = req.curve ?? DEFAULT_ADMIN_CURVE;
  await checkAlgorithm(card, 'signature', 'ecdsa', curve);
  await verifyCardPassword(card, PW3, req.adminPin);
  try {
    if (!sameEcAlgorithm(card.data.algorithmAttributes.signature, 'ecdsa', curve)) await card.setEcAlgorithm('signature', 'ecdsa', curve);
    await applyPinPolicy(card, req.pinPolicy ?? 'session');
    const point = await card.generateKey('signature', 'ecdsa');
    await verifyCardPassword(card, PW1_SIGN, req.pin);
    const der = await buildAdminCertificate(c, {
      name,
      curve,
      publicPoint: point,
      sign: async (tbs) => card.signHash(await digest(c, CURVES[curve].hash, tbs)),
      notBefore: req.notBefore,
      notAfter: req.notAfter,
    });
    await parseAdminCertificate(c, der); // the card's signature must verify before the certificate is stored
    const max = card.data.extendedCapabilities.maxCardholderCertificate;
    if (der.length > max) throw new AdminCertificateTooLargeError(der.length, max);
    await card.writeCertificate(der);
  } finally {
    await card.resetSecurityStatus(PW3).catch(() => {});
  }
  return OpenPgpAdminSigner.open(card, c, req.signer);
}

/** Set C4 byte 1 to the policy when it differs and the card lets it be changed (PW3 verified). */
async function applyPinPolicy(card: OpenPgpCard, policy: 'session' | 'per-signature'): Promise<void> {
  const once = policy === 'per-signature';
  if (card.data.pwStatus.pw1ValidOnce === once) return;
  if (!card.data.extendedCapabilities.pwStatusChangeable) return;
  await card.putData(DO_PW_STATUS, encodePw1Validity(once));
  await card.refresh();
}

export interface DecryptionKeyRequest {
  /** default P-256 (keeps the key part record small enough for a 255-byte private DO) */
  curve?: CurveName;
  adminPin: string;
  /** Generate even though key parts on the card were encrypted to the current key (they become unreadable). */
  allowLosingParts?: boolean;
}

/**
 * Generate the decryption (ECDH) key that key parts on this card are encrypted to:
 *
 *   VERIFY PW3 · PUT DATA C2 (ECDH curve) · GENERATE (B8) · VERIFY FF (forget PW3)
 *
 * Refuses (PartsWouldBeLostError) when private DOs 0101/0102 hold key parts, unless asked.
 * Returns the new public point.
 */
export async function generateDecryptionKey(card: OpenPgpCard, req: DecryptionKeyRequest): Promise<Uint8Array> {
  const curve = req.curve ?? DEFAULT_PART_CURVE;
  if (!req.allowLosingParts) {
    const held: string[] = [];
    for (const slot of PRIVATE_DOS.slice(0, 2)) {
      if (looksLikePartRecord(await card.readPrivateDo(slot))) held.push(partId(card.aid.id, slot));
    }
    if (held.length > 0) throw new PartsWouldBeLostError(held);
  }
  await checkAlgorithm(card, 'decryption', 'ecdh', curve);
  await verifyCardPassword(card, PW3, req.adminPin);
  try {
    if (!sameEcAlgorithm(card.data.algorithmAttributes.decryption, 'ecdh', curve)) await card.setEcAlgorithm('decryption', 'ecdh', curve);
    return await card.generateKey('decryption', 'ecdh');
  } finally {
    await card.resetSecurityStatus(PW3).catch(() => {});
  }
}
