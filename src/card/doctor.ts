/**
 * Card doctor: which ways to the custodians' keys work in this browser right now, and for the
 * others, why not and what the user can do (DESIGN §4 "Browser reality").
 *
 *   - software card: always works;
 *   - WebUSB + CCID (webtke drives the reader): needs WebUSB (Chromium browsers only) and, for
 *     smart-card readers, the installed webtke app (Isolated Web App with "usb-unrestricted"),
 *     because Chrome protects USB class 0x0B and blocklists YubiKeys for ordinary pages; and the
 *     operating system must not hold the reader (pcscd, usbccid.sys);
 *   - Web Smart Card (the OS smart-card service drives the reader): navigator.smartCard, which
 *     Chrome exposes only to Isolated Web Apps (ChromeOS first).
 *
 * Everything is passed in (DoctorEnv); nothing is read from globals. Devices are only touched
 * when `probe` is set, and then only opened, claimed and released at once.
 */
import {
  smartCardAvailable,
  smartCardError,
  smartCardNeedsIsolatedApp,
  smartCardNoReaders,
  smartCardNoService,
  smartCardNotAllowed,
  smartCardUnsupported,
  softwareCardAvailable,
  webUsbCcidReady,
  webUsbDeviceBlocklisted,
  webUsbError,
  webUsbInsecureContext,
  webUsbNoReaderGranted,
  webUsbPolicyBlocked,
  webUsbProtectedClass,
  webUsbUnrestrictedMissing,
  webUsbUnsupported,
} from './doctor/findings.ts';
import { classifyWebUsbError, describeDevice } from './doctor/classify.ts';
import { platformOf } from './doctor/platform.ts';
import type {
  CardAccessReport,
  CardRoute,
  DoctorEnv,
  Finding,
  RouteStatus,
  Severity,
  UsbDeviceLike,
  UsbInterfaceLike,
  WebUsbFailureContext,
} from './doctor/types.ts';
import { USB_CLASS_SMART_CARD, isWebUsbBlocklisted } from './doctor/usb-blocklist.ts';
import { SmartCardPermissionError, SmartCardServiceError } from './transports/web-smart-card/errors.ts';
import { listSmartCardReaders } from './transports/web-smart-card/list.ts';

export type {
  CardAccessReport,
  CardRoute,
  DoctorEnv,
  Finding,
  FindingCode,
  RouteStatus,
  Severity,
  UsbAlternateLike,
  UsbConfigurationLike,
  UsbDeviceLike,
  UsbInterfaceLike,
  UsbLike,
  WebUsbFailureContext,
} from './doctor/types.ts';
export { CardAccessError, cardAccessErrorFrom, classifyWebUsbError, describeDevice } from './doctor/classify.ts';
export { isWebUsbBlocklisted, WEBUSB_BLOCKLIST, USB_CLASS_SMART_CARD, YUBICO_VENDOR_ID } from './doctor/usb-blocklist.ts';
export { platformOf, type Platform } from './doctor/platform.ts';

const SEVERITY_ORDER: Record<Severity, number> = { blocker: 0, warning: 1, info: 2, ok: 3 };

/** The smart-card (class 0x0B) interfaces of a device, in its active or first configuration. */
export function smartCardInterfaces(d: UsbDeviceLike): UsbInterfaceLike[] {
  const ifaces = d.configuration?.interfaces ?? d.configurations.flatMap((c) => c.interfaces);
  return ifaces.filter((i) => i.alternates.some((a) => a.interfaceClass === USB_CLASS_SMART_CARD));
}

/** Open, claim and release the smart-card interface once; ready on success, else the classified failure. */
async function probeDevice(d: UsbDeviceLike, iface: UsbInterfaceLike, env: DoctorEnv): Promise<Finding> {
  let operation: WebUsbFailureContext['operation'] = 'open';
  let openedHere = false;
  try {
    if (!d.opened) {
      await d.open();
      openedHere = true;
    }
    if (!d.configuration && d.configurations.length > 0) {
      operation = 'selectConfiguration';
      await d.selectConfiguration(d.configurations[0].configurationValue);
    }
    operation = 'claimInterface';
    await d.claimInterface(iface.interfaceNumber);
    await d.releaseInterface(iface.interfaceNumber).catch(() => undefined);
    return webUsbCcidReady(true, describeDevice(d));
  } catch (e) {
    return classifyWebUsbError(e, {
      operation,
      device: d,
      interfaceClass: USB_CLASS_SMART_CARD,
      isolatedContext: env.isolatedContext === true,
      userAgent: env.userAgent,
    });
  } finally {
    if (openedHere) await d.close().catch(() => undefined);
  }
}

