import { runCustodianConformance } from '../conformance/conformance.ts';
import type { CurveName } from '../../../src/crypto/index.ts';
import { OpenPgpAdminSigner } from '../../../src/custodian/openpgp/index.ts';
import type { VirtualOpenPgpCardOptions } from '../../fakes/virtual-openpgp-card.ts';
import { c, PIN, provisionedCard, WRONG_PIN, type ReaderLevel } from './fixtures.ts';

/**
 * The custodian conformance suite against OpenPGP cards: every admin curve, every CCID
 * exchange level, and the card behaviours that differ between real cards (wrong PIN as 63 Cx
 * or 69 82, ECDH answered with X or the whole point, PW1 valid for one signature or several,
 * short-only cards).
 */
const CASES: { title: string; via: 'memory' | ReaderLevel; adminCurve: CurveName; partCurve: CurveName; card: VirtualOpenPgpCardOptions; pinPolicy?: 'session' | 'per-signature' }[] = [
  { title: 'memory transport, P-256 admin key', via: 'memory', adminCurve: 'P-256', partCurve: 'P-256', card: {} },
  { title: 'memory transport, P-384 admin key, YubiKey-style 69 82 on a wrong PIN', via: 'memory', adminCurve: 'P-384', partCurve: 'P-256', card: { wrongPinStatus: '6982' } },
  { title: 'memory transport, P-521 admin key, P-384 part key on a 512-byte DO, ECDH answered as a point', via: 'memory', adminCurve: 'P-521', partCurve: 'P-384', card: { decipherResult: 'point', maxSpecialDo: 512 } },
  { title: 'memory transport, P-384 admin key, PIN asked before every signature', via: 'memory', adminCurve: 'P-384', partCurve: 'P-256', card: {}, pinPolicy: 'per-signature' },
  { title: 'memory transport, P-256 admin key, PINs hashed with the card\'s KDF-DO (S2K SHA-256)', via: 'memory', adminCurve: 'P-256', partCurve: 'P-256', card: { kdf: { hash: 'SHA-256', count: 0x10000 }, wrongPinStatus: '6982' } },
  { title: 'CCID extended-APDU reader (YubiKey), P-384 admin key', via: 'extended-apdu', adminCurve: 'P-384', partCurve: 'P-256', card: { wrongPinStatus: '6982' } },
  { title: 'CCID short-APDU reader (Nitrokey Start), short-only card, P-256 admin key', via: 'short-apdu', adminCurve: 'P-256', partCurve: 'P-256', card: { extendedLength: false } },
  { title: 'CCID TPDU reader (Nitrokey Pro, T=1), P-521 admin key', via: 'tpdu', adminCurve: 'P-521', partCurve: 'P-256', card: { extendedLength: false, decipherResult: 'point' } },
];

for (const k of CASES) {
  runCustodianConformance(`OpenPGP card, ${k.title}`, async () => {
    const name = `OpenPGP ${k.adminCurve}`;
    const p = await provisionedCard({ via: k.via, card: k.card, name, adminCurve: k.adminCurve, partCurve: k.partCurve, pinPolicy: k.pinPolicy });
    return {
      signer: p.signer,
      expected: { name, curve: k.adminCurve },
      holder: p.holder,
      secret: PIN,
      wrongSecret: WRONG_PIN,
      countsRetries: true,
      async createPart(description, value) {
        // A card makes its own parts; it cannot take a typed value.
        if (value !== undefined) return undefined;
        return p.holder.createPart({ description, pin: PIN });
      },
      async reopenSigner(secret) {
        const s = await OpenPgpAdminSigner.open(p.card, c, { pin: async () => secret });
        await s.unlock(secret);
        return s;
      },
      dispose: () => p.dispose(),
    };
  });
}
