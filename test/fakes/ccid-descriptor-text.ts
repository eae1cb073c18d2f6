/**
 * Reads the text dumps of libccid's `parse` tool (../shared/vectors/ccid-readers/*.txt, real
 * readers' USB interface and CCID class descriptors) and turns them back into descriptor
 * bytes, so the fake reader presents exactly what the real one does.
 *
 * What the dumps do not hold is filled in here, the same for every reader:
 * - endpoint addresses and sizes: bulk OUT 0x01 and bulk IN 0x82 (64 bytes), interrupt IN 0x83
 *   (8 bytes) when bNumEndpoints is 3;
 * - the configuration header (bConfigurationValue 1);
 * - when the CCID interface number is above 0 (YubiKey: 2), HID interfaces before it, each with
 *   a HID class descriptor, which also has type 0x21 (as on the real key: OTP, FIDO, CCID).
 */
import type { CcidClassDescriptor } from '../../src/card/transports/webusb-ccid/descriptors.ts';

export interface LibccidDump {
  readonly file: string;
  readonly idVendor: number;
  readonly idProduct: number;
  readonly manufacturer: string;
  readonly product: string;
  /** bcdDevice, e.g. 0x0503. */
  readonly bcdDevice: number;
  readonly interfaceNumber: number;
  readonly interfaceClass: number;
  readonly interfaceSubclass: number;
  readonly interfaceProtocol: number;
  readonly numEndpoints: number;
  readonly ccid: CcidClassDescriptor;
}

export class DumpFormatError extends Error {
  override name = 'DumpFormatError';
}

const bcd = (text: string): number => {
  const m = /^(\d+)\.(\d\d)/.exec(text);
  if (!m) throw new DumpFormatError(`not a BCD version: ${text}`);
  return (parseInt(m[1], 16) << 8) | parseInt(m[2], 16);
};
const num = (text: string): number => {
  const m = /^(0x[0-9A-Fa-f]+|\d+)/.exec(text.trim());
  if (!m) throw new DumpFormatError(`not a number: ${text}`);
  return Number(m[1]);
};
const mhzToKhz = (text: string): number => {
  const m = /^(\d+)\.(\d{3}) MHz/.exec(text);
  if (!m) throw new DumpFormatError(`not a clock: ${text}`);
  return Number(m[1]) * 1000 + Number(m[2]);
};

/** Parse one libccid `parse` dump. */
export function parseLibccidDump(text: string, file = ''): LibccidDump {
  const top = new Map<string, string>();
  const cls = new Map<string, string>();
  let inClass = false;
  for (const raw of text.split('\n')) {
    if (raw.trim() === 'CCID Class Descriptor') {
      inClass = true;
      continue;
    }
    // Fields are "name: value" at one indent level; decoded bits and notes are indented further.
    const m = /^ {1,2}(\w+): (.*)$/.exec(raw);
    if (!m) continue;
    const [, key, value] = m;
    const map = inClass ? cls : top;
    if (!map.has(key)) map.set(key, value.trim());
  }
  const need = (map: Map<string, string>, key: string): string => {
    const v = map.get(key);
    if (v === undefined) throw new DumpFormatError(`${file}: ${key} missing`);
    return v;
  };
  const protocols = need(cls, 'dwProtocols').split(/\s+/).map(Number);
  if (protocols.length !== 2 || protocols.some(Number.isNaN)) throw new DumpFormatError(`${file}: dwProtocols`);
  const ccid: CcidClassDescriptor = {
    bcdCCID: bcd(need(cls, 'bcdCCID')),
    maxSlotIndex: num(need(cls, 'bMaxSlotIndex')),
    voltageSupport: num(need(cls, 'bVoltageSupport')),
    protocols: ((protocols[0] << 16) | protocols[1]) >>> 0,
    defaultClock: mhzToKhz(need(cls, 'dwDefaultClock')),
    maximumClock: mhzToKhz(need(cls, 'dwMaximumClock')),
    numClockSupported: num(need(cls, 'bNumClockSupported')),
    dataRate: num(need(cls, 'dwDataRate')),
    maxDataRate: num(need(cls, 'dwMaxDataRate')),
    numDataRatesSupported: num(need(cls, 'bNumDataRatesSupported')),
    maxIFSD: num(need(cls, 'dwMaxIFSD')),
    synchProtocols: num(need(cls, 'dwSynchProtocols')),
    mechanical: num(need(cls, 'dwMechanical')),
    features: num(need(cls, 'dwFeatures')),
    maxMessageLength: num(need(cls, 'dwMaxCCIDMessageLength')),
    classGetResponse: num(need(cls, 'bClassGetResponse')),
    classEnvelope: num(need(cls, 'bClassEnvelope')),
    lcdLayout: num(need(cls, 'wLcdLayout')),
    pinSupport: num(need(cls, 'bPINSupport')),
    maxBusySlots: num(need(cls, 'bMaxCCIDBusySlots')),
  };
  if (num(need(cls, 'bLength')) !== 0x36 || num(need(cls, 'bDescriptorType')) !== 0x21) throw new DumpFormatError(`${file}: not a CCID class descriptor`);
  return {
    file,
    idVendor: num(need(top, 'idVendor')),
    idProduct: num(need(top, 'idProduct')),
    manufacturer: need(top, 'iManufacturer'),
    product: need(top, 'iProduct'),
    bcdDevice: bcd(need(top, 'bcdDevice')),
    interfaceNumber: num(need(top, 'bInterfaceNumber')),
    interfaceClass: num(need(top, 'bInterfaceClass')),
    interfaceSubclass: num(need(top, 'bInterfaceSubClass')),
    interfaceProtocol: num(need(top, 'bInterfaceProtocol')),
    numEndpoints: num(need(top, 'bNumEndpoints')),
    ccid,
  };
}

