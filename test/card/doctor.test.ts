import { describe, it, assert } from '../harness.ts';
import {
  CardAccessError,
  cardAccessErrorFrom,
  classifyWebUsbError,
  diagnoseCardAccess,
  isWebUsbBlocklisted,
  platformOf,
  type CardAccessReport,
  type Finding,
  type FindingCode,
  type UsbLike,
} from '../../src/card/doctor.ts';
import { TransportError } from '../../src/card/transport-errors.ts';
import { DEVICES, UA, chromeIwa, chromePage, noWebUsbBrowser } from '../fakes/browser-env.ts';
import { FakeSmartCard, recordingCard } from '../fakes/web-smart-card.ts';

const ALL_CODES: FindingCode[] = [
  'software-card-available', 'webusb-unsupported', 'webusb-insecure-context', 'webusb-policy-blocked',
  'webusb-needs-user-gesture', 'webusb-protected-class', 'webusb-device-blocklisted', 'webusb-held-by-os-driver',
  'webusb-os-access-denied', 'webusb-device-disconnected', 'webusb-no-device-selected', 'webusb-no-reader-granted',
  'webusb-unrestricted-missing', 'webusb-ccid-ready', 'webusb-error', 'smartcard-needs-isolated-app',
  'smartcard-unsupported', 'smartcard-available', 'smartcard-no-readers', 'smartcard-no-service',
  'smartcard-not-allowed', 'smartcard-error',
];

// Compile-time check: the real navigator.usb satisfies the doctor's UsbLike.
export const realUsbFits = (u: USB): UsbLike => u;

function codes(r: CardAccessReport): FindingCode[] {
  return r.findings.map((f) => f.code);
}

function find(r: CardAccessReport, code: FindingCode): Finding {
  const f = r.findings.find((x) => x.code === code);
  assert.isDefined(f, `finding ${code} in [${codes(r).join(', ')}]`);
  return f!;
}

/** Every report: well-formed findings, no duplicates, blockers first, software card always there. */
function checkWellFormed(r: CardAccessReport): void {
  const keys = r.findings.map((f) => `${f.code}|${f.device ?? ''}`);
  assert.equal(new Set(keys).size, keys.length, `duplicates in ${keys.join(', ')}`);
  for (const f of r.findings) {
    assert.include(ALL_CODES, f.code);
    assert.isAbove(f.title.trim().length, 5, `${f.code} title`);
    assert.isAbove(f.explanation.trim().length, 20, `${f.code} explanation`);
    assert.isAbove(f.remedy.trim().length, 10, `${f.code} remedy`);
  }
  const order = { blocker: 0, warning: 1, info: 2, ok: 3 };
  for (let i = 1; i < r.findings.length; i++) {
    assert.isAtMost(order[r.findings[i - 1].severity], order[r.findings[i].severity], 'sorted by severity');
  }
  assert.equal(r.routes['software-card'], 'available');
  assert.include(codes(r), 'software-card-available');
}

const ATR = Uint8Array.of(0x3b, 0x8c, 0x80, 0x01);

