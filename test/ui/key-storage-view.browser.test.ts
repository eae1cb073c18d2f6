/**
 * The Key storage view over the real app (IndexedDB store, simulation worker with 2 units, the
 * engine), a scripted person behind the consent interface. Keys generated through the form are
 * the store's records, each shown with the VP its blob is under (read here from the blob); a
 * key's test wraps on one unit and unwraps on both; during a rotation the view refuses to
 * create keys with the engine's reason, shows how many keys are re-enciphered (the store's
 * figures), and resumes a re-encipher that stopped half-way, sending only the missing keys.
 * While a re-encipher runs, the bar follows the engine's progress reports (kept by the app
 * model), batch by batch, without reading the store.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { decodeKeyBlob } from '../../src/cryptounit/protocol/index.ts';
import { KeyStorageView } from '../../src/ui/views/key-storage-view.ts';
import { $, deepText, mount, text, type, unmountAll, waitFor, pressAction as press } from './helpers.ts';
import { activate, authenticate, ceremonyApp, grouped, hex, vpOfParts, type CeremonyApp } from './master-key-fixture.ts';
import { c } from './app-fixture.ts';

async function view(t: CeremonyApp): Promise<{ el: KeyStorageView; root: ShadowRoot }> {
  const el = await mount(new KeyStorageView(), (v) => (v.app = t.app));
  await waitFor(() => el.shadowRoot!.querySelector('.no-keys, table.keys'), 'the key list');
  return { el, root: el.shadowRoot! };
}

/** Wait until the table shows `n` rows (the list is read after each refresh). */
const rowsShown = (root: ShadowRoot, n: number) => waitFor(() => root.querySelectorAll('table.keys tbody tr').length === n, `${n} key rows`);

