/**
 * Importing an IBM TKE CLI signature key file (made in the test from WebCrypto and a hand-built
 * SEC1 key, test/custodian/soft/tke-fixture.ts): with "re-save" the key comes back as a webtke
 * file under the new password, for the same SKI; without it the directory records the IBM file;
 * a wrong password and an RSA-era file are explained.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { openSignatureKeyFile } from '../../src/custodian/soft/index.ts';
import { OpenKeyFile } from '../../src/ui/admins/open-key-file.ts';
import { makeTkeFile } from '../custodian/soft/tke-fixture.ts';
import { c, startApp, type StartedApp } from './app-fixture.ts';
import { $, button, deepText, mount, setFiles, text, type, unmountAll, waitFor } from './helpers.ts';

const FAST = { insecureIterationsForTests: 1000 };
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

describe('ui/admins: IBM TKE key files', () => {
  let started: StartedApp | undefined;
  afterEach(async () => {
    unmountAll();
    await started?.done();
    started = undefined;
  });

  it('imports and re-saves in the webtke format: the new file opens with the new password, same SKI', async () => {
    started = await startApp({ keyFiles: FAST });
    const { app } = started;
    const ibm = await makeTkeFile({ password: 'ibm password' });
    const el = await mount(new OpenKeyFile(), (e) => (e.app = app));
    const root = el.shadowRoot!;
    assert.isTrue($<HTMLInputElement>(root, '#ibm-resave').checked, 're-saving is offered by default');

    // a wrong password first
    setFiles($<HTMLInputElement>(root, '#ibm-file'), [{ name: 'admin1.json', text: ibm.text }]);
    type($<HTMLInputElement>(root, '#ibm-pw'), 'not it');
    type($<HTMLInputElement>(root, '#ibm-new-pw'), 'new webtke password');
    type($<HTMLInputElement>(root, '#ibm-new-pw2'), 'new webtke password');
    button(root, 'Import').click();
    await waitFor(() => deepText(root).includes('Wrong password'), 'the wrong-password message');
    assert.equal($<HTMLInputElement>(root, '#ibm-pw').value, '', 'password fields emptied');
    assert.lengthOf(app.admins, 0);

    type($<HTMLInputElement>(root, '#ibm-pw'), 'ibm password');
    type($<HTMLInputElement>(root, '#ibm-name'), 'Dana');
    type($<HTMLInputElement>(root, '#ibm-new-pw'), 'new webtke password');
    type($<HTMLInputElement>(root, '#ibm-new-pw2'), 'new webtke password');
    button(root, 'Import').click();
    const link = await waitFor(() => root.querySelector('webtke-download')?.shadowRoot?.querySelector<HTMLAnchorElement>('a.download'), 'the re-saved file');
    assert.equal(link.download, 'Dana.webtke-admin.json');
    const signer = await openSignatureKeyFile(c, await (await fetch(link.href)).text(), 'new webtke password', FAST);
    assert.equal(hex(signer.ski), hex(ibm.ski), 'the same key: units know it by this SKI');
    assert.equal(signer.name, 'Dana');
    signer.close();
    const rec = app.admins.find((a) => a.ski === hex(ibm.ski))!;
    assert.deepEqual(rec.location, { kind: 'software', fileName: 'Dana.webtke-admin.json' });
    assert.include(text($(root, '.import-ibm .ok')), 're-saved the key in the webtke format');
  });

  it('imports without re-saving (the directory names the IBM file), and explains RSA-era files', async () => {
    started = await startApp({ keyFiles: FAST });
    const { app } = started;
    const el = await mount(new OpenKeyFile(), (e) => (e.app = app));
    const root = el.shadowRoot!;
    $<HTMLInputElement>(root, '#ibm-resave').click();
    await el.updateComplete;
    assert.isNull(root.querySelector('#ibm-new-pw'), 'no new password asked');

    const rsa = await makeTkeFile({ password: 'pw', keyType: null });
    setFiles($<HTMLInputElement>(root, '#ibm-file'), [{ name: 'old.json', text: rsa.text }]);
    type($<HTMLInputElement>(root, '#ibm-pw'), 'pw');
    button(root, 'Import').click();
    await waitFor(() => deepText(root).includes('RSA keys are not supported'), 'the RSA explanation');

    const ibm = await makeTkeFile({ password: 'ibm password' });
    setFiles($<HTMLInputElement>(root, '#ibm-file'), [{ name: 'admin2.json', text: ibm.text }]);
    type($<HTMLInputElement>(root, '#ibm-pw'), 'ibm password');
    button(root, 'Import').click();
    await waitFor(() => app.admins.length === 1, 'the imported admin');
    assert.deepEqual(app.admins[0].location, { kind: 'ibm-import', fileName: 'admin2.json' });
    assert.equal(app.admins[0].ski, hex(ibm.ski));
    assert.match(app.admins[0].name, /^IBM TKE [0-9A-F]{8}$/, 'named after its SKI when no name is given');
    assert.include(text($(root, '.import-ibm .ok')), 'consider re-saving');
  });
});
