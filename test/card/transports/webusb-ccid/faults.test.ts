import { describe, it, assert, assertBytes, assertRejects } from '../../../harness.ts';
import { concat, fromHex } from '../../../../src/bytes/index.ts';
import { CardRemovedError, TransportAbortedError, TransportBusyError, TransportTimeoutError } from '../../../../src/card/transport-errors.ts';
import {
  CcidHardwareError,
  CcidProtocolError,
  CcidSequenceError,
  CcidTransferError,
  CommandNotSupportedError,
  IccMuteError,
  XfrParityError,
} from '../../../../src/card/transports/webusb-ccid/index.ts';
import { T1ProtocolError } from '../../../../src/card/transports/webusb-ccid/t1/index.ts';
import type { CcidFault } from '../../../fakes/ccid-device.ts';
import type { ReaderName } from '../../../fakes/ccid-readers.ts';
import { echo, pattern, rig, tick } from './helpers.ts';

const ok = fromHex('9000');
/** XfrBlock number of the first APDU: TPDU readers spend XfrBlock 1 on S(IFS request). */
const firstXfr = (name: ReaderName): number => (name === 'scr3310' || name === 'spr532' ? 2 : 1);

describe('webusb-ccid faults: time extension', () => {
  for (const name of ['yubikey', 'cherry', 'scr3310'] as ReaderName[]) {
    it(`${name}: three time-extension replies are read past`, async () => {
      const r = await rig(name, { device: { faults: [{ kind: 'time-extension', at: firstXfr(name), count: 3, multiplier: 2 }] } });
      const d = pattern(40, 1);
      assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
      assert.deepEqual(r.dev.unfiredFaults(), []);
      await r.reader.close();
    });
  }

  it('the timeout is multiplied by bError: a reply 200 ms after a ×4 extension beats an 80 ms timeout', async () => {
    const fault: CcidFault = { kind: 'time-extension', at: 1, count: 1, multiplier: 4, delayMs: 20, thenMs: 200 };
    const r = await rig('yubikey', { device: { faults: [fault] }, reader: { timeoutMs: 80 } });
    const d = pattern(10, 2);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });

  it('…and with a ×1 extension the same reply is too late (TransportTimeoutError), and the late reply does not answer the next command', async () => {
    const fault: CcidFault = { kind: 'time-extension', at: 1, count: 1, multiplier: 1, delayMs: 20, thenMs: 200 };
    const r = await rig('yubikey', { device: { faults: [fault] }, reader: { timeoutMs: 80 } });
    await assertRejects(r.reader.transmit(echo(pattern(10, 2))), TransportTimeoutError);
    const d = pattern(12, 3);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });
});

describe('webusb-ccid faults: replies split across transfers', () => {
  it('yubikey: a 32-byte DataBlock cut at each offset 1..31, and cut into single bytes', async () => {
    const faults: CcidFault[] = [];
    for (let cut = 1; cut < 32; cut++) faults.push({ kind: 'split', at: cut, offsets: [cut] });
    faults.push({ kind: 'split', at: 32, offsets: Array.from({ length: 31 }, (_, i) => i + 1) });
    const r = await rig('yubikey', { device: { faults } });
    for (let i = 1; i <= 32; i++) {
      const d = pattern(20, i); // ECHO of 20 → 22 response bytes → 32-byte message
      assertBytes(await r.reader.transmit(echo(d)), concat(d, ok), `split ${i}`);
    }
    assert.deepEqual(r.dev.unfiredFaults(), []);
    assert.isAtLeast(r.dev.stats.transfersIn, 2 + 31 * 2 + 32);
    await r.reader.close();
  });

  it('scr3310: a T=1 reply block cut into single bytes, and a 3072-byte extended reply in 64-byte pieces', async () => {
    const t = await rig('scr3310', { device: { faults: [{ kind: 'split', at: 2, offsets: Array.from({ length: 20 }, (_, i) => i + 1) }] } });
    const d = pattern(8, 4);
    assertBytes(await t.reader.transmit(echo(d)), concat(d, ok));
    assert.deepEqual(t.dev.unfiredFaults(), []);
    await t.reader.close();
    const offsets = Array.from({ length: 47 }, (_, i) => (i + 1) * 64);
    const y = await rig('yubikey', { device: { faults: [{ kind: 'split', at: 1, offsets }] } });
    const big = pattern(3060, 5); // 3062-byte response: one full message
    assertBytes(await y.reader.transmit(echo(big)), concat(big, ok));
    assert.deepEqual(y.dev.unfiredFaults(), []);
    await y.reader.close();
  });
});

