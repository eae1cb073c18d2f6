/**
 * Turning a raw WebUSB failure (a DOMException from requestDevice, open, claimInterface ...)
 * into a finding, so transports can show the user what happened and what to do.
 *
 * Chrome's messages this relies on (blink usb_device.cc / usb.cc):
 *   claimInterface on class 0x0B in a page:  SecurityError "The requested interface implements a protected class."
 *   claimInterface on an interface an OS driver holds:  NetworkError "Unable to claim interface."
 *   open() refused by the OS:  SecurityError/NetworkError "Access denied." / "Unable to open device."
 *   requestDevice() closed without a choice:  NotFoundError "No device selected."
 *   requestDevice() outside a click:  SecurityError "Must be handling a user gesture to show a permission request."
 *   the "usb" feature blocked by permissions policy:  SecurityError "Access to the feature \"usb\" is disallowed by permissions policy."
 *   device gone:  NotFoundError "The device was disconnected."
 * Names are checked first and messages second, so a reworded message degrades to a
 * reasonable finding rather than a wrong one.
 */
import { TransportError } from '../transport-errors.ts';
import {
  webUsbDeviceBlocklisted,
  webUsbDeviceDisconnected,
  webUsbError,
  webUsbHeldByOsDriver,
  webUsbNeedsUserGesture,
  webUsbNoDeviceSelected,
  webUsbOsAccessDenied,
  webUsbPolicyBlocked,
  webUsbProtectedClass,
} from './findings.ts';
import { platformOf } from './platform.ts';
import type { Finding, WebUsbFailureContext } from './types.ts';
import { USB_CLASS_SMART_CARD, isWebUsbBlocklisted, usbId } from './usb-blocklist.ts';

/** "Yubico YubiKey OTP+FIDO+CCID (1050:0407)" */
export function describeDevice(d: { vendorId: number; productId: number; productName?: string | null }): string {
  const id = usbId(d.vendorId, d.productId);
  return d.productName ? `${d.productName} (${id})` : `USB device ${id}`;
}

/** Classify an error thrown by a WebUSB call into the finding a user can act on. */
export function classifyWebUsbError(error: unknown, ctx: WebUsbFailureContext): Finding {
  const name = typeof (error as { name?: unknown } | null)?.name === 'string' ? (error as { name: string }).name : '';
  const rawMessage = (error as { message?: unknown } | null)?.message;
  const message = typeof rawMessage === 'string' ? rawMessage : String(error ?? '');
  const p = platformOf(ctx.userAgent);
  const device = ctx.device ? describeDevice(ctx.device) : undefined;
  const blocklisted = ctx.device !== undefined && isWebUsbBlocklisted(ctx.device.vendorId, ctx.device.productId);
  const isolated = ctx.isolatedContext === true;

  if (/protected class/i.test(message)) return webUsbProtectedClass(device);
  if (/permissions? policy|feature policy/i.test(message)) return webUsbPolicyBlocked();
  if (/user gesture/i.test(message)) return webUsbNeedsUserGesture();
  if (/disconnected/i.test(message)) return webUsbDeviceDisconnected(device);

  switch (name) {
    case 'SecurityError':
      if (blocklisted && !isolated) return webUsbDeviceBlocklisted(device);
      if (ctx.operation === 'open' || /access denied/i.test(message)) return webUsbOsAccessDenied(p, device);
      if (ctx.operation === 'claimInterface' && ctx.interfaceClass === USB_CLASS_SMART_CARD && !isolated) {
        return webUsbProtectedClass(device);
      }
      return webUsbError(message, device);
    case 'NetworkError':
      if (ctx.operation === 'claimInterface' || /claim/i.test(message)) return webUsbHeldByOsDriver(p, device);
      if (ctx.operation === 'open' || /open|access denied/i.test(message)) return webUsbOsAccessDenied(p, device);
      return webUsbError(message, device);
    case 'NotFoundError':
      if (ctx.operation === 'requestDevice') {
        const askedForBlocked = (ctx.filters ?? []).some(
          (fl) => fl.vendorId !== undefined && isWebUsbBlocklisted(fl.vendorId, fl.productId ?? -1),
        );
        if (!isolated && (blocklisted || askedForBlocked)) return webUsbDeviceBlocklisted(device);
        return webUsbNoDeviceSelected();
      }
      return webUsbDeviceDisconnected(device);
    default:
      return webUsbError(message, device);
  }
}

/** A transport failure that carries the doctor's finding (its remedy is the finding's). */
export class CardAccessError extends TransportError {
  override name = 'CardAccessError';
  constructor(readonly finding: Finding, cause?: unknown) {
    super(`${finding.title}. ${finding.explanation}`, finding.remedy);
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, configurable: true, writable: true });
  }
}

/** classifyWebUsbError() wrapped as a throwable CardAccessError. */
export function cardAccessErrorFrom(error: unknown, ctx: WebUsbFailureContext): CardAccessError {
  return new CardAccessError(classifyWebUsbError(error, ctx), error);
}
