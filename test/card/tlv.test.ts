import { describe, it, assert, assertBytes, assertThrows } from '../harness.ts';
import { fromHex } from '../../src/bytes/index.ts';
import {
  encodeLength,
  encodeTlv,
  findAllTlv,
  findTlv,
  findTlvDeep,
  findTlvPath,
  isConstructedTag,
  parseOneTlv,
  parseTlv,
  requireTlv,
  tagBytes,
  tlv,
  TlvError,
} from '../../src/card/tlv.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });
const filled = (n: number, seed = 1): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
};

describe('card/tlv: lengths at the form boundaries', () => {
  // length → expected length field, written by hand from ISO/IEC 8825-1 §8.1.3.
  const cases: [number, string][] = [
    [0, '00'],
    [0x7f, '7f'],
    [0x80, '8180'],
    [0xff, '81ff'],
    [0x100, '820100'],
    [0xffff, '82ffff'],
    [0x10000, '83010000'],
  ];
  for (const [n, field] of cases) {
    it(`length ${n} is written ${field} and reads back`, () => {
      assertBytes(encodeLength(n), h(field));
      const value = filled(n);
      const enc = tlv(0x53, value);
      assertBytes(enc.subarray(0, 1 + field.length / 2), h('53' + field));
      assert.equal(enc.length, 1 + field.length / 2 + n);
      const [node] = parseTlv(enc);
      assert.equal(node.tag, 0x53);
      assert.equal(node.value.length, n);
      assertBytes(node.value, value);
    });
  }

  it('refuses non-minimal long forms', () => {
    for (const bad of ['53 81 7f', '53 82 00 ff', '53 82 00 00', '53 83 00 ff ff', '53 83 00 00 01']) {
      const pad = new Uint8Array(0x100);
      const buf = new Uint8Array([...h(bad), ...pad]);
      const e = assertThrows(() => parseTlv(buf), TlvError, bad);
      assert.match(e.message, /shortest form/);
      assert.equal(e.offset, 1);
    }
  });

  it('refuses the indefinite form and length fields of 4 or more bytes', () => {
    assert.match(assertThrows(() => parseTlv(h('53 80 00 00')), TlvError).message, /indefinite/);
    assert.match(assertThrows(() => parseTlv(h('53 84 01 00 00 00')), TlvError).message, /4 bytes/);
    assert.match(assertThrows(() => parseTlv(h('53 ff')), TlvError).message, /127 bytes|not allowed/);
  });

  it('caps the value length (default 65536, configurable)', () => {
    const v = new Uint8Array(0x10001);
    const enc = tlv(0x53, v);
    assert.match(assertThrows(() => parseTlv(enc), TlvError).message, /exceeds the limit of 65536/);
    assert.equal(parseTlv(enc, { maxLength: 0x20000 })[0].value.length, 0x10001);
    assertThrows(() => parseTlv(tlv(0x53, new Uint8Array(200)), { maxLength: 199 }), TlvError);
  });

  it('reports a value that runs past the end, with its offset', () => {
    const e = assertThrows(() => parseTlv(h('53 05 01 02 03')), TlvError);
    assert.equal(e.offset, 2);
    assertThrows(() => parseTlv(h('53 81')), TlvError);
    assertThrows(() => parseTlv(h('53 82 01')), TlvError);
    assertThrows(() => parseTlv(h('53')), TlvError);
  });
});

