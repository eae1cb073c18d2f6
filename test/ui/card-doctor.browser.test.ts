/**
 * The card doctor's findings rendered for fake browsers (test/fakes/browser-env.ts applies
 * Chrome's WebUSB rules): a Chrome page with a YubiKey granted, Firefox, and the installed app
 * whose reader the OS holds. Every finding of the report is shown with its title, explanation,
 * remedy and code; the routes table says what works here.
 */
import { describe, it, afterEach, assert } from '../harness.ts';
import { diagnoseCardAccess, type CardAccessReport, type DoctorEnv } from '../../src/card/doctor.ts';
import { CardDoctor } from '../../src/ui/admins/card-doctor.ts';
import { chromeIwa, chromePage, DEVICES, noWebUsbBrowser, UA } from '../fakes/browser-env.ts';
import { mount, text, unmountAll, waitFor } from './helpers.ts';

async function render(env: DoctorEnv): Promise<{ root: ShadowRoot; report: CardAccessReport }> {
  const report = await diagnoseCardAccess(env);
  const el = await mount(new CardDoctor(), (d) => (d.diagnose = () => diagnoseCardAccess(env)));
  await waitFor(() => el.shadowRoot!.querySelector('ul.findings'), 'the findings');
  await el.updateComplete;
  return { root: el.shadowRoot!, report };
}

function shown(root: ShadowRoot) {
  return [...root.querySelectorAll('ul.findings > li')].map((li) => ({
    code: li.getAttribute('data-code'),
    severity: li.getAttribute('data-severity'),
    title: text(li.querySelector('.finding-title')),
    explanation: text(li.querySelector('.explanation')),
    remedy: text(li.querySelector('.remedy')),
    device: li.querySelector('.device') ? text(li.querySelector('.device')) : undefined,
  }));
}

const routeText = (root: ShadowRoot, route: string): string => text(root.querySelector(`tr[data-route="${route}"] .route-status`));

describe('ui/admins: card doctor findings', () => {
  afterEach(() => unmountAll());

  it('Chrome page with a YubiKey: protected class and blocklist explained, software card recommended', async () => {
    const { env, usb } = chromePage(UA.chromeLinux);
    usb.grant(DEVICES.yubikey5);
    usb.grant(DEVICES.omnikey);
    const { root, report } = await render(env);
    const list = shown(root);
    assert.deepEqual(list.map((f) => f.code), report.findings.map((f) => f.code), 'every finding, in the report\'s order');
    for (let i = 0; i < list.length; i++) {
      assert.equal(list[i].title, report.findings[i].title);
      assert.equal(list[i].explanation, report.findings[i].explanation);
      assert.equal(list[i].remedy, report.findings[i].remedy);
      assert.equal(list[i].severity, report.findings[i].severity);
      assert.isNotEmpty(list[i].remedy, 'never without a remedy');
    }
    const codes = list.map((f) => f.code);
    assert.include(codes, 'webusb-protected-class');
    assert.include(codes, 'software-card-available');
    assert.include(codes, 'smartcard-needs-isolated-app');
    assert.match(routeText(root, 'webusb-ccid'), /not available here/);
    assert.match(routeText(root, 'software-card'), /works here \(recommended\)/);
    assert.include(text(root.querySelector('li[data-code="webusb-protected-class"] .code')), 'webusb-protected-class');
  });

  it('Firefox: no WebUSB, and the software card works', async () => {
    const { root } = await render(noWebUsbBrowser(UA.firefoxLinux));
    const list = shown(root);
    const usb = list.find((f) => f.code === 'webusb-unsupported')!;
    assert.equal(usb.severity, 'blocker');
    assert.include(usb.explanation, 'Firefox');
    assert.include(usb.remedy, 'software card');
    assert.equal(list.find((f) => f.code === 'software-card-available')?.severity, 'ok');
  });

  it('the installed app with a reader held by pcscd: the device is named with the Linux remedy', async () => {
    const { env, usb } = chromeIwa(UA.chromeLinux, { heldByOs: new Set(['076b:3031']) });
    usb.grant(DEVICES.omnikey);
    const { root } = await render({ ...env, probe: true });
    const held = shown(root).find((f) => f.code === 'webusb-held-by-os-driver');
    assert.isDefined(held, 'held by the OS driver');
    assert.include(held!.device ?? '', 'OMNIKEY');
    assert.include(held!.remedy, 'pcscd');
  });

  it('"Check again" runs the doctor again', async () => {
    let runs = 0;
    const env = noWebUsbBrowser(UA.safariMac);
    const el = await mount(new CardDoctor(), (d) => (d.diagnose = () => (runs++, diagnoseCardAccess(env))));
    await waitFor(() => el.shadowRoot!.querySelector('ul.findings'), 'the findings');
    [...el.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Check again')!.click();
    await waitFor(() => runs === 2, 'a second run');
  });
});
