import { describe, it, assert, assertBytes, assertThrows, readSharedText } from '../../../harness.ts';
import { fromHex } from '../../../../src/bytes/index.ts';
import {
  CcidDescriptorError,
  CcidEndpointError,
  CcidUnsupportedError,
  exchangeLevel,
  findCcidInterface,
  NotCcidDeviceError,
  parseCcidClassDescriptor,
  parseConfigurationDescriptor,
} from '../../../../src/card/transports/webusb-ccid/index.ts';
import { configurationDescriptorFor, encodeCcidClassDescriptor, parseLibccidDump } from '../../../fakes/ccid-descriptor-text.ts';

/**
 * The table of ../shared/vectors/README.md (ccid-readers), copied by hand: exchange level,
 * dwMaxCCIDMessageLength and endpoint count of every dump.
 */
const TABLE: [string, 'tpdu' | 'short-apdu' | 'extended-apdu', number, number, number][] = [
  ['Canokeys_Canokey.txt', 'extended-apdu', 1352, 2, 0x000400fe],
  ['CardMan3121.txt', 'short-apdu', 271, 3, 0x000205b2],
  ['Cherry_SmartTerminal_1150.txt', 'tpdu', 271, 3, 0x000104ba],
  ['Cherry_Smart_Card_Reader_USB.txt', 'short-apdu', 271, 3, 0x000207b2],
  ['Cherry_Smart_Card_Reader_USB_0x0092.txt', 'tpdu', 271, 3, 0x000103b0],
  ['Cherry_Smart_Card_Reader_USB_2_04.txt', 'extended-apdu', 502, 3, 0x000407b2],
  ['GemPCTwin.txt', 'tpdu', 271, 3, 0x00010230],
  ['Gemalto_IDBridge_CT30.txt', 'tpdu', 271, 3, 0x00010230],
  ['HID_Global_OMNIKEY_3x21_Smart_Card_Reader.txt', 'extended-apdu', 271, 3, 0x000407ba],
  ['Identiv_uTrust_2900_R_Smart_Card_Reader.txt', 'tpdu', 271, 3, 0x000100ba],
  ['Nitrokey_Nitrokey_3.txt', 'extended-apdu', 3072, 2, 0x00040840],
  ['Nitrokey_Pro.txt', 'tpdu', 271, 3, 0x000104ba],
  ['Nitrokey_Start.txt', 'short-apdu', 271, 2, 0x00020842],
  ['OMNIKEY_AG_3121.txt', 'extended-apdu', 502, 3, 0x000407b2],
  ['SCR3310.txt', 'tpdu', 271, 3, 0x000100ba],
  ['SCR3310_2.txt', 'tpdu', 263, 3, 0x000100ba],
  ['SPR532.txt', 'tpdu', 270, 3, 0x000100ba],
  ['Yubico_Yubikey_4_CCID.txt', 'extended-apdu', 3072, 3, 0x000400fe],
  ['Yubico_Yubikey_4_OTP+CCID.txt', 'extended-apdu', 3072, 3, 0x000400fe],
  ['Yubico_Yubikey_4_OTP+U2F+CCID.txt', 'extended-apdu', 3072, 3, 0x000400fe],
  ['Yubico_Yubikey_4_U2F+CCID.txt', 'extended-apdu', 3072, 3, 0x000400fe],
];

const h = (s: string): Uint8Array => fromHex(s, { separators: true });

describe('webusb-ccid/descriptors: every reader dump', () => {
  for (const [file, level, maxMsg, eps, features] of TABLE) {
    it(`${file}: ${level}, ${maxMsg}-byte messages, ${eps} endpoints`, async () => {
      const dump = parseLibccidDump(await readSharedText(`vectors/ccid-readers/${file}`), file);
      const iface = findCcidInterface(parseConfigurationDescriptor(configurationDescriptorFor(dump)));
      assert.equal(iface.level, level);
      assert.equal(iface.descriptor.maxMessageLength, maxMsg);
      assert.equal(iface.descriptor.features, features);
      assert.equal(iface.interruptIn !== undefined, eps === 3);
      assert.equal(iface.bulkIn.direction, 'in');
      assert.equal(iface.bulkOut.direction, 'out');
      assert.equal(iface.interfaceNumber, dump.interfaceNumber);
    });
  }
});