describe('ui/views: Key storage', () => {
  let t: CeremonyApp | undefined;
  afterEach(async () => {
    unmountAll();
    await t?.done();
    t = undefined;
  });

  it('generates keys under the current master key, lists each with its blob\'s VP, and tests one on every unit', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    const vp = await activate(t, [await t.addPart('p1'), await t.addPart('p2')]);
    const { el, root } = await view(t);
    assert.equal(text($(root, '.no-keys')), 'No key stored yet.');
    type($<HTMLInputElement>(root, '#key-label'), 'payments');
    type($<HTMLInputElement>(root, '#key-count'), '5');
    await el.updateComplete;
    assert.match(await press(el, 'button.generate-keys'), /^done: Generated 5 keys under the current master key/);
    await rowsShown(root, 5);

    const records = await t.store.keyStorage.list(t.app.instance!.id);
    assert.lengthOf(records, 5);
    const units = t.app.instance!.units.map((u) => u.label).join(', ');
    for (const r of records) {
      const row = $(root, `table.keys tr[data-key="${r.keyId}"]`);
      const blobVp = hex(decodeKeyBlob(r.blob).vp);
      assert.equal(blobVp.padEnd(64, '0'), vp, 'the blob is under the units\' current master key');
      assert.equal(row.querySelector('.key-vp')!.getAttribute('title'), grouped(vp), 'the row names the VP of its blob');
      assert.equal(text(row.querySelector('.opens-on')), units);
    }
    assert.deepEqual(records.map((r) => r.label), ['payments 1', 'payments 2', 'payments 3', 'payments 4', 'payments 5']);
    assert.equal(text($(root, 'ul.by-vp')), `5 keys under VP ${grouped(vp)}`);

    const target = records[2];
    $<HTMLButtonElement>(root, `tr[data-key="${target.keyId}"] button.test-key`).click();
    const result = await waitFor(() => root.querySelector(`tr[data-key="${target.keyId}"] .test-result`), 'the test result');
    assert.equal(result.getAttribute('data-ok'), 'true', text(result));
    assert.equal(text(result), 'OK: wrapped on Unit 1; unwrapped Unit 1 ✓, Unit 2 ✓');

    // the stored blob really opens on each unit: wrap here with one, unwrap with the other
    const inst = (await t.store.instances.get(t.app.instance!.id))!;
    const clients = await Promise.all(inst.units.map(async (u) => {
      const cl = new CryptoUnitClient({ transport: t!.app.sim!.transport(u.id), crypto: c, pinnedRoot: u.pinnedRoot!.fingerprint });
      await cl.connect();
      return cl;
    }));
    const data = c.getRandomValues(new Uint8Array(24));
    assert.equal(hex(await clients[1].unwrap(target.blob, await clients[0].wrap(target.blob, data))), hex(data));
  });

  it('a running re-encipher: the bar follows the engine\'s progress reports batch by batch, before any refresh sees the rotation', async () => {
    t = await ceremonyApp(2, { reencryptBatchSize: 2 });
    await authenticate(t, 1, 1);
    await activate(t, [await t.addPart('A1'), await t.addPart('A2')]);
    for (let i = 1; i <= 6; i++) await t.app.runtime!.keys!.generate(`k${i}`);
    const partsB = [await t.addPart('B1'), await t.addPart('B2')];
    await t.app.run({ plan: 'load-master-key', parts: partsB.map((p) => ({ holder: t!.app.partHolder, partId: p.partId })), importerCurve: 'P-256', through: 'commit' });
    const { el, root } = await view(t);
    await rowsShown(root, 6);
    assert.isNull(t.app.snapshot!.storage!.rotation, 'no rotation open yet: the snapshot has no figures to show');
    assert.isNull(root.querySelector('.rotation-count'));

    // what the view shows right after each report the engine gives
    const shown: string[] = [];
    const reports: string[] = [];
    const consent = t.consent;
    const original = consent.progress.bind(consent);
    consent.progress = (r) => {
      original(r);
      reports.push(`${r.done} of ${r.total}`);
      void el.updateComplete.then(() => shown.push(text(root.querySelector('.rotation-count'))));
    };
    assert.match(await press(el, 'button.reencipher'), /^done:/);
    assert.deepEqual(reports, ['0 of 6', '2 of 6', '4 of 6', '6 of 6'], 'one report before the first batch and one after each batch of 2');
    assert.deepEqual(shown, reports, 'the view showed each report as it came');
    await waitFor(() => text(root.querySelector('.rotation-count')) === '6 of 6', 'the stored figures after the refresh');
    assert.equal(t.app.progress?.step.step, 'reencipher', 'the model keeps the last report');
  });

  it('during a rotation: creation refused with the reason, re-encipher progress from the store, a stopped re-encipher resumed', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    await activate(t, [await t.addPart('A1'), await t.addPart('A2')]);
    for (let i = 1; i <= 6; i++) await t.app.runtime!.keys!.generate(`k${i}`);
    const partsB = [await t.addPart('B1'), await t.addPart('B2')];
    await t.app.run({ plan: 'load-master-key', parts: partsB.map((p) => ({ holder: t!.app.partHolder, partId: p.partId })), importerCurve: 'P-256', through: 'commit' });
    const vpB = vpOfParts(partsB);
    const { el, root } = await view(t);
    await rowsShown(root, 6);

    // a new key loaded anywhere: no key may be created
    assert.match(text($(root, '.creation-blocked')), /^Key creation is blocked: a new master key is loaded on some unit/);
    assert.isTrue($<HTMLButtonElement>(root, 'button.generate-keys').disabled);

    // a re-encipher that stopped after 2 of 6 keys (the store staged them; the rest never ran)
    const inst = (await t.store.instances.get(t.app.instance!.id))!;
    const snap = t.app.snapshot!;
    const unit = snap.units[0];
    assert.isTrue(unit.reachable);
    const from = unit.reachable ? unit.current.vp! : '';
    await t.store.keyStorage.beginRotation(inst.id, { fromVp: from, toVp: vpB });
    const client = new CryptoUnitClient({ transport: t.app.sim!.transport(inst.units[0].id), crypto: c, pinnedRoot: inst.units[0].pinnedRoot!.fingerprint });
    await client.connect();
    const records = await t.store.keyStorage.list(inst.id);
    await t.store.keyStorage.stage(inst.id, await client.reencrypt(records.slice(0, 2).map((r) => r.blob)));
    await t.app.refresh();
    await waitFor(() => text(root.querySelector('.rotation-count')) === '2 of 6', 'the rotation figures');
    const bar = $<HTMLProgressElement>(root, 'progress.rotation-progress');
    assert.deepEqual([bar.value, bar.max], [2, 6]);
    assert.equal(text($(root, '.rotation-to')), grouped(vpB));
    assert.match(text($(root, '.creation-blocked')), /a key storage rotation is open/);
    await waitFor(() => root.querySelectorAll('table.keys .staged-vp').length === 2, 'two keys shown with their staged copy');

    // resume: only the 4 missing keys go to the unit
    const sentBefore = (await t.store.journal.list({ instanceId: inst.id })).filter((e) => e.kind === 'intent' && e.command === 'REENCRYPT').length;
    assert.match(await press(el, 'button.reencipher'), /^done:/);
    await waitFor(() => text(root.querySelector('.rotation-count')) === '6 of 6', 'every key re-enciphered');
    const reencrypts = (await t.store.journal.list({ instanceId: inst.id })).filter((e) => e.kind === 'intent' && e.command === 'REENCRYPT').slice(sentBefore);
    assert.deepEqual(reencrypts.map((e) => e.fields?.keys), ['4'], 'one batch of the 4 keys not yet staged');
    await waitFor(() => root.querySelectorAll('table.keys .staged-vp').length === 6, 'every key shown with its staged copy');
    for (const r of await t.store.keyStorage.list(inst.id)) assert.equal(hex(decodeKeyBlob(r.nextBlob!).vp).padEnd(64, '0'), vpB);

    // finish through the engine; then creation is open again and every key is under B
    await t.app.run({ plan: 'next', untilReady: true });
    await waitFor(() => text(root.querySelector('ul.by-vp')) === `6 keys under VP ${grouped(vpB)}`, 'the keys under the new VP');
    assert.isNull(root.querySelector('.creation-blocked'));
    assert.isNull(root.querySelector('.rotation'));
  });
});