describe('card doctor: browser situations', () => {
  it('Firefox: no WebUSB, no Web Smart Card; the software card is the way', async () => {
    const r = await diagnoseCardAccess(noWebUsbBrowser(UA.firefoxLinux));
    checkWellFormed(r);
    assert.sameMembers(codes(r), ['webusb-unsupported', 'smartcard-needs-isolated-app', 'software-card-available']);
    const f = find(r, 'webusb-unsupported');
    assert.equal(f.severity, 'blocker');
    assert.include(f.explanation, 'Firefox');
    assert.match(f.remedy, /software card/);
    assert.match(f.remedy, /Chrome/);
    assert.deepEqual(r.routes, { 'webusb-ccid': 'blocked', 'web-smart-card': 'blocked', 'software-card': 'available' });
    assert.equal(r.recommended, 'software-card');
  });

  it('Safari: named in the explanation', async () => {
    const r = await diagnoseCardAccess(noWebUsbBrowser(UA.safariMac));
    checkWellFormed(r);
    assert.include(find(r, 'webusb-unsupported').explanation, 'Safari');
    assert.equal(r.recommended, 'software-card');
  });

  it('Chrome over plain http: WebUSB missing because the page is not secure', async () => {
    const r = await diagnoseCardAccess({ userAgent: UA.chromeLinux, secureContext: false });
    checkWellFormed(r);
    assert.include(codes(r), 'webusb-insecure-context');
    assert.notInclude(codes(r), 'webusb-unsupported');
  });

  it('Chrome page + CCID reader: claimInterface refused for the protected class, IWA route offered', async () => {
    const { env, usb } = chromePage();
    const reader = usb.grant(DEVICES.omnikey);
    const r = await diagnoseCardAccess({ ...env, probe: true });
    checkWellFormed(r);
    const f = find(r, 'webusb-protected-class');
    assert.equal(f.severity, 'blocker');
    assert.include(f.device!, '076b:3031');
    assert.match(f.remedy, /Isolated Web App/);
    assert.match(f.remedy, /software card/);
    assert.equal(codes(r).filter((c) => c === 'webusb-protected-class').length, 1, 'general finding merged into the device one');
    assert.deepEqual(reader.calls, ['open', 'selectConfiguration 1', 'claimInterface 0', 'close'], 'the probe tried and cleaned up');
    assert.isFalse(reader.opened);
    assert.equal(r.routes['webusb-ccid'], 'blocked');
    assert.equal(r.recommended, 'software-card');
  });

  it('Chrome page without probing: the same rule predicted, no device touched', async () => {
    const { env, usb } = chromePage();
    const reader = usb.grant(DEVICES.omnikey);
    const r = await diagnoseCardAccess(env);
    checkWellFormed(r);
    assert.equal(find(r, 'webusb-protected-class').severity, 'blocker');
    assert.deepEqual(reader.calls, []);
  });

  it('Chrome page + YubiKey: blocklisted, the IWA route offered', async () => {
    const { env, usb } = chromePage();
    const yk = usb.grant(DEVICES.yubikey5);
    // Chrome hides blocklisted devices from getDevices(): the doctor can only know through devices passed in.
    assert.deepEqual(await usb.getDevices(), []);
    const r = await diagnoseCardAccess({ ...env, devices: [yk], probe: true });
    checkWellFormed(r);
    const f = find(r, 'webusb-device-blocklisted');
    assert.equal(f.severity, 'blocker');
    assert.include(f.device!, '1050:0407');
    assert.match(f.remedy, /Isolated Web App/);
    assert.include(codes(r), 'webusb-protected-class');
    assert.equal(r.routes['webusb-ccid'], 'blocked');
  });

  it('Chrome IWA on Linux: pcscd holds the reader (NetworkError), stop it or use Web Smart Card', async () => {
    const { env, usb } = chromeIwa(UA.chromeLinux, { heldByOs: new Set(['1050:0407']) });
    const yk = usb.grant(DEVICES.yubikey5);
    const r = await diagnoseCardAccess({ ...env, probe: true });
    checkWellFormed(r);
    const f = find(r, 'webusb-held-by-os-driver');
    assert.equal(f.severity, 'blocker');
    assert.include(f.remedy, 'systemctl stop pcscd.socket pcscd');
    assert.match(f.remedy, /Web Smart Card/);
    assert.notInclude(codes(r), 'webusb-device-blocklisted', 'the blocklist does not apply to the IWA');
    assert.notInclude(codes(r), 'webusb-ccid-ready');
    assert.equal(r.routes['webusb-ccid'], 'blocked');
    assert.isFalse(yk.opened);
  });

  it('Chrome IWA on Windows: the driver cannot be detached', async () => {
    const { env, usb } = chromeIwa(UA.chromeWindows, { heldByOs: new Set(['076b:3031']) });
    usb.grant(DEVICES.omnikey);
    const r = await diagnoseCardAccess({ ...env, probe: true });
    checkWellFormed(r);
    const f = find(r, 'webusb-held-by-os-driver');
    assert.include(f.explanation, 'usbccid.sys');
    assert.match(f.explanation, /cannot detach/);
    assert.notInclude(f.remedy, 'systemctl');
  });

  it('Chrome IWA, reader free: CCID over WebUSB works and is recommended', async () => {
    const { env, usb } = chromeIwa();
    const nk = usb.grant(DEVICES.nitrokey3);
    usb.grant(DEVICES.mouse);
    const r = await diagnoseCardAccess({ ...env, probe: true });
    checkWellFormed(r);
    const f = find(r, 'webusb-ccid-ready');
    assert.equal(f.severity, 'ok');
    assert.include(f.device!, 'Nitrokey 3');
    assert.deepEqual(nk.calls, ['open', 'selectConfiguration 1', 'claimInterface 0', 'releaseInterface 0', 'close']);
    assert.equal(r.routes['webusb-ccid'], 'available');
    assert.equal(r.recommended, 'webusb-ccid');
    assert.notInclude(codes(r), 'webusb-protected-class');
  });

  it('Chrome IWA before any reader was chosen: ready, with a hint to choose one', async () => {
    const { env } = chromeIwa();
    const r = await diagnoseCardAccess(env);
    checkWellFormed(r);
    assert.include(codes(r), 'webusb-no-reader-granted');
    assert.equal(find(r, 'webusb-ccid-ready').severity, 'ok');
    assert.equal(r.routes['webusb-ccid'], 'available');
  });

  it('an installed app without usb-unrestricted is told so', async () => {
    const { env } = chromeIwa();
    const r = await diagnoseCardAccess({ ...env, allowsFeature: (f) => f === 'usb' });
    checkWellFormed(r);
    assert.include(codes(r), 'webusb-unrestricted-missing');
    assert.include(codes(r), 'webusb-protected-class');
    assert.equal(r.routes['webusb-ccid'], 'blocked');
  });

  it('a page whose permissions policy forbids "usb"', async () => {
    const { env } = chromePage();
    const r = await diagnoseCardAccess({ ...env, allowsFeature: () => false });
    checkWellFormed(r);
    assert.include(codes(r), 'webusb-policy-blocked');
  });

  it('ChromeOS IWA with navigator.smartCard: Web Smart Card available and recommended', async () => {
    const { env } = chromeIwa(UA.chromeOS);
    const sc = new FakeSmartCard();
    sc.addReader('Yubico YubiKey OTP+FIDO+CCID 00 00', recordingCard(ATR));
    sc.addReader('OMNIKEY 3x21 01 00');
    const r = await diagnoseCardAccess({ ...env, smartCard: sc });
    checkWellFormed(r);
    const f = find(r, 'smartcard-available');
    assert.equal(f.severity, 'ok');
    assert.include(f.explanation, '2 readers');
    assert.include(f.explanation, '1 with a card');
    assert.equal(r.routes['web-smart-card'], 'available');
    assert.equal(r.recommended, 'web-smart-card');
  });

  it('navigator.smartCard present but the PC/SC service is down, or no reader', async () => {
    const { env } = chromeIwa(UA.chromeLinux);
    const sc = new FakeSmartCard();
    sc.failNext('establishContext', 'no-service');
    const r = await diagnoseCardAccess({ ...env, smartCard: sc });
    checkWellFormed(r);
    const f = find(r, 'smartcard-no-service');
    assert.equal(f.severity, 'blocker');
    assert.include(f.remedy, 'systemctl start pcscd');
    const r2 = await diagnoseCardAccess({ ...env, smartCard: new FakeSmartCard() });
    checkWellFormed(r2);
    assert.include(codes(r2), 'smartcard-no-readers');
    assert.equal(r2.routes['web-smart-card'], 'unknown');
    const sc3 = new FakeSmartCard();
    sc3.failNext('establishContext', new DOMException('smart-card is disallowed by permissions policy', 'SecurityError'));
    assert.include(codes(await diagnoseCardAccess({ ...env, smartCard: sc3 })), 'smartcard-not-allowed');
  });

  it('isolated context without navigator.smartCard vs an ordinary page', async () => {
    const iwa = await diagnoseCardAccess(chromeIwa(UA.chromeWindows).env);
    checkWellFormed(iwa);
    assert.include(codes(iwa), 'smartcard-unsupported');
    const page = await diagnoseCardAccess(chromePage(UA.chromeWindows).env);
    checkWellFormed(page);
    const f = find(page, 'smartcard-needs-isolated-app');
    assert.match(f.remedy, /Isolated Web App/);
    assert.equal(page.routes['web-smart-card'], 'blocked');
  });
});

