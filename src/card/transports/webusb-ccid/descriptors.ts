/**
 * USB configuration descriptor parsing (USB 2.0 §9.6.3, §9.6.5, §9.6.6) and the CCID class
 * descriptor (CCID §5.1): which interface is the reader, at which exchange level it works,
 * and its bulk and interrupt endpoints.
 */
import { ByteReader } from '../../../bytes/index.ts';
import {
  CCID_DESC_LENGTH,
  CONFIG_HEADER_LENGTH,
  DESC_CCID,
  DESC_CONFIGURATION,
  DESC_ENDPOINT,
  DESC_INTERFACE,
  ENDPOINT_DESC_LENGTH,
  EP_DIR_IN,
  EP_NUMBER_MASK,
  EP_TYPE_MASK,
  FEATURE_LEVEL_EXTENDED_APDU,
  FEATURE_LEVEL_SHORT_APDU,
  FEATURE_LEVEL_TPDU,
  HEADER_LENGTH,
  INTERFACE_DESC_LENGTH,
  USB_CLASS_CCID,
  USB_CLASS_VENDOR,
} from './constants.ts';
import { CcidDescriptorError, CcidEndpointError, CcidUnsupportedError, NotCcidDeviceError } from './errors.ts';

/** The CCID class descriptor, field by field (CCID §5.1, Table 5.1-1). */
export interface CcidClassDescriptor {
  /** Binary-coded decimal, e.g. 0x0110 = 1.10. */
  readonly bcdCCID: number;
  readonly maxSlotIndex: number;
  readonly voltageSupport: number;
  readonly protocols: number;
  /** kHz. */
  readonly defaultClock: number;
  readonly maximumClock: number;
  readonly numClockSupported: number;
  /** bps. */
  readonly dataRate: number;
  readonly maxDataRate: number;
  readonly numDataRatesSupported: number;
  readonly maxIFSD: number;
  readonly synchProtocols: number;
  readonly mechanical: number;
  readonly features: number;
  readonly maxMessageLength: number;
  readonly classGetResponse: number;
  readonly classEnvelope: number;
  readonly lcdLayout: number;
  readonly pinSupport: number;
  readonly maxBusySlots: number;
}

export type ExchangeLevel = 'tpdu' | 'short-apdu' | 'extended-apdu' | 'character';

export interface EndpointInfo {
  /** bEndpointAddress. */
  readonly address: number;
  /** The number WebUSB's transferIn/transferOut take (address & 0x0F). */
  readonly number: number;
  readonly direction: 'in' | 'out';
  readonly type: 'control' | 'isochronous' | 'bulk' | 'interrupt';
  readonly packetSize: number;
}

export interface InterfaceInfo {
  readonly number: number;
  readonly alternate: number;
  readonly interfaceClass: number;
  readonly interfaceSubclass: number;
  readonly interfaceProtocol: number;
  readonly endpoints: readonly EndpointInfo[];
  /** The CCID class descriptor when the interface has one. */
  readonly ccid: CcidClassDescriptor | undefined;
}

export interface ConfigurationInfo {
  readonly configurationValue: number;
  readonly interfaces: readonly InterfaceInfo[];
}

/** Everything the transport needs about the reader's CCID interface. */
export interface CcidInterface {
  readonly configurationValue: number;
  readonly interfaceNumber: number;
  readonly alternate: number;
  readonly interfaceClass: number;
  readonly descriptor: CcidClassDescriptor;
  readonly level: ExchangeLevel;
  readonly bulkIn: EndpointInfo;
  readonly bulkOut: EndpointInfo;
  readonly interruptIn: EndpointInfo | undefined;
}

/** Exchange level from dwFeatures (the highest level bit set). */
export function exchangeLevel(features: number): ExchangeLevel {
  if (features & FEATURE_LEVEL_EXTENDED_APDU) return 'extended-apdu';
  if (features & FEATURE_LEVEL_SHORT_APDU) return 'short-apdu';
  if (features & FEATURE_LEVEL_TPDU) return 'tpdu';
  return 'character';
}

