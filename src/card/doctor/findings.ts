/**
 * The doctor's findings, worded once here. Each builder takes the platform (to pick the
 * operating system's words) and, where it applies, the device the finding is about.
 */
import type { Platform } from './platform.ts';
import type { Finding, FindingCode } from './types.ts';

const IWA = 'the installed webtke app (Isolated Web App, see “Installing the webtke app”)';
const SOFTWARE = 'Meanwhile the software card (password-protected key files) works in every browser.';

function f(code: FindingCode, route: Finding['route'], severity: Finding['severity'], title: string, explanation: string, remedy: string, device?: string): Finding {
  return device === undefined ? { code, route, severity, title, explanation, remedy } : { code, route, severity, title, explanation, remedy, device };
}

const on = (device?: string): string => (device ? ` (${device})` : '');

export function softwareCardAvailable(): Finding {
  return f(
    'software-card-available',
    'software-card',
    'ok',
    'The software card works here',
    'Admin signature keys and key parts can be kept in password-protected files that you hold. This needs nothing but the browser, and works in every browser.',
    'Choose “Software card” to open or create your key files.',
  );
}

export function webUsbUnsupported(p: Platform): Finding {
  const who =
    p.os === 'ios'
      ? 'Browsers on iPhone and iPad'
      : p.browser === 'this browser'
        ? 'This browser'
        : p.browser;
  return f(
    'webusb-unsupported',
    'webusb-ccid',
    'blocker',
    'This browser cannot reach USB card readers',
    `${who} ${p.os === 'ios' ? 'have' : 'has'} no WebUSB, the browser feature webtke uses to talk to a smart-card reader or YubiKey directly. Firefox and Safari do not offer WebUSB.`,
    `Use the software card, which works in every browser. To use a smart card, open webtke in Chrome, Edge or Chromium on a desktop computer, as ${IWA}.`,
  );
}

export function webUsbInsecureContext(): Finding {
  return f(
    'webusb-insecure-context',
    'webusb-ccid',
    'blocker',
    'USB access needs a secure page',
    'The browser offers WebUSB only on pages served over HTTPS (or from localhost, a file, or an installed app). This page is not one of them.',
    `Open webtke from an https:// address, from the single-file build on disk, or as ${IWA}. ${SOFTWARE}`,
  );
}

export function webUsbPolicyBlocked(): Finding {
  return f(
    'webusb-policy-blocked',
    'webusb-ccid',
    'blocker',
    'USB access is switched off for this page',
    'The page’s permissions policy (or an administrator policy) does not allow the “usb” feature, so the browser refuses every USB request here.',
    `Open webtke directly, not inside another page, or as ${IWA}; if your organisation manages the browser, ask its administrator to allow WebUSB for webtke. ${SOFTWARE}`,
  );
}

export function webUsbNeedsUserGesture(): Finding {
  return f(
    'webusb-needs-user-gesture',
    'webusb-ccid',
    'info',
    'Choose the reader from a button',
    'The browser shows its device chooser only right after a click or key press, and this request came without one.',
    'Press “Choose reader” again.',
  );
}

export function webUsbProtectedClass(device?: string): Finding {
  return f(
    'webusb-protected-class',
    'webusb-ccid',
    'blocker',
    'Chrome does not let web pages use smart-card readers',
    `Chrome refuses ordinary web pages access to the smart-card function of a USB device (USB class 0x0B, a “protected class”: “The requested interface implements a protected class”), so the reader${on(device)} cannot be used from this page. This is a fixed browser rule, not a fault of the reader.`,
    `Install and use ${IWA}: it has the “usb-unrestricted” permission and may drive smart-card readers itself. ${SOFTWARE}`,
    device,
  );
}

export function webUsbDeviceBlocklisted(device?: string): Finding {
  return f(
    'webusb-device-blocklisted',
    'webusb-ccid',
    'blocker',
    'Chrome hides this security key from web pages',
    `${device ? `${device} is` : 'Security keys such as YubiKeys are'} on Chrome’s WebUSB blocklist: web pages cannot open ${device ? 'it' : 'them'}, and ${device ? 'it does' : 'they do'} not even appear in the browser’s device chooser.`,
    `Use ${IWA}: the blocklist does not apply to it. ${SOFTWARE}`,
    device,
  );
}

