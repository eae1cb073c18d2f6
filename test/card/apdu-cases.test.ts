import { describe, it, assert, assertBytes, assertThrows } from '../harness.ts';
import { fromHex } from '../../src/bytes/index.ts';
import { ApduFormatError, encodeCommand, parseCommand, type Command } from '../../src/card/apdu.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });
const data = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 1) & 0xff;
  return b;
};

/**
 * Each row: the command, and the header + length fields (ISO/IEC 7816-3 §12.1.3) written by
 * hand. The data field sits between Lc and Le.
 */
const rows: { name: string; cmd: Command; lc: string; le: string; ext: boolean; kase: 1 | 2 | 3 | 4 }[] = [
  { name: 'case 1', cmd: { cla: 0, ins: 0xa4, p1: 0, p2: 0 }, lc: '', le: '', ext: false, kase: 1 },
  { name: 'case 2S Ne=1', cmd: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 1 }, lc: '', le: '01', ext: false, kase: 2 },
  { name: 'case 2S Ne=255', cmd: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 255 }, lc: '', le: 'ff', ext: false, kase: 2 },
  { name: 'case 2S Ne=256', cmd: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 256 }, lc: '', le: '00', ext: false, kase: 2 },
  { name: 'case 2E Ne=257', cmd: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 257 }, lc: '', le: '000101', ext: true, kase: 2 },
  { name: 'case 2E Ne=65535', cmd: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65535 }, lc: '', le: '00ffff', ext: true, kase: 2 },
  { name: 'case 2E Ne=65536', cmd: { cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65536 }, lc: '', le: '000000', ext: true, kase: 2 },
  { name: 'case 3S Nc=1', cmd: { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: data(1) }, lc: '01', le: '', ext: false, kase: 3 },
  { name: 'case 3S Nc=255', cmd: { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: data(255) }, lc: 'ff', le: '', ext: false, kase: 3 },
  { name: 'case 3E Nc=256', cmd: { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: data(256) }, lc: '000100', le: '', ext: true, kase: 3 },
  { name: 'case 3E Nc=65535', cmd: { cla: 0, ins: 0xd6, p1: 0, p2: 0, data: data(65535) }, lc: '00ffff', le: '', ext: true, kase: 3 },
  { name: 'case 4S Nc=1 Ne=1', cmd: { cla: 0, ins: 0x87, p1: 0, p2: 0, data: data(1), ne: 1 }, lc: '01', le: '01', ext: false, kase: 4 },
  { name: 'case 4S Nc=255 Ne=256', cmd: { cla: 0, ins: 0x87, p1: 0, p2: 0, data: data(255), ne: 256 }, lc: 'ff', le: '00', ext: false, kase: 4 },
  { name: 'case 4E Nc=256 Ne=1', cmd: { cla: 0, ins: 0x87, p1: 0, p2: 0, data: data(256), ne: 1 }, lc: '000100', le: '0001', ext: true, kase: 4 },
  { name: 'case 4E Nc=1 Ne=257', cmd: { cla: 0, ins: 0x87, p1: 0, p2: 0, data: data(1), ne: 257 }, lc: '000001', le: '0101', ext: true, kase: 4 },
  { name: 'case 4E Nc=65535 Ne=65536', cmd: { cla: 0, ins: 0x87, p1: 0, p2: 0, data: data(65535), ne: 65536 }, lc: '00ffff', le: '0000', ext: true, kase: 4 },
];

describe('card/apdu: every case, short and extended, at the Lc/Le edges', () => {
  for (const r of rows) {
    it(`${r.name}: encodes by hand and parses back`, () => {
      const d = r.cmd.data ?? new Uint8Array(0);
      const expected = new Uint8Array([r.cmd.cla, r.cmd.ins, r.cmd.p1, r.cmd.p2, ...h(r.lc), ...d, ...h(r.le)]);
      const enc = encodeCommand(r.cmd);
      assertBytes(enc, expected);
      const p = parseCommand(enc);
      assert.equal(p.case, r.kase);
      assert.equal(p.extended, r.ext);
      assert.equal(p.ne, r.cmd.ne);
      assertBytes(p.data, d);
    });
  }

  it('forces the extended form on request (case 2 Ne=1 → 00 0001; case 4 → 00 Lc(2) data Le(2))', () => {
    assertBytes(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 1 }, { extended: true }), h('00b00000 000001'));
    assertBytes(encodeCommand({ cla: 0, ins: 0x87, p1: 0, p2: 0, data: h('aa'), ne: 256 }, { extended: true }), h('00870000 000001 aa 0100'));
  });

  it('refuses out-of-range fields', () => {
    assertThrows(() => encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, data: new Uint8Array(65536) }), ApduFormatError);
    assertThrows(() => encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, ne: 0 }), ApduFormatError);
    assertThrows(() => encodeCommand({ cla: 0, ins: 0, p1: 0, p2: 0, ne: 65537 }), ApduFormatError);
    assertThrows(() => encodeCommand({ cla: 256, ins: 0, p1: 0, p2: 0 }), ApduFormatError);
  });

  it('refuses length fields that do not match the APDU length', () => {
    for (const bad of [
      '00a400', // shorter than the header
      '00a40000 02 01', // short Lc 2, one byte
      '00a40000 01 0102 03 04', // short Lc 1, three bytes after it
      '00a40000 00 00', // 6 bytes: extended too short
      '00a40000 00 0000 01', // extended Lc 0 with more bytes
      '00a40000 00 0002 01', // extended Lc 2, one byte
      '00a40000 00 0001 01 00', // extended case 4 with a 1-byte Le
    ]) {
      assertThrows(() => parseCommand(h(bad)), ApduFormatError, bad);
    }
  });
});