/** Parse the 54-byte CCID class descriptor. */
export function parseCcidClassDescriptor(bytes: Uint8Array, offset = 0): CcidClassDescriptor {
  if (bytes.length !== CCID_DESC_LENGTH) throw new CcidDescriptorError(`CCID class descriptor of ${bytes.length} bytes, expected ${CCID_DESC_LENGTH}`, offset);
  const r = new ByteReader(bytes);
  const bLength = r.u8();
  const type = r.u8();
  if (bLength !== CCID_DESC_LENGTH || type !== DESC_CCID) throw new CcidDescriptorError(`not a CCID class descriptor (bLength ${bLength}, type ${type})`, offset);
  const d: CcidClassDescriptor = {
    bcdCCID: r.u16le(),
    maxSlotIndex: r.u8(),
    voltageSupport: r.u8(),
    protocols: r.u32le(),
    defaultClock: r.u32le(),
    maximumClock: r.u32le(),
    numClockSupported: r.u8(),
    dataRate: r.u32le(),
    maxDataRate: r.u32le(),
    numDataRatesSupported: r.u8(),
    maxIFSD: r.u32le(),
    synchProtocols: r.u32le(),
    mechanical: r.u32le(),
    features: r.u32le(),
    maxMessageLength: r.u32le(),
    classGetResponse: r.u8(),
    classEnvelope: r.u8(),
    lcdLayout: r.u16le(),
    pinSupport: r.u8(),
    maxBusySlots: r.u8(),
  };
  r.end();
  return d;
}

const EP_TYPES = ['control', 'isochronous', 'bulk', 'interrupt'] as const;

/**
 * Parse a whole configuration descriptor (as GET_DESCRIPTOR(CONFIGURATION) returns it):
 * the 9-byte header, then interface, endpoint and class descriptors. Strict: wTotalLength must
 * match, every descriptor must fit, each interface must have as many endpoints as it says.
 */
export function parseConfigurationDescriptor(bytes: Uint8Array): ConfigurationInfo {
  if (bytes.length < CONFIG_HEADER_LENGTH) throw new CcidDescriptorError(`configuration descriptor of ${bytes.length} bytes`, 0);
  if (bytes[0] !== CONFIG_HEADER_LENGTH || bytes[1] !== DESC_CONFIGURATION) throw new CcidDescriptorError('not a configuration descriptor', 0);
  const total = bytes[2] | (bytes[3] << 8);
  if (total !== bytes.length) throw new CcidDescriptorError(`wTotalLength ${total} but ${bytes.length} bytes`, 2);
  const numInterfaces = bytes[4];
  const configurationValue = bytes[5];
  type Building = { info: Omit<InterfaceInfo, 'endpoints' | 'ccid'>; endpoints: EndpointInfo[]; ccid: CcidClassDescriptor | undefined; declared: number; at: number };
  const list: Building[] = [];
  let cur: Building | undefined;
  let at = CONFIG_HEADER_LENGTH;
  while (at < bytes.length) {
    const len = bytes[at];
    if (len < 2) throw new CcidDescriptorError(`descriptor length ${len}`, at);
    if (at + len > bytes.length) throw new CcidDescriptorError(`descriptor of ${len} bytes runs past the end`, at);
    const type = bytes[at + 1];
    const d = bytes.subarray(at, at + len);
    if (type === DESC_INTERFACE) {
      if (len < INTERFACE_DESC_LENGTH) throw new CcidDescriptorError(`interface descriptor of ${len} bytes`, at);
      cur = {
        info: { number: d[2], alternate: d[3], interfaceClass: d[5], interfaceSubclass: d[6], interfaceProtocol: d[7] },
        endpoints: [],
        ccid: undefined,
        declared: d[4],
        at,
      };
      list.push(cur);
    } else if (type === DESC_ENDPOINT) {
      if (len < ENDPOINT_DESC_LENGTH) throw new CcidDescriptorError(`endpoint descriptor of ${len} bytes`, at);
      if (!cur) throw new CcidDescriptorError('endpoint descriptor before any interface', at);
      const address = d[2];
      cur.endpoints.push({
        address,
        number: address & EP_NUMBER_MASK,
        direction: address & EP_DIR_IN ? 'in' : 'out',
        type: EP_TYPES[d[3] & EP_TYPE_MASK],
        packetSize: (d[4] | (d[5] << 8)) & 0x7ff,
      });
    } else if (type === DESC_CCID && cur && isCcidClass(cur.info.interfaceClass) && len === CCID_DESC_LENGTH) {
      // 0x21 is also the HID descriptor type: it is a CCID descriptor only inside a CCID (or vendor) interface.
      if (cur.ccid) throw new CcidDescriptorError('two CCID class descriptors in one interface', at);
      cur.ccid = parseCcidClassDescriptor(d, at);
    }
    at += len;
  }
  for (const b of list) {
    if (b.endpoints.length !== b.declared) {
      throw new CcidDescriptorError(`interface ${b.info.number} declares ${b.declared} endpoints, has ${b.endpoints.length}`, b.at);
    }
  }
  const distinct = new Set(list.map((b) => b.info.number)).size;
  if (distinct !== numInterfaces) throw new CcidDescriptorError(`bNumInterfaces ${numInterfaces} but ${distinct} interfaces`, 4);
  return {
    configurationValue,
    interfaces: list.map((b) => ({ ...b.info, endpoints: b.endpoints, ccid: b.ccid })),
  };
}

