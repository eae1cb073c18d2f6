import { assert, assertBytes, assertRejects, describe, it } from '../../../../harness.ts';
import { CardRemovedError, TransportAbortedError, TransportBusyError, TransportError } from '../../../../../src/card/transport-errors.ts';
import {
  MAX_COMMAND_APDU,
  MAX_RESPONSE_APDU,
  T1ProtocolError,
  T1Session,
  type T1Block,
  type T1Link,
} from '../../../../../src/card/transports/webusb-ccid/t1/index.ts';
import { T1Card, T1CardLink } from '../../../../fakes/t1-card.ts';
import { expectedAnswer, hostBlocks, pattern, sizedEcho } from './helpers.ts';

const SIZES = [1, 255, 256, 1000, 4000];

function iBlocks(blocks: T1Block[]): Array<Extract<T1Block, { kind: 'I' }>> {
  return blocks.filter((b): b is Extract<T1Block, { kind: 'I' }> => b.kind === 'I');
}

describe('T1Session over an in-memory T1Card', () => {
  for (const ifsc of [254, 32]) {
    for (const ifsd of [254, 32]) {
      it(`exchanges APDUs of ${SIZES.join(', ')} bytes each way (IFSC ${ifsc}, IFSD ${ifsd})`, async () => {
        let respLen = 0;
        const card = new T1Card(sizedEcho(() => respLen), { ifsc });
        const link = new T1CardLink(card);
        const session = new T1Session(link, { ifsc, ifsd });
        await session.negotiateIfsd();
        assert.equal(card.state.ifsd, ifsd, 'the card adopted our IFSD');
        for (const c of SIZES) {
          for (const r of SIZES) {
            const command = pattern(c, c + r);
            respLen = r;
            const from = link.exchanges.length;
            const answer = await session.transceive(command);
            assertBytes(answer, expectedAnswer(command, r), `${c} → ${r}`);
            assertBytes(card.commands[card.commands.length - 1], command);
            // Our I-blocks: at most IFSC each, M on all but the last, N(S) alternating.
            const sent = iBlocks(hostBlocks(link.exchanges.slice(from)));
            assert.equal(sent.length, Math.ceil(c / ifsc), `${c} bytes in blocks of ${ifsc}`);
            sent.forEach((b, i) => {
              assert.isAtMost(b.inf.length, ifsc);
              assert.equal(b.more, i < sent.length - 1);
            });
            // Exchanges: one per command block, plus one R-block per extra response block.
            assert.equal(link.exchanges.length - from, Math.ceil(c / ifsc) + Math.max(1, Math.ceil(r / ifsd)) - 1);
          }
        }
        assert.equal(card.commands.length, SIZES.length * SIZES.length);
        assert.deepEqual(session.sequence, { host: card.state.nr, card: card.state.ns });
      });
    }
  }

  it('works with CRC epilogues and a node address', async () => {
    let respLen = 600;
    const card = new T1Card(sizedEcho(() => respLen), { ifsc: 32, edc: 'crc', nad: 0x12 });
    const link = new T1CardLink(card);
    const session = new T1Session(link, { ifsc: 32, ifsd: 64, edc: 'crc', nad: 0x12 });
    await session.negotiateIfsd();
    const command = pattern(300, 9);
    assertBytes(await session.transceive(command), expectedAnswer(command, 600));
    respLen = 2;
    assertBytes(await session.transceive(command), expectedAnswer(command, 2));
    for (const x of link.exchanges) {
      assert.equal(x.sent[0], 0x12, 'our NAD');
      assert.equal(x.received![0], 0x21, 'the card answers with SAD and DAD swapped');
      assert.equal(x.sent.length, 3 + x.sent[2] + 2, 'two CRC bytes');
    }
  });

  it('uses IFSD 32 until negotiated (the card chains its answer in blocks of 32)', async () => {
    const card = new T1Card(sizedEcho(() => 100), { ifsc: 254 });
    const link = new T1CardLink(card);
    const session = new T1Session(link, { ifsc: 254, ifsd: 254 });
    assert.equal(session.currentIfsd, 32);
    const command = pattern(10, 1);
    assertBytes(await session.transceive(command), expectedAnswer(command, 100));
    assert.equal(link.exchanges.length, 4, '100 bytes in blocks of 32: 4 card I-blocks');
    await session.negotiateIfsd();
    assert.equal(session.currentIfsd, 254);
    const before = link.exchanges.length;
    assertBytes(await session.transceive(command), expectedAnswer(command, 100));
    assert.equal(link.exchanges.length - before, 1);
  });

  it('carries the largest command and response APDUs and refuses a longer answer', async () => {
    let respLen = MAX_RESPONSE_APDU;
    const card = new T1Card(sizedEcho(() => respLen), { ifsc: 254 });
    const link = new T1CardLink(card);
    const session = new T1Session(link, { ifsc: 254, ifsd: 254 });
    await session.negotiateIfsd();
    const command = pattern(MAX_COMMAND_APDU, 3);
    assertBytes(await session.transceive(command), expectedAnswer(command, MAX_RESPONSE_APDU));
    // One byte too many, in the last block: nothing left to abort.
    respLen = MAX_RESPONSE_APDU + 1;
    let e = await assertRejects(session.transceive(pattern(5, 1)), T1ProtocolError);
    assert.equal(e.reason, 'response-too-long');
    assert.equal(hostBlocks(link.exchanges.slice(-1))[0].kind, 'R');
    // Far too many: the host aborts the card's chain with S(ABORT request).
    respLen = MAX_RESPONSE_APDU + 1000;
    e = await assertRejects(session.transceive(pattern(5, 1)), T1ProtocolError);
    assert.equal(e.reason, 'response-too-long');
    const last = hostBlocks(link.exchanges.slice(-1))[0];
    assert.deepEqual(last, { kind: 'S', fn: 'abort', response: false }, 'the host aborted the card chain');
    respLen = 3;
    const c = pattern(7, 2);
    assertBytes(await session.transceive(c), expectedAnswer(c, 3), 'the link is in step after the abort');
  });

  it('refuses an empty or oversized APDU and bad options', async () => {
    const session = new T1Session(new T1CardLink(new T1Card(sizedEcho(() => 2))), { ifsc: 32, ifsd: 32 });
    await assertRejects(session.transceive(new Uint8Array(0)), RangeError);
    await assertRejects(session.transceive(new Uint8Array(MAX_COMMAND_APDU + 1)), RangeError);
    const link = new T1CardLink(new T1Card(sizedEcho(() => 2)));
    for (const bad of [
      { ifsc: 0, ifsd: 32 },
      { ifsc: 255, ifsd: 32 },
      { ifsc: 32, ifsd: 0 },
      { ifsc: 32, ifsd: 32, nad: 0x88 },
      { ifsc: 32, ifsd: 32, nad: 0x11 },
      { ifsc: 32, ifsd: 32, nad: 0xff },
      { ifsc: 32, ifsd: 32, maxRetries: 11 },
      { ifsc: 32, ifsd: 32, maxRetries: -1 },
      { ifsc: 32, ifsd: 32, edc: 'md5' as 'lrc' },
    ]) {
      assert.throws(() => new T1Session(link, bad), RangeError, undefined, JSON.stringify(bad));
    }
  });

  it('refuses a second call while one runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const card = new T1Card(async (apdu) => {
      await gate;
      return apdu.slice(0, 2);
    });
    const session = new T1Session(new T1CardLink(card), { ifsc: 32, ifsd: 32 });
    const first = session.transceive(pattern(4, 1));
    await assertRejects(session.transceive(pattern(4, 2)), TransportBusyError);
    await assertRejects(session.negotiateIfsd(), TransportBusyError);
    release();
    assertBytes(await first, pattern(4, 1).slice(0, 2));
  });

  it('passes CardRemovedError through unchanged and resynchronises on the next call', async () => {
    const removed = new CardRemovedError();
    const card = new T1Card(sizedEcho(() => 40), { ifsc: 32 });
    const link = new T1CardLink(card, { failAt: { n: 2, error: removed } });
    const session = new T1Session(link, { ifsc: 32, ifsd: 32 });
    const command = pattern(50, 1); // two I-blocks: the second exchange fails
    const e = await assertRejects(session.transceive(command), CardRemovedError);
    assert.strictEqual(e, removed);
    assert.equal(link.exchanges.length, 2, 'nothing sent after the removal');
    assertBytes(await session.transceive(command), expectedAnswer(command, 40));
    assert.deepEqual(hostBlocks(link.exchanges)[2], { kind: 'S', fn: 'resynch', response: false });
    assert.equal(card.commands.length, 1);
  });

  it('honours an AbortSignal before the first block and between blocks', async () => {
    const card = new T1Card(sizedEcho(() => 100), { ifsc: 32 });
    const ctl = new AbortController();
    const link = new T1CardLink(card, { after: (n) => n === 3 && ctl.abort() });
    // A link that ignores the signal: only the session's own check between blocks can stop it.
    const deaf: T1Link = { exchangeBlock: (block, opts) => link.exchangeBlock(block, { bwtMultiplier: opts.bwtMultiplier }) };
    const session = new T1Session(deaf, { ifsc: 32, ifsd: 32 });
    const pre = new AbortController();
    pre.abort();
    await assertRejects(session.transceive(pattern(10, 1), pre.signal), TransportAbortedError);
    assert.equal(link.exchanges.length, 0);

    const command = pattern(100, 5); // four I-blocks; aborted after the third exchange
    await assertRejects(session.transceive(command, ctl.signal), TransportAbortedError);
    assert.equal(link.exchanges.length, 3, 'no block after the abort');
    assert.equal(card.commands.length, 0);
    assertBytes(await session.transceive(command), expectedAnswer(command, 100));
    assert.deepEqual(hostBlocks(link.exchanges)[3], { kind: 'S', fn: 'resynch', response: false }, 'the card was mid-chain');
    assert.equal(card.commands.length, 1);
  });

  it('passes an abort raised inside the link through and recovers', async () => {
    const card = new T1Card(sizedEcho(() => 300), { ifsc: 32 });
    const ctl = new AbortController();
    const link = new T1CardLink(card, { before: (n) => n === 2 && ctl.abort() });
    const session = new T1Session(link, { ifsc: 32, ifsd: 32 });
    await session.negotiateIfsd();
    const command = pattern(20, 5);
    await assertRejects(session.transceive(command, ctl.signal), TransportAbortedError);
    assertBytes(await session.transceive(command), expectedAnswer(command, 300));
  });

  it('makes T1ProtocolError a TransportError with a remedy', async () => {
    const card = new T1Card(sizedEcho(() => 2), { faults: [{ kind: 'lose', at: 1, count: Infinity }] });
    const session = new T1Session(new T1CardLink(card), { ifsc: 32, ifsd: 32 });
    const e = await assertRejects(session.transceive(pattern(4, 1)), T1ProtocolError);
    assert.instanceOf(e, TransportError);
    assert.equal(e.reason, 'resynch-failed');
    assert.match(e.remedy, /reinsert/);
  });
});