describe('webusb-ccid faults: sequence numbers and stale replies', () => {
  it('a reply with the wrong bSeq is CcidSequenceError; the next exchange is fine', async () => {
    const r = await rig('yubikey', { device: { faults: [{ kind: 'bad-seq', at: 1 }] } });
    // bSeq 0 GetSlotStatus, 1 IccPowerOn, 2 the XfrBlock; the fake answers 3.
    const e = await assertRejects(r.reader.transmit(echo(pattern(5, 1))), CcidSequenceError);
    assert.equal(e.expected, 2);
    assert.equal(e.received, 3);
    const d = pattern(6, 2);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });

  it('after an abort, the late reply to the aborted command is dropped, not taken for the next one', async () => {
    const r = await rig('yubikey', { device: { faults: [{ kind: 'delay', at: 1, ms: 60 }] } });
    const ctl = new AbortController();
    const first = r.reader.transmit(echo(pattern(5, 1)), ctl.signal);
    await tick(10);
    ctl.abort();
    await assertRejects(first, TransportAbortedError);
    const d = pattern(7, 9);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    assert.deepEqual(r.dev.unfiredFaults(), []);
    await r.reader.close();
  });
});

describe('webusb-ccid faults: card removal in the middle of an exchange', () => {
  const cases: [ReaderName, 'status' | 'stall' | 'transfer-error'][] = [
    ['yubikey', 'status'],
    ['yubikey', 'stall'],
    ['nitrokey3', 'status'],
    ['nitrokey3', 'transfer-error'],
    ['nitrokey3', 'stall'],
    ['cherry', 'status'],
    ['scr3310', 'status'],
    ['spr532', 'transfer-error'],
  ];
  for (const [name, mode] of cases) {
    it(`${name} (${mode}): CardRemovedError, 'card-removed', then insertion brings it back`, async () => {
      const r = await rig(name, { device: { faults: [{ kind: 'remove-card', at: firstXfr(name), mode }] } });
      const events: string[] = [];
      r.reader.on('card-removed', () => events.push('removed'));
      r.reader.on('card-inserted', () => events.push('inserted'));
      await assertRejects(r.reader.transmit(echo(pattern(300, 1))), CardRemovedError);
      assert.deepEqual(events, ['removed']);
      assert.isFalse(r.reader.cardPresent);
      assert.equal(r.reader.atr.length, 0);
      await assertRejects(r.reader.transmit(echo(pattern(3, 1))), CardRemovedError);
      r.dev.insertCard(r.card.handle);
      await tick(5);
      const d = pattern(20, 3);
      assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
      assert.deepEqual(events, ['removed', 'inserted']);
      assert.isTrue(r.reader.cardPresent);
      assert.isAbove(r.reader.atr.length, 0);
      assert.deepEqual(r.dev.unfiredFaults(), []);
      await r.reader.close();
    });
  }

  it('a removal reported on the interrupt endpoint fails a slow exchange at once', async () => {
    const r = await rig('yubikey', { device: { faults: [{ kind: 'delay', at: 1, ms: 300 }] } });
    const running = r.reader.transmit(echo(pattern(4, 1)));
    await tick(20);
    const t0 = performance.now();
    r.dev.removeCard();
    await assertRejects(running, CardRemovedError);
    assert.isBelow(performance.now() - t0, 200, 'did not wait for the reader’s reply');
    await r.reader.close();
  });
});

describe('webusb-ccid faults: USB transfer failures and reader errors', () => {
  it('a stalled bulk-IN endpoint is cleared and reported; the next exchange works', async () => {
    const r = await rig('yubikey', { device: { faults: [{ kind: 'stall', at: 1, direction: 'in' }] } });
    const e = await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CcidTransferError);
    assert.equal(e.reason, 'stall');
    assert.equal(e.direction, 'in');
    assert.include(r.dev.clearedHalts, 'in2');
    const d = pattern(4, 2);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });

  it('a stalled bulk-OUT endpoint, and transfer errors both ways', async () => {
    const faults: CcidFault[] = [
      { kind: 'stall', at: 1, direction: 'out' },
      { kind: 'transfer-error', at: 1, direction: 'in' },
      { kind: 'transfer-error', at: 2, direction: 'out' },
    ];
    const r = await rig('nitrokey3', { device: { faults } });
    const e1 = await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CcidTransferError);
    assert.deepEqual([e1.reason, e1.direction], ['stall', 'out']);
    assert.include(r.dev.clearedHalts, 'out1');
    const e2 = await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CcidTransferError);
    assert.deepEqual([e2.reason, e2.direction], ['NetworkError', 'in']);
    const e3 = await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CcidTransferError);
    assert.deepEqual([e3.reason, e3.direction], ['NetworkError', 'out']);
    const d = pattern(9, 9);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    assert.deepEqual(r.dev.unfiredFaults(), []);
    await r.reader.close();
  });

  it('bStatus/bError map to typed errors (mute, parity, hardware, not supported)', async () => {
    const faults: CcidFault[] = [
      { kind: 'slot-error', at: 1, bError: 0xfe },
      { kind: 'slot-error', at: 2, bError: 0xfd },
      { kind: 'slot-error', at: 3, bError: 0xfb },
      { kind: 'slot-error', at: 4, bError: 0x00 },
    ];
    const r = await rig('cherry', { device: { faults } });
    await assertRejects(r.reader.transmit(echo(pattern(4, 1))), IccMuteError);
    await assertRejects(r.reader.transmit(echo(pattern(4, 1))), XfrParityError);
    await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CcidHardwareError);
    await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CommandNotSupportedError);
    assert.isTrue(r.reader.cardPresent, 'errors with the card present are not removals');
    await r.reader.close();
  });
});

