/**
 * The Administrators view over the real app: a software administrator is created as a
 * downloadable key file that opens again with its password (through the real software
 * custodian), while the store keeps only the certificate; key part files likewise; and two
 * administrators are added to every unit and the units leave imprint mode through the engine,
 * the signatures given in the signing dialog of the shell.
 */
import { describe, it, afterEach, assert, assertRejects } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { openSignatureKeyFile, SoftKeyPartHolder, WrongPasswordError } from '../../src/custodian/soft/index.ts';
import { AppShell } from '../../src/ui/app-shell.ts';
import { CreateAdmin } from '../../src/ui/admins/create-admin.ts';
import { KeyPartFiles } from '../../src/ui/admins/key-part-files.ts';
import type { HashSource } from '../../src/ui/router.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { $, button, choose, deep, deep$, mount, setFiles, text, type, unmountAll, waitFor } from './helpers.ts';

const FAST = { insecureIterationsForTests: 1000 };
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const staticHash = (hash: string): HashSource => ({ hash, subscribe: () => () => undefined });

/** Fill and submit the create-admin form inside `root`; resolves with the offered file's text. */
async function createAdmin(root: ParentNode, name: string, password: string, curve = 'P-521'): Promise<{ fileName: string; text: string }> {
  type(deep$<HTMLInputElement>(root, '#admin-name'), name);
  choose(deep$<HTMLSelectElement>(root, '#admin-curve'), curve);
  type(deep$<HTMLInputElement>(root, '#admin-pw'), password);
  type(deep$<HTMLInputElement>(root, '#admin-pw2'), password);
  await new Promise((r) => setTimeout(r, 0));
  button(root, 'Create the administrator').click();
  const link = await waitFor(() => {
    const a = deep<HTMLAnchorElement>(root, 'a.download');
    return a && a.download.startsWith(name) ? a : null;
  }, `the file of ${name}`);
  const res = await fetch(link.href);
  const out = { fileName: link.download, text: await res.text() };
  button(root, 'I saved it').click();
  await waitFor(() => !deep(root, 'a.download'), 'the link to go');
  return out;
}

