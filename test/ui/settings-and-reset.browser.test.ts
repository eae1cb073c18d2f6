/**
 * Settings and the simulation's lifecycle over the real app: the pinned roots are listed and can
 * be forgotten (typed confirmation, journaled, pinned again on the next connect); resetting the
 * simulation (typed confirmation with the instance name) starts empty units under a new root
 * and drops the old units' saved state; and every control of the app's views has a name.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { AppShell } from '../../src/ui/app-shell.ts';
import type { HashSource } from '../../src/ui/router.ts';
import { createTestAdmin } from '../fakes/test-admins.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { $, button, deep, deep$, mount, text, type, unmountAll, waitFor } from './helpers.ts';

function hashSource(initial: string): HashSource & { set(h: string): void } {
  const listeners = new Set<() => void>();
  const s = {
    hash: initial,
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    go(h: string) {
      s.set(h);
    },
    set(h: string) {
      s.hash = h;
      listeners.forEach((l) => l());
    },
  };
  return s;
}

/** Answer the open confirmation dialog of the shell by typing its phrase. */
async function confirmTyping(shell: AppShell): Promise<string> {
  const dialog = await waitFor(() => {
    const d = deep<HTMLDialogElement>(shell.shadowRoot!, 'dialog[aria-labelledby="confirm-title"]');
    return d?.open ? d : null;
  }, 'the confirmation');
  const root = dialog.getRootNode() as ShadowRoot;
  const phrase = text($(root, '.phrase'));
  const confirm = $<HTMLButtonElement>(root, 'button[type=submit]');
  assert.isTrue(confirm.disabled, 'disabled until the phrase is typed');
  type($<HTMLInputElement>(root, '#phrase'), phrase);
  await new Promise((r) => setTimeout(r, 0));
  await (root.host as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
  confirm.click();
  return phrase;
}

describe('ui: settings, simulation reset, labelled controls', () => {
  let started: StartedApp | undefined;
  afterEach(async () => {
    unmountAll();
    await started?.done();
    started = undefined;
  });

  it('resets the simulation after the instance name is typed: new root, empty units, old state gone', async () => {
    started = await startApp();
    const { app, store } = started;
    const shell = await mount(new AppShell(), (s) => {
      s.hashSource = hashSource('#/instance');
      s.app = app;
    });
    await waitFor(() => app.snapshot, 'the units');
    const old = app.instance!;
    const oldRoot = old.units[0].pinnedRoot?.fingerprint ?? app.instances[0].units[0].pinnedRoot!.fingerprint;
    const client = new CryptoUnitClient({ transport: app.sim!.transport(old.units[0].id), crypto: c });
    await client.connect();
    await client.addAdmin((await createTestAdmin(c, 'Alice')).certificate);

    button(shell.shadowRoot!, 'Reset the simulation…').click();
    const phrase = await confirmTyping(shell);
    assert.equal(phrase, old.name);
    await waitFor(() => app.instance && app.instance.id !== old.id && app.snapshot && app.simStatus === 'ready', 'the new units');

    const inst = app.instance!;
    assert.equal(inst.name, old.name);
    assert.deepEqual(inst.units.map((u) => u.label), old.units.map((u) => u.label));
    assert.isTrue(app.simReady!.created);
    assert.isUndefined(await store.instances.get(old.id), 'the old instance is gone');
    assert.deepEqual(await store.simState.slots(old.id), [], 'with its saved units');
    for (const u of app.snapshot!.units) {
      assert.isTrue(u.reachable);
      if (!u.reachable) continue;
      assert.deepEqual(u.adminSkis, []);
      assert.equal(u.counter, 0n);
      assert.notEqual(u.identity.rootFingerprint, oldRoot, 'a new simulated host, a new root');
    }
    const notes = (await store.journal.list()).filter((e) => e.kind === 'note' && /reset/.test(e.text ?? ''));
    assert.isAtLeast(notes.length, 2, 'the reset is journaled on both sides');
  });

  it('lists the pinned roots and forgets one (typed confirmation, journaled); the next connect pins it again', async () => {
    started = await startApp();
    const { app, store } = started;
    const shell = await mount(new AppShell(), (s) => {
      s.hashSource = hashSource('#/settings');
      s.app = app;
    });
    await waitFor(() => app.snapshot, 'the units');
    const inst = app.instance!;
    const fp = (await store.instances.get(inst.id))!.units[0].pinnedRoot!.fingerprint;
    const table = await waitFor(() => deep(shell.shadowRoot!, 'table.pinned-roots'), 'the roots table');
    assert.lengthOf(table.querySelectorAll('tbody tr'), 2);
    assert.equal(text(table.querySelector('tbody tr .fingerprint')), fp);
    assert.include(text(deep$(shell.shadowRoot!, '.no-secrets')), 'never stores a secret');

    deep$<HTMLButtonElement>(shell.shadowRoot!, `button[aria-label="Forget the root of ${inst.units[0].label} in ${inst.name}"]`).click();
    await confirmTyping(shell);
    await waitFor(async () => (await store.journal.list()).some((e) => e.kind === 'note' && (e.text ?? '').includes('forgotten')), 'the journal note');
    // the runtime reconnects and pins the same (simulated) root again on first use
    await waitFor(() => app.snapshot && app.firstUse.some((f) => f.unitId === inst.units[0].id), 'the first use again');
    assert.equal((await store.instances.get(inst.id))!.units[0].pinnedRoot?.fingerprint, fp);
  });

  it('every form control of the Instance, Administrators and Settings views has a name', async () => {
    started = await startApp();
    const { app } = started;
    const hs = hashSource('#/instance');
    const shell = await mount(new AppShell(), (s) => {
      s.hashSource = hs;
      s.app = app;
    });
    await waitFor(() => app.snapshot, 'the units');
    for (const view of ['#/instance', '#/administrators', '#/settings']) {
      hs.set(view);
      await shell.updateComplete;
      const v = shell.shadowRoot!.querySelector('main')!.firstElementChild as HTMLElement & { updateComplete: Promise<unknown> };
      await v.updateComplete;
      await new Promise((r) => setTimeout(r, 100));
      const controls: Element[] = [];
      const walk = (root: ParentNode): void => {
        root.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true));
        root.querySelectorAll('input, select, textarea, button, a[href]').forEach((el) => controls.push(el));
        root.querySelectorAll('*').forEach((el) => el.shadowRoot && walk(el.shadowRoot));
      };
      walk(v.shadowRoot!);
      await new Promise((r) => setTimeout(r, 50));
      assert.isAbove(controls.length, 3, view);
      for (const el of controls) {
        const labelled =
          (el as HTMLInputElement).labels?.length ||
          el.getAttribute('aria-label') ||
          el.getAttribute('aria-labelledby') ||
          ((el.tagName === 'BUTTON' || el.tagName === 'A') && text(el) !== '');
        assert.ok(labelled, `${view}: ${el.tagName.toLowerCase()}#${el.id || '?'}.${el.className} has no name`);
      }
    }
  });
});
