import type { Command } from '../../apdu.ts';
import { findTlv, parseTlv, TlvError, type Tlv } from '../../tlv.ts';
import {
  CLA_PIV, INS_SELECT, PIV_AID, SELECT_P1_BY_NAME, SELECT_P2_FIRST, TAG_AID, TAG_ALGORITHMS, TAG_ALLOCATION_AUTHORITY,
  TAG_APT, TAG_LABEL, TAG_URL,
} from './constants.ts';
import { PivResponseError } from './errors.ts';

/**
 * SELECT the PIV card application (SP 800-73-4 Part 2 §3.1.1):
 *
 *   | CLA | INS | P1 | P2 | Lc | data                          | Le |
 *   |-----|-----|----|----|----|-------------------------------|----|
 *   | 00  | A4  | 04 | 00 | 09 | A0 00 00 03 08 00 00 10 00    | 00 |
 *
 * The answer is the application property template:
 *
 *   61 L { 4F L AID or its PIX, 79 L { 4F L authority AID }, [50 L label], [5F50 L URL],
 *          [AC L { 80 01 alg ... 06 L oid }] }
 *
 * Selecting resets the application's security status (PIN verified, management key
 * authenticated).
 */
export function buildSelect(aid: Uint8Array = PIV_AID): Command {
  return { cla: CLA_PIV, ins: INS_SELECT, p1: SELECT_P1_BY_NAME, p2: SELECT_P2_FIRST, data: aid, ne: 256 };
}

export interface ApplicationProperties {
  /** 4F: the application identifier or its PIX, as the card gives it; empty if absent */
  aid: Uint8Array;
  /** 79/4F: the coexistent tag allocation authority (the NIST PIV RID+PIX) */
  authority?: Uint8Array;
  /** 50: application label (text) */
  label?: string;
  /** 5F50: URL of the application provider */
  url?: string;
  /** AC/80: algorithms the card names (some cards list them) */
  algorithms: number[];
}

const MAX_APT = 1024;

/** Parse the SELECT answer. An empty answer is allowed (some cards return no FCI). */
export function parseApplicationProperties(data: Uint8Array): ApplicationProperties {
  if (data.length === 0) return { aid: new Uint8Array(0), algorithms: [] };
  let list: Tlv[];
  try {
    list = parseTlv(data, { maxLength: MAX_APT });
  } catch (e) {
    if (e instanceof TlvError) throw new PivResponseError('SELECT', e.message);
    throw e;
  }
  if (list.length !== 1 || list[0].tag !== TAG_APT) throw new PivResponseError('SELECT', 'expected one application property template (61)');
  const apt = list[0].children;
  const aid = findTlv(apt, TAG_AID);
  if (!aid) throw new PivResponseError('SELECT', 'the template has no application identifier (4F)');
  const out: ApplicationProperties = { aid: aid.value.slice(), algorithms: [] };
  const authority = findTlv(apt, TAG_ALLOCATION_AUTHORITY);
  if (authority) {
    const inner = findTlv(authority.children, TAG_AID);
    if (inner) out.authority = inner.value.slice();
  }
  const label = findTlv(apt, TAG_LABEL);
  if (label) out.label = new TextDecoder('utf-8', { fatal: false }).decode(label.value);
  const url = findTlv(apt, TAG_URL);
  if (url) out.url = new TextDecoder('utf-8', { fatal: false }).decode(url.value);
  const algs = findTlv(apt, TAG_ALGORITHMS);
  if (algs) for (const t of algs.children) if (t.tag === 0x80 && t.value.length === 1) out.algorithms.push(t.value[0]);
  return out;
}
