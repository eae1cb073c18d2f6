/**
 * Smart-card readers over WebUSB (USB CCID class), for browsers that let the page claim them
 * (Chrome Isolated Web Apps with usb-unrestricted). openCcidReader() reads the descriptors,
 * claims the reader interface, powers the card and returns a CardTransport.
 *
 *   | dwFeatures level | how an APDU travels                                              |
 *   |------------------|------------------------------------------------------------------|
 *   | extended APDU    | whole APDU in PC_to_RDR_XfrBlock; CCID chaining past one message |
 *   | short APDU       | short APDUs only: extended ones become ISO command chains + GET RESPONSE |
 *   | TPDU             | the host runs T=1 (t1/) and sends one block per XfrBlock         |
 */
import { bytesEqual } from '../../../bytes/index.ts';
import { CONFIG_HEADER_LENGTH, DESC_CONFIGURATION, REQ_GET_DESCRIPTOR } from './constants.ts';
import { findCcidInterface, parseConfigurationDescriptor, type CcidInterface } from './descriptors.ts';
import { CcidDescriptorError, CcidSetupError, NotCcidDeviceError } from './errors.ts';
import { CcidReader, type CcidReaderOptions } from './reader.ts';
import type { CcidUsbDevice } from './usb.ts';

export { CcidReader, DEFAULT_TIMEOUT_MS, type CcidReaderInfo, type CcidReaderOptions } from './reader.ts';
export * from './errors.ts';
export {
  exchangeLevel,
  findCcidInterface,
  parseCcidClassDescriptor,
  parseConfigurationDescriptor,
  type CcidClassDescriptor,
  type CcidInterface,
  type ConfigurationInfo,
  type EndpointInfo,
  type ExchangeLevel,
  type InterfaceInfo,
} from './descriptors.ts';
export type { CcidUsbDevice, Timers } from './usb.ts';

/** GET_DESCRIPTOR(CONFIGURATION, index): the header first for wTotalLength, then all of it. */
export async function readConfigurationDescriptor(device: CcidUsbDevice, index = 0): Promise<Uint8Array> {
  const setup: USBControlTransferParameters = {
    requestType: 'standard',
    recipient: 'device',
    request: REQ_GET_DESCRIPTOR,
    value: (DESC_CONFIGURATION << 8) | index,
    index: 0,
  };
  const read = async (length: number): Promise<Uint8Array> => {
    let r: USBInTransferResult;
    try {
      r = await device.controlTransferIn(setup, length);
    } catch (e) {
      throw new CcidSetupError('controlTransferIn', e);
    }
    if (r.status !== 'ok' || !r.data) throw new CcidDescriptorError(`GET_DESCRIPTOR answered ${r.status}`, 0);
    return new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength).slice();
  };
  const head = await read(CONFIG_HEADER_LENGTH);
  if (head.length < 4) throw new CcidDescriptorError(`configuration descriptor header of ${head.length} bytes`, 0);
  const total = head[2] | (head[3] << 8);
  if (total < CONFIG_HEADER_LENGTH) throw new CcidDescriptorError(`wTotalLength ${total}`, 2);
  const full = await read(total);
  if (full.length !== total) throw new CcidDescriptorError(`GET_DESCRIPTOR gave ${full.length} of ${total} bytes`, 0);
  if (!bytesEqual(full.subarray(0, 4), head.subarray(0, 4))) throw new CcidDescriptorError('the descriptor changed between reads', 0);
  return full;
}

async function locate(device: CcidUsbDevice, options: CcidReaderOptions): Promise<CcidInterface> {
  if (options.configurationDescriptor) return findCcidInterface(parseConfigurationDescriptor(options.configurationDescriptor), options);
  const count = Math.max(1, device.configurations?.length ?? 1);
  let last: unknown = new NotCcidDeviceError();
  for (let i = 0; i < count; i++) {
    try {
      return findCcidInterface(parseConfigurationDescriptor(await readConfigurationDescriptor(device, i)), options);
    } catch (e) {
      if (!(e instanceof NotCcidDeviceError)) throw e;
      last = e;
    }
  }
  throw last;
}

/**
 * Open a CCID reader: open the device, read its configuration descriptor, find the CCID
 * interface (class 0x0B, or vendor class with a CCID descriptor), select the configuration,
 * claim the interface, check the slot and power the card if one is in.
 * Without a card the transport opens anyway; transmit() then fails with CardRemovedError until
 * one is inserted.
 */
export async function openCcidReader(device: CcidUsbDevice, options: CcidReaderOptions & { signal?: AbortSignal } = {}): Promise<CcidReader> {
  const openedHere = !device.opened;
  if (openedHere) {
    try {
      await device.open();
    } catch (e) {
      throw new CcidSetupError('open', e);
    }
  }
  let claimed: number | undefined;
  try {
    const iface = await locate(device, options);
    if (device.configuration?.configurationValue !== iface.configurationValue) {
      try {
        await device.selectConfiguration(iface.configurationValue);
      } catch (e) {
        throw new CcidSetupError('selectConfiguration', e, iface.interfaceClass);
      }
    }
    try {
      await device.claimInterface(iface.interfaceNumber);
    } catch (e) {
      throw new CcidSetupError('claimInterface', e, iface.interfaceClass);
    }
    claimed = iface.interfaceNumber;
    if (iface.alternate !== 0) {
      try {
        await device.selectAlternateInterface(iface.interfaceNumber, iface.alternate);
      } catch (e) {
        throw new CcidSetupError('selectAlternateInterface', e, iface.interfaceClass);
      }
    }
    const reader = new CcidReader(device, iface, options);
    await reader.start(options.signal);
    return reader;
  } catch (e) {
    if (claimed !== undefined) await device.releaseInterface(claimed).catch(() => {});
    if (openedHere) await device.close().catch(() => {});
    throw e;
  }
}
