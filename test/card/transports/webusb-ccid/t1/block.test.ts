import { assert, assertBytes, assertThrows, bytesOf, describe, it } from '../../../../harness.ts';
import {
  buildBlock,
  describeBlock,
  parseBlock,
  replyNad,
  nadMatches,
  T1BlockError,
  type T1Block,
} from '../../../../../src/card/transports/webusb-ccid/t1/block.ts';
import { crc16, lrc } from '../../../../../src/card/transports/webusb-ccid/t1/edc.ts';

const LRC = { edc: 'lrc' as const };
const CRC = { edc: 'crc' as const };

/**
 * Every PCB kind with NAD 00 and LRC, written by hand from the ISO/IEC 7816-3 tables
 * (I: 0 N(S) M 00000; R: 10 0 N(R) error; S: 11 response function) and the LRC computed as
 * the XOR of prologue and INF.
 */
const CASES: Array<[string, T1Block, string]> = [
  ['I(0) SELECT header', { kind: 'I', ns: 0, more: false, inf: bytesOf('00a40400') }, '00 00 04 00a40400 a4'],
  ['I(0,M)', { kind: 'I', ns: 0, more: true, inf: bytesOf('0102') }, '00 20 02 0102 21'],
  ['I(1)', { kind: 'I', ns: 1, more: false, inf: bytesOf('') }, '00 40 00 40'],
  ['I(1,M)', { kind: 'I', ns: 1, more: true, inf: bytesOf('0102') }, '00 60 02 0102 61'],
  ['R(0)', { kind: 'R', nr: 0, error: 0 }, '00 80 00 80'],
  ['R(0) EDC error', { kind: 'R', nr: 0, error: 1 }, '00 81 00 81'],
  ['R(0) other error', { kind: 'R', nr: 0, error: 2 }, '00 82 00 82'],
  ['R(1)', { kind: 'R', nr: 1, error: 0 }, '00 90 00 90'],
  ['R(1) EDC error', { kind: 'R', nr: 1, error: 1 }, '00 91 00 91'],
  ['R(1) other error', { kind: 'R', nr: 1, error: 2 }, '00 92 00 92'],
  ['S(RESYNCH request)', { kind: 'S', fn: 'resynch', response: false }, '00 c0 00 c0'],
  ['S(RESYNCH response)', { kind: 'S', fn: 'resynch', response: true }, '00 e0 00 e0'],
  ['S(IFS request FE)', { kind: 'S', fn: 'ifs', response: false, value: 0xfe }, '00 c1 01 fe 3e'],
  ['S(IFS response FE)', { kind: 'S', fn: 'ifs', response: true, value: 0xfe }, '00 e1 01 fe 1e'],
  ['S(ABORT request)', { kind: 'S', fn: 'abort', response: false }, '00 c2 00 c2'],
  ['S(ABORT response)', { kind: 'S', fn: 'abort', response: true }, '00 e2 00 e2'],
  ['S(WTX request 5)', { kind: 'S', fn: 'wtx', response: false, value: 5 }, '00 c3 01 05 c7'],
  ['S(WTX response 5)', { kind: 'S', fn: 'wtx', response: true, value: 5 }, '00 e3 01 05 e7'],
];

