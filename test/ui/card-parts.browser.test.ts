/**
 * Master key parts created on smart cards from the Administrators view's card panel, on virtual
 * cards behind memory transports (as test/ui/cards.browser.test.ts plugs them in), then loaded
 * from the Master key view's part chooser together with key part files.
 *
 * - PIV: the card has no key-part key, so the form offers to generate it (slot 9D); a wrong PIN
 *   is refused with the tries left and makes nothing (no 9D key, no part, no record); the right
 *   PIN and management key make the part. OpenPGP: the decryption key is generated with the admin
 *   PIN; a wrong PIN likewise makes nothing; a second part goes to DO 0102 with the admin PIN.
 * - The VP shown in grouped hex, and the store's key part metadata (description, VP, holder =
 *   the card), are those of the part's value obtained independently: the card wraps it to a test
 *   importer key and the envelope is opened here with @noble/curves (as the custodian tests do).
 *   The part's value is in no record of the browser's database.
 * - Loaded with a software part through the part chooser, every unit's new register has the VP
 *   of the XOR of the parts, computed here.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { MemoryTransport } from '../../src/card/transports/memory/index.ts';
import { SmartCards } from '../../src/ui/admins/smart-cards.ts';
import type { CardSession } from '../../src/ui/cards.ts';
import { MasterKeyView } from '../../src/ui/views/master-key-view.ts';
import { independentVp, newTestImporter, openEnvelopeIndependently } from '../custodian/conformance/independent-kari.ts';
import { pivRig } from '../fakes/piv/rig.ts';
import { VirtualOpenPgpCard } from '../fakes/virtual-openpgp-card.ts';
import { $, button, deepText, mount, text, type, unmountAll, waitFor, wholeDatabase } from './helpers.ts';
import { authenticate, ceremonyApp, grouped, hex, vpOfParts, type CeremonyApp, type TestPart } from './master-key-fixture.ts';

const MK = '010203040506070801020304050607080102030405060708';
const PIN = '123456';
const ADMIN_PIN = '12345678';
const WRONG_PIN = '000000';

/** The part's value, read independently: the card wraps it to a test importer, opened here. */
async function partValue(s: CardSession, partId: string): Promise<Uint8Array> {
  const importer = newTestImporter('P-256');
  const opened = openEnvelopeIndependently(importer, await s.parts.wrapForImporter(partId, importer.spki, PIN));
  if (!opened.part) throw new Error('the envelope did not open');
  return opened.part;
}

interface Panel {
  el: SmartCards;
  card: HTMLElement;
  form: HTMLFormElement;
}

async function panel(t: CeremonyApp, s: CardSession): Promise<Panel> {
  const el = await mount(new SmartCards(), (p) => (p.app = t.app));
  const card = await waitFor(() => el.shadowRoot!.querySelector<HTMLElement>(`div[data-card="${s.id}"]`), 'the card in the panel');
  await waitFor(() => !text(card.querySelector('.part-setup')).startsWith('Asking'), 'what the card needs for a part');
  return { el, card, form: $<HTMLFormElement>(card, 'form.create-card-part') };
}

/** Fill the part form as a custodian would and submit it; resolves when the panel is done. */
async function submitPart(p: Panel, s: CardSession, fields: { description?: string; pin: string; mk?: string; adminPin?: string }): Promise<void> {
  if (fields.description !== undefined) type($<HTMLInputElement>(p.form, `#part-desc-${s.id}`), fields.description);
  if (fields.mk !== undefined) type($<HTMLInputElement>(p.form, `#part-mk-${s.id}`), fields.mk);
  if (fields.adminPin !== undefined) type($<HTMLInputElement>(p.form, `#part-admin-${s.id}`), fields.adminPin);
  type($<HTMLInputElement>(p.form, `#part-pin-${s.id}`), fields.pin);
  await p.el.updateComplete;
  const b = $<HTMLButtonElement>(p.form, 'button.create-part');
  assert.isFalse(b.disabled, 'the create button is enabled');
  b.click();
  assert.equal($<HTMLInputElement>(p.form, `#part-pin-${s.id}`).value, '', 'the PIN field is emptied at once');
  await p.el.updateComplete; // the panel is busy: every card button disabled until the action ends
  const finished = (): boolean => {
    const error = p.card.querySelector('webtke-error')?.shadowRoot;
    return (p.card.querySelector('p.ok')?.textContent ?? '').trim() !== '' || (!!error && deepText(error) !== '');
  };
  await waitFor(() => !button(p.card, 'Disconnect').disabled && finished(), 'the card action to finish');
  await p.el.updateComplete;
}

