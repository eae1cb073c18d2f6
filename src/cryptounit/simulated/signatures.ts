import { bytesEqual, toHex } from '../../bytes/index.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import {
  ProtocolDecodeError, RC, checkSignerInfoForCurve, decodeSignerInfo, signerInfoCurve, verifySignerInfo, type SignerInfo,
} from '../protocol/index.ts';
import { UnitFault } from './errors.ts';
import type { Admin } from './state.ts';

/**
 * Step 9 of DESIGN §3.3: the signatures of a request, in four stages, each stage over every
 * SignerInfo before the next stage begins:
 *
 *   | stage | failure                                                        | rc  |
 *   |-------|----------------------------------------------------------------|-----|
 *   | 1     | SignerInfo malformed; for a known signer, algorithms not its   | 193 |
 *   |       |   curve's or signature not a strict DER Ecdsa-Sig-Value of its |     |
 *   |       |   size; for an unknown signer, not a consistent algorithm pair;|     |
 *   |       |   the same signer twice in one group                           |     |
 *   | 2     | a signer that is not an installed admin                        | 257 |
 *   | 3     | a signature that does not verify                               | 192 |
 *   | 4     | fewer signatures in a group than it requires                   | 208 |
 *
 * Every signature present is verified, even where none is required (imprint mode). A
 * "group" is the data signed and its SignerInfos: one group for a plain request, one per
 * inner request for IMPORT_WK (DESIGN §3.7).
 */
export interface SignatureGroup {
  /** the DER AdminBlock the signatures cover */
  data: Uint8Array;
  signerInfos: readonly Uint8Array[];
  required: number;
}

interface Checked {
  si: SignerInfo;
  admin: Admin | undefined;
  data: Uint8Array;
}

export async function checkSignatures(c: WebCrypto, admins: readonly Admin[], groups: readonly SignatureGroup[]): Promise<void> {
  // stage 1: form, algorithms against the signer's curve, duplicates
  const checked: Checked[] = [];
  for (const g of groups) {
    const seen = new Set<string>();
    for (const der of g.signerInfos) {
      let si: SignerInfo;
      try {
        si = decodeSignerInfo(der);
      } catch (e) {
        if (e instanceof ProtocolDecodeError) throw new UnitFault(RC.MALFORMED_SIGNATURE, 0, e.message);
        throw e;
      }
      const key = toHex(si.ski);
      if (seen.has(key)) throw new UnitFault(RC.MALFORMED_SIGNATURE, 0, 'the same signer signed twice');
      seen.add(key);
      const admin = admins.find((a) => bytesEqual(a.ski, si.ski));
      if (admin) {
        try {
          checkSignerInfoForCurve(si, admin.curve);
        } catch (e) {
          if (e instanceof ProtocolDecodeError) throw new UnitFault(RC.MALFORMED_SIGNATURE, 0, e.message);
          throw e;
        }
      } else if (!signerInfoCurve(si)) {
        throw new UnitFault(RC.MALFORMED_SIGNATURE, 0, 'digest and signature algorithms do not belong together');
      }
      checked.push({ si, admin, data: g.data });
    }
  }
  // stage 2: every signer is an installed admin
  if (checked.some((x) => !x.admin)) throw new UnitFault(RC.UNKNOWN_SIGNER, 0, 'a signer is not an installed admin');
  // stage 3: every signature verifies
  const results = await Promise.all(checked.map((x) => verifySignerInfo(c, x.admin!.curve, x.admin!.publicKey, x.data, x.si)));
  if (results.some((ok) => !ok)) throw new UnitFault(RC.BAD_SIGNATURE, 0, 'a signature does not verify');
  // stage 4: enough of them (every one present is now a valid signature of a distinct admin)
  for (const g of groups) {
    if (g.signerInfos.length < g.required) {
      throw new UnitFault(RC.TOO_FEW_SIGNATURES, 0, `${g.required} signatures needed, ${g.signerInfos.length} given`);
    }
  }
}