describe('webusb-ccid faults: T=1 blocks garbled and lost (TPDU level)', () => {
  it('scr3310: garbled and lost replies and a WTX request are recovered; the WTX multiplier goes out as bBWI', async () => {
    const r = await rig('scr3310', {
      device: {
        t1: {
          faults: [
            { kind: 'garble', at: 3, how: 'edc' },
            { kind: 'lose', at: 5 },
            { kind: 'garble', at: 7, how: 'len' },
            { kind: 'wtx', at: 9, multiplier: 3 },
          ],
        },
      },
    });
    const d = pattern(1000, 5);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    assert.deepEqual(r.dev.t1Card!.unfiredFaults(), []);
    assert.include(r.dev.bwis, 3);
    await r.reader.close();
  });

  it('spr532: a card that stops answering ends in T1ProtocolError, not a hang', async () => {
    const r = await rig('spr532', { device: { t1: { faults: [{ kind: 'lose', at: 2, count: Infinity }] } } });
    await assertRejects(r.reader.transmit(echo(pattern(10, 1))), T1ProtocolError);
    assert.isTrue(r.reader.cardPresent);
    await r.reader.close();
  });
});

describe('webusb-ccid: one exchange at a time, and abort', () => {
  it('a concurrent transmit is TransportBusyError; an aborted signal sends nothing', async () => {
    const r = await rig('yubikey', { device: { faults: [{ kind: 'delay', at: 1, ms: 30 }] } });
    const d = pattern(5, 5);
    const first = r.reader.transmit(echo(d));
    await assertRejects(r.reader.transmit(echo(pattern(5, 6))), TransportBusyError);
    assertBytes(await first, concat(d, ok));
    const sent = r.dev.sent.length;
    const ctl = new AbortController();
    ctl.abort();
    await assertRejects(r.reader.transmit(echo(d), ctl.signal), TransportAbortedError);
    assert.equal(r.dev.sent.length, sent);
    await r.reader.close();
  });

  it('abort in the middle of a CCID-chained command leaves the reader usable', async () => {
    const r = await rig('nitrokey3', { device: { faults: [{ kind: 'delay', at: 2, ms: 40 }] } });
    const ctl = new AbortController();
    const p = r.reader.transmit(echo(pattern(4000, 1)), ctl.signal);
    await tick(15);
    ctl.abort();
    await assertRejects(p, TransportAbortedError);
    const d = pattern(100, 2);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });
});

describe('webusb-ccid faults: malformed replies', () => {
  /** A reply header: type, dwLength (LE), slot 0, seq, status, error, specific. */
  const msg = (type: number, seq: number, len: number, status: number, error: number, specific: number, data: number[] = []): Uint8Array =>
    Uint8Array.from([type, len & 0xff, (len >> 8) & 0xff, 0, 0, 0, seq, status, error, specific, ...data]);

  it('a dwLength over the reader’s message size, a reply of the wrong type, and a response chain that starts in the middle are CcidProtocolError', async () => {
    const faults: CcidFault[] = [
      { kind: 'replace', at: 1, reply: (seq) => msg(0x80, seq, 3063, 0, 0, 0) },
      { kind: 'replace', at: 2, reply: (seq) => msg(0x81, seq, 0, 0, 0, 0) },
      { kind: 'replace', at: 3, reply: (seq) => msg(0x80, seq, 2, 0, 0, 0x02, [0x90, 0x00]) },
    ];
    const r = await rig('yubikey', { device: { faults } });
    for (let i = 0; i < 3; i++) await assertRejects(r.reader.transmit(echo(pattern(4, i))), CcidProtocolError, `fault ${i + 1}`);
    assert.deepEqual(r.dev.unfiredFaults(), []);
    const d = pattern(4, 9);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });

  it('a chained response at short APDU level is CcidProtocolError', async () => {
    const r = await rig('cherry', { device: { faults: [{ kind: 'replace', at: 1, reply: (seq) => msg(0x80, seq, 2, 0, 0, 0x01, [0x90, 0x00]) }] } });
    await assertRejects(r.reader.transmit(echo(pattern(4, 1))), CcidProtocolError);
    await r.reader.close();
  });
});
