/**
 * Fake browsers for the card doctor: a WebUSB that applies Chrome's rules (protected class 0x0B
 * and the device blocklist for ordinary pages, lifted by "usb-unrestricted"; interfaces an OS
 * driver holds cannot be claimed), USB devices with realistic descriptors, and user agents.
 *
 * The error names and messages are Chrome's (blink usb_device.cc), so the doctor is tested
 * against what the browser really throws.
 */
import type { DoctorEnv, UsbConfigurationLike, UsbDeviceLike, UsbLike } from '../../src/card/doctor.ts';
import { isWebUsbBlocklisted } from '../../src/card/doctor.ts';

export const UA = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeOS: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
} as const;

/** What the fake Chrome enforces. */
export interface FakeChromeRules {
  /** The page has "usb-unrestricted" (an Isolated Web App whose manifest grants it). */
  unrestricted: boolean;
  /** "vvvv:pppp" of devices whose smart-card interface an OS driver (pcscd, usbccid.sys) holds. */
  heldByOs?: Set<string>;
  /** "vvvv:pppp" of devices the OS refuses to open (no udev permission, non-WinUSB driver). */
  osDeniesOpen?: Set<string>;
}

export interface DeviceDescriptor {
  vendorId: number;
  productId: number;
  productName: string;
  manufacturerName: string;
  /** Interface classes, by interface number. */
  interfaceClasses: number[];
}

export const DEVICES = {
  /** YubiKey 5 NFC in OTP+FIDO+CCID mode: HID (keyboard), HID (FIDO), CCID. */
  yubikey5: { vendorId: 0x1050, productId: 0x0407, productName: 'YubiKey OTP+FIDO+CCID', manufacturerName: 'Yubico', interfaceClasses: [0x03, 0x03, 0x0b] },
  /** A plain CCID reader (HID Global OMNIKEY 3x21): one smart-card interface. */
  omnikey: { vendorId: 0x076b, productId: 0x3031, productName: 'OMNIKEY 3x21 Smart Card Reader', manufacturerName: 'HID Global', interfaceClasses: [0x0b] },
  /** Nitrokey 3: CCID + FIDO HID; not on Chrome's blocklist. */
  nitrokey3: { vendorId: 0x20a0, productId: 0x42b2, productName: 'Nitrokey 3', manufacturerName: 'Nitrokey', interfaceClasses: [0x0b, 0x03] },
  /** Something that is no card reader at all. */
  mouse: { vendorId: 0x046d, productId: 0xc077, productName: 'USB Optical Mouse', manufacturerName: 'Logitech', interfaceClasses: [0x03] },
} satisfies Record<string, DeviceDescriptor>;

const key = (d: { vendorId: number; productId: number }): string =>
  `${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')}`;

export class FakeUsbDevice implements UsbDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly manufacturerName: string;
  readonly configurations: UsbConfigurationLike[];
  configuration: UsbConfigurationLike | null = null;
  opened = false;
  readonly claimed = new Set<number>();
  /** Calls made on the device, in order. */
  readonly calls: string[] = [];

  constructor(desc: DeviceDescriptor, private readonly rules: FakeChromeRules) {
    this.vendorId = desc.vendorId;
    this.productId = desc.productId;
    this.productName = desc.productName;
    this.manufacturerName = desc.manufacturerName;
    this.configurations = [
      {
        configurationValue: 1,
        interfaces: desc.interfaceClasses.map((interfaceClass, interfaceNumber) => ({ interfaceNumber, alternates: [{ interfaceClass }] })),
      },
    ];
  }

  async open(): Promise<void> {
    this.calls.push('open');
    if (!this.rules.unrestricted && isWebUsbBlocklisted(this.vendorId, this.productId)) {
      throw new DOMException("Failed to execute 'open' on 'USBDevice': Access denied.", 'SecurityError');
    }
    if (this.rules.osDeniesOpen?.has(key(this))) {
      throw new DOMException("Failed to execute 'open' on 'USBDevice': Access denied.", 'SecurityError');
    }
    this.opened = true;
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.opened = false;
    this.claimed.clear();
    this.configuration = null;
  }

  async selectConfiguration(value: number): Promise<void> {
    this.calls.push(`selectConfiguration ${value}`);
    if (!this.opened) throw new DOMException("Failed to execute 'selectConfiguration' on 'USBDevice': The device must be opened first.", 'InvalidStateError');
    const c = this.configurations.find((x) => x.configurationValue === value);
    if (!c) throw new DOMException('The configuration value provided is not supported by the device.', 'NotFoundError');
    this.configuration = c;
  }

  async claimInterface(n: number): Promise<void> {
    this.calls.push(`claimInterface ${n}`);
    if (!this.opened) throw new DOMException("Failed to execute 'claimInterface' on 'USBDevice': The device must be opened first.", 'InvalidStateError');
    const iface = this.configuration?.interfaces.find((i) => i.interfaceNumber === n);
    if (!iface) throw new DOMException("Failed to execute 'claimInterface' on 'USBDevice': The interface number provided is not supported by the device in its current configuration.", 'NotFoundError');
    if (!this.rules.unrestricted && iface.alternates.some((a) => a.interfaceClass === 0x0b)) {
      throw new DOMException("Failed to execute 'claimInterface' on 'USBDevice': The requested interface implements a protected class.", 'SecurityError');
    }
    if (this.rules.heldByOs?.has(key(this))) {
      throw new DOMException("Failed to execute 'claimInterface' on 'USBDevice': Unable to claim interface.", 'NetworkError');
    }
    this.claimed.add(n);
  }

  async releaseInterface(n: number): Promise<void> {
    this.calls.push(`releaseInterface ${n}`);
    this.claimed.delete(n);
  }
}

/** navigator.usb of the fake Chrome: getDevices() returns the granted devices, minus blocklisted ones for pages. */
export class FakeUsb implements UsbLike {
  readonly granted: FakeUsbDevice[] = [];
  constructor(readonly rules: FakeChromeRules) {}

  grant(desc: DeviceDescriptor): FakeUsbDevice {
    const d = new FakeUsbDevice(desc, this.rules);
    this.granted.push(d);
    return d;
  }

  async getDevices(): Promise<UsbDeviceLike[]> {
    return this.granted.filter((d) => this.rules.unrestricted || !isWebUsbBlocklisted(d.vendorId, d.productId));
  }
}

/** Firefox or Safari: no navigator.usb, no navigator.smartCard. */
export function noWebUsbBrowser(userAgent: string): DoctorEnv {
  return { userAgent, secureContext: true, isolatedContext: false };
}

/** Chrome, ordinary https page. */
export function chromePage(userAgent: string = UA.chromeLinux, rules: Partial<FakeChromeRules> = {}): { env: DoctorEnv; usb: FakeUsb } {
  const usb = new FakeUsb({ ...rules, unrestricted: false });
  return { env: { userAgent, usb, secureContext: true, isolatedContext: false, allowsFeature: (f) => f === 'usb' }, usb };
}

/** Chrome, installed webtke Isolated Web App with usb + usb-unrestricted granted by its manifest. */
export function chromeIwa(userAgent: string = UA.chromeLinux, rules: Partial<FakeChromeRules> = {}): { env: DoctorEnv; usb: FakeUsb } {
  const usb = new FakeUsb({ ...rules, unrestricted: true });
  const allowed = new Set(['usb', 'usb-unrestricted', 'smart-card', 'cross-origin-isolated']);
  return { env: { userAgent, usb, secureContext: true, isolatedContext: true, allowsFeature: (f) => allowed.has(f) }, usb };
}
