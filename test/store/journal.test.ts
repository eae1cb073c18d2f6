import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, it, beforeEach, afterEach, assert, assertRejects, assertThrows } from '../harness.ts';
import {
  canonicalJson, GENESIS_PREV_HASH, InvalidRecordError, SecretFieldError, verifyChain, verifyJournalExport,
  type JournalEntry, type JournalEntryInput, type WebtkeStore,
} from '../../src/store/index.ts';
import { c, hex, rawAll, setup, T0, type Harness } from './helpers.ts';

const INST = '11'.repeat(16);
const UNIT = '22'.repeat(16);
const VP_A = 'aa'.repeat(28) + '00000000';
const VP_B = 'bb'.repeat(28) + '00000000';
const ZERO_VP = '00'.repeat(32);

/** A full intent/result pair as the ceremony engine would write them. */
const intent: JournalEntryInput = {
  kind: 'intent',
  instanceId: INST,
  unitId: UNIT,
  command: 'COMMIT_WK',
  commandCode: 0x0d,
  counter: '340282366920938463463374607431768211455', // 2^128 - 1
  blockSha256: 'cd'.repeat(32),
  signers: [{ ski: 'e1'.repeat(32), name: 'Alice' }, { ski: 'e2'.repeat(32) }],
  vpBefore: { current: ZERO_VP, new: VP_A },
  text: 'commit the new register on unit 1',
  fields: { operator: 'Bob', 'ticket.no': 'CHG-4711' },
};
const result = (ref: number): JournalEntryInput => ({
  kind: 'result', instanceId: INST, unitId: UNIT, ref, command: 'COMMIT_WK', rc: 0, reason: 0, vpAfter: { current: ZERO_VP, new: VP_A },
});

// ---- an independent verifier: its own canonical JSON and @noble/hashes, nothing from src/store ----
function jcs(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
  const o = v as Record<string, unknown>;
  return '{' + Object.keys(o).sort().map((k) => JSON.stringify(k) + ':' + jcs(o[k])).join(',') + '}';
}
function independentHash(entry: Record<string, unknown>): string {
  const copy = { ...entry };
  delete copy.hash;
  return hex(nobleSha256(new TextEncoder().encode(jcs(copy))));
}