/** The 54-byte CCID class descriptor (CCID §5.1, little-endian fields). */
export function encodeCcidClassDescriptor(d: CcidClassDescriptor): Uint8Array {
  const out = new Uint8Array(0x36);
  const v = new DataView(out.buffer);
  out[0] = 0x36;
  out[1] = 0x21;
  v.setUint16(2, d.bcdCCID, true);
  out[4] = d.maxSlotIndex;
  out[5] = d.voltageSupport;
  v.setUint32(6, d.protocols, true);
  v.setUint32(10, d.defaultClock, true);
  v.setUint32(14, d.maximumClock, true);
  out[18] = d.numClockSupported;
  v.setUint32(19, d.dataRate, true);
  v.setUint32(23, d.maxDataRate, true);
  out[27] = d.numDataRatesSupported;
  v.setUint32(28, d.maxIFSD, true);
  v.setUint32(32, d.synchProtocols, true);
  v.setUint32(36, d.mechanical, true);
  v.setUint32(40, d.features, true);
  v.setUint32(44, d.maxMessageLength, true);
  out[48] = d.classGetResponse;
  out[49] = d.classEnvelope;
  v.setUint16(50, d.lcdLayout, true);
  out[52] = d.pinSupport;
  out[53] = d.maxBusySlots;
  return out;
}

export const FAKE_EP_BULK_OUT = 0x01;
export const FAKE_EP_BULK_IN = 0x82;
export const FAKE_EP_INTERRUPT_IN = 0x83;
export const FAKE_BULK_PACKET = 64;
export const FAKE_INTERRUPT_PACKET = 8;
export const FAKE_CONFIGURATION_VALUE = 1;

/** The whole configuration descriptor a device with this dump would return. */
export function configurationDescriptorFor(dump: LibccidDump): Uint8Array {
  const parts: number[][] = [];
  // HID interfaces in front of the CCID one (interface numbers 0..n-1): interface, HID class descriptor, interrupt IN endpoint.
  for (let i = 0; i < dump.interfaceNumber; i++) {
    parts.push([9, 0x04, i, 0, 1, 0x03, 0, 0, 0]);
    parts.push([9, 0x21, 0x10, 0x01, 0, 1, 0x22, 0x22, 0]);
    parts.push([7, 0x05, 0x84 + i, 0x03, 64, 0, 10]);
  }
  parts.push([9, 0x04, dump.interfaceNumber, 0, dump.numEndpoints, dump.interfaceClass, dump.interfaceSubclass, dump.interfaceProtocol, 0]);
  parts.push([...encodeCcidClassDescriptor(dump.ccid)]);
  parts.push([7, 0x05, FAKE_EP_BULK_OUT, 0x02, FAKE_BULK_PACKET, 0, 0]);
  parts.push([7, 0x05, FAKE_EP_BULK_IN, 0x02, FAKE_BULK_PACKET, 0, 0]);
  if (dump.numEndpoints >= 3) parts.push([7, 0x05, FAKE_EP_INTERRUPT_IN, 0x03, FAKE_INTERRUPT_PACKET, 0, 0x10]);
  const body = parts.flat();
  const total = 9 + body.length;
  return Uint8Array.from([9, 0x02, total & 0xff, total >> 8, dump.interfaceNumber + 1, FAKE_CONFIGURATION_VALUE, 0, 0x80, 50, ...body]);
}
