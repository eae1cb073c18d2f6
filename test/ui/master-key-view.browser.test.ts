/**
 * The Master key view over the real app (IndexedDB store, simulation worker with 2 units, the
 * engine), with a scripted person behind the consent interface. What the registers table shows
 * is compared with what independent unit clients read; the VPs with the VP of the XOR of the
 * parts computed here with @noble/hashes; each step runs from the button the next safe action
 * gives; clear current asks for the typed phrase in the typed-confirmation dialog; a refused
 * step shows its message and remedy.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { CLEAR_CURRENT_PHRASE, EARLY_FINALIZE_PHRASE } from '../../src/ceremony/index.ts';
import { MasterKeyView } from '../../src/ui/views/master-key-view.ts';
import type { UnitState } from '../../src/cryptounit/client.ts';
import { $, deepText, mount, text, type, unmountAll, waitFor, pressAction as press } from './helpers.ts';
import type { ConfirmDialog } from '../../src/ui/consent/confirm-dialog.ts';
import { activate, authenticate, ceremonyApp, grouped, hex, vpOfParts, type CeremonyApp } from './master-key-fixture.ts';

const REGISTER_WORDS: Record<string, string> = { EMPTY: 'EMPTY', VALID: 'VALID', FULL_UNCOMMITTED: 'FULL UNCOMMITTED', FULL_COMMITTED: 'FULL COMMITTED' };
const vpWords = (vp: Uint8Array): string => (vp.every((b) => b === 0) ? '' : grouped(hex(vp)));

/** Each row of the registers table equals what the unit itself reports. */
function assertRegisters(root: ShadowRoot, t: CeremonyApp, states: UnitState[]): void {
  const units = t.app.instance!.units;
  assert.lengthOf(root.querySelectorAll('table.registers tbody tr'), units.length);
  units.forEach((u, i) => {
    const r = root.querySelector(`table.registers tr[data-unit="${u.id}"]`)!;
    const s = states[i].registers;
    assert.equal(text(r.querySelector('.unit-label')), u.label);
    assert.equal(text(r.querySelector('.current-state')), REGISTER_WORDS[s.current]);
    assert.equal(text(r.querySelector('.new-state')), REGISTER_WORDS[s.next]);
    assert.equal(text(r.querySelector('.current-vp')), vpWords(s.currentVp), `${u.label} current VP`);
    assert.equal(text(r.querySelector('.new-vp')), vpWords(s.newVp), `${u.label} new VP`);
    assert.equal(text(r.querySelector('.importer')).startsWith('none'), states[i].importer === null, `${u.label} importer`);
  });
}

async function view(t: CeremonyApp): Promise<{ el: MasterKeyView; root: ShadowRoot }> {
  const el = await mount(new MasterKeyView(), (v) => (v.app = t.app));
  await waitFor(() => el.shadowRoot!.querySelector('.next-title'), 'the next safe action');
  return { el, root: el.shadowRoot! };
}

const chooser = (root: ShadowRoot) => root.querySelector('webtke-part-chooser')!.shadowRoot!;