/** Tick `rows` in the Master key view's part chooser (card parts read on request) and load them; returns the units' new VPs. */
async function loadThroughChooser(t: CeremonyApp, cards: CardSession[], rows: { partId: string }[]): Promise<string[]> {
  const view = await mount(new MasterKeyView(), (v) => (v.app = t.app));
  const root = view.shadowRoot!;
  await waitFor(() => root.querySelector('.next-title'), 'the next safe action');
  const chooser = root.querySelector('webtke-part-chooser')!.shadowRoot!;
  for (const s of cards) {
    button(chooser, `Read the key parts on ${s.label}`).click();
    await waitFor(() => !deepText(chooser).includes('Reading…'), `the parts on ${s.label}`);
  }
  for (const r of rows) {
    const box = await waitFor(() => chooser.querySelector<HTMLInputElement>(`tr[data-part="${r.partId}"] input[type=checkbox]`), `the row of ${r.partId}`);
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  }
  await view.updateComplete;
  const load = $<HTMLButtonElement>(root, 'button.load-parts');
  assert.isFalse(load.disabled, `${rows.length} parts chosen`);
  load.click();
  const done = await waitFor(() => {
    const a = root.querySelector('.action');
    return a && a.getAttribute('data-state') !== 'running' ? a : null;
  }, 'the load', 120_000);
  assert.equal(done.getAttribute('data-state'), 'done', deepText(done));
  return (await t.unitStates()).map((s) => hex(s.registers.newVp));
}