export function webUsbHeldByOsDriver(p: Platform, device?: string): Finding {
  let explanation: string;
  let remedy: string;
  switch (p.os) {
    case 'windows':
      explanation = `Windows’ smart-card driver (usbccid.sys) owns the reader${on(device)}, and a browser cannot detach a Windows driver, so WebUSB cannot claim it.`;
      remedy =
        'On Windows use the Web Smart Card route of the installed webtke app where Chrome offers it, or the software card. ' +
        '(Replacing the driver with WinUSB, for example with Zadig, would make WebUSB work but takes the reader away from every other Windows program; do it only on a dedicated ceremony computer.)';
      break;
    case 'macos':
      explanation = `macOS’s built-in smart-card service holds the reader${on(device)}, so WebUSB cannot claim it (“Unable to claim interface”).`;
      remedy = `Use the Web Smart Card route of the installed webtke app where Chrome offers it, which goes through the system’s smart-card service instead of around it. ${SOFTWARE}`;
      break;
    case 'linux':
    case 'chromeos':
      explanation = `The system’s smart-card service (pcscd) holds the reader${on(device)}, so WebUSB cannot claim it (“Unable to claim interface”).`;
      remedy =
        'Stop pcscd while you use webtke: run `sudo systemctl stop pcscd.socket pcscd` (afterwards `sudo systemctl start pcscd.socket`), then choose the reader again. ' +
        'Or use the Web Smart Card route of the installed webtke app where Chrome offers it, which talks to pcscd instead of around it. The software card always works.';
      break;
    default:
      explanation = `Another driver or program of the operating system holds the reader${on(device)}, so WebUSB cannot claim it (“Unable to claim interface”).`;
      remedy = `Stop the system’s smart-card service while you use webtke (on Linux: \`sudo systemctl stop pcscd.socket pcscd\`), or use the Web Smart Card route of the installed webtke app. ${SOFTWARE}`;
  }
  return f('webusb-held-by-os-driver', 'webusb-ccid', 'blocker', 'The operating system is using the reader', explanation, remedy, device);
}

export function webUsbOsAccessDenied(p: Platform, device?: string): Finding {
  if (p.os === 'windows') {
    // On Windows WebUSB opens only devices bound to WinUSB; a reader with the Windows
    // smart-card driver fails to open for the same reason it cannot be claimed.
    return { ...webUsbHeldByOsDriver(p, device), code: 'webusb-os-access-denied' };
  }
  const linux = p.os === 'linux' || p.os === 'unknown';
  return f(
    'webusb-os-access-denied',
    'webusb-ccid',
    'blocker',
    'The operating system does not let the browser open the reader',
    `Opening the USB device${on(device)} was refused by the operating system${linux ? ': your user has no permission on its /dev/bus/usb node' : ''}.`,
    linux
      ? 'Give your user access with a udev rule, for example a file /etc/udev/rules.d/70-webtke.rules containing `SUBSYSTEM=="usb", ATTR{idVendor}=="1050", TAG+="uaccess"` (use your reader’s vendor ID), then run `sudo udevadm control --reload && sudo udevadm trigger` and plug the reader in again. The software card always works.'
      : `Close other programs that may hold the reader, plug it in again and retry. ${SOFTWARE}`,
    device,
  );
}

export function webUsbDeviceDisconnected(device?: string): Finding {
  return f(
    'webusb-device-disconnected',
    'webusb-ccid',
    'warning',
    'The reader was unplugged',
    `The USB device${on(device)} went away while webtke was using it.`,
    'Plug the reader in again and choose it again.',
    device,
  );
}

export function webUsbNoDeviceSelected(): Finding {
  return f(
    'webusb-no-device-selected',
    'webusb-ccid',
    'info',
    'No reader was chosen',
    'The browser’s device chooser was closed without a choice. If your reader or YubiKey was not in the list: Chrome hides security keys such as YubiKeys from web pages (its WebUSB blocklist), and a reader that is not plugged in cannot appear.',
    `Plug in the reader and choose it; for a YubiKey use ${IWA}. ${SOFTWARE}`,
  );
}

export function webUsbNoReaderGranted(): Finding {
  return f(
    'webusb-no-reader-granted',
    'webusb-ccid',
    'info',
    'No reader chosen yet',
    'webtke has not been given a USB reader yet; the browser asks you to choose one the first time.',
    'Plug in the reader or YubiKey, press “Choose reader” and pick it from the list.',
  );
}

export function webUsbUnrestrictedMissing(): Finding {
  return f(
    'webusb-unrestricted-missing',
    'webusb-ccid',
    'blocker',
    'This app version may not use smart-card readers over USB',
    'webtke runs as an installed app, but without the “usb-unrestricted” permission (its manifest or this Chrome version does not grant it), so the smart-card class and YubiKeys stay blocked.',
    `Install the current webtke bundle (built with \`npm run build:iwa\`) in an up-to-date Chrome. ${SOFTWARE}`,
  );
}

