/**
 * Chrome's WebUSB device blocklist: devices web pages may not access at all (they are left out
 * of the chooser and of getDevices()). Isolated Web Apps with "usb-unrestricted" may use them.
 *
 * SOURCE: https://github.com/WICG/webusb/blob/main/blocklist.txt (format
 * `idVendor:idProduct[:bcdDevice]`, here without version limits since none apply to these):
 *
 *   096e:0850 KEY-ID; 096e:0852..085b Feitian; 096e:0880 HyperFIDO; 09c3:0023 HID Global
 *   BlueTrust Token; 1050:0010 .. 1050:0410 YubiKey devices (https://crbug.com/818807);
 *   10c4:8acf U2F Zero; 18d1:5026 Titan; 1a44:00bb VASCO; 1d50:60fc OnlyKey; 1e0d:f1ae Keydo AES;
 *   1e0d:f1d0 Neowave Keydo; 1ea8:f025 Thetis; 20a0:4287 Nitrokey; 24dc:0101 JaCarta;
 *   2581:f1d0 Happlink; 2abe:1002 Bluink; 2ccf:0880 Feitian USB:HyperFIDO
 */

export const YUBICO_VENDOR_ID = 0x1050;
export const USB_CLASS_SMART_CARD = 0x0b;

/** [vendorId, productId] pairs of the blocklist. */
export const WEBUSB_BLOCKLIST: ReadonlyArray<readonly [number, number]> = [
  [0x096e, 0x0850], [0x096e, 0x0852], [0x096e, 0x0853], [0x096e, 0x0854], [0x096e, 0x0856],
  [0x096e, 0x0858], [0x096e, 0x085a], [0x096e, 0x085b], [0x096e, 0x0880],
  [0x09c3, 0x0023],
  [0x1050, 0x0010], [0x1050, 0x0018], [0x1050, 0x0030], [0x1050, 0x0110], [0x1050, 0x0111],
  [0x1050, 0x0112], [0x1050, 0x0113], [0x1050, 0x0114], [0x1050, 0x0115], [0x1050, 0x0116],
  [0x1050, 0x0120], [0x1050, 0x0200], [0x1050, 0x0211], [0x1050, 0x0401], [0x1050, 0x0402],
  [0x1050, 0x0403], [0x1050, 0x0404], [0x1050, 0x0405], [0x1050, 0x0406], [0x1050, 0x0407],
  [0x1050, 0x0410],
  [0x10c4, 0x8acf], [0x18d1, 0x5026], [0x1a44, 0x00bb], [0x1d50, 0x60fc], [0x1e0d, 0xf1ae],
  [0x1e0d, 0xf1d0], [0x1ea8, 0xf025], [0x20a0, 0x4287], [0x24dc, 0x0101], [0x2581, 0xf1d0],
  [0x2abe, 0x1002], [0x2ccf, 0x0880],
];

/**
 * True when web pages cannot reach this device through WebUSB. Every YubiKey (vendor 0x1050)
 * counts: the list names all their product IDs so far, and a new model would be added to it.
 */
export function isWebUsbBlocklisted(vendorId: number, productId: number): boolean {
  if (vendorId === YUBICO_VENDOR_ID) return true;
  return WEBUSB_BLOCKLIST.some(([v, p]) => v === vendorId && p === productId);
}

/** "1050:0407" */
export function usbId(vendorId: number, productId: number): string {
  const h = (n: number): string => n.toString(16).padStart(4, '0');
  return `${h(vendorId)}:${h(productId)}`;
}