describe('ui: key parts created on smart cards', () => {
  let t: CeremonyApp | undefined;
  afterEach(async () => {
    unmountAll();
    await t?.done();
    t = undefined;
  });

  it('PIV: the key-part key generated, a wrong PIN makes nothing, the part\'s VP and record; loaded with a file part', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    const rig = await pivRig();
    const s = await t.app.cards.connect(rig.transport, 'piv');
    const p = await panel(t, s);
    assert.include(text($(p.card, '.part-setup')), 'no key-part key (slot 9D) yet');
    assert.isTrue($<HTMLInputElement>(p.form, `#part-prepare-${s.id}`).checked, 'generating it is offered');
    assert.equal(text($(p.card, '.pin-state')), '3 tries left');

    // a wrong PIN: refused with the tries left; nothing on the card, nothing recorded
    await submitPart(p, s, { description: 'MK part 1, custodian Dave (PIV)', mk: MK, pin: WRONG_PIN });
    assert.include(deepText(p.card), '2 tries left before the card blocks the PIN');
    await waitFor(() => text(p.card.querySelector('.pin-state')) === '2 tries left', 'the tries shown');
    assert.isUndefined(rig.card.object(0x5fc120), 'no key-part key was made');
    assert.lengthOf(await s.parts.parts(), 0, 'no part on the card');
    assert.lengthOf(await t.store.keyParts.list(), 0, 'nothing recorded');
    assert.isNull(p.card.querySelector('.created-vp'));

    // the right PIN: the key-part key, then the part
    await submitPart(p, s, { mk: MK, pin: PIN });
    const vpShown = text(await waitFor(() => p.card.querySelector('.created-vp'), 'the new part\'s VP'));
    assert.equal(text($(p.card, '.pin-state')), '3 tries left', 'the right PIN resets the counter');
    assert.isDefined(rig.card.object(0x5fc120), 'the key-part key is recorded');
    const [listed] = await s.parts.parts();
    assert.equal(listed.description, 'MK part 1, custodian Dave (PIV)');
    const value = await partValue(s, listed.id);
    const vp = hex(independentVp(value));
    assert.equal(vpShown, grouped(vp), 'the VP shown is the VP of the part on the card, in groups of four');
    const records = await t.store.keyParts.list();
    assert.deepEqual(records.map((r) => ({ description: r.description, vp: r.vp, holder: r.holder })),
      [{ description: 'MK part 1, custodian Dave (PIV)', vp, holder: 'PIV card 12345678' }]);
    assert.notInclude((await wholeDatabase(t.idb)).toLowerCase(), hex(value), 'the part is in no record');
    assert.include(text($(p.card, '.part-setup')), 'holds the key-part key in slot 9D (P-384)');

    // loaded with a key part file through the Master key view's chooser
    const file = await t.addPart('MK part 2, custodian Erin (file)');
    t.parts.push({ partId: listed.id, description: listed.description, value, password: PIN });
    const newVps = await loadThroughChooser(t, [s], [{ partId: listed.id }, { partId: file.partId }]);
    const expected = vpOfParts([file, { value } as TestPart]);
    assert.deepEqual(newVps, [expected, expected], 'every unit loaded VP(card part XOR file part), computed here');
    await t.app.cards.disconnect(s.id);
  });

  it('OpenPGP: the decryption key generated with the admin PIN, a wrong PIN makes nothing, a second part in DO 0102; both loaded with a file part', async () => {
    t = await ceremonyApp();
    await authenticate(t, 1, 1);
    const vcard = new VirtualOpenPgpCard();
    const s = await t.app.cards.connect(new MemoryTransport(vcard.handle, { name: 'Virtual OpenPGP card' }), 'openpgp');
    assert.equal(s.applet, 'openpgp');
    const p = await panel(t, s);
    assert.include(text($(p.card, '.part-setup')), 'no decryption key yet');
    assert.isNotNull(p.form.querySelector(`#part-admin-${s.id}`), 'the admin PIN is asked for');
    assert.isNull(p.form.querySelector(`#part-mk-${s.id}`), 'no management key on OpenPGP cards');

    await submitPart(p, s, { description: 'MK part 1, custodian Dave (OpenPGP)', adminPin: ADMIN_PIN, pin: WRONG_PIN });
    assert.include(deepText(p.card), '2 tries left');
    await waitFor(() => text(p.card.querySelector('.pin-state')) === '2 tries left', 'the tries shown');
    assert.isUndefined(vcard.publicPoint('decryption'), 'no decryption key was made');
    assert.lengthOf(vcard.privateDo(0x0101), 0, 'no part on the card');
    assert.lengthOf(await t.store.keyParts.list(), 0);

    await submitPart(p, s, { adminPin: ADMIN_PIN, pin: PIN });
    const vp1Shown = text(await waitFor(() => p.card.querySelector('.created-vp'), 'the first part\'s VP'));
    assert.isDefined(vcard.publicPoint('decryption'));
    await waitFor(() => text(p.card.querySelector('.part-setup')).includes('holds the card\'s decryption key'), 'the card ready');
    assert.isNotNull(p.form.querySelector(`#part-admin-${s.id}`), 'the second slot is written with the admin PIN');

    await submitPart(p, s, { description: 'MK part 3, custodian Frank (OpenPGP)', adminPin: ADMIN_PIN, pin: PIN });
    const vp3Shown = text(await waitFor(() => (text(p.card.querySelector('.created-description')).includes('Frank') ? p.card.querySelector('.created-vp') : null), 'the second part\'s VP'));
    assert.isAbove(vcard.privateDo(0x0102).length, 0, 'the second part went to DO 0102');

    const listed = await s.parts.parts();
    assert.deepEqual(listed.map((x) => x.id.slice(-4)), ['0101', '0102']);
    const values = [await partValue(s, listed[0].id), await partValue(s, listed[1].id)];
    const vps = values.map((v) => hex(independentVp(v)));
    assert.deepEqual([vp1Shown, vp3Shown], vps.map(grouped), 'each VP shown is that of the part on the card');
    const label = s.label;
    assert.deepEqual((await t.store.keyParts.list()).map((r) => ({ description: r.description, vp: r.vp, holder: r.holder })), [
      { description: 'MK part 1, custodian Dave (OpenPGP)', vp: vps[0], holder: label },
      { description: 'MK part 3, custodian Frank (OpenPGP)', vp: vps[1], holder: label },
    ]);
    const db = (await wholeDatabase(t.idb)).toLowerCase();
    for (const v of values) assert.notInclude(db, hex(v), 'the part is in no record');

    const file = await t.addPart('MK part 2, custodian Erin (file)');
    listed.forEach((x, i) => t!.parts.push({ partId: x.id, description: x.description, value: values[i], password: PIN }));
    const newVps = await loadThroughChooser(t, [s], [{ partId: listed[0].id }, { partId: file.partId }, { partId: listed[1].id }]);
    const expected = vpOfParts([{ value: values[0] } as TestPart, file, { value: values[1] } as TestPart]);
    assert.deepEqual(newVps, [expected, expected], 'every unit loaded VP(part 1 XOR file part XOR part 3), computed here');
    await t.app.cards.disconnect(s.id);
  });
});
