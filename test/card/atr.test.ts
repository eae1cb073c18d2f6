import { describe, it, assert, assertBytes, assertThrows } from '../harness.ts';
import { fromHex } from '../../src/bytes/index.ts';
import { AtrError, parseAtr } from '../../src/card/atr.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });

// Real ATRs, as pcsc_scan prints them (also in Ludovic Rousseau's smartcard_list.txt).
const YUBIKEY_5 = '3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40';
const NITROKEY_3 = '3B 8F 01 80 5D 4E 69 74 72 6F 6B 65 79 00 00 00 00 00 6A';
const OPENPGP_CARD_2 = '3B DA 18 FF 81 B1 FE 75 1F 03 00 31 C5 73 C0 01 40 00 90 00 0C';

describe('card/atr', () => {
  it('YubiKey 5: TA1=13, T=1 with IFSC 254, BWI 1, CWI 5, LRC, historical "…YubiKey"', () => {
    const a = parseAtr(h(YUBIKEY_5));
    assert.equal(a.convention, 'direct');
    assert.deepEqual(a.protocols, [1]);
    assert.equal(a.ta1, 0x13);
    assert.equal(a.extraGuardTime, 0);
    assert.deepEqual(a.t1, { ifsc: 254, bwi: 1, cwi: 5, edc: 'lrc' });
    assert.equal(a.historical.length, 13);
    assert.equal(new TextDecoder().decode(a.historical.subarray(6)), 'YubiKey');
    assert.equal(a.tck, 0x40);
    assert.equal(a.groups.length, 3);
  });

  it('Nitrokey 3: T=1 by TD1 only, so IFSC/BWI/CWI take the defaults', () => {
    const a = parseAtr(h(NITROKEY_3));
    assert.deepEqual(a.protocols, [1]);
    assert.deepEqual(a.t1, { ifsc: 32, bwi: 4, cwi: 13, edc: 'lrc' });
    assert.equal(new TextDecoder().decode(a.historical.subarray(2, 10)), 'Nitrokey');
    assert.equal(a.ta1, 0x11);
  });

  it('OpenPGP card 2: TC1=FF, T=1 IFSC 254 BWI 7 CWI 5, global TA4 after T=15', () => {
    const a = parseAtr(h(OPENPGP_CARD_2));
    assert.deepEqual(a.protocols, [1], 'T=15 is not a protocol');
    assert.equal(a.ta1, 0x18);
    assert.equal(a.extraGuardTime, 0xff);
    assert.deepEqual(a.t1, { ifsc: 254, bwi: 7, cwi: 5, edc: 'lrc' });
    assert.equal(a.groups[3].ta, 0x03);
    assert.equal(a.groups[3].protocol, 15);
    assertBytes(a.historical, h('00 31 C5 73 C0 01 40 00 90 00'));
  });

  it('T=0 only: no TCK; T=0 and T=1 with TC3 bit 1: CRC', () => {
    const t0 = parseAtr(h('3B 02 14 50'));
    assert.deepEqual(t0.protocols, [0]);
    assert.isUndefined(t0.tck);
    assert.isUndefined(t0.t1);
    // TS T0=80 (TD1) TD1=80 (TD2, T=0) TD2=51 (TA3 TC3? no: 0x51 = TA3 present, T=1) ...
    // 3B 80 80 71 20 0F 01 + TCK: TD2=71 → TA3 TB3 TC3, T=1; TA3=20 (IFSC 32), TB3=0F, TC3=01 (CRC)
    const bytes = h('3B 80 80 71 20 0F 01 00');
    let x = 0;
    for (let i = 1; i < bytes.length - 1; i++) x ^= bytes[i];
    bytes[bytes.length - 1] = x;
    const a = parseAtr(bytes);
    assert.deepEqual(a.protocols, [0, 1]);
    assert.deepEqual(a.t1, { ifsc: 32, bwi: 0, cwi: 15, edc: 'crc' });
  });

  it('inverse convention is recognised', () => {
    assert.equal(parseAtr(h('3F 00')).convention, 'inverse');
  });

  it('refuses a bad TCK, missing bytes, trailing bytes, a bad TS and bad T=1 values', () => {
    const y = h(YUBIKEY_5);
    const badTck = y.slice();
    badTck[badTck.length - 1] ^= 1;
    assert.match(assertThrows(() => parseAtr(badTck), AtrError).message, /TCK/);
    assert.match(assertThrows(() => parseAtr(y.subarray(0, y.length - 1)), AtrError).message, /TCK is missing/);
    assert.match(assertThrows(() => parseAtr(y.subarray(0, 10)), AtrError).message, /historical/);
    assertThrows(() => parseAtr(h('3B 02 14 50 00')), AtrError);
    assertThrows(() => parseAtr(h('3B F0 11')), AtrError);
    assertThrows(() => parseAtr(h('3C 00')), AtrError);
    assertThrows(() => parseAtr(h('3B')), AtrError);
    assertThrows(() => parseAtr(new Uint8Array(34).fill(0x3b)), AtrError);
    const withTck = (hex: string): Uint8Array => {
      const b = h(hex + ' 00');
      let x = 0;
      for (let i = 1; i < b.length - 1; i++) x ^= b[i];
      b[b.length - 1] = x;
      return b;
    };
    assert.match(assertThrows(() => parseAtr(withTck('3B 80 81 11 FF')), AtrError).message, /IFSC 255/);
    assert.match(assertThrows(() => parseAtr(withTck('3B 80 81 11 00')), AtrError).message, /IFSC 0/);
    assert.match(assertThrows(() => parseAtr(withTck('3B 80 81 21 A5')), AtrError).message, /BWI 10/);
  });
});
