import { describe, it, assert } from '../harness.ts';
import { describeStatusWord } from '../../src/card/status-words.ts';
import { ApduError, checkResponse, errorForStatus, PinBlockedError, PinError } from '../../src/card/errors.ts';

describe('card/status-words', () => {
  it('has a plain meaning for each status word the applets meet', () => {
    const expect: [number, RegExp][] = [
      [0x9000, /^Success/],
      [0x6281, /corrupted/],
      [0x6700, /Wrong length/],
      [0x6982, /PIN or authentication is needed/],
      [0x6983, /blocked/],
      [0x6984, /not set or has been invalidated/],
      [0x6985, /Conditions of use/],
      [0x6986, /no current file/],
      [0x6a80, /command data/],
      [0x6a81, /Function not supported/],
      [0x6a82, /not found/],
      [0x6a84, /memory space/],
      [0x6a86, /P1-P2/],
      [0x6a88, /Referenced data not found/],
      [0x6b00, /offset outside/],
      [0x6d00, /Instruction not supported/],
      [0x6e00, /Class not supported/],
      [0x6f00, /no precise diagnosis/],
      [0x6581, /Memory failure/],
      [0x6882, /secure messaging/],
      [0x6883, /last command of a command chain/],
      [0x6884, /command chaining/],
    ];
    for (const [sw, re] of expect) assert.match(describeStatusWord(sw).meaning, re, sw.toString(16));
    const distinct = new Set(expect.map(([sw]) => describeStatusWord(sw).meaning));
    assert.equal(distinct.size, expect.length, 'each has its own meaning');
  });

  it('reads SW2 of 61xx, 6Cxx and 63Cx', () => {
    assert.equal(describeStatusWord(0x612a).kind, 'more-data');
    assert.match(describeStatusWord(0x612a).meaning, /42 more/);
    assert.match(describeStatusWord(0x6100).meaning, /256 or more/);
    assert.match(describeStatusWord(0x6c10).meaning, /exact length is 16/);
    assert.match(describeStatusWord(0x6c00).meaning, /exact length is 256/);
    assert.match(describeStatusWord(0x63c2).meaning, /2 tries left/);
    assert.match(describeStatusWord(0x63c1).meaning, /1 try left/);
    assert.equal(describeStatusWord(0x63c2).kind, 'warning');
    assert.equal(describeStatusWord(0x6a82).kind, 'error');
  });

  it('gives unknown status words a meaning by group', () => {
    assert.match(describeStatusWord(0x6a99).meaning, /Wrong parameters P1-P2 \(status 6A99\)/);
    assert.match(describeStatusWord(0x9a01).meaning, /Unknown status word 9A01/);
  });
});

describe('card/errors: the typed error for a status word', () => {
  it('63Cx is a PinError with the tries left; 63C0 and 6983 are PinBlockedError', () => {
    const e = errorForStatus(0x63c2, { cla: 0, ins: 0x20, p1: 0, p2: 0x80 });
    assert.instanceOf(e, PinError);
    assert.instanceOf(e, ApduError);
    assert.equal((e as PinError).retriesLeft, 2);
    assert.equal(e.sw, 0x63c2);
    assert.match(e.message, /63C2.*INS 20/);
    assert.isFalse(e instanceof PinBlockedError);
    for (const sw of [0x63c0, 0x6983]) {
      const b = errorForStatus(sw);
      assert.instanceOf(b, PinBlockedError);
      assert.equal((b as PinBlockedError).retriesLeft, 0);
      assert.equal(b.sw, sw);
    }
  });

  it('other status words are ApduError with sw and meaning', () => {
    const e = errorForStatus(0x6a82);
    assert.instanceOf(e, ApduError);
    assert.notInstanceOf(e, PinError);
    assert.equal(e.sw, 0x6a82);
    assert.equal(e.sw1, 0x6a);
    assert.equal(e.sw2, 0x82);
    assert.match(e.meaning, /not found/);
    assert.throws(() => errorForStatus(0x9000), RangeError);
  });

  it('checkResponse passes data on 9000 and throws otherwise', () => {
    const d = Uint8Array.of(1, 2);
    assert.strictEqual(checkResponse({ data: d, sw: 0x9000 }), d);
    assert.throws(() => checkResponse({ data: d, sw: 0x6982 }), ApduError);
  });
});
