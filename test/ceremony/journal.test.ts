/**
 * The ceremony journal: write-ahead (the intent is in the store before the command leaves, even
 * when sending fails), the hash chain (verified, export checked, tampering and truncation
 * caught), the printed transcript (names, counters, VPs before and after in grouped hex; HTML
 * escaped), and no secret anywhere the app persists (journal, transcript, every store record).
 */
import { fromHex, groupedHex, toHex } from '../../src/bytes/index.ts';
import { StepFailedError, type InstanceRuntime } from '../../src/ceremony/index.ts';
import { Command, KeyStorageOp } from '../../src/cryptounit/protocol/index.ts';
import { verifyJournalExport, type JournalEntry } from '../../src/store/index.ts';
import { after, assert, assertRejects, before, describe, it } from '../harness.ts';
import { ceremony } from './helpers.ts';
import { makeWorld, secretsIn, type World } from './world.ts';

describe('ceremony journal', () => {
  let w: World;
  let rt: InstanceRuntime;
  const checked: string[] = [];
  const problems: string[] = [];

  before(async () => {
    w = await makeWorld({ units: 3, batchSize: 2 });
    // write-ahead: whenever a command or REENCRYPT is about to leave, its intent must be the last entry
    for (const t of w.transports) {
      t.onCommand = async (code, _payload, counter) => {
        if (code >= 0x00010000 && code !== KeyStorageOp.REENCRYPT) return;
        const entries = await w.store.journal.list({ instanceId: w.instance.id });
        const last = entries[entries.length - 1];
        const ok = last?.kind === 'intent' && last.unitId === t.unitId && last.commandCode === code && (code === KeyStorageOp.REENCRYPT || last.counter === counter.toString());
        (ok ? checked : problems).push(`${code.toString(16)} on ${t.unitId} counter ${counter}`);
      };
    }
    rt = await ceremony(w, 3);
    await rt.run({ plan: 'rotate', parts: w.parts.B, importerCurve: 'P-256' });
  });
  after(async () => {
    await w.done();
  });

  it('writes the intent before every command is sent (checked as each one left)', () => {
    assert.deepEqual(problems, []);
    // 3 admins + thresholds + importer + import + commit + finalize, twice for the key part, on 3 units; 2 REENCRYPT batches
    assert.equal(checked.length, 3 * (3 + 1 + 1 + 1 + 1 + 1) + 3 * 4 + 2);
  });

  it('answers every intent with exactly one result, naming its counter and the VPs after', async () => {
    const entries = await rt.journal.entries();
    const intents = entries.filter((e) => e.kind === 'intent');
    for (const i of intents) {
      const answers = entries.filter((e) => e.ref === i.seq);
      assert.lengthOf(answers, 1, `intent #${i.seq}`);
      assert.equal(answers[0].kind, 'result');
      assert.equal(answers[0].rc, 0);
      assert.isAbove(answers[0].seq, i.seq);
    }
    const commit = intents.find((e) => e.command === 'COMMIT_WK')!;
    const res = entries.find((e) => e.ref === commit.seq)!;
    assert.equal(res.counter, commit.counter);
    assert.deepEqual(res.vpAfter, { current: '0'.repeat(64), new: w.vps.A });
    assert.deepEqual(commit.vpBefore, { current: '0'.repeat(64), new: w.vps.A });
    assert.lengthOf(commit.signers!, 2, 'the signature threshold (2) signed the commit');
  });

  it('journals the intent even when sending fails, answered by an error entry and no result', async () => {
    const w2 = await makeWorld({ units: 2 });
    try {
      const rt2 = await w2.runtime();
      await rt2.run({ plan: 'add-admins', certificates: w2.admins.map((a) => a.certificate) });
      await rt2.run({ plan: 'set-thresholds', sign: 2, revoke: 2 });
      w2.transports[1].failOn(Command.COMMIT_WK, 'down');
      const err = await assertRejects(rt2.run({ plan: 'load-master-key', parts: w2.parts.A, importerCurve: 'P-256' }), StepFailedError);
      assert.equal(err.unitId, w2.instance.units[1].id);
      assert.deepEqual(err.completed, [w2.instance.units[0].id]);
      const entries = await rt2.journal.entries();
      const intent = entries.filter((e) => e.kind === 'intent' && e.command === 'COMMIT_WK' && e.unitId === w2.instance.units[1].id).pop()!;
      assert.exists(intent);
      const answers = entries.filter((e) => e.ref === intent.seq);
      assert.deepEqual(answers.map((e) => e.kind), ['error']);
      assert.match(answers[0].text!, /No answer: test: unit .* is down/);
      assert.equal(answers[0].fields?.failure, 'closed');
      assert.isTrue((await rt2.journal.verify()).ok);
    } finally {
      await w2.done();
    }
  });

  it('is a hash chain: the export verifies, a changed entry or a cut-off tail does not', async () => {
    const v = await rt.journal.verify();
    assert.isTrue(v.ok);
    const { json, verification } = await rt.journal.exportJson();
    assert.isTrue(verification.ok);
    assert.isTrue(verifyJournalExport(json).ok);
    const doc = JSON.parse(json) as { entries: JournalEntry[]; count: number; head: { seq: number; hash: string } };
    const target = doc.entries.find((e) => e.kind === 'intent' && e.command === 'FINALIZE_WK')!;
    target.counter = String(BigInt(target.counter!) + 1n);
    const changed = verifyJournalExport(JSON.stringify(doc));
    assert.isFalse(changed.ok);
    if (!changed.ok) {
      assert.equal(changed.brokenSeq, target.seq);
      assert.equal(changed.problem, 'hash');
    }
    const cut = JSON.parse(json) as typeof doc;
    cut.entries.pop();
    const truncated = verifyJournalExport(JSON.stringify(cut));
    assert.isFalse(truncated.ok);
  });

  it('prints a transcript: who signed what, counters, and VPs before/after in grouped hex', async () => {
    const text = await rt.journal.transcript(rt.instance, 'text', 0);
    const entries = await rt.journal.entries();
    // unit 1: 3 admins (1-3), thresholds (4), importer (5), import (6), commit (7), finalize (8)
    assert.match(text, /INTENT {2}Unit 1 {2}COMMIT_WK {2}counter 7\n/);
    assert.match(text, /INTENT {2}Unit 1 {2}FINALIZE_WK {2}counter 8\n/);
    assert.match(text, /RESULT {2}Unit 1 {2}FINALIZE_WK {2}ok \(rc 0\) {2}counter 8/);
    const commit = entries.find((e) => e.command === 'COMMIT_WK')!;
    assert.lengthOf(commit.signers!, 2);
    for (const sg of commit.signers!) {
      const admin = w.admins.find((a) => a.ski === sg.ski)!;
      assert.include(text, `${admin.name} [SKI ${groupedHex(fromHex(admin.ski).subarray(0, 8))} …]`);
    }
    const row = (label: string, value: string): string => `     ${label.padEnd(20)} ${value}\n`;
    assert.include(text, row('VPs after: current', groupedHex(fromHex(w.vps.A))));
    assert.include(text, row('VPs after: new', groupedHex(fromHex(w.vps.B))));
    assert.include(text, row('VPs before: current', groupedHex(fromHex(w.vps.A))));
    assert.include(text, row('signed by', 'no signature (imprint mode)'));
    assert.include(text, row('block SHA-256', groupedHex(fromHex(commit.blockSha256!))));
    assert.include(text, `chain verified: ${(await w.store.journal.list()).length} entries`);
    assert.include(text, row('part1.description', 'Key A part 1'));
    const partVp = (await w.holder.parts()).find((p) => p.description === 'Key A part 1')!.vp;
    assert.include(text, row('part1.vp', groupedHex(partVp)));
    assert.include(text, 'Printed    1970-01-01 00:00:00Z');
  });

  it('escapes every value in the HTML transcript', async () => {
    const renamed = await w.store.instances.rename(w.instance.id, 'Lab <script>alert(1)</script> & "co"');
    const html = await rt.journal.transcript(renamed, 'html');
    assert.include(html, 'Lab &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;');
    assert.notInclude(html, '<script>');
    assert.match(html, /^<!doctype html>/);
    assert.include(html, groupedHex(fromHex(w.vps.B)));
  });

  it('never holds a secret: not in the journal, the transcripts, or any record the store keeps', async () => {
    assert.isAbove(w.secrets.length, 10);
    // the scan works: a secret's hex in a text is found
    assert.deepEqual(secretsIn(w, `x ${toHex(w.partFiles[0].value)} y`), ['part A']);
    const { json } = await rt.journal.exportJson();
    const bytesAsHex = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? toHex(v) : typeof v === 'bigint' ? v.toString() : v);
    const store = JSON.stringify({
      instances: await w.store.instances.list(),
      admins: await w.store.admins.list(),
      parts: await w.store.keyParts.list(),
      keys: await w.store.keyStorage.list(w.instance.id),
      journal: await w.store.journal.list(),
    }, bytesAsHex);
    for (const [what, text] of [
      ['journal export', json],
      ['text transcript', await rt.journal.transcript(rt.instance, 'text')],
      ['HTML transcript', await rt.journal.transcript(rt.instance, 'html')],
      ['store records', store],
    ] as const) {
      assert.deepEqual(secretsIn(w, text), [], what);
    }
  });
});