describe('ui/views: Administrators', () => {
  let started: StartedApp | undefined;
  afterEach(async () => {
    unmountAll();
    await started?.done();
    started = undefined;
  });

  it('creates a software administrator as a downloadable file that opens again with the password; only the certificate is kept', async () => {
    started = await startApp();
    const { app } = started;
    const el = await mount(new CreateAdmin(), (e) => (e.app = app));
    const root = el.shadowRoot!;

    // two different passwords: nothing is created
    type($<HTMLInputElement>(root, '#admin-name'), 'Alice');
    type($<HTMLInputElement>(root, '#admin-pw'), 'correct horse battery');
    type($<HTMLInputElement>(root, '#admin-pw2'), 'correct horse batter');
    await el.updateComplete;
    assert.include(text($(root, '#admin-pw2-hint')), 'The two passwords differ');
    $<HTMLFormElement>(root, 'form').requestSubmit();
    await new Promise((r) => setTimeout(r, 50));
    assert.isNull(el.offered);
    assert.lengthOf(await started.store.admins.list(), 0);

    const password = 'correct horse battery staple';
    type($<HTMLInputElement>(root, '#admin-pw'), 'short');
    await el.updateComplete;
    assert.include(text($(root, '#admin-pw-hint')), 'Too short', 'a strength hint as the password is typed');
    type($<HTMLInputElement>(root, '#admin-pw'), 'aaaaaaaa');
    await el.updateComplete;
    assert.include(text($(root, '#admin-pw-hint')), 'Weak');
    const file = await createAdmin(root, 'Alice', password, 'P-384');
    assert.equal(file.fileName, 'Alice.webtke-admin.json');
    assert.equal($<HTMLInputElement>(root, '#admin-pw').value, '', 'password fields emptied');
    assert.equal($<HTMLInputElement>(root, '#admin-pw2').value, '');

    // the file opens with the password, through the real software custodian (600,000 iterations)
    const signer = await openSignatureKeyFile(c, file.text, password);
    assert.equal(signer.name, 'Alice');
    assert.equal(signer.curve, 'P-384');
    await assertRejects(openSignatureKeyFile(c, file.text, 'not the password'), WrongPasswordError);

    // the directory holds the certificate and where the key lives, nothing else
    const [rec] = await started.store.admins.list();
    assert.equal(rec.ski, hex(signer.ski));
    assert.equal(hex(rec.certificate), hex(signer.certificate));
    assert.deepEqual(rec.location, { kind: 'software', fileName: 'Alice.webtke-admin.json' });
    assert.sameMembers(Object.keys(rec), ['ski', 'name', 'curve', 'certificate', 'location', 'added']);
    signer.close();
  });

  it('creates a key part file (download, VP recorded, part never stored) and lists opened part files with their VPs', async () => {
    started = await startApp({ keyFiles: FAST });
    const { app } = started;
    const el = await mount(new KeyPartFiles(), (e) => (e.app = app));
    const root = el.shadowRoot!;
    type($<HTMLInputElement>(root, '#part-description'), 'MK part 1, custodian Dave');
    $<HTMLInputElement>(root, '#part-typed').click();
    await el.updateComplete;
    const value = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
    type($<HTMLInputElement>(root, '#part-value'), value);
    type($<HTMLInputElement>(root, '#part-pw'), 'part password 1');
    type($<HTMLInputElement>(root, '#part-pw2'), 'part password 1');
    button(root, 'Create the key part file').click();
    const link = await waitFor(() => root.querySelector('webtke-download')?.shadowRoot?.querySelector<HTMLAnchorElement>('a.download'), 'the part file');
    const partText = await (await fetch(link.href)).text();
    assert.equal(link.download, 'MK-part-1-custodian-Dave.webtke-part.json');

    // VP = SHA-256(01 || part) with the last 4 bytes zero, computed here
    const part = new Uint8Array(value.match(/../g)!.map((h) => parseInt(h, 16)));
    const vp = new Uint8Array(await c.subtle.digest('SHA-256', new Uint8Array([1, ...part])));
    vp.fill(0, 28);
    const [meta] = await started.store.keyParts.list();
    assert.equal(meta.vp, hex(vp));
    assert.equal(meta.description, 'MK part 1, custodian Dave');
    assert.equal(meta.holder, `file ${link.download}`);
    assert.notInclude(JSON.stringify(meta), value, 'the part is not stored');
    assert.notInclude(partText, value, 'nor written in clear in its file');

    // the file holds that part: the custodian's holder wraps it with the password
    const holder = new SoftKeyPartHolder(c, FAST);
    const info = await holder.addFile(partText);
    assert.equal(hex(info.vp), hex(vp));

    // open it (and a second one) in the list
    setFiles($<HTMLInputElement>(root, '#part-files'), [{ name: 'dave.json', text: partText }]);
    await waitFor(() => root.querySelectorAll('table.part-list tbody tr').length === 1, 'the opened part');
    const grouped = hex(vp).toUpperCase().match(/.{4}/g)!.join(' ');
    assert.equal(text($(root, 'table.part-list .part-vp')), grouped);
    assert.deepEqual(app.partFiles.map((f) => f.description), ['MK part 1, custodian Dave']);
  });

  it('adds two new administrators to every unit, then leaves imprint mode with both signing in the dialog', async () => {
    started = await startApp({ keyFiles: FAST });
    const { app } = started;
    const shell = await mount(new AppShell(), (s) => {
      s.hashSource = staticHash('#/administrators');
      s.app = app;
    });
    await waitFor(() => app.snapshot, 'the units');
    const root = shell.shadowRoot!;
    await waitFor(() => deep(root, '#admin-name'), 'the Administrators view');
    const alice = await createAdmin(root, 'Alice', 'alice password 1', 'P-256');
    const bob = await createAdmin(root, 'Bob', 'bob password 22', 'P-521');
    assert.deepEqual(app.admins.map((a) => a.name), ['Alice', 'Bob']);

    // select both and add them (imprint mode: no signature)
    for (const a of app.admins) deep$<HTMLInputElement>(root, `#sel-${a.ski}`).click();
    await new Promise((r) => setTimeout(r, 0));
    button(root, 'Add the selected administrators to every unit').click();
    await waitFor(() => app.busy === null && app.snapshot?.units.every((u) => u.reachable && u.adminSkis.length === 2), 'both admins on both units');

    // leave imprint mode: 2 / 2, signed by both in the signing dialog
    type(deep$<HTMLInputElement>(root, '#sign-thr'), '2');
    type(deep$<HTMLInputElement>(root, '#revoke-thr'), '2');
    button(root, 'Set thresholds and leave imprint mode').click();
    const dialog = await waitFor(() => {
      const d = deep<HTMLDialogElement>(root, 'dialog[aria-labelledby="sign-title"]');
      return d?.open ? d : null;
    }, 'the signing dialog');
    const sroot = dialog.getRootNode() as ShadowRoot;
    assert.lengthOf(sroot.querySelectorAll('table.blocks tbody tr'), 2, 'one block per unit');
    for (const [who, file, pw] of [['Alice', alice, 'alice password 1'], ['Bob', bob, 'bob password 22']] as const) {
      const ski = app.admins.find((a) => a.name === who)!.ski;
      choose($<HTMLSelectElement>(sroot, '#admin'), ski);
      setFiles($<HTMLInputElement>(sroot, '#keyfile'), [{ name: file.fileName, text: file.text }]);
      type($<HTMLInputElement>(sroot, '#secret'), pw);
      $<HTMLButtonElement>(sroot, 'button[type=submit]').click();
      assert.equal($<HTMLInputElement>(sroot, '#secret').value, '');
      if (who === 'Alice') await waitFor(() => text(sroot.querySelector('legend')).includes('Signer 2 of 2'), 'the second signer');
    }
    await waitFor(() => app.busy === null && app.snapshot?.units.every((u) => u.reachable && u.mode === 'authenticated'), 'both units out of imprint mode');

    // as the units themselves say
    for (const u of app.instance!.units) {
      const client = new CryptoUnitClient({ transport: app.sim!.transport(u.id), crypto: c, pinnedRoot: u.pinnedRoot!.fingerprint });
      await client.connect();
      assert.deepEqual(await client.attributes(), { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
    }
    // the engine journaled who signed what, per unit
    const intents = (await started.store.journal.list({ instanceId: app.instance!.id })).filter((e) => e.kind === 'intent' && e.commandCode === 0x08);
    assert.lengthOf(intents, 2, 'one DOM_SET_ATTR per unit');
    for (const e of intents) assert.deepEqual(e.signers?.map((s) => s.name), ['Alice', 'Bob']);
  });
});
