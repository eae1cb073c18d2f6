/**
 * Card custodians in the app, on a virtual PIV card behind a memory transport: the card is
 * listed with its PIN tries, an administrator key is created on it from the Administrators
 * view (the key never leaves the card; the directory records the card), and it signs a step in
 * the signing dialog with PIN entry: a wrong PIN shows the tries left, the right one signs, and
 * the units leave imprint mode.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { ConsentElement } from '../../src/ui/consent/consent-host.ts';
import { SmartCards } from '../../src/ui/admins/smart-cards.ts';
import { pivRig } from '../fakes/piv/rig.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { $, button, choose, deepText, mount, text, type, unmountAll, waitFor } from './helpers.ts';

const MK = '010203040506070801020304050607080102030405060708';
const PIN = '123456';

describe('ui: smart card custodians (virtual PIV card)', () => {
  let started: StartedApp | undefined;
  afterEach(async () => {
    unmountAll();
    await started?.done();
    started = undefined;
  });

  it('creates an admin key on the card, and the card signs in the dialog after a wrong PIN', async () => {
    started = await startApp();
    const { app } = started;
    const rig = await pivRig();
    const consent = await mount(new ConsentElement(), (el) => (el.app = app));
    app.consent.host = consent;
    const panel = await mount(new SmartCards(), (el) => (el.app = app));
    const root = panel.shadowRoot!;

    const session = await app.cards.connect(rig.transport, 'piv');
    assert.equal(session.label, 'PIV card 12345678');
    await waitFor(() => root.querySelector(`div[data-card="${session.id}"]`), 'the card in the list');
    await waitFor(() => text(root.querySelector('.pin-state')) === '3 tries left', 'the PIN tries, asked of the card');

    // create the admin key on the card
    const card = $(root, `div[data-card="${session.id}"]`);
    type($<HTMLInputElement>(card, `#name-${session.id}`), 'Carol');
    choose($<HTMLSelectElement>(card, `#curve-${session.id}`), 'P-256');
    await panel.updateComplete;
    type($<HTMLInputElement>(card, `#second-${session.id}`), MK);
    type($<HTMLInputElement>(card, `#pin-${session.id}`), PIN);
    await panel.updateComplete;
    button(root, 'Create the administrator key on the card').click();
    await waitFor(() => app.admins.some((a) => a.name === 'Carol'), 'Carol in the directory');
    assert.equal($<HTMLInputElement>(card, `#pin-${session.id}`).value, '', 'PIN field emptied');
    const carol = app.admins.find((a) => a.name === 'Carol')!;
    assert.deepEqual(carol.location, { kind: 'card', card: 'piv', serial: '12345678' });
    assert.equal(carol.curve, 'P-256');

    // Carol on every unit (imprint mode: unsigned), then thresholds 1/1 signed by the card
    await waitFor(() => app.snapshot, 'the units');
    await app.run({ plan: 'add-admins', certificates: [carol.certificate] });
    const running = app.run({ plan: 'set-thresholds', sign: 1, revoke: 1 });
    const signing = consent.shadowRoot!.querySelector('webtke-signing-dialog')!;
    const sroot = signing.shadowRoot!;
    await waitFor(() => sroot.querySelector('dialog')?.open, 'the signing dialog');
    await waitFor(() => ($<HTMLInputElement>(sroot, '#src-card').checked ? text(sroot.querySelector('#pin-state')).includes('3') : false), 'the card chosen, with its tries');
    assert.equal(text($(sroot, '#pin-state')), 'Tries left before the PIN blocks: 3.');

    type($<HTMLInputElement>(sroot, '#secret'), '000000');
    $<HTMLButtonElement>(sroot, 'button[type=submit]').click();
    assert.equal($<HTMLInputElement>(sroot, '#secret').value, '');
    await waitFor(() => deepText(sroot).includes('2 tries left before the card blocks the PIN'), 'the wrong-PIN message');
    await waitFor(() => text(sroot.querySelector('#pin-state')) === 'Tries left before the PIN blocks: 2.', 'the tries updated');

    type($<HTMLInputElement>(sroot, '#secret'), PIN);
    $<HTMLButtonElement>(sroot, 'button[type=submit]').click();
    await running;
    for (const u of app.instance!.units) {
      const client = new CryptoUnitClient({ transport: app.sim!.transport(u.id), crypto: c, pinnedRoot: u.pinnedRoot!.fingerprint });
      await client.connect();
      assert.deepEqual(await client.attributes(), { signThreshold: 1, revokeThreshold: 1, mode: 'authenticated' });
    }
    await app.cards.disconnect(session.id);
  });
});
