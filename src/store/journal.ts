import { canonicalJson } from './canonical-json.ts';
import { inTransaction, type StoreContext } from './context.ts';
import { InvalidRecordError } from './errors.ts';
import { checkHex, checkId, checkKeys, checkObject, checkString, checkU32, MAX_TEXT_LENGTH, normalizeVp } from './fields.ts';
import {
  entryHash, GENESIS_PREV_HASH, JOURNAL_CANONICALIZATION, JOURNAL_FORMAT, JOURNAL_FORMAT_VERSION, verifyChain,
  type ChainHead, type JournalExport, type JournalVerification,
} from './journal-chain.ts';
import { INDEXES, STORES } from './schema.ts';
import { assertNoSecrets } from './secret-guard.ts';

/**
 * The ceremony journal (DESIGN §5): append-only, hash-chained entries. The ceremony engine
 * decides what goes in; this is the typed container. Every command is journaled as an
 * 'intent' before it is sent and a 'result' (or 'error') after it is answered.
 *
 * Entries are plain data: text, integers, and bytes as lowercase hex. The store adds `seq`,
 * `time`, `prevHash` and `hash` (journal-chain.ts has the chain rules).
 */
export type JournalKind = 'intent' | 'result' | 'decision' | 'note' | 'error';
export const JOURNAL_KINDS: readonly JournalKind[] = ['intent', 'result', 'decision', 'note', 'error'];

/** Both registers' VPs (DOMAIN_INFO), 64 hex digits each; an empty register is 64 zeros. */
export interface RegisterVps {
  current: string;
  new: string;
}

/** One administrator who signed a command. */
export interface JournalSigner {
  /** 64 hex digits */
  ski: string;
  /** the admin's name, as the directory or certificate shows it */
  name?: string;
}

export interface JournalEntryInput {
  kind: JournalKind;
  /** the instance the entry is about (16-byte hex id) */
  instanceId: string;
  /** the unit, when the entry is about one unit */
  unitId?: string;
  /** the seq of an earlier entry this one answers (a result names its intent) */
  ref?: number;
  /** command, query or key storage operation name, e.g. "COMMIT_WK" */
  command?: string;
  /** its u32 code, e.g. 0x0D */
  commandCode?: number;
  /** the AdminBlock's u128 transaction counter, in decimal */
  counter?: string;
  /** SHA-256 of the AdminBlock DER the admins signed, 64 hex digits */
  blockSha256?: string;
  signers?: JournalSigner[];
  vpBefore?: RegisterVps;
  vpAfter?: RegisterVps;
  /** the unit's return code and reason (DESIGN §3.9) */
  rc?: number;
  reason?: number;
  /** free text: what happened, in words; a decision's reasoning */
  text?: string;
  /** further labelled values for the printed transcript (text only) */
  fields?: Record<string, string>;
}

export interface JournalEntry extends JournalEntryInput {
  seq: number;
  /** ms since 1970, from the store's clock */
  time: number;
  prevHash: string;
  hash: string;
}

export interface JournalListOptions {
  /** only entries about this instance */
  instanceId?: string;
  /** first seq (inclusive) */
  fromSeq?: number;
  limit?: number;
}

export interface Journal {
  /** Append one entry; the chain is extended inside one transaction, so appends never fork it. */
  append(input: JournalEntryInput): Promise<JournalEntry>;
  get(seq: number): Promise<JournalEntry | undefined>;
  /** Entries in seq order. */
  list(opts?: JournalListOptions): Promise<JournalEntry[]>;
  /** The last entry's seq and hash (write it on paper to catch a cut-off tail later). */
  head(): Promise<ChainHead | null>;
  /** Recompute the whole chain; on failure, the first broken seq and why. */
  verify(opts?: { expectHead?: ChainHead }): Promise<JournalVerification>;
  /** The whole journal as a JSON document (JournalExport), verifiable with verifyJournalExport. */
  export(): Promise<string>;
}

const MAX_COMMAND = 64;
const MAX_NAME = 100;
const MAX_SIGNERS = 16;
const MAX_FIELDS = 32;
const MAX_FIELD_VALUE = 4096;
const FIELD_NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const COUNTER_RE = /^(0|[1-9][0-9]{0,38})$/;
const U128_MAX = (1n << 128n) - 1n;

const INPUT_FIELDS = [
  'kind', 'instanceId', 'unitId', 'ref', 'command', 'commandCode', 'counter', 'blockSha256', 'signers', 'vpBefore', 'vpAfter',
  'rc', 'reason', 'text', 'fields',
] as const;

function checkVps(v: unknown, field: string): RegisterVps {
  const o = checkObject(v, field);
  checkKeys(o, field, ['current', 'new']);
  return { current: normalizeVp(o.current, `${field}.current`), new: normalizeVp(o.new, `${field}.new`) };
}

