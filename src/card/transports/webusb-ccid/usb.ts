/**
 * The part of WebUSB's USBDevice this transport uses (a real USBDevice has all of it; test
 * fakes implement just this), and the timers it runs on (passed in, so tests can drive time).
 */
export type CcidUsbDevice = Pick<
  USBDevice,
  | 'opened'
  | 'open'
  | 'close'
  | 'configuration'
  | 'configurations'
  | 'selectConfiguration'
  | 'claimInterface'
  | 'releaseInterface'
  | 'selectAlternateInterface'
  | 'controlTransferIn'
  | 'transferIn'
  | 'transferOut'
  | 'clearHalt'
  | 'vendorId'
  | 'productId'
  | 'productName'
  | 'manufacturerName'
  | 'serialNumber'
>;

export interface Timers {
  /** Milliseconds, monotonic enough for timeouts. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const defaultTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};