describe('T=1 block codec', () => {
  for (const [name, block, hex] of CASES) {
    it(`builds and parses ${name}`, () => {
      assertBytes(buildBlock(block, LRC), bytesOf(hex));
      const parsed = parseBlock(bytesOf(hex), LRC);
      assert.equal(parsed.nad, 0);
      assert.deepEqual({ ...parsed.block, ...('inf' in parsed.block ? { inf: Array.from(parsed.block.inf) } : {}) }, {
        ...block,
        ...('inf' in block ? { inf: Array.from(block.inf) } : {}),
      });
    });
  }

  it('writes the NAD and checks the reply NAD with SAD and DAD swapped', () => {
    // NAD 0x12: DAD 1, SAD 2. The card answers with DAD 2, SAD 1 = 0x21.
    assertBytes(buildBlock({ kind: 'R', nr: 0, error: 0 }, { nad: 0x12, edc: 'lrc' }), bytesOf('12 80 00 92'));
    assert.equal(replyNad(0x12), 0x21);
    assert.isTrue(nadMatches(0xa9, 0x21), 'b8 and b4 are ignored');
    assert.isFalse(nadMatches(0x12, 0x21));
  });

  it('computes the LRC as XOR and the CRC as CRC-16/MCRF4XX (check value 6F91)', () => {
    assert.equal(lrc(bytesOf('00 00 04 00 a4 04 00')), 0xa4);
    assert.equal(crc16(new TextEncoder().encode('123456789')), 0x6f91);
  });

  it('builds and parses CRC blocks (CRC sent most significant byte first)', () => {
    // CRC values computed bit by bit (reflected 0x8408, init FFFF, no final XOR).
    const cases: Array<[T1Block, string]> = [
      [{ kind: 'I', ns: 0, more: false, inf: bytesOf('00a40400') }, '00 00 04 00a40400 5549'],
      [{ kind: 'R', nr: 0, error: 0 }, '00 80 00 b5ff'],
      [{ kind: 'S', fn: 'resynch', response: false }, '00 c0 00 f399'],
      [{ kind: 'S', fn: 'wtx', response: false, value: 5 }, '00 c3 01 05 a8aa'],
      [{ kind: 'S', fn: 'ifs', response: true, value: 0xfe }, '00 e1 01 fe 5775'],
    ];
    for (const [block, hex] of cases) {
      assertBytes(buildBlock(block, CRC), bytesOf(hex), describeBlock(block));
      assert.deepEqual(parseBlock(bytesOf(hex), CRC).block.kind, block.kind);
    }
    // The same bytes with an LRC epilogue length do not parse as CRC and vice versa.
    assert.equal(assertThrows(() => parseBlock(bytesOf('00 80 00 80'), CRC), T1BlockError).reason, 'truncated');
    assert.equal(assertThrows(() => parseBlock(bytesOf('00 00 04 00a40400 a4'), CRC), T1BlockError).reason, 'length-mismatch');
    assert.equal(assertThrows(() => parseBlock(bytesOf('00 80 00 b5ff'), LRC), T1BlockError).reason, 'length-mismatch');
  });

  it('carries 0 to 254 INF bytes and refuses 255', () => {
    for (const n of [0, 1, 253, 254]) {
      const inf = new Uint8Array(n).map((_, i) => i);
      const bytes = buildBlock({ kind: 'I', ns: 1, more: false, inf }, LRC);
      assert.equal(bytes.length, 3 + n + 1);
      assert.equal(bytes[2], n);
      const back = parseBlock(bytes, LRC).block;
      assert.equal(back.kind, 'I');
      if (back.kind === 'I') assertBytes(back.inf, inf);
    }
    assertThrows(() => buildBlock({ kind: 'I', ns: 0, more: false, inf: new Uint8Array(255) }, LRC), T1BlockError);
    // LEN FF on the wire is RFU, even when 255 bytes follow and the LRC is right.
    const raw = new Uint8Array(3 + 255 + 1);
    raw[2] = 0xff;
    raw[raw.length - 1] = 0xff; // XOR of 00 00 FF and 255 zero bytes
    assert.equal(assertThrows(() => parseBlock(raw, LRC), T1BlockError).reason, 'length-rfu');
  });

  it('rejects a bad EDC with error code 1 and other faults with code 2', () => {
    const bad = assertThrows(() => parseBlock(bytesOf('00 00 04 00a40400 a5'), LRC), T1BlockError);
    assert.equal(bad.reason, 'edc');
    assert.equal(bad.rError, 1);
    const badCrc = assertThrows(() => parseBlock(bytesOf('00 00 04 00a40400 5548'), CRC), T1BlockError);
    assert.equal(badCrc.reason, 'edc');
    const badCrcFirst = assertThrows(() => parseBlock(bytesOf('00 00 04 00a40400 4955'), CRC), T1BlockError);
    assert.equal(badCrcFirst.reason, 'edc', 'CRC bytes swapped');
    const len = assertThrows(() => parseBlock(bytesOf('00 00 05 00a40400 a5'), LRC), T1BlockError);
    assert.equal(len.reason, 'length-mismatch');
    assert.equal(len.rError, 2);
    assert.equal(assertThrows(() => parseBlock(bytesOf('00 00 03 00a40400 a7'), LRC), T1BlockError).reason, 'length-mismatch');
    assert.equal(assertThrows(() => parseBlock(bytesOf('00 00'), LRC), T1BlockError).reason, 'truncated');
    assert.equal(assertThrows(() => parseBlock(bytesOf(''), LRC), T1BlockError).reason, 'truncated');
    assert.equal(assertThrows(() => parseBlock(bytesOf('ff 80 00 7f'), LRC), T1BlockError).reason, 'nad');
  });

  it('rejects RFU PCB codings (reserved bits, error codes, S functions)', () => {
    // Each with a correct LRC so that only the PCB is wrong.
    const rfu = ['00 01 00 01', '00 1f 00 1f', '00 83 00 83', '00 8f 00 8f', '00 a0 00 a0', '00 c4 00 c4', '00 e4 00 e4', '00 df 00 df', '00 d0 00 d0'];
    for (const hex of rfu) {
      const e = assertThrows(() => parseBlock(bytesOf(hex), LRC), T1BlockError, hex);
      assert.equal(e.reason, 'pcb-rfu', hex);
      assert.equal(e.rError, 2);
    }
  });

  it('rejects INF that does not fit the block kind', () => {
    const wrong = [
      '00 80 01 00 81', // R-block with INF
      '00 c0 01 00 c1', // S(RESYNCH) with INF
      '00 c2 01 00 c3', // S(ABORT) with INF
      '00 c1 00 c1', // S(IFS) without INF
      '00 c1 02 2000 e3', // S(IFS) with 2 bytes
      '00 c1 01 00 c0', // IFS 00 (RFU)
      '00 e1 01 ff 1f', // IFS FF (RFU)
      '00 c3 00 c3', // S(WTX) without INF
      '00 c3 01 00 c2', // WTX multiplier 0
    ];
    for (const hex of wrong) {
      assert.equal(assertThrows(() => parseBlock(bytesOf(hex), LRC), T1BlockError, hex).reason, 'inf', hex);
    }
    assertThrows(() => buildBlock({ kind: 'S', fn: 'ifs', response: false, value: 0 }, LRC), T1BlockError);
    assertThrows(() => buildBlock({ kind: 'S', fn: 'ifs', response: false, value: 255 }, LRC), T1BlockError);
    assertThrows(() => buildBlock({ kind: 'S', fn: 'wtx', response: false, value: 0 }, LRC), T1BlockError);
    assertThrows(() => buildBlock({ kind: 'R', nr: 0, error: 3 as 0 }, LRC), T1BlockError);
    assertThrows(() => buildBlock({ kind: 'R', nr: 0, error: 0 }, { nad: 0xff, edc: 'lrc' }), T1BlockError);
  });

  it('accepts IFS 01 and FE and WTX FF at the edges', () => {
    assert.deepEqual(parseBlock(bytesOf('00 c1 01 01 c1'), LRC).block, { kind: 'S', fn: 'ifs', response: false, value: 1 });
    assert.deepEqual(parseBlock(bytesOf('00 e3 01 ff 1d'), LRC).block, { kind: 'S', fn: 'wtx', response: true, value: 255 });
  });
});
