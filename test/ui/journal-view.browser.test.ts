/**
 * The Journal view over the real app after a ceremony (2 units, 2 administrators 2/2, a master
 * key from 2 parts, 3 keys): the verification it shows is recomputed here with WebCrypto over
 * our own canonical JSON; an entry changed behind the app's back is found at its seq; the JSON
 * export downloads and verifies here entry by entry; the printable transcript names who signed
 * what, the counters, and the VPs (computed here) in grouped hex; printing leaves only it.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { JournalView } from '../../src/ui/views/journal-view.ts';
import type { JournalEntry } from '../../src/store/index.ts';
import { $, deepText, mount, text, unmountAll, waitFor, pressAction as press } from './helpers.ts';
import { activate, authenticate, ceremonyApp, grouped, hex, type CeremonyApp } from './master-key-fixture.ts';

/** RFC 8785 for what the journal holds (objects, arrays, strings, integers), written here. */
function jcs(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
}

async function sha256Hex(s: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
}

/** Recompute the chain: seq 1.., prevHash = previous hash (64 zeros first), hash = SHA-256(JCS(entry without hash)). */
async function recompute(entries: readonly JournalEntry[]): Promise<number | null> {
  let prev = '0'.repeat(64);
  for (const [i, e] of entries.entries()) {
    const { hash, ...rest } = e;
    if (e.seq !== i + 1 || e.prevHash !== prev || (await sha256Hex(jcs(rest))) !== hash) return e.seq;
    prev = hash;
  }
  return null;
}

async function ceremony(): Promise<{ t: CeremonyApp; vp: string }> {
  const t = await ceremonyApp();
  await authenticate(t, 2, 2);
  const vp = await activate(t, [await t.addPart('journal part 1'), await t.addPart('journal part 2')]);
  for (let i = 1; i <= 3; i++) await t.app.runtime!.keys!.generate(`journal key ${i}`);
  await t.app.refresh();
  return { t, vp };
}

