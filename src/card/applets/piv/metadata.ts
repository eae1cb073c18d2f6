import type { Command } from '../../apdu.ts';
import { parseTlv, TlvError, type Tlv } from '../../tlv.ts';
import { parseFlatTlv, type FlatTlv } from './flat-tlv.ts';
import { curveOfAlgorithm, managementAlgorithmById, type ManagementKeyAlgorithm, type PivEcCurve } from './algorithms.ts';
import {
  ALG_YK_PIN, CLA_PIV, INS_YK_GET_METADATA, ORIGIN_GENERATED, ORIGIN_IMPORTED, PIN_POLICY_ALWAYS, PIN_POLICY_DEFAULT,
  PIN_POLICY_NEVER, PIN_POLICY_ONCE, TAG_MD_ALGORITHM, TAG_MD_DEFAULT, TAG_MD_ORIGIN, TAG_MD_POLICY, TAG_MD_PUBLIC_KEY,
  TAG_MD_RETRIES, TOUCH_POLICY_ALWAYS, TOUCH_POLICY_CACHED, TOUCH_POLICY_DEFAULT, TOUCH_POLICY_NEVER,
  type PinPolicyName, type TouchPolicyName,
} from './constants.ts';
import { PivResponseError } from './errors.ts';
import { parseEcPointTemplate } from './generate.ts';

/**
 * GET METADATA (Yubico, firmware 5.3+): 00 F7 00 <slot> Le. The answer is a list of
 * TLVs (constants.ts, TAG_MD_*): algorithm, policy, origin, public key, default value, retries.
 * Which appear depends on the slot: keys (9A..9E, 82..95, F9), the management key (9B),
 * the PIN (80) and the PUK (81). 6A 82 means the slot is empty.
 */
export function buildGetMetadata(slot: number): Command {
  return { cla: CLA_PIV, ins: INS_YK_GET_METADATA, p1: 0x00, p2: slot, ne: 256 };
}

export interface PivMetadata {
  /** raw algorithm id (FF for PIN/PUK) */
  algorithm: number;
  /** the EC curve when the algorithm is one */
  curve?: PivEcCurve;
  /** the management key algorithm when the slot is 9B */
  managementAlgorithm?: ManagementKeyAlgorithm;
  pinPolicy?: PinPolicyName;
  touchPolicy?: TouchPolicyName;
  origin?: 'generated' | 'imported';
  /** the uncompressed EC point of a key slot */
  publicPoint?: Uint8Array;
  /** PIN, PUK, management key: still the factory value */
  isDefault?: boolean;
  /** PIN, PUK: tries in total and left */
  retries?: { total: number; remaining: number };
}

const PIN_POLICIES: Record<number, PinPolicyName> = {
  [PIN_POLICY_DEFAULT]: 'default',
  [PIN_POLICY_NEVER]: 'never',
  [PIN_POLICY_ONCE]: 'once',
  [PIN_POLICY_ALWAYS]: 'always',
};
const TOUCH_POLICIES: Record<number, TouchPolicyName> = {
  [TOUCH_POLICY_DEFAULT]: 'default',
  [TOUCH_POLICY_NEVER]: 'never',
  [TOUCH_POLICY_ALWAYS]: 'always',
  [TOUCH_POLICY_CACHED]: 'cached',
};

/**
 * Parse a GET METADATA answer strictly: known tags once each, fixed value sizes. Unknown tags
 * (newer firmware) are skipped; a malformed known one is PivResponseError.
 */
export function parseMetadata(data: Uint8Array): PivMetadata {
  const cmd = 'GET METADATA';
  let list: FlatTlv[];
  try {
    list = parseFlatTlv(data, 1024); // one level: newer firmware may add elements of any form
  } catch (e) {
    if (e instanceof TlvError) throw new PivResponseError(cmd, e.message);
    throw e;
  }
  const seen = new Set<number>();
  const fixed = (t: FlatTlv, n: number): Uint8Array => {
    if (t.value.length !== n) throw new PivResponseError(cmd, `element ${t.tag} is ${t.value.length} bytes, expected ${n}`);
    return t.value;
  };
  let algorithm: number | undefined;
  let publicKey: FlatTlv | undefined;
  const out: Partial<PivMetadata> = {};
  for (const t of list) {
    if (seen.has(t.tag)) throw new PivResponseError(cmd, `element ${t.tag} appears twice`);
    seen.add(t.tag);
    switch (t.tag) {
      case TAG_MD_ALGORITHM:
        algorithm = fixed(t, 1)[0];
        break;
      case TAG_MD_POLICY: {
        const v = fixed(t, 2);
        out.pinPolicy = PIN_POLICIES[v[0]];
        out.touchPolicy = TOUCH_POLICIES[v[1]];
        if (!out.pinPolicy || !out.touchPolicy) throw new PivResponseError(cmd, 'unknown PIN or touch policy');
        break;
      }
      case TAG_MD_ORIGIN: {
        const v = fixed(t, 1)[0];
        if (v !== ORIGIN_GENERATED && v !== ORIGIN_IMPORTED) throw new PivResponseError(cmd, `unknown key origin ${v}`);
        out.origin = v === ORIGIN_GENERATED ? 'generated' : 'imported';
        break;
      }
      case TAG_MD_PUBLIC_KEY:
        publicKey = t;
        break;
      case TAG_MD_DEFAULT: {
        const v = fixed(t, 1)[0];
        if (v > 1) throw new PivResponseError(cmd, `default flag ${v}`);
        out.isDefault = v === 1;
        break;
      }
      case TAG_MD_RETRIES: {
        const v = fixed(t, 2);
        if (v[1] > v[0]) throw new PivResponseError(cmd, 'more retries left than in total');
        out.retries = { total: v[0], remaining: v[1] };
        break;
      }
      default:
        break; // newer firmware may add elements
    }
  }
  if (algorithm === undefined) throw new PivResponseError(cmd, 'no algorithm (01)');
  const md: PivMetadata = { ...out, algorithm };
  const curve = curveOfAlgorithm(algorithm);
  if (curve) md.curve = curve;
  const mgmt = managementAlgorithmById(algorithm);
  if (mgmt && algorithm !== ALG_YK_PIN) md.managementAlgorithm = mgmt.name;
  if (publicKey) {
    if (!curve) throw new PivResponseError(cmd, 'a public key for a non-EC algorithm is not supported here');
    let inner: Tlv[];
    try {
      inner = parseTlv(publicKey.value, { maxLength: 1024, maxDepth: 1 });
    } catch (e) {
      if (e instanceof TlvError) throw new PivResponseError(cmd, e.message);
      throw e;
    }
    md.publicPoint = parseEcPointTemplate(inner, curve, cmd);
  }
  return md;
}