describe('webusb-ccid/descriptors: the CCID class descriptor', () => {
  // YubiKey (Yubico_Yubikey_4_OTP+U2F+CCID.txt) written out by hand from the dump, little-endian.
  const YUBIKEY_CLASS_DESCRIPTOR = h(
    '36 21 0001 00 07 02000000 a00f0000 a00f0000 00 00b00400 00b00400 00 f60b0000 00000000 00000000 fe000400 000c0000 ff ff 0000 00 01',
  );

  it('parses every field of the YubiKey descriptor', () => {
    const d = parseCcidClassDescriptor(YUBIKEY_CLASS_DESCRIPTOR);
    assert.deepEqual(d, {
      bcdCCID: 0x0100,
      maxSlotIndex: 0,
      voltageSupport: 0x07,
      protocols: 0x02,
      defaultClock: 4000,
      maximumClock: 4000,
      numClockSupported: 0,
      dataRate: 307200,
      maxDataRate: 307200,
      numDataRatesSupported: 0,
      maxIFSD: 3062,
      synchProtocols: 0,
      mechanical: 0,
      features: 0x000400fe,
      maxMessageLength: 3072,
      classGetResponse: 0xff,
      classEnvelope: 0xff,
      lcdLayout: 0,
      pinSupport: 0,
      maxBusySlots: 1,
    });
  });

  it('the fake builds the same bytes from the dump text', async () => {
    const dump = parseLibccidDump(await readSharedText('vectors/ccid-readers/Yubico_Yubikey_4_OTP+U2F+CCID.txt'));
    assertBytes(encodeCcidClassDescriptor(dump.ccid), YUBIKEY_CLASS_DESCRIPTOR);
  });

  it('exchange level from dwFeatures', () => {
    assert.equal(exchangeLevel(0x000400fe), 'extended-apdu');
    assert.equal(exchangeLevel(0x00020842), 'short-apdu');
    assert.equal(exchangeLevel(0x000100ba), 'tpdu');
    assert.equal(exchangeLevel(0x000000ba), 'character');
  });

  it('refuses a class descriptor of the wrong size or type', () => {
    assertThrows(() => parseCcidClassDescriptor(YUBIKEY_CLASS_DESCRIPTOR.subarray(0, 53)), CcidDescriptorError);
    const t = YUBIKEY_CLASS_DESCRIPTOR.slice();
    t[1] = 0x22;
    assertThrows(() => parseCcidClassDescriptor(t), CcidDescriptorError);
  });
});

describe('webusb-ccid/descriptors: finding the reader interface', () => {
  const config = (...parts: string[]): Uint8Array => {
    const body = h(parts.join(''));
    const total = 9 + body.length;
    const n = new Set(parts.filter((p) => p.replace(/\s/g, '').slice(2, 4) === '04').map((p) => p.replace(/\s/g, '').slice(4, 6))).size;
    return new Uint8Array([9, 2, total & 0xff, total >> 8, n, 1, 0, 0x80, 50, ...body]);
  };
  const CCID = '36 21 0001 00 07 02000000 a00f0000 a00f0000 00 00b00400 00b00400 00 f60b0000 00000000 00000000 fe000400 000c0000 ff ff 0000 00 01';
  const HID_IF = '09 04 00 00 01 03 00 00 00  09 21 1001 00 01 22 2200  07 05 81 03 4000 0a';

  it('takes the CCID interface, not a HID interface whose descriptor is also type 0x21', () => {
    const c = config(HID_IF, '09 04 01 00 03 0b 00 00 00', CCID, '07 05 02 02 4000 00', '07 05 83 02 4000 00', '07 05 84 03 0800 10');
    const i = findCcidInterface(parseConfigurationDescriptor(c));
    assert.equal(i.interfaceNumber, 1);
    assert.deepEqual([i.bulkOut.number, i.bulkIn.number, i.interruptIn!.number], [2, 3, 4]);
    assert.equal(i.bulkIn.packetSize, 64);
    assert.equal(i.interruptIn!.packetSize, 8);
  });

  it('a device with only HID interfaces is not a reader', () => {
    assertThrows(() => findCcidInterface(parseConfigurationDescriptor(config(HID_IF))), NotCcidDeviceError);
  });

  it('a reader interface without bulk-IN is refused', () => {
    const c = config('09 04 00 00 02 0b 00 00 00', CCID, '07 05 02 02 4000 00', '07 05 84 03 0800 10');
    assert.match(assertThrows(() => findCcidInterface(parseConfigurationDescriptor(c)), CcidEndpointError).message, /bulk-IN/);
  });

  it('a class-0B interface without a 54-byte class descriptor is refused', () => {
    const c = config('09 04 00 00 02 0b 00 00 00', CCID.replace(/^36/, '35').slice(0, -3), '07 05 02 02 4000 00', '07 05 83 02 4000 00');
    assertThrows(() => findCcidInterface(parseConfigurationDescriptor(c)), CcidDescriptorError);
  });

  it('a character-level reader is refused', () => {
    const charLevel = CCID.replace('fe000400', 'fe000000');
    const c = config('09 04 00 00 02 0b 00 00 00', charLevel, '07 05 02 02 4000 00', '07 05 83 02 4000 00');
    assertThrows(() => findCcidInterface(parseConfigurationDescriptor(c)), CcidUnsupportedError);
  });

  it('refuses malformed configuration descriptors', () => {
    const good = config('09 04 00 00 02 0b 00 00 00', CCID, '07 05 02 02 4000 00', '07 05 83 02 4000 00');
    parseConfigurationDescriptor(good);
    const badTotal = good.slice();
    badTotal[2]++;
    assertThrows(() => parseConfigurationDescriptor(badTotal), CcidDescriptorError);
    assertThrows(() => parseConfigurationDescriptor(good.subarray(0, good.length - 1)), CcidDescriptorError);
    const overrun = good.slice();
    overrun[good.length - 7] = 9; // the last endpoint claims 9 bytes
    assertThrows(() => parseConfigurationDescriptor(overrun), CcidDescriptorError);
    const zero = good.slice();
    zero[9] = 0;
    assertThrows(() => parseConfigurationDescriptor(zero), CcidDescriptorError);
    const count = config('09 04 00 00 03 0b 00 00 00', CCID, '07 05 02 02 4000 00', '07 05 83 02 4000 00');
    assert.match(assertThrows(() => parseConfigurationDescriptor(count), CcidDescriptorError).message, /declares 3 endpoints, has 2/);
  });
});
