/**
 * The Instance view over the real app: a store in IndexedDB and the simulation worker with its
 * default 2 units. What the table shows is compared with what independent unit clients (over
 * the same worker, pinned to the stored roots) read from the units; a change made behind the
 * app's back shows as a difference after a refresh; the next safe action runs through the
 * engine; the units come back unchanged after a "reload".
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { CryptoUnitClient, type UnitState } from '../../src/cryptounit/client.ts';
import type { InstanceRecord } from '../../src/store/index.ts';
import type { AppModel } from '../../src/ui/app-model.ts';
import { InstanceView } from '../../src/ui/views/instance-view.ts';
import { createTestAdmin } from '../fakes/test-admins.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { $, mount, text, unmountAll, waitFor } from './helpers.ts';

async function independentStates(app: AppModel, inst: InstanceRecord): Promise<{ clients: CryptoUnitClient[]; states: UnitState[] }> {
  const clients: CryptoUnitClient[] = [];
  const states: UnitState[] = [];
  for (const u of inst.units) {
    const client = new CryptoUnitClient({ transport: app.sim!.transport(u.id), crypto: c, pinnedRoot: u.pinnedRoot!.fingerprint });
    await client.connect();
    clients.push(client);
    states.push(await client.state());
  }
  return { clients, states };
}

function row(root: ShadowRoot, unitId: string): Element {
  const r = root.querySelector(`tr[data-unit="${unitId}"]`);
  if (!r) throw new Error(`no row for unit ${unitId}`);
  return r;
}

function assertRowMatches(root: ShadowRoot, unitId: string, s: UnitState): void {
  const r = row(root, unitId);
  const cell = (sel: string): string => text(r.querySelector(sel));
  assert.equal(cell('.mode'), s.attributes.mode);
  assert.equal(cell('.counter'), s.counter.toString());
  assert.equal(cell('.thresholds'), `${s.attributes.signThreshold} / ${s.attributes.revokeThreshold}`);
  assert.equal(cell('.admin-count'), String(s.admins.length));
  if (s.admins.length) assert.equal(cell('.admin-names'), s.admins.map((a) => a.name).join(', '));
  assert.equal(cell('.current-state'), s.registers.current);
  assert.equal(cell('.new-state'), s.registers.next === 'EMPTY' ? 'EMPTY' : s.registers.next.replace('_', ' '));
  assert.equal(cell('.fingerprint'), s.identity.rootFingerprint);
}

describe('ui/views: Instance over the simulation worker', () => {
  let started: StartedApp | undefined;
  afterEach(async () => {
    unmountAll();
    await started?.done();
    started = undefined;
  });

  it('shows the default 2 simulated units as the units themselves report them, labelled as a simulation', async () => {
    started = await startApp();
    const { app } = started;
    const view = await mount(new InstanceView(), (v) => (v.app = app));
    const root = view.shadowRoot!;
    await waitFor(() => root.querySelectorAll('table.unit-table tbody tr').length === 2, 'two unit rows');
    assert.equal(app.instance?.kind, 'simulated');
    assert.lengthOf(app.instance!.units, 2, 'the default instance has 2 units');
    assert.equal(text($(root, '.sim-label')), 'Simulation — not a security boundary');
    assert.equal(text($(root, 'h2')), 'Instance');

    // the roots were pinned on first use, into the store, and shown
    const inst = (await started.store.instances.get(app.instance!.id))!;
    for (const u of inst.units) assert.match(u.pinnedRoot?.fingerprint ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.include(text($(root, '.first-use')), inst.units[0].pinnedRoot!.fingerprint);

    const { states } = await independentStates(app, inst);
    inst.units.forEach((u, i) => assertRowMatches(root, u.id, states[i]));
    assert.equal(states[0].identity.rootFingerprint, states[1].identity.rootFingerprint, 'one simulated host');
    assert.include(text($(root, '#next-title')), 'Add administrators');
  });

  it('highlights a unit that lacks an administrator and runs the engine\'s next safe action to catch it up', async () => {
    started = await startApp();
    const { app } = started;
    const view = await mount(new InstanceView(), (v) => (v.app = app));
    const root = view.shadowRoot!;
    await waitFor(() => app.snapshot, 'the first snapshot');
    const inst = app.instance!;
    const { clients } = await independentStates(app, inst);
    const alice = await createTestAdmin(c, 'Alice');
    await clients[0].addAdmin(alice.certificate); // behind the app's back, on unit 1 only

    await app.refresh();
    await view.updateComplete;
    const [u1, u2] = inst.units.map((u) => u.id);
    assert.equal(text(row(root, u1).querySelector('.admin-count')), '1');
    assert.equal(text(row(root, u1).querySelector('.admin-names')), 'Alice', 'the name comes from the certificate on the unit');
    const lacking = row(root, u2).querySelector('td[data-field="admins"]')!;
    assert.isTrue(lacking.classList.contains('incomplete'), 'unit 2 is highlighted in its admins column');
    assert.equal(text(lacking.querySelector('.badge')), 'behind', 'with words, not only colour');
    assert.isFalse(row(root, u1).querySelector('td[data-field="admins"]')!.classList.contains('incomplete'));
    assert.include(text(root.querySelector('ul.findings')), 'lack administrators');

    const button = $<HTMLButtonElement>(root, 'button.next-action');
    button.click();
    await waitFor(() => app.busy === null && app.snapshot && app.next?.kind !== 'add-admins', 'the catch-up to finish', 60_000);
    await view.updateComplete;
    const after = await independentStates(app, inst);
    assert.deepEqual(after.states.map((s) => s.admins.map((a) => a.name)), [['Alice'], ['Alice']]);
    inst.units.forEach((u, i) => assertRowMatches(root, u.id, after.states[i]));
    assert.isNull(root.querySelector('td.incomplete, td.drift'), 'no difference left');
  });

  it('keeps the units across a reload: same root, counter and administrators', async () => {
    started = await startApp();
    const first = started.app;
    await waitFor(() => first.snapshot, 'the first snapshot');
    const inst = first.instance!;
    const { clients } = await independentStates(first, inst);
    await clients[1].addAdmin((await createTestAdmin(c, 'Bob')).certificate);
    const before = await clients[1].state();
    first.dispose();

    const second = await started.reload();
    assert.equal(second.instance?.id, inst.id, 'the same instance is current');
    await waitFor(() => second.simStatus === 'ready' && second.snapshot, 'the restored units');
    assert.isFalse(second.simReady!.created, 'restored, not created');
    const view = await mount(new InstanceView(), (v) => (v.app = second));
    const again = await independentStates(second, inst);
    assert.equal(again.states[1].counter, before.counter);
    assertRowMatches(view.shadowRoot!, inst.units[1].id, again.states[1]);
    assert.equal(text(row(view.shadowRoot!, inst.units[1].id).querySelector('.admin-names')), 'Bob');
  });
});