describe('store: canonical JSON (RFC 8785, integers only)', () => {
  it('sorts members by UTF-16 code units (the RFC 8785 §3.2.3 sorting example)', () => {
    const input = {
      '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // order by first code unit: 000D, 0031, 0080, 00F6, 20AC, D83D, FB33 (worked out by hand)
    const want =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    assert.equal(canonicalJson(input), want);
  });

  it('writes strings, integers and nesting without whitespace; refuses fractions, NaN, bytes and undefined in lists', () => {
    assert.equal(canonicalJson({ b: [1, -2, 0, true, null], a: 'q"\\\n\u0001é', c: { z: {}, y: [] }, d: undefined }), '{"a":"q\\"\\\\\\n\\u0001é","b":[1,-2,0,true,null],"c":{"y":[],"z":{}}}');
    assert.equal(canonicalJson(-0), '0');
    assert.equal(canonicalJson(2 ** 53 - 1), '9007199254740991');
    for (const bad of [1.5, NaN, Infinity, 2 ** 53, new Uint8Array(1), [undefined], new Date(0), () => 1, 'a\ud83d', { '\ude00': 1 }]) {
      assertThrows(() => canonicalJson(bad), InvalidRecordError, String(bad));
    }
  });
});

describe('store: journal', () => {
  let h: Harness;
  let s: WebtkeStore;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
  });
  afterEach(async () => h.done());

  it('the first entry hashes to SHA-256 of a hand-written canonical string', async () => {
    const e = await s.journal.append({ kind: 'note', instanceId: INST, text: 'hello' });
    const text = `{"instanceId":"${INST}","kind":"note","prevHash":"${'0'.repeat(64)}","seq":1,"text":"hello","time":${T0}}`;
    const want = hex(new Uint8Array(await c.subtle.digest('SHA-256', new TextEncoder().encode(text))));
    assert.equal(e.hash, want);
    assert.equal(e.prevHash, GENESIS_PREV_HASH);
  });

  it('appends a chain: seq 1, 2, 3 …, each prevHash the previous hash, every hash recomputed independently', async () => {
    const a = await s.journal.append(intent);
    h.time.now = T0 + 250;
    const b = await s.journal.append(result(a.seq));
    const d = await s.journal.append({ kind: 'decision', instanceId: INST, text: 'units drifted; proceed on unit 1 only' });
    assert.deepEqual([a.seq, b.seq, d.seq], [1, 2, 3]);
    assert.equal(b.prevHash, a.hash);
    assert.equal(d.prevHash, b.hash);
    assert.equal(b.time, T0 + 250);
    for (const e of await s.journal.list()) assert.equal(e.hash, independentHash(e as unknown as Record<string, unknown>), `entry ${e.seq}`);
    const stored = (await s.journal.get(1))!;
    assert.deepEqual(stored.signers, intent.signers);
    assert.deepEqual(stored.fields, intent.fields);
    assert.equal(stored.counter, intent.counter);
    assert.deepEqual(await s.journal.head(), { seq: 3, hash: d.hash });
    assert.deepEqual(await s.journal.verify(), { ok: true, count: 3, head: { seq: 3, hash: d.hash } });
    assert.deepEqual((await s.journal.list({ fromSeq: 2, limit: 1 })).map((e) => e.seq), [2]);
  });

  it('concurrent appends from two connections never fork the chain', async () => {
    const other = await h.open();
    const jobs: Promise<JournalEntry>[] = [];
    for (let i = 0; i < 40; i++) {
      jobs.push((i % 2 ? other : s).journal.append({ kind: 'note', instanceId: INST, text: `note ${i}` }));
    }
    const entries = await Promise.all(jobs);
    assert.deepEqual(entries.map((e) => e.seq).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
    const all = await s.journal.list();
    for (let i = 1; i < all.length; i++) assert.equal(all[i].prevHash, all[i - 1].hash);
    assert.isTrue((await s.journal.verify()).ok);
  });

  it('changing any field of any stored entry makes verify name that entry', async () => {
    const a = await s.journal.append(intent);
    await s.journal.append(result(a.seq));
    await s.journal.append({ kind: 'error', instanceId: INST, unitId: UNIT, rc: 163, reason: 0, text: 'counter' });
    const entries = (await rawAll(h, 'journal')) as Record<string, unknown>[];
    const db = await h.raw();
    let checked = 0;
    try {
      for (const entry of entries) {
        for (const path of leafPaths(entry)) {
          if (path[0] === 'seq') continue; // the key itself: see the deletion test
          const changed = structuredClone(entry);
          mutate(changed, path);
          await db.put('journal', changed);
          const r = await s.journal.verify();
          assert.isFalse(r.ok, `${entry.seq}: ${path.join('.')}`);
          if (!r.ok) assert.equal(r.brokenSeq, entry.seq, `${entry.seq}: ${path.join('.')} → ${r.message}`);
          await db.put('journal', entry);
          checked++;
        }
      }
    } finally {
      db.close();
    }
    assert.equal(checked, 18 + 12 + 9, "every leaf of the three entries (seq aside)");
    assert.isTrue((await s.journal.verify()).ok, 'restored');
  });

  it('a deleted entry, an added member and a cut-off tail are caught', async () => {
    for (let i = 0; i < 4; i++) await s.journal.append({ kind: 'note', instanceId: INST, text: `n${i}` });
    const head = (await s.journal.head())!;
    const db = await h.raw();
    try {
      const third = (await db.get('journal', 3)) as Record<string, unknown>;
      await db.put('journal', { ...third, extra: 'x' });
      let r = await s.journal.verify();
      assert.deepInclude(r, { ok: false, brokenSeq: 3, problem: 'hash' });
      await db.delete('journal', 3);
      r = await s.journal.verify();
      assert.deepInclude(r, { ok: false, brokenSeq: 3, problem: 'seq' });
      await db.put('journal', third);
      await db.delete('journal', 4);
      assert.isTrue((await s.journal.verify()).ok, 'a cut tail is invisible without a recorded head');
      r = await s.journal.verify({ expectHead: head });
      assert.deepInclude(r, { ok: false, brokenSeq: 4, problem: 'head' });
    } finally {
      db.close();
    }
  });

  it('exports JSON that an independent verifier accepts, and that verifyJournalExport checks', async () => {
    const a = await s.journal.append(intent);
    await s.journal.append(result(a.seq));
    await s.journal.append({ kind: 'note', instanceId: INST, text: 'Grüße, 😀 "quoted"\n' });
    const text = await s.journal.export();
    const doc = JSON.parse(text) as { format: string; entries: Record<string, unknown>[]; head: { seq: number; hash: string }; count: number };
    assert.equal(doc.format, 'webtke-journal');
    assert.equal(doc.count, 3);
    let prev = '0'.repeat(64);
    doc.entries.forEach((e, i) => {
      assert.equal(e.seq, i + 1);
      assert.equal(e.prevHash, prev);
      assert.equal(independentHash(e), e.hash, `entry ${i + 1}`);
      prev = e.hash as string;
    });
    assert.equal(doc.head.hash, prev);
    assert.deepEqual(verifyJournalExport(text), { ok: true, count: 3, head: { seq: 3, hash: prev } });

    const tampered = JSON.parse(text) as typeof doc;
    (tampered.entries[1] as { rc: number }).rc = 7;
    assert.deepInclude(verifyJournalExport(JSON.stringify(tampered)), { ok: false, brokenSeq: 2, problem: 'hash' });
    const cut = JSON.parse(text) as typeof doc;
    cut.entries.pop();
    assert.deepInclude(verifyJournalExport(JSON.stringify(cut)), { ok: false, problem: 'head' });
    assert.deepInclude(verifyJournalExport('{"format":"other"}'), { ok: false, problem: 'malformed' });
    assert.deepEqual(verifyChain([]), { ok: true, count: 0, head: null });
  });

  it('validates entries: kinds, hex sizes, counters, unknown members, secrets; nothing is appended', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ kind: 'gossip' }, 'kind'],
      [{ instanceId: 'nope' }, 'instanceId'],
      [{ blockSha256: 'cd'.repeat(31) }, 'blockSha256'],
      [{ counter: '-1' }, 'counter'],
      [{ counter: '340282366920938463463374607431768211456' }, 'counter'],
      [{ commandCode: 2 ** 32 }, 'commandCode'],
      [{ signers: [{ ski: 'zz' }] }, 'signers[0].ski'],
      [{ vpBefore: { current: VP_A } }, 'vpBefore.new'],
      [{ vpAfter: { current: VP_A, new: 'bb'.repeat(32) } }, 'vpAfter.new'],
      [{ ref: 0 }, 'ref'],
      [{ fields: { 'bad name': 'x' } }, 'fields.bad name'],
      [{ time: 5 }, 'time'],
      [{ hash: 'ab' }, 'hash'],
      [{ text: 'half an emoji \ud83d' }, 'text'],
      [{ signers: [{ ski: 'e1'.repeat(32), name: '\ude00' }] }, 'signers[0].name'],
    ];
    for (const [change, field] of bad) {
      const e = await assertRejects(s.journal.append({ kind: 'note', instanceId: INST, ...change } as never), InvalidRecordError, JSON.stringify(change));
      assert.equal(e.field, field, JSON.stringify(change));
    }
    for (const secret of [{ pin: '1234' }, { fields: { adminPassword: 'x' } }, { signers: [{ ski: 'e1'.repeat(32), privateKey: 'x' }] }]) {
      await assertRejects(s.journal.append({ kind: 'note', instanceId: INST, ...secret } as never), SecretFieldError, JSON.stringify(secret));
    }
    assert.deepEqual(await rawAll(h, 'journal'), []);
    // a VP given in the 28-byte form is stored in the 32-byte form
    const e = await s.journal.append({ kind: 'note', instanceId: INST, vpAfter: { current: 'bb'.repeat(28), new: ZERO_VP } });
    assert.equal(e.vpAfter!.current, VP_B);
  });
});

/** Paths to every leaf value of an entry (including inside signers, fields, vpBefore …). */
function leafPaths(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leafPaths(x, [...path, Array.isArray(v) ? Number(k) : k]));
  }
  return [path];
}

/** Change the leaf at `path` to a different value of the same type. */
function mutate(root: Record<string, unknown>, path: (string | number)[]): void {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const k = path[path.length - 1];
  const v = o[k];
  if (typeof v === 'number') o[k] = v + 1;
  else if (typeof v === 'string') o[k] = v.length && /^[0-9a-f]+$/.test(v) ? (v[0] === '0' ? '1' : '0') + v.slice(1) : v + 'x';
  else throw new Error(`unexpected leaf ${typeof v} at ${path.join('.')}`);
}