/** Validate an input and build the stored shape: only known members, in a fixed order. */
export function checkJournalInput(input: unknown): Omit<JournalEntry, 'seq' | 'time' | 'prevHash' | 'hash'> {
  assertNoSecrets(input);
  const o = checkObject(input, 'entry');
  checkKeys(o, '', INPUT_FIELDS);
  if (!JOURNAL_KINDS.includes(o.kind as JournalKind)) throw new InvalidRecordError('kind', `must be one of ${JOURNAL_KINDS.join(', ')}`);
  const out: Omit<JournalEntry, 'seq' | 'time' | 'prevHash' | 'hash'> = { kind: o.kind as JournalKind, instanceId: checkId(o.instanceId, 'instanceId') };
  if (o.unitId !== undefined) out.unitId = checkId(o.unitId, 'unitId');
  if (o.ref !== undefined) {
    if (typeof o.ref !== 'number' || !Number.isSafeInteger(o.ref) || o.ref < 1) throw new InvalidRecordError('ref', 'must be the seq of an entry');
    out.ref = o.ref;
  }
  if (o.command !== undefined) out.command = checkString(o.command, 'command', { max: MAX_COMMAND });
  if (o.commandCode !== undefined) out.commandCode = checkU32(o.commandCode, 'commandCode');
  if (o.counter !== undefined) {
    if (typeof o.counter !== 'string' || !COUNTER_RE.test(o.counter) || BigInt(o.counter) > U128_MAX) {
      throw new InvalidRecordError('counter', 'must be a u128 in decimal');
    }
    out.counter = o.counter;
  }
  if (o.blockSha256 !== undefined) out.blockSha256 = checkHex(o.blockSha256, 'blockSha256', 32);
  if (o.signers !== undefined) {
    if (!Array.isArray(o.signers) || o.signers.length > MAX_SIGNERS) throw new InvalidRecordError('signers', `must be a list of at most ${MAX_SIGNERS}`);
    out.signers = o.signers.map((s, i) => {
      const so = checkObject(s, `signers[${i}]`);
      checkKeys(so, `signers[${i}]`, ['ski', 'name']);
      const signer: JournalSigner = { ski: checkHex(so.ski, `signers[${i}].ski`, 32) };
      if (so.name !== undefined) signer.name = checkString(so.name, `signers[${i}].name`, { max: MAX_NAME });
      return signer;
    });
  }
  if (o.vpBefore !== undefined) out.vpBefore = checkVps(o.vpBefore, 'vpBefore');
  if (o.vpAfter !== undefined) out.vpAfter = checkVps(o.vpAfter, 'vpAfter');
  if (o.rc !== undefined) out.rc = checkU32(o.rc, 'rc');
  if (o.reason !== undefined) out.reason = checkU32(o.reason, 'reason');
  if (o.text !== undefined) out.text = checkString(o.text, 'text', { max: MAX_TEXT_LENGTH });
  if (o.fields !== undefined) {
    const f = checkObject(o.fields, 'fields');
    const names = Object.keys(f).filter((k) => f[k] !== undefined);
    if (names.length > MAX_FIELDS) throw new InvalidRecordError('fields', `at most ${MAX_FIELDS}`);
    const fields: Record<string, string> = {};
    for (const k of names) {
      if (!FIELD_NAME_RE.test(k)) throw new InvalidRecordError(`fields.${k}`, 'names are letters, digits, _ . - (first a letter, at most 64)');
      fields[k] = checkString(f[k], `fields.${k}`, { min: 0, max: MAX_FIELD_VALUE });
    }
    out.fields = fields;
  }
  canonicalJson(out); // refuses what cannot be hashed (a lone surrogate in text) before any write
  return out;
}

export function journal(ctx: StoreContext): Journal {
  const all = (): Promise<JournalEntry[]> => ctx.db().getAll(STORES.journal);

  return {
    async append(input) {
      const content = checkJournalInput(input);
      const time = ctx.now();
      return inTransaction(ctx, [STORES.journal], 'readwrite', async (tx) => {
        const last = (await tx.store.openCursor(null, 'prev'))?.value;
        const body = { seq: last ? last.seq + 1 : 1, time, prevHash: last ? last.hash : GENESIS_PREV_HASH, ...content };
        const entry: JournalEntry = { ...body, hash: entryHash(body) };
        await tx.store.add(entry);
        return entry;
      });
    },

    get: async (seq) => ctx.db().get(STORES.journal, seq),

    async list(opts = {}) {
      const from = opts.fromSeq ?? 1;
      const limit = opts.limit ?? Infinity;
      if (opts.instanceId !== undefined) {
        const rows = await ctx.db().getAllFromIndex(STORES.journal, INDEXES.journalByInstance, checkId(opts.instanceId, 'instanceId'));
        return rows.filter((e) => e.seq >= from).sort((a, b) => a.seq - b.seq).slice(0, limit);
      }
      return ctx.db().getAll(STORES.journal, IDBKeyRange.lowerBound(from), Number.isFinite(limit) ? limit : undefined);
    },

    async head() {
      const cursor = await ctx.db().transaction(STORES.journal).store.openCursor(null, 'prev');
      return cursor ? { seq: cursor.value.seq, hash: cursor.value.hash } : null;
    },

    async verify(opts = {}) {
      return verifyChain(await all(), opts.expectHead);
    },

    async export() {
      const entries = await all();
      const last = entries[entries.length - 1];
      const doc: JournalExport<JournalEntry> = {
        format: JOURNAL_FORMAT,
        version: JOURNAL_FORMAT_VERSION,
        hash: 'SHA-256',
        canonicalization: JOURNAL_CANONICALIZATION,
        genesisPrevHash: GENESIS_PREV_HASH,
        exported: ctx.now(),
        count: entries.length,
        head: last ? { seq: last.seq, hash: last.hash } : null,
        entries,
      };
      return JSON.stringify(doc, null, 2);
    },
  };
}