export function webUsbCcidReady(probed: boolean, device?: string): Finding {
  return f(
    'webusb-ccid-ready',
    'webusb-ccid',
    'ok',
    probed ? 'The reader can be used over USB' : 'Smart-card readers can be used over USB here',
    probed
      ? `webtke claimed the smart-card interface of ${device ?? 'the reader'} and released it again: CCID over WebUSB works.`
      : 'This is the installed webtke app with unrestricted USB access: webtke drives smart-card readers itself (CCID over WebUSB), YubiKeys included.',
    probed ? 'Use this reader.' : 'Plug in the reader or YubiKey and choose it when asked.',
    device,
  );
}

export function webUsbError(message: string, device?: string): Finding {
  return f(
    'webusb-error',
    'webusb-ccid',
    'warning',
    'The reader could not be used over USB',
    `The browser reported: ${message || 'an unknown error'}.`,
    `Unplug the reader, plug it in again and retry. ${SOFTWARE}`,
    device,
  );
}

export function smartCardNeedsIsolatedApp(p: Platform): Finding {
  return f(
    'smartcard-needs-isolated-app',
    'web-smart-card',
    'blocker',
    'The Web Smart Card route needs the installed app',
    `The Web Smart Card API, which lets webtke use readers through the operating system’s own smart-card service, exists only in Isolated Web Apps${p.chromium ? '' : ' in Chrome'}; Chrome offers it first on ChromeOS. This page is not such an app.`,
    `Install and use ${IWA}${p.os === 'chromeos' ? '' : ' (on ChromeOS, or a Chrome version that offers the API on your system)'}. ${SOFTWARE}`,
  );
}

export function smartCardUnsupported(p: Platform): Finding {
  return f(
    'smartcard-unsupported',
    'web-smart-card',
    'blocker',
    'This Chrome does not offer the Web Smart Card API',
    `Even as an installed app, navigator.smartCard is missing here${p.os === 'chromeos' ? ' (this ChromeOS version is too old or the feature is switched off)' : ': Chrome offers it first on ChromeOS'}.`,
    p.os === 'chromeos'
      ? 'Update ChromeOS; use USB (CCID) access or the software card meanwhile.'
      : 'Use the USB (CCID) route of the installed app instead, or the software card.',
  );
}

export function smartCardAvailable(readers: string[], withCard: number): Finding {
  return f(
    'smartcard-available',
    'web-smart-card',
    'ok',
    'Smart cards work through the system’s smart-card service',
    `The Web Smart Card API is available and sees ${readers.length === 1 ? `the reader “${readers[0]}”` : `${readers.length} readers`}${withCard > 0 ? `, ${withCard} with a card in it` : ', none with a card in it yet'}.`,
    withCard > 0 ? 'Choose the reader with your card.' : 'Insert your card or YubiKey, then choose its reader.',
  );
}

export function smartCardNoReaders(): Finding {
  return f(
    'smartcard-no-readers',
    'web-smart-card',
    'warning',
    'No smart-card reader found',
    'The system’s smart-card service is running but reports no reader.',
    'Plug in the reader or YubiKey (with its smart-card function enabled), then check again.',
  );
}

export function smartCardNoService(p: Platform): Finding {
  const how =
    p.os === 'windows'
      ? 'start the “Smart Card” service (SCardSvr) in services.msc'
      : p.os === 'linux'
        ? 'run `sudo systemctl start pcscd.socket pcscd`'
        : 'unplug the reader and plug it in again (the service starts with it)';
  return f(
    'smartcard-no-service',
    'web-smart-card',
    'blocker',
    'The system’s smart-card service is not running',
    'The Web Smart Card API works through the operating system’s smart-card service (pcscd, SCardSvr), and it did not answer.',
    `To start it, ${how}, then check again. The software card always works.`,
  );
}

export function smartCardNotAllowed(): Finding {
  return f(
    'smartcard-not-allowed',
    'web-smart-card',
    'blocker',
    'Smart-card access is not allowed',
    'The browser refused smart-card access: the permission was declined, or the app’s permissions policy lacks “smart-card”.',
    'Allow smart-card access for webtke in the site settings of the installed app, or reinstall the current webtke bundle. The software card always works.',
  );
}

export function smartCardError(message: string): Finding {
  return f(
    'smartcard-error',
    'web-smart-card',
    'warning',
    'The smart-card service reported a problem',
    `The Web Smart Card API reported: ${message || 'an unknown error'}.`,
    'Unplug the reader, plug it in again and check again. The software card always works.',
  );
}