function tick(root: ShadowRoot, partId: string, on = true): void {
  const box = $<HTMLInputElement>(chooser(root), `tr[data-part="${partId}"] input[type=checkbox]`);
  box.checked = on;
  box.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

describe('ui/views: Master key', () => {
  let t: CeremonyApp | undefined;
  afterEach(async () => {
    unmountAll();
    await t?.done();
    t = undefined;
  });

  it('loads, commits and sets immediate from the next safe action; the registers and VPs are the units\' own', async () => {
    t = await ceremonyApp();
    await authenticate(t);
    const parts = [await t.addPart('part 1, Dave'), await t.addPart('part 2, Erin'), await t.addPart('part 3, Frank')];
    const { el, root } = await view(t);
    assertRegisters(root, t, await t.unitStates());
    assert.equal(text($(root, '.next-title')), 'Load the master key');
    assert.equal(text($(root, 'ol.stages li[aria-current=step]')), 'Load the key parts into the new register');

    // the chooser lists the opened files with their VPs (computed here), and the button wants 2 or 3
    const rows = [...chooser(root).querySelectorAll('tbody tr')];
    assert.deepEqual(rows.map((r) => text(r.querySelector('.part-vp'))), parts.map((p) => grouped(vpOfParts([p]))));
    const load = $<HTMLButtonElement>(root, 'button.load-parts');
    assert.isTrue(load.disabled, 'no part chosen');
    tick(root, parts[0].partId);
    await el.updateComplete;
    assert.isTrue(load.disabled, '1 part is not enough');
    tick(root, parts[1].partId);
    tick(root, parts[2].partId);
    await el.updateComplete;
    assert.isFalse(load.disabled, '3 parts');

    assert.match(await press(el, 'button.load-parts'), /^done: Done\. Next safe action: Commit the new master key/);
    const vp = vpOfParts(parts);
    let states = await t.unitStates();
    assertRegisters(root, t, states);
    for (const s of states) assert.equal(hex(s.registers.newVp), vp, 'the unit loaded the XOR of the 3 parts');
    assert.deepEqual(t.consent.wrapRequests.map((r) => r.parts.map((p) => p.partId)), [parts.map((p) => p.partId)]);
    assert.equal(text($(root, '.new-agreement')), `All 2 units: new register FULL UNCOMMITTED, VP ${grouped(vp)}.`);
    assert.equal(text($(root, '.target-vp')), grouped(vp));
    assert.include(text($(root, '.next .hint')), 'Needs 2 administrator signatures on each unit');

    assert.match(await press(el, 'button.next-action'), /Set immediate/);
    states = await t.unitStates();
    assertRegisters(root, t, states);
    assert.deepEqual(states.map((s) => s.registers.next), ['FULL_COMMITTED', 'FULL_COMMITTED']);
    assert.equal(text($(root, 'ol.stages li[aria-current=step]')), 'Set immediate (new → current)');
    assert.lengthOf(root.querySelectorAll('ol.stages li.done'), 3, 'load, commit and re-encipher (nothing to re-encipher) are behind');

    assert.match(await press(el, 'button.next-action'), /nothing pending/);
    states = await t.unitStates();
    assertRegisters(root, t, states);
    for (const s of states) {
      assert.equal(s.registers.current, 'VALID');
      assert.equal(hex(s.registers.currentVp), vp);
    }
    assert.equal(text($(root, '.current-agreement')), `All 2 units: current register VALID, VP ${grouped(vp)}.`);
    assert.equal(text($(root, '.next-title')), 'nothing pending');
    assert.include(text($(root, '.next')), 'Rotate the master key', 'from a finished ceremony the view offers a rotation');
  });

  it('clear current needs the typed phrase in the confirmation dialog; a cancel sends nothing', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    const vp = await activate(t, [await t.addPart('p1'), await t.addPart('p2')]);
    const { el, root } = await view(t);
    const counters = (await t.unitStates()).map((s) => s.counter);

    // cancel
    const first = press(el, 'button.clear-current');
    const dlg: ConfirmDialog = await waitFor(() => (t!.consent.dialog?.isOpen ? t!.consent.dialog : null), 'the typed confirmation');
    const droot = dlg.shadowRoot!;
    assert.include(text($(droot, 'label[for=phrase]')), `Type ${CLEAR_CURRENT_PHRASE} to confirm`);
    $<HTMLButtonElement>(droot, 'button[type=button]').click();
    const cancelled = await first;
    assert.match(cancelled, /^failed: Cancelled/, 'the view says the step was cancelled');
    const after = await t.unitStates();
    assert.deepEqual(after.map((s) => s.counter), counters, 'nothing was sent to a unit');
    assert.deepEqual(after.map((s) => hex(s.registers.currentVp)), [vp, vp]);

    // the phrase
    const second = press(el, 'button.clear-current');
    await waitFor(() => t!.consent.dialog?.isOpen, 'the typed confirmation again');
    const submit = $<HTMLButtonElement>(droot, 'button[type=submit]');
    type($<HTMLInputElement>(droot, '#phrase'), CLEAR_CURRENT_PHRASE.toLowerCase());
    await dlg.updateComplete;
    assert.isTrue(submit.disabled, 'the phrase must match exactly');
    type($<HTMLInputElement>(droot, '#phrase'), CLEAR_CURRENT_PHRASE);
    await dlg.updateComplete;
    submit.click();
    assert.match(await second, /^done:/);
    const cleared = await t.unitStates();
    assert.deepEqual(cleared.map((s) => s.registers.current), ['EMPTY', 'EMPTY']);
    assertRegisters(root, t, cleared);

    // both answers are journaled as decisions
    const decisions = (await t.store.journal.list({ instanceId: t.app.instance!.id })).filter((e) => e.kind === 'decision');
    assert.deepEqual(decisions.map((d) => d.fields?.answer), ['refused', 'accepted']);
  });

  it('a refused step shows its message and what to do; the units are untouched', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    const same = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const a = await t.addPart('copy A', same);
    const b = await t.addPart('copy B', same);
    const { el, root } = await view(t);
    tick(root, a.partId);
    tick(root, b.partId);
    await el.updateComplete;
    const before = await t.unitStates();
    const out = await press(el, 'button.load-parts');
    assert.match(out, /^failed:/);
    const err = root.querySelector('.action webtke-error')!.shadowRoot!;
    assert.equal(text(err.querySelector('.title')), 'This step cannot run now');
    assert.include(text(err.querySelector('.message')), 'the same key part was chosen twice');
    assert.isNotEmpty(text(err.querySelector('.remedy')), 'a remedy is shown');
    assert.deepEqual((await t.unitStates()).map((s) => s.counter), before.map((s) => s.counter), 'nothing was sent');
    assert.lengthOf(t.consent.wrapRequests, 0, 'no custodian was asked for a password');
  });

  it('sets immediate on a chosen unit before the re-encipher only with the typed phrase, never on every unit; then catches up', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    const vpA = await activate(t, [await t.addPart('A1'), await t.addPart('A2')]);
    for (let i = 1; i <= 3; i++) await t.app.runtime!.keys!.generate(`key ${i}`);
    const partsB = [await t.addPart('B1'), await t.addPart('B2')];
    await t.app.run({ plan: 'load-master-key', parts: partsB.map((p) => ({ holder: t!.app.partHolder, partId: p.partId })), importerCurve: 'P-256', through: 'commit' });
    const vpB = vpOfParts(partsB);
    const { el, root } = await view(t);
    assert.match(text($(root, '.next-title')), /^Re-encipher the key storage under /);
    const [u1, u2] = t.app.instance!.units.map((u) => u.id);
    const tickUnit = (id: string, on: boolean) => {
      const box = $<HTMLInputElement>(root, `#early-${id}`);
      box.checked = on;
      box.dispatchEvent(new Event('change'));
    };

    // every unit at once would leave the 3 keys unreadable: refused, with what to do instead
    tickUnit(u1, true);
    tickUnit(u2, true);
    await el.updateComplete;
    const counters = (await t.unitStates()).map((s) => s.counter);
    assert.match(await press(el, 'button.set-immediate-chosen'), /^failed:/);
    const err = root.querySelector('.action webtke-error')!.shadowRoot!;
    assert.include(text(err.querySelector('.message')), 'not re-enciphered under the new master key yet');
    assert.include(text(err.querySelector('.remedy')), 'Re-encipher the key storage first');
    assert.deepEqual((await t.unitStates()).map((s) => s.counter), counters, 'nothing was sent');
    assert.lengthOf(t.consent.confirms, 0, 'refused before asking anyone');

    // one unit: the typed phrase
    tickUnit(u2, false);
    await el.updateComplete;
    const pending = press(el, 'button.set-immediate-chosen');
    const dlg: ConfirmDialog = await waitFor(() => (t!.consent.dialog?.isOpen ? t!.consent.dialog : null), 'the typed confirmation');
    assert.include(text($(dlg.shadowRoot!, 'label[for=phrase]')), `Type ${EARLY_FINALIZE_PHRASE} to confirm`);
    type($<HTMLInputElement>(dlg.shadowRoot!, '#phrase'), EARLY_FINALIZE_PHRASE);
    await dlg.updateComplete;
    $<HTMLButtonElement>(dlg.shadowRoot!, 'button[type=submit]').click();
    assert.match(await pending, /^done:/);
    let states = await t.unitStates();
    assert.deepEqual(states.map((s) => [s.registers.current, hex(s.registers.currentVp), s.registers.next]), [['VALID', vpB, 'EMPTY'], ['VALID', vpA, 'FULL_COMMITTED']]);
    assertRegisters(root, t, states);
    assert.equal(text($(root, '.next-title')), 'Re-encipher the key storage, then finalize Unit 2');

    // the next safe action re-enciphers on Unit 2 (which still has the old key), then finalizes it
    await press(el, 'button.next-action');
    assert.equal(text($(root, '.next-title')), 'Finish the key storage rotation');
    await press(el, 'button.next-action');
    assert.equal(text($(root, '.next-title')), 'nothing pending');
    states = await t.unitStates();
    assert.deepEqual(states.map((s) => hex(s.registers.currentVp)), [vpB, vpB]);
    const records = await t.store.keyStorage.list(t.app.instance!.id);
    assert.lengthOf(records, 3);
    for (const r of records) assert.equal(r.vp.padEnd(64, '0'), vpB, 'every key is under the new master key');
  });
});