function isCcidClass(c: number): boolean {
  return c === USB_CLASS_CCID || c === USB_CLASS_VENDOR;
}

/**
 * The reader interface: class 0x0B with a CCID class descriptor, or (as libccid allows) a
 * vendor-class interface that carries a 54-byte CCID class descriptor (SCM SPR532).
 */
export function findCcidInterface(config: ConfigurationInfo, opts: { interfaceNumber?: number } = {}): CcidInterface {
  const candidates = config.interfaces.filter(
    (i) => i.ccid !== undefined && (opts.interfaceNumber === undefined || i.number === opts.interfaceNumber),
  );
  const iface = candidates.find((i) => i.interfaceClass === USB_CLASS_CCID) ?? candidates[0];
  if (!iface || !iface.ccid) {
    const ccidClass = config.interfaces.find((i) => i.interfaceClass === USB_CLASS_CCID);
    if (ccidClass) throw new CcidDescriptorError(`CCID interface ${ccidClass.number} has no CCID class descriptor`, 0);
    throw new NotCcidDeviceError();
  }
  const bulkIn = iface.endpoints.find((e) => e.type === 'bulk' && e.direction === 'in');
  const bulkOut = iface.endpoints.find((e) => e.type === 'bulk' && e.direction === 'out');
  if (!bulkIn || !bulkOut) {
    throw new CcidEndpointError(`The reader interface ${iface.number} has no bulk-${bulkIn ? 'OUT' : 'IN'} endpoint.`);
  }
  const interruptIn = iface.endpoints.find((e) => e.type === 'interrupt' && e.direction === 'in');
  const level = exchangeLevel(iface.ccid.features);
  if (level === 'character') throw new CcidUnsupportedError('The reader works at character level, which this app does not drive.');
  if (iface.ccid.maxMessageLength < HEADER_LENGTH + 5) {
    throw new CcidDescriptorError(`dwMaxCCIDMessageLength ${iface.ccid.maxMessageLength} is too small`, 0);
  }
  return {
    configurationValue: config.configurationValue,
    interfaceNumber: iface.number,
    alternate: iface.alternate,
    interfaceClass: iface.interfaceClass,
    descriptor: iface.ccid,
    level,
    bulkIn,
    bulkOut,
    interruptIn,
  };
}