describe('card/tlv: tags', () => {
  it('reads 1-, 2- and 3-byte tags (5F50, 7F49, 5FC105, BF1F, 9F7F)', () => {
    const enc = h('5f50 02 6162  7f49 03 86 01 04  5fc105 01 ff  bf1f 00  9f7f 00');
    const list = parseTlv(enc);
    assert.deepEqual(
      list.map((t) => t.tag),
      [0x5f50, 0x7f49, 0x5fc105, 0xbf1f, 0x9f7f],
    );
    assert.deepEqual(
      list.map((t) => t.offset),
      [0, 5, 11, 16, 19],
    );
    assert.isTrue(list[1].constructed);
    assert.isFalse(list[2].constructed);
    assert.equal(list[1].children[0].tag, 0x86);
    assertBytes(list[1].children[0].value, h('04'));
    assert.isTrue(list[3].constructed);
    assert.lengthOf(list[3].children, 0);
  });

  it('writes multi-byte tags as given and knows constructed from the first byte', () => {
    assertBytes(tagBytes(0x5fc105), h('5fc105'));
    assertBytes(tagBytes(0x7f49), h('7f49'));
    assertBytes(tagBytes(0x9f1f), h('9f1f'));
    assert.isTrue(isConstructedTag(0x7f49));
    assert.isTrue(isConstructedTag(0x7c));
    assert.isFalse(isConstructedTag(0x5fc105));
  });

  it('refuses malformed tags', () => {
    const bad: [string, RegExp][] = [
      ['5f 1e 00', /one-byte form/], // number 30 must be written in one byte
      ['bf 0c 00', /one-byte form/], // ISO/IEC 7816-4: second tag byte 00..1E is invalid (EMV's BF0C too)
      ['5f 80 01 00', /leading zero/],
      ['5f 81 81 01 00', /longer than 3/],
      ['5f', /cut off/],
      ['5f 81', /cut off/],
      ['00 00', /padding/],
      ['ff 00', /padding/],
    ];
    for (const [hex, re] of bad) assert.match(assertThrows(() => parseTlv(h(hex)), TlvError, hex).message, re, hex);
    for (const tag of [0x5f1e, 0x5f8001, 0x1f, 0x5f81, 0x01000000, -1]) assertThrows(() => tagBytes(tag), TlvError, String(tag));
  });
});

describe('card/tlv: constructed values', () => {
  it('parses nested values recursively and round-trips through the encoder', () => {
    const input = {
      tag: 0x7c,
      children: [{ tag: 0x82, value: new Uint8Array(0) }, { tag: 0x81, value: filled(300) }, { tag: 0xa5, children: [{ tag: 0x5fc105, value: h('0102') }] }],
    };
    const enc = encodeTlv(input);
    // 7C 82 01 3A | 82 00 | 81 82 01 2C <300> | A5 06 5FC105 02 0102  (2 + 304 + 8 = 314 = 0x13A)
    assertBytes(enc.subarray(0, 4), h('7c82013a'));
    assert.equal(enc.length, 4 + 2 + 4 + 300 + 8);
    const top = parseOneTlv(enc);
    assert.equal(top.children.length, 3);
    assertBytes(findTlvPath([top], 0x7c, 0xa5, 0x5fc105)!.value, h('0102'));
    assertBytes(findTlvDeep([top], 0x5fc105)!.value, h('0102'));
    assert.equal(findTlv(top.children, 0x81)!.value.length, 300);
    assert.isUndefined(findTlv([top], 0x81), 'findTlv does not look inside');
    assert.isUndefined(findTlvPath([top], 0x7c, 0x99));
    assertBytes(encodeTlv(input), enc);
  });

  it('refuses a child that overruns its parent, and trailing bytes inside a parent', () => {
    // 7C 03 | 81 02 01 02 → the child needs 2 bytes, the parent has 1 left
    const e1 = assertThrows(() => parseTlv(h('7c 03 81 02 01 02')), TlvError);
    assert.equal(e1.offset, 4);
    // 7C 04 | 81 01 01 | 00 → a padding byte inside
    assertThrows(() => parseTlv(h('7c 04 81 01 01 00')), TlvError);
  });

  it('has no trailing bytes at the top level', () => {
    assertThrows(() => parseTlv(h('53 01 01 00')), TlvError);
    assert.match(assertThrows(() => parseOneTlv(h('53 01 01 53 00')), TlvError).message, /one data object, found 2/);
  });

  it('caps nesting depth', () => {
    let enc = tlv(0x80, h('01'));
    for (let i = 0; i < 20; i++) enc = encodeTlv({ tag: 0xa0, value: enc });
    assert.match(assertThrows(() => parseTlv(enc), TlvError).message, /deeper than 16/);
    assert.equal(parseTlv(enc, { maxDepth: 21 }).length, 1);
    let depth = 0;
    for (let t = parseTlv(enc, { maxDepth: 21 })[0]; t; t = t.children[0]) depth++;
    assert.equal(depth, 21);
  });

  it('refuses children for a primitive tag, and finds all / required tags', () => {
    assertThrows(() => encodeTlv({ tag: 0x53, children: [] }), TlvError);
    const list = parseTlv(h('4f 01 01 4f 01 02 50 00'));
    assert.deepEqual(
      findAllTlv(list, 0x4f).map((t) => t.value[0]),
      [1, 2],
    );
    assert.equal(requireTlv(list, 0x50).value.length, 0);
    assert.match(assertThrows(() => requireTlv(list, 0x51), TlvError).message, /51 is missing/);
  });
});