async function diagnoseWebUsb(env: DoctorEnv): Promise<Finding[]> {
  const p = platformOf(env.userAgent);
  const usb = env.usb;
  if (!usb) return [env.secureContext === false && p.chromium ? webUsbInsecureContext() : webUsbUnsupported(p)];
  const allows = (feature: string): boolean => {
    if (!env.allowsFeature) return true;
    try {
      return env.allowsFeature(feature);
    } catch {
      return true;
    }
  };
  if (!allows('usb')) return [webUsbPolicyBlocked()];

  const out: Finding[] = [];
  const isolated = env.isolatedContext === true;
  const unrestricted = isolated && allows('usb-unrestricted');
  if (isolated && !unrestricted) out.push(webUsbUnrestrictedMissing());
  // Every CCID reader has a class 0x0B interface: in an ordinary page Chrome refuses them all.
  if (!unrestricted) out.push(webUsbProtectedClass());

  let devices: UsbDeviceLike[];
  try {
    devices = env.devices ?? (await usb.getDevices());
  } catch (e) {
    out.push(webUsbError(e instanceof Error ? e.message : String(e)));
    devices = [];
  }
  let probedOk = false;
  for (const d of devices) {
    if (!unrestricted && isWebUsbBlocklisted(d.vendorId, d.productId)) out.push(webUsbDeviceBlocklisted(describeDevice(d)));
    const ifaces = smartCardInterfaces(d);
    if (ifaces.length === 0 || !env.probe) continue;
    const f = await probeDevice(d, ifaces[0], env);
    if (f.severity === 'ok') probedOk = true;
    out.push(f);
  }
  if (unrestricted && !probedOk) {
    if (devices.every((d) => smartCardInterfaces(d).length === 0)) out.push(webUsbNoReaderGranted());
    if (!out.some((f) => f.severity === 'blocker')) out.push(webUsbCcidReady(false));
  }
  return out;
}

async function diagnoseWebSmartCard(env: DoctorEnv): Promise<Finding[]> {
  const p = platformOf(env.userAgent);
  if (!env.smartCard) return [env.isolatedContext === true ? smartCardUnsupported(p) : smartCardNeedsIsolatedApp(p)];
  try {
    const readers = await listSmartCardReaders(env.smartCard);
    if (readers.length === 0) return [smartCardNoReaders()];
    return [smartCardAvailable(readers.map((r) => r.name), readers.filter((r) => r.cardPresent).length)];
  } catch (e) {
    if (e instanceof SmartCardServiceError) return [smartCardNoService(p)];
    if (e instanceof SmartCardPermissionError) return [smartCardNotAllowed()];
    return [smartCardError(e instanceof Error ? e.message : String(e))];
  }
}

/** Drop repeats, and a general finding when the same finding exists for a named device. */
function dedupe(findings: Finding[]): Finding[] {
  const withDevice = new Set(findings.filter((f) => f.device !== undefined).map((f) => f.code));
  const seen = new Set<string>();
  return findings.filter((f) => {
    if (f.device === undefined && withDevice.has(f.code)) return false;
    const key = `${f.code}|${f.device ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Summarise findings per route. */
export function routeStatuses(findings: readonly Finding[]): Record<CardRoute, RouteStatus> {
  const status = (route: CardRoute): RouteStatus => {
    const mine = findings.filter((f) => f.route === route);
    if (mine.some((f) => f.severity === 'blocker')) return 'blocked';
    if (mine.some((f) => f.severity === 'ok')) return 'available';
    return 'unknown';
  };
  return { 'webusb-ccid': status('webusb-ccid'), 'web-smart-card': status('web-smart-card'), 'software-card': status('software-card') };
}

/** Examine the environment and report which card routes work here, and why the others do not. */
export async function diagnoseCardAccess(env: DoctorEnv): Promise<CardAccessReport> {
  const [usb, sc] = await Promise.all([diagnoseWebUsb(env), diagnoseWebSmartCard(env)]);
  const findings = dedupe([...usb, ...sc, softwareCardAvailable()])
    .map((f, i) => [f, i] as const)
    .sort((a, b) => SEVERITY_ORDER[a[0].severity] - SEVERITY_ORDER[b[0].severity] || a[1] - b[1])
    .map(([f]) => f);
  const routes = routeStatuses(findings);
  const recommended: CardRoute =
    routes['web-smart-card'] === 'available' ? 'web-smart-card' : routes['webusb-ccid'] === 'available' ? 'webusb-ccid' : 'software-card';
  return { findings, routes, recommended };
}