describe('card doctor: classifying WebUSB errors', () => {
  const dom = (name: string, message: string): DOMException => new DOMException(message, name);
  const yk = { vendorId: 0x1050, productId: 0x0407, productName: 'YubiKey OTP+FIDO+CCID' };
  const reader = { vendorId: 0x076b, productId: 0x3031, productName: 'OMNIKEY 3x21' };

  const cases: Array<[string, unknown, Parameters<typeof classifyWebUsbError>[1], FindingCode]> = [
    ['protected class', dom('SecurityError', "Failed to execute 'claimInterface' on 'USBDevice': The requested interface implements a protected class."), { operation: 'claimInterface', device: reader, interfaceClass: 0x0b }, 'webusb-protected-class'],
    ['held by pcscd', dom('NetworkError', "Failed to execute 'claimInterface' on 'USBDevice': Unable to claim interface."), { operation: 'claimInterface', device: reader, isolatedContext: true, userAgent: UA.chromeLinux }, 'webusb-held-by-os-driver'],
    ['blocklisted on open', dom('SecurityError', 'Access denied.'), { operation: 'open', device: yk }, 'webusb-device-blocklisted'],
    ['udev permission', dom('SecurityError', 'Access denied.'), { operation: 'open', device: reader, isolatedContext: true, userAgent: UA.chromeLinux }, 'webusb-os-access-denied'],
    ['chooser closed', dom('NotFoundError', 'No device selected.'), { operation: 'requestDevice' }, 'webusb-no-device-selected'],
    ['chooser closed, YubiKey wanted', dom('NotFoundError', 'No device selected.'), { operation: 'requestDevice', filters: [{ vendorId: 0x1050 }] }, 'webusb-device-blocklisted'],
    ['no user gesture', dom('SecurityError', "Failed to execute 'requestDevice' on 'USB': Must be handling a user gesture to show a permission request."), { operation: 'requestDevice' }, 'webusb-needs-user-gesture'],
    ['permissions policy', dom('SecurityError', 'Access to the feature "usb" is disallowed by permissions policy.'), { operation: 'requestDevice' }, 'webusb-policy-blocked'],
    ['unplugged', dom('NotFoundError', 'The device was disconnected.'), { operation: 'transfer', device: reader }, 'webusb-device-disconnected'],
    ['other', new TypeError('something odd'), { operation: 'transfer' }, 'webusb-error'],
  ];

  for (const [label, error, ctx, code] of cases) {
    it(`${label} -> ${code}`, () => {
      const f = classifyWebUsbError(error, ctx);
      assert.equal(f.code, code);
      assert.isAbove(f.remedy.length, 10);
      assert.equal(f.route, 'webusb-ccid');
    });
  }

  it('the blocklist does not apply inside the IWA', () => {
    const f = classifyWebUsbError(dom('NotFoundError', 'No device selected.'), { operation: 'requestDevice', filters: [{ vendorId: 0x1050 }], isolatedContext: true });
    assert.equal(f.code, 'webusb-no-device-selected');
  });

  it('CardAccessError carries the finding as a TransportError with its remedy', () => {
    const raw = dom('NetworkError', 'Unable to claim interface.');
    const e = cardAccessErrorFrom(raw, { operation: 'claimInterface', userAgent: UA.chromeWindows });
    assert.instanceOf(e, CardAccessError);
    assert.instanceOf(e, TransportError);
    assert.equal(e.finding.code, 'webusb-held-by-os-driver');
    assert.equal(e.remedy, e.finding.remedy);
    assert.strictEqual((e as { cause?: unknown }).cause, raw);
  });

  it('blocklist and user-agent reading', () => {
    assert.isTrue(isWebUsbBlocklisted(0x1050, 0x0407));
    assert.isTrue(isWebUsbBlocklisted(0x20a0, 0x4287), 'Nitrokey FIDO U2F');
    assert.isFalse(isWebUsbBlocklisted(0x20a0, 0x42b2), 'Nitrokey 3 is not on the list');
    assert.isFalse(isWebUsbBlocklisted(0x076b, 0x3031));
    assert.deepEqual(platformOf(UA.firefoxLinux), { browser: 'Firefox', chromium: false, os: 'linux' });
    assert.deepEqual(platformOf(UA.safariMac), { browser: 'Safari', chromium: false, os: 'macos' });
    assert.deepEqual(platformOf(UA.chromeWindows), { browser: 'Chrome', chromium: true, os: 'windows' });
    assert.deepEqual(platformOf(UA.chromeOS), { browser: 'Chrome', chromium: true, os: 'chromeos' });
  });
});
