/**
 * Types of the card doctor: what it is given (platform objects, passed in) and what it says.
 *
 * The USB shapes are the subset of WebUSB (https://wicg.github.io/webusb/) the doctor reads or
 * calls; `navigator.usb` and its USBDevice objects satisfy them structurally.
 */
import type { SmartCardResourceManagerLike } from '../transports/web-smart-card/api.ts';

/** The three ways webtke can reach a custodian's keys. */
export type CardRoute = 'webusb-ccid' | 'web-smart-card' | 'software-card';

/**
 * - ok: this route works (or is ready to be tried) here;
 * - info: nothing is wrong, but the user has something to do (choose a reader);
 * - warning: the route may work, something looks off;
 * - blocker: this route cannot work here as things are; the remedy says what would change that.
 */
export type Severity = 'ok' | 'info' | 'warning' | 'blocker';

export type FindingCode =
  | 'software-card-available'
  | 'webusb-unsupported'
  | 'webusb-insecure-context'
  | 'webusb-policy-blocked'
  | 'webusb-needs-user-gesture'
  | 'webusb-protected-class'
  | 'webusb-device-blocklisted'
  | 'webusb-held-by-os-driver'
  | 'webusb-os-access-denied'
  | 'webusb-device-disconnected'
  | 'webusb-no-device-selected'
  | 'webusb-no-reader-granted'
  | 'webusb-unrestricted-missing'
  | 'webusb-ccid-ready'
  | 'webusb-error'
  | 'smartcard-needs-isolated-app'
  | 'smartcard-unsupported'
  | 'smartcard-available'
  | 'smartcard-no-readers'
  | 'smartcard-no-service'
  | 'smartcard-not-allowed'
  | 'smartcard-error';

export interface Finding {
  /** Stable identifier, for the UI and for tests; never reworded. */
  readonly code: FindingCode;
  readonly route: CardRoute;
  readonly severity: Severity;
  /** One line, plain words. */
  readonly title: string;
  /** What is going on and why, in words a custodian understands. */
  readonly explanation: string;
  /** What the user can do about it (for an ok finding: what to do next). Never empty. */
  readonly remedy: string;
  /** The device the finding is about, when there is one ("Yubico YubiKey (1050:0407)"). */
  readonly device?: string;
}

export interface UsbAlternateLike {
  readonly interfaceClass: number;
}

export interface UsbInterfaceLike {
  readonly interfaceNumber: number;
  readonly alternates: readonly UsbAlternateLike[];
}

export interface UsbConfigurationLike {
  readonly configurationValue: number;
  readonly interfaces: readonly UsbInterfaceLike[];
}

export interface UsbDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName?: string | null;
  readonly manufacturerName?: string | null;
  readonly opened: boolean;
  readonly configuration?: UsbConfigurationLike | null;
  readonly configurations: readonly UsbConfigurationLike[];
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
}

/** `navigator.usb` */
export interface UsbLike {
  getDevices(): Promise<UsbDeviceLike[]>;
}

/** Everything the doctor looks at, passed in by the UI (core code reads no globals). */
export interface DoctorEnv {
  /** navigator.usb, when the browser has WebUSB. */
  usb?: UsbLike;
  /** navigator.smartCard, when the browser exposes the Web Smart Card API. */
  smartCard?: SmartCardResourceManagerLike;
  /** True inside the installed webtke app (an Isolated Web App: isolated-app: origin). */
  isolatedContext?: boolean;
  /** globalThis.isSecureContext; WebUSB exists only in secure contexts. */
  secureContext?: boolean;
  /** navigator.userAgent, to name the browser and tailor remedies to the operating system. */
  userAgent?: string;
  /** USB devices to examine; default: `usb.getDevices()` (the devices already granted to webtke). */
  devices?: UsbDeviceLike[];
  /**
   * Really try the smart-card interfaces: open() + claimInterface() then release at once.
   * Default false: the doctor then predicts from the browser's rules without touching devices.
   */
  probe?: boolean;
  /** document.permissionsPolicy.allowsFeature (or featurePolicy), when available. */
  allowsFeature?: (feature: string) => boolean;
}

export type RouteStatus = 'available' | 'blocked' | 'unknown';

export interface CardAccessReport {
  /** Every finding, blockers first. */
  readonly findings: readonly Finding[];
  /** Per route: available (an ok finding, no blocker), blocked (a blocker), unknown (neither). */
  readonly routes: Readonly<Record<CardRoute, RouteStatus>>;
  /** The route to offer first: web-smart-card, else webusb-ccid, else software-card. */
  readonly recommended: CardRoute;
}

/** What was being done when a WebUSB call failed, for classifyWebUsbError(). */
export interface WebUsbFailureContext {
  operation: 'requestDevice' | 'open' | 'selectConfiguration' | 'claimInterface' | 'transfer';
  /** The device involved, when known. */
  device?: { vendorId: number; productId: number; productName?: string | null };
  /** Class of the interface being claimed (0x0B for a smart-card reader). */
  interfaceClass?: number;
  /** requestDevice() filters, to recognise a search for blocklisted devices. */
  filters?: ReadonlyArray<{ vendorId?: number; productId?: number; classCode?: number }>;
  isolatedContext?: boolean;
  userAgent?: string;
}
