import { describe, it, assert, assertThrows, assertBytes } from '../harness.ts';
import {
  ByteReader, ByteWriter, ByteRangeError, HexError, toHex, fromHex, groupedHex, concat,
  constantTimeEqual, bytesEqual, u16be, u16le, u32be, u32le, uintBe, readUintBe, readU32be,
} from '../../src/bytes/index.ts';

describe('bytes', () => {
  it('hex round trip and strictness', () => {
    const b = Uint8Array.of(0, 1, 0x7f, 0x80, 0xff);
    assert.equal(toHex(b), '00017f80ff');
    assertBytes(fromHex('00017F80ff'), b);
    assertThrows(() => fromHex('abc'), HexError);
    assertThrows(() => fromHex('zz'), HexError);
    assertThrows(() => fromHex('00 01'), HexError);
    assertBytes(fromHex('00 01:02', { separators: true }), Uint8Array.of(0, 1, 2));
    assertThrows(() => fromHex('0001', { length: 3 }), HexError);
  });

  it('grouped hex', () => {
    assert.equal(groupedHex(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01)), 'DEAD BEEF 01');
    assert.equal(groupedHex(Uint8Array.of(1, 2, 3, 4), 4), '01020304');
  });

  it('integers by byte order', () => {
    assertBytes(u16be(0x1234), Uint8Array.of(0x12, 0x34));
    assertBytes(u16le(0x1234), Uint8Array.of(0x34, 0x12));
    assertBytes(u32be(0x01020304), Uint8Array.of(1, 2, 3, 4));
    assertBytes(u32le(0x01020304), Uint8Array.of(4, 3, 2, 1));
    assert.equal(readU32be(Uint8Array.of(0xff, 0xff, 0xff, 0xfe)), 0xfffffffe);
    assertThrows(() => readU32be(Uint8Array.of(1, 2, 3)), ByteRangeError);
    assertThrows(() => u32be(2 ** 32), RangeError);
    assertThrows(() => u16be(-1), RangeError);
    const c = (1n << 127n) + 5n;
    assert.equal(readUintBe(uintBe(c, 16)), c);
    assert.equal(uintBe(1n, 16)[15], 1);
    assertThrows(() => uintBe(1n << 128n, 16), RangeError);
  });

  it('reader bounds and trailing bytes', () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
    assert.equal(r.u8(), 1);
    assert.equal(r.u16be(), 0x0203);
    assert.equal(r.u16le(), 0x0504);
    assert.equal(r.remaining, 2);
    const e = assertThrows(() => r.bytes(3), ByteRangeError);
    assert.equal(e.wanted, 3);
    assert.equal(e.available, 2);
    assert.equal(r.offset, 5, 'a failed read consumes nothing');
    assertThrows(() => r.end(), ByteRangeError);
    assertBytes(r.rest(), Uint8Array.of(6, 7));
    r.end();
    assertThrows(() => r.u8(), ByteRangeError);
    assertThrows(() => new ByteReader(new Uint8Array(3)).u32le(), ByteRangeError);
  });

  it('writer grows and matches the reader', () => {
    const w = new ByteWriter();
    for (let i = 0; i < 100; i++) w.u32le(i * 0x01010101);
    w.u16be(0xabcd).bytes(Uint8Array.of(9, 9));
    const out = w.finish();
    assert.equal(out.length, 404);
    const r = new ByteReader(out);
    for (let i = 0; i < 100; i++) assert.equal(r.u32le(), (i * 0x01010101) >>> 0);
    assert.equal(r.u16be(), 0xabcd);
    assertBytes(r.rest(), Uint8Array.of(9, 9));
  });

  it('concat and comparisons', () => {
    assertBytes(concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3));
    assert.isTrue(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
    assert.isFalse(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
    assert.isFalse(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1)));
    assert.isTrue(bytesEqual(new Uint8Array(0), new Uint8Array(0)));
    assert.isFalse(bytesEqual(Uint8Array.of(0), Uint8Array.of(1)));
  });
});