describe('ui/views: Journal', () => {
  let t: CeremonyApp | undefined;
  afterEach(async () => {
    unmountAll();
    await t?.done();
    t = undefined;
  });

  it('verifies the chain as an independent recomputation does, and finds an entry changed behind its back', async () => {
    ({ t } = await ceremony());
    const el = await mount(new JournalView(), (v) => (v.app = t!.app));
    const root = el.shadowRoot!;
    const all = await t.store.journal.list();
    assert.isNull(await recompute(all), 'the chain recomputed here holds');
    const shown = await waitFor(() => root.querySelector('.verification'), 'the verification on opening');
    assert.equal(shown.getAttribute('data-ok'), 'true');
    assert.equal(text($(root, '.verification-text strong')), `Chain verified: ${all.length} entries, each hash recomputed.`);
    const last = all[all.length - 1];
    assert.equal(text($(root, 'code.head')), `#${last.seq} ${grouped(last.hash)}`);
    await waitFor(() => root.querySelectorAll('table.entries tbody tr').length === Math.min(100, all.length), 'the entries table');
    const mine = await t.store.journal.list({ instanceId: t.app.instance!.id });
    assert.include(text($(root, 'table.entries caption')), `(${mine.length} entries`);

    // change one result entry's text in IndexedDB, as someone with the profile could
    const victim = all.find((e) => e.kind === 'result' && e.command === 'COMMIT_WK')!;
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = t!.idb.indexedDB.open(t!.idb.name);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise<void>((res, rej) => {
      const tx = db.transaction('journal', 'readwrite');
      tx.objectStore('journal').put({ ...victim, text: 'nothing happened here' });
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
    assert.equal(await recompute(await t.store.journal.list()), victim.seq, 'the recomputation here breaks at the changed entry');

    assert.match(await press(el, 'button.verify'), /^done: Chain BROKEN at entry #/);
    const v = $(root, '.verification');
    assert.equal(v.getAttribute('data-ok'), 'false');
    assert.include(text(v), `Chain BROKEN at entry #${victim.seq}: the entry was changed after it was written`);
    assert.include(text($(root, '.verification .remedy')), 'export the journal as evidence');
  });

  it('exports the journal as JSON that verifies here, and prints a transcript of who signed what, counters and VPs', async () => {
    const r = await ceremony();
    t = r.t;
    const el = await mount(new JournalView(), (v) => (v.app = t!.app));
    const root = el.shadowRoot!;
    await waitFor(() => root.querySelector('.verification'), 'the first verification');

    assert.match(await press(el, 'button.export-json'), /^done: The export is ready to save\. Chain verified/);
    const link = $<HTMLAnchorElement>(root, 'a.download');
    assert.match(link.download, /^webtke-journal-Simulated-instance-\d{4}-\d{2}-\d{2}\.json$/);
    assert.match(link.href, /^blob:/);
    const doc = JSON.parse(await (await fetch(link.href)).text()) as { format: string; count: number; head: { seq: number; hash: string }; entries: JournalEntry[] };
    assert.equal(doc.format, 'webtke-journal');
    const stored = await t.store.journal.list();
    assert.equal(doc.count, stored.length);
    assert.deepEqual(doc.entries.map((e) => e.hash), stored.map((e) => e.hash));
    assert.isNull(await recompute(doc.entries), 'the downloaded export verifies here');
    assert.deepEqual(doc.head, { seq: stored[stored.length - 1].seq, hash: stored[stored.length - 1].hash });

    // the transcript: printed through window.print with only the transcript left
    const print = window.print;
    let printedWith = '';
    window.print = () => {
      printedWith = text(root.querySelector('pre.transcript'));
    };
    try {
      assert.match(await press(el, 'button.print'), /^done:/);
      await waitFor(() => printedWith, 'print() to be called');
    } finally {
      window.print = print;
    }
    const tr = text($(root, 'pre.transcript'));
    assert.equal(printedWith, tr, 'print() ran with the transcript on the page');
    assert.include(tr, 'WEBTKE CEREMONY TRANSCRIPT');
    assert.include(tr, grouped(r.vp), 'the master key\'s VP, in grouped hex');
    const intents = (await t.store.journal.list({ instanceId: t.app.instance!.id })).filter((e) => e.kind === 'intent' && e.command === 'COMMIT_WK');
    assert.lengthOf(intents, 2, 'one commit per unit');
    for (const e of intents) {
      assert.include(tr, `COMMIT_WK counter ${e.counter}`, 'the counter of each commit');
      assert.sameMembers(e.signers!.map((s) => s.name!), ['Admin 1', 'Admin 2'], 'threshold 2: both administrators signed');
    }
    const signedBy = /signed by\s+(Admin \d) \[SKI [0-9A-F ]+…\], (Admin \d) \[SKI [0-9A-F ]+…\]/.exec(tr);
    assert.exists(signedBy, 'the transcript says who signed, with their SKIs');
    assert.sameMembers([signedBy![1], signedBy![2]], ['Admin 1', 'Admin 2']);
    assert.match(tr, new RegExp(`VPs after: current\\s+${grouped(r.vp)}`));

    // the print stylesheet hides everything but the transcript
    const printRules = [...root.adoptedStyleSheets.flatMap((s) => [...s.cssRules])].filter((x): x is CSSMediaRule => x instanceof CSSMediaRule && x.conditionText === 'print');
    assert.isTrue(printRules.some((m) => [...m.cssRules].some((x) => x instanceof CSSStyleRule && x.selectorText === '.screen-only' && x.style.display === 'none')), 'a print rule hides .screen-only');
    for (const child of root.children) {
      const keeps = child.querySelector('pre.transcript') !== null;
      assert.isTrue(keeps || child.matches('.screen-only, h2'), `<${child.tagName.toLowerCase()} class="${child.className}"> is hidden in print`);
    }

    // the transcript as an HTML file to keep
    assert.match(await press(el, 'button.save-html'), /^done:/);
    const html = [...root.querySelectorAll<HTMLAnchorElement>('a.download')].find((a) => a.download.endsWith('.html'))!;
    const page = await (await fetch(html.href)).text();
    assert.match(page, /^<!doctype html>/);
    assert.include(page, grouped(r.vp));
    assert.include(page, 'Admin 2');
  });
});
