import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../bytes/index.ts';
import { canonicalJsonBytes } from './canonical-json.ts';

/**
 * The journal's hash chain (DESIGN §5), independent of storage so an exported journal can be
 * checked with nothing but this file, or re-implemented anywhere:
 *
 *   entry.seq      = 1, 2, 3 … with no gaps
 *   entry.prevHash = the previous entry's hash; for seq 1, GENESIS_PREV_HASH (64 zeros)
 *   entry.hash     = lowercase hex SHA-256( UTF-8( canonicalJson(entry without "hash") ) )
 *
 * "entry without hash" is every other member as stored, prevHash included, so each hash
 * covers the whole history before it. canonicalJson is RFC 8785 restricted to integers
 * (canonical-json.ts).
 *
 * SHA-256 is synchronous here (@noble/hashes) on purpose: append computes the hash inside an
 * IndexedDB transaction, which an awaited WebCrypto call would let commit early.
 */
export const GENESIS_PREV_HASH = '0'.repeat(64);
export const JOURNAL_FORMAT = 'webtke-journal';
export const JOURNAL_FORMAT_VERSION = 1;
export const JOURNAL_CANONICALIZATION = 'RFC 8785 (JCS), integers only; hash = SHA-256(UTF-8(JCS(entry without "hash")))';

/** Hash of an entry: everything but its `hash` member. */
export function entryHash(entry: object): string {
  const { hash: _ignored, ...rest } = entry as Record<string, unknown>;
  return toHex(sha256(canonicalJsonBytes(rest)));
}

export type ChainProblem =
  /** not an object, or seq/prevHash/hash of the wrong form, or a value canonicalJson refuses */
  | 'malformed'
  /** the entry is not the next seq (a gap, a duplicate, out of order) */
  | 'seq'
  /** prevHash is not the previous entry's hash */
  | 'prev-hash'
  /** hash is not the hash of the entry's content */
  | 'hash'
  /** the chain does not end in the expected head (entries cut off the end, or a different chain) */
  | 'head';

export interface ChainHead {
  seq: number;
  hash: string;
}

export type JournalVerification =
  | { ok: true; count: number; head: ChainHead | null }
  | { ok: false; count: number; brokenSeq: number; problem: ChainProblem; message: string };

const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * Recompute the chain over entries in seq order. Returns the first seq that is broken: the
 * seq expected at the first position that fails. A tail cut off cannot be seen from the
 * entries alone; pass `expectHead` (a head recorded elsewhere, e.g. on a printed transcript)
 * to catch it.
 */
export function verifyChain(entries: readonly unknown[], expectHead?: ChainHead): JournalVerification {
  let prev = GENESIS_PREV_HASH;
  const fail = (brokenSeq: number, problem: ChainProblem, message: string): JournalVerification => ({
    ok: false, count: entries.length, brokenSeq, problem, message,
  });
  for (let i = 0; i < entries.length; i++) {
    const want = i + 1;
    const e = entries[i] as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return fail(want, 'malformed', `entry ${want} is not an object`);
    if (e.seq !== want) return fail(want, 'seq', `expected entry ${want}, found seq ${String(e.seq)}`);
    if (typeof e.hash !== 'string' || !HASH_RE.test(e.hash) || typeof e.prevHash !== 'string' || !HASH_RE.test(e.prevHash)) {
      return fail(want, 'malformed', `entry ${want}: hash and prevHash must be 64 lowercase hex digits`);
    }
    if (e.prevHash !== prev) return fail(want, 'prev-hash', `entry ${want} does not follow entry ${want - 1}`);
    let h: string;
    try {
      h = entryHash(e);
    } catch (err) {
      return fail(want, 'malformed', `entry ${want}: ${(err as Error).message}`);
    }
    if (h !== e.hash) return fail(want, 'hash', `entry ${want} was changed: its content hashes to ${h}, not ${e.hash}`);
    prev = h;
  }
  const head = entries.length === 0 ? null : { seq: entries.length, hash: prev };
  if (expectHead) {
    if (!head || head.seq < expectHead.seq) {
      return fail((head?.seq ?? 0) + 1, 'head', `the chain ends at ${head?.seq ?? 0}, before the expected head ${expectHead.seq}`);
    }
    const at = entries[expectHead.seq - 1] as { hash: string };
    if (at.hash !== expectHead.hash) return fail(expectHead.seq, 'head', `entry ${expectHead.seq} is not the expected head`);
  }
  return { ok: true, count: entries.length, head };
}

/** The exported journal document (JSON). */
export interface JournalExport<E = unknown> {
  format: typeof JOURNAL_FORMAT;
  version: typeof JOURNAL_FORMAT_VERSION;
  hash: 'SHA-256';
  canonicalization: string;
  genesisPrevHash: string;
  exported: number;
  count: number;
  head: ChainHead | null;
  entries: E[];
}

/**
 * Verify an exported journal document: its form, its chain, and that `count` and `head`
 * match the entries (so a document cut short is caught).
 */
export function verifyJournalExport(text: string): JournalVerification {
  let doc: Partial<JournalExport>;
  try {
    doc = JSON.parse(text) as Partial<JournalExport>;
  } catch {
    return { ok: false, count: 0, brokenSeq: 1, problem: 'malformed', message: 'not JSON' };
  }
  if (doc?.format !== JOURNAL_FORMAT || doc.version !== JOURNAL_FORMAT_VERSION || !Array.isArray(doc.entries)) {
    return { ok: false, count: 0, brokenSeq: 1, problem: 'malformed', message: `not a ${JOURNAL_FORMAT} v${JOURNAL_FORMAT_VERSION} document` };
  }
  if (doc.genesisPrevHash !== GENESIS_PREV_HASH) {
    return { ok: false, count: doc.entries.length, brokenSeq: 1, problem: 'malformed', message: 'unexpected genesis hash' };
  }
  const r = verifyChain(doc.entries, doc.head ?? undefined);
  if (!r.ok) return r;
  if (doc.count !== r.count || (doc.head === null) !== (r.head === null) || (r.head && doc.head!.seq !== r.head.seq)) {
    return { ok: false, count: r.count, brokenSeq: r.count + 1, problem: 'head', message: 'the document says it has more entries than it holds' };
  }
  return r;
}
