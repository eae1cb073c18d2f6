/**
 * The T=1 host engine against the strict T1Card with scripted faults at every position of an
 * exchange. The base exchange: a 100-byte command in four I-blocks (IFSC 32) and a 70-byte
 * answer in three (IFSD 32). Its card replies, fault-free:
 *   1 R(1)  2 R(0)  3 R(1)   acknowledgements of the command chain
 *   4 I(0,M)                 first answer block, in reply to the last command block
 *   5 I(1,M)  6 I(0)         in reply to our R-block acknowledgements
 * A fault `at: n` acts on reply n.
 */
import { assert, assertBytes, assertRejects, describe, it } from '../../../../harness.ts';
import { CardRemovedError, TransportAbortedError } from '../../../../../src/card/transport-errors.ts';
import { T1ProtocolError, T1Session, type T1Options } from '../../../../../src/card/transports/webusb-ccid/t1/index.ts';
import { T1Card, T1CardLink, type T1Fault, type T1Garble, type T1LinkScript } from '../../../../fakes/t1-card.ts';
import { expectedAnswer, hostBlocks, pattern, sizedEcho } from './helpers.ts';

const CMD = 100;
const RESP = 70;
const POSITIONS = [1, 2, 3, 4, 5, 6];
/** Replies that answer the last block of the command: from here on the card may have run it. */
const FINAL_COMMAND_REPLY = 4;

function setup(faults: T1Fault[], opts: Partial<T1Options> = {}, script: T1LinkScript = {}) {
  const card = new T1Card(sizedEcho(() => RESP), { ifsc: 32, faults });
  const link = new T1CardLink(card, script);
  const session = new T1Session(link, { ifsc: 32, ifsd: 32, ...opts });
  const command = pattern(CMD, 7);
  return { card, link, session, command };
}

/** The exchange must complete correctly, run the command once, use every fault, and leave the link in step. */
async function expectRecovered(faults: T1Fault[], opts: Partial<T1Options> = {}) {
  const t = setup(faults, opts);
  const answer = await t.session.transceive(t.command);
  assertBytes(answer, expectedAnswer(t.command, RESP));
  assert.equal(t.card.commands.length, 1, 'the card ran the command once');
  assertBytes(t.card.commands[0], t.command);
  assert.deepEqual(t.card.unfiredFaults(), [], 'every fault acted');
  const again = pattern(CMD, 8);
  assertBytes(await t.session.transceive(again), expectedAnswer(again, RESP), 'the next exchange works');
  return t;
}

function sentKinds(t: { link: T1CardLink }): string[] {
  return hostBlocks(t.link.exchanges).map((b) => (b.kind === 'S' ? `S:${b.fn}${b.response ? '+' : '?'}` : b.kind));
}

describe('T1Session recovers from faults at every position', () => {
  it('runs the base exchange in six replies', async () => {
    const t = await expectRecovered([]);
    assert.equal(t.card.log[5].sent, 'I(0; 6 bytes)');
    assert.equal(t.link.exchanges.length, 12);
  });

  for (const n of POSITIONS) {
    for (const count of [1, 2, 3]) {
      it(`lost reply ×${count} at reply ${n}: R-blocks until the card repeats`, async () => {
        const t = await expectRecovered([{ kind: 'lose', at: n, count }]);
        assert.notInclude(sentKinds(t), 'S:resynch?', 'no resynchronisation needed');
        // The host's recovery is an R-block asking for the block it expects (rule 7.1).
        const recovery = hostBlocks(t.link.exchanges)[n];
        assert.equal(recovery.kind, 'R');
      });
    }
    for (const how of ['edc', 'len', 'truncate', 'pcb', 'nad'] as T1Garble[]) {
      it(`garbled reply (${how}) at reply ${n}`, async () => {
        const t = await expectRecovered([{ kind: 'garble', at: n, how }]);
        const recovery = hostBlocks(t.link.exchanges)[n];
        assert.deepEqual(recovery.kind === 'R' && recovery.error, how === 'edc' ? 1 : 2, 'R-block error: 1 for EDC, 2 otherwise');
      });
    }
    it(`card rejects our block (EDC error) at reply ${n}: we send it again`, async () => {
      const t = await expectRecovered([{ kind: 'reject', at: n }]);
      const sent = hostBlocks(t.link.exchanges);
      assert.deepEqual(sent[n], sent[n - 1], 'the same block again');
    });
    it(`lost, then garbled recovery at replies ${n}, ${n + 1}`, async () => {
      await expectRecovered([
        { kind: 'lose', at: n },
        { kind: 'garble', at: n + 1, how: 'edc' },
      ]);
    });
    for (const multiplier of [1, 7, 255]) {
      it(`WTX ×${multiplier} before reply ${n}: answered, multiplier for the next exchange only`, async () => {
        const t = await expectRecovered([{ kind: 'wtx', at: n, multiplier }]);
        const sent = hostBlocks(t.link.exchanges);
        assert.deepEqual(sent[n], { kind: 'S', fn: 'wtx', response: true, value: multiplier });
        t.link.exchanges.forEach((x, i) => assert.equal(x.bwtMultiplier, i === n ? multiplier : 1, `exchange ${i + 1}`));
      });
    }
    it(`two WTX in a row before reply ${n}, and a lost WTX request`, async () => {
      await expectRecovered([
        { kind: 'wtx', at: n, multiplier: 2 },
        { kind: 'wtx', at: n + 1, multiplier: 3 },
      ]);
      const t = await expectRecovered([
        { kind: 'wtx', at: n, multiplier: 4 },
        { kind: 'lose', at: n },
      ]);
      assert.equal(t.card.log[n].sent, 'S(WTX request 4)', 'the card repeats its request (rule 7.3)');
    });
    it(`WTX, then the reply after it lost, at reply ${n}`, async () => {
      await expectRecovered([
        { kind: 'wtx', at: n, multiplier: 5 },
        { kind: 'lose', at: n + 1 },
      ]);
    });
    for (const ifsc of [16, 254]) {
      it(`card changes IFSC to ${ifsc} before reply ${n}`, async () => {
        const t = await expectRecovered([{ kind: 'ifs-request', at: n, ifsc }]);
        const sent = hostBlocks(t.link.exchanges);
        assert.deepEqual(sent[n], { kind: 'S', fn: 'ifs', response: true, value: ifsc });
        assert.equal(t.session.currentIfsc, ifsc);
        assert.equal(t.card.state.ifsc, ifsc);
        sent.slice(n).forEach((b) => b.kind === 'I' && assert.isAtMost(b.inf.length, ifsc));
        // The second command went out in blocks of the new size.
        const second = sent.slice(-Math.ceil(CMD / ifsc) - 2).filter((b) => b.kind === 'I');
        assert.equal(second.length, Math.ceil(CMD / ifsc));
      });
    }
    if (n >= FINAL_COMMAND_REPLY) {
      it(`card I-block with the wrong N(S) at reply ${n}`, async () => {
        const t = await expectRecovered([{ kind: 'bad-seq', at: n }]);
        assert.deepEqual(hostBlocks(t.link.exchanges)[n], { kind: 'R', nr: t.card.log[n - 1].sent!.startsWith('I(0') ? 0 : 1, error: 2 });
      });
    }
  }

  it('IFSD negotiation survives lost, garbled and rejected S-blocks', async () => {
    for (const faults of [
      [{ kind: 'lose', at: 1 }],
      [{ kind: 'lose', at: 1, count: 3 }],
      [{ kind: 'garble', at: 1, how: 'pcb' }],
      [{ kind: 'garble', at: 1, how: 'len' }],
      [{ kind: 'reject', at: 1 }],
    ] as T1Fault[][]) {
      const { card, link, session } = setup(faults, { ifsd: 254 });
      await session.negotiateIfsd();
      assert.equal(card.state.ifsd, 254);
      assert.equal(session.currentIfsd, 254);
      assert.deepEqual(card.unfiredFaults(), []);
      // Every retry repeats the S(IFS request) (rule 7.3).
      for (const b of hostBlocks(link.exchanges)) assert.deepEqual(b, { kind: 'S', fn: 'ifs', response: false, value: 254 });
    }
  });
});

describe('T1Session resynchronisation and unrecoverable failures', () => {
  for (const n of POSITIONS) {
    it(`four lost replies at reply ${n}: S(RESYNCH request), then ${n < FINAL_COMMAND_REPLY ? 'the command again' : 'outcome unknown'}`, async () => {
      const t = setup([{ kind: 'lose', at: n, count: 4 }]);
      const kinds = () => sentKinds(t);
      if (n < FINAL_COMMAND_REPLY) {
        assertBytes(await t.session.transceive(t.command), expectedAnswer(t.command, RESP));
        assert.equal(t.card.commands.length, 1, 'the card never saw the whole command before the resynch');
      } else {
        const e = await assertRejects(t.session.transceive(t.command), T1ProtocolError);
        assert.equal(e.reason, 'outcome-unknown');
        assert.equal(t.card.commands.length, 1, 'the card ran it; it is not sent again');
      }
      assert.equal(kinds()[n + 3], 'S:resynch?', 'resynch after 1 + 3 failed tries');
      assert.equal(kinds().filter((k) => k === 'S:resynch?').length, 1);
      assert.deepEqual(t.session.sequence, { host: t.card.state.nr, card: t.card.state.ns });
      const again = pattern(CMD, 9);
      assertBytes(await t.session.transceive(again), expectedAnswer(again, RESP));
    });

    it(`four garbled replies at reply ${n} also lead to resynchronisation`, async () => {
      const t = setup([{ kind: 'garble', at: n, count: 4, how: 'truncate' }]);
      await t.session.transceive(t.command).catch((e: unknown) => {
        assert.instanceOf(e, T1ProtocolError);
        assert.equal((e as T1ProtocolError).reason, 'outcome-unknown');
      });
      assert.equal(sentKinds(t)[n + 3], 'S:resynch?');
      assert.equal(t.card.commands.length, 1);
    });

    it(`a mute card from reply ${n}: T1ProtocolError after 4 tries and 3 resynch attempts`, async () => {
      const t = setup([{ kind: 'lose', at: n, count: Infinity }]);
      const e = await assertRejects(t.session.transceive(t.command), T1ProtocolError);
      assert.equal(e.reason, 'resynch-failed');
      assert.equal(t.link.exchanges.length, n - 1 + 4 + 3);
      assert.deepEqual(sentKinds(t).slice(-3), ['S:resynch?', 'S:resynch?', 'S:resynch?']);
      // Still mute: the next call starts with S(RESYNCH request) and fails the same way.
      const before = t.link.exchanges.length;
      const e2 = await assertRejects(t.session.transceive(t.command), T1ProtocolError);
      assert.equal(e2.reason, 'resynch-failed');
      assert.deepEqual(sentKinds(t).slice(before), ['S:resynch?', 'S:resynch?', 'S:resynch?']);
    });

    it(`maxRetries 0: the first failure at reply ${n} resynchronises`, async () => {
      const t = setup([{ kind: 'lose', at: n }], { maxRetries: 0 });
      await t.session.transceive(t.command).catch(() => undefined);
      assert.equal(sentKinds(t)[n], 'S:resynch?');
    });

    it(`card removed at exchange ${n}: CardRemovedError unchanged`, async () => {
      const removed = new CardRemovedError();
      const t = setup([], {}, { failAt: { n, error: removed } });
      const e = await assertRejects(t.session.transceive(t.command), CardRemovedError);
      assert.strictEqual(e, removed);
      assert.equal(t.link.exchanges.length, n);
      const again = pattern(CMD, 10);
      assertBytes(await t.session.transceive(again), expectedAnswer(again, RESP));
      assert.equal(sentKinds(t)[n], 'S:resynch?');
    });

    it(`aborted after exchange ${n}: ${n < 6 ? 'TransportAbortedError, next call in step' : 'the answer is complete and returned'}`, async () => {
      const ctl = new AbortController();
      const t = setup([], {}, { after: (i) => i === n && ctl.abort() });
      if (n < 6) {
        await assertRejects(t.session.transceive(t.command, ctl.signal), TransportAbortedError);
      } else {
        // The abort comes after the last block: nothing is left to send.
        assertBytes(await t.session.transceive(t.command, ctl.signal), expectedAnswer(t.command, RESP));
      }
      assert.equal(t.link.exchanges.length, n);
      const again = pattern(CMD, 11);
      assertBytes(await t.session.transceive(again), expectedAnswer(again, RESP));
      assert.equal(sentKinds(t)[n], n < 6 ? 'S:resynch?' : 'I', 'a resynch only after an interrupted exchange');
    });
  }

  it('fails with repeated-failure when the restarted exchange breaks again', async () => {
    // Lost ×4 from reply 1, resynch is reply 5, the restart's replies from 6 are lost ×4, resynch at 10.
    const t = setup([
      { kind: 'lose', at: 1, count: 4 },
      { kind: 'lose', at: 6, count: 4 },
    ]);
    const e = await assertRejects(t.session.transceive(t.command), T1ProtocolError);
    assert.equal(e.reason, 'repeated-failure');
    assert.deepEqual(t.card.unfiredFaults(), []);
    assertBytes(await t.session.transceive(t.command), expectedAnswer(t.command, RESP));
  });

  it('resynchronises and restarts after four rejected blocks', async () => {
    const t = setup([1, 2, 3, 4].map((at) => ({ kind: 'reject', at }) as T1Fault));
    assertBytes(await t.session.transceive(t.command), expectedAnswer(t.command, RESP));
    assert.equal(sentKinds(t)[4], 'S:resynch?');
    assert.equal(t.card.commands.length, 1);
  });

  it('resynchronisation restores the IFSC of the ATR after the card changed it', async () => {
    // Reply 1: S(IFS request 254); reply 2: R(1); our 254-byte block 2 (reply 3) gets no answer ×4; resynch is reply 7.
    const card = new T1Card(sizedEcho(() => RESP), {
      ifsc: 32,
      faults: [
        { kind: 'ifs-request', at: 1, ifsc: 254 },
        { kind: 'lose', at: 3, count: 4 },
      ],
    });
    const link = new T1CardLink(card);
    const session = new T1Session(link, { ifsc: 32, ifsd: 32 });
    const command = pattern(600, 3);
    assertBytes(await session.transceive(command), expectedAnswer(command, RESP));
    assert.equal(session.currentIfsc, 32);
    const sent = hostBlocks(link.exchanges);
    assert.equal(sent[2].kind === 'I' && sent[2].inf.length, 254, 'the new IFSC was used before the resynch');
    assert.deepEqual(sent[6], { kind: 'S', fn: 'resynch', response: false });
    sent.slice(7).forEach((b) => b.kind === 'I' && assert.isAtMost(b.inf.length, 32));
  });

  it('renegotiates IFSD after a resynchronisation', async () => {
    // Reply 1 is the IFS negotiation; the command's replies from 2 are lost ×4; resynch at 6, S(IFS) at 7.
    const t = setup([{ kind: 'lose', at: 2, count: 4 }], { ifsd: 254 });
    await t.session.negotiateIfsd();
    assertBytes(await t.session.transceive(t.command), expectedAnswer(t.command, RESP));
    const kinds = sentKinds(t);
    assert.deepEqual(kinds.slice(0, 1), ['S:ifs?']);
    assert.deepEqual(kinds.slice(5, 7), ['S:resynch?', 'S:ifs?']);
    assert.equal(t.card.state.ifsd, 254);
    assert.equal(t.session.currentIfsd, 254);
  });

  it('IFSD negotiation resynchronises and tries again after four failures', async () => {
    const t = setup([{ kind: 'lose', at: 1, count: 4 }], { ifsd: 200 });
    await t.session.negotiateIfsd();
    assert.deepEqual(sentKinds(t), ['S:ifs?', 'S:ifs?', 'S:ifs?', 'S:ifs?', 'S:resynch?', 'S:ifs?']);
    assert.equal(t.card.state.ifsd, 200);
  });

  it('a lost S(RESYNCH response) is asked for again', async () => {
    const t = setup([
      { kind: 'lose', at: 1, count: 4 },
      { kind: 'garble', at: 5, how: 'edc' },
    ]);
    assertBytes(await t.session.transceive(t.command), expectedAnswer(t.command, RESP));
    assert.deepEqual(sentKinds(t).slice(4, 6), ['S:resynch?', 'S:resynch?']);
  });
});

describe('T1Session and chain abortion (rule 9)', () => {
  // Replies 1-3 continue our command chain, 5-6 the card's answer chain; reply 4 answers the last command block.
  for (const n of [1, 2, 3, 5, 6]) {
    it(`card aborts the ${n < FINAL_COMMAND_REPLY ? 'command' : 'answer'} chain at reply ${n}`, async () => {
      const t = setup([{ kind: 'abort', at: n }]);
      const e = await assertRejects(t.session.transceive(t.command), T1ProtocolError);
      assert.equal(e.reason, 'aborted-by-card');
      assert.deepEqual(hostBlocks(t.link.exchanges)[n], { kind: 'S', fn: 'abort', response: true });
      assert.equal(t.card.commands.length, n < FINAL_COMMAND_REPLY ? 0 : 1);
      const again = pattern(CMD, 12);
      assertBytes(await t.session.transceive(again), expectedAnswer(again, RESP), 'in step after the abort');
      assert.deepEqual(t.session.sequence, { host: t.card.state.nr, card: t.card.state.ns });
    });
    it(`card aborts at reply ${n} and its hand-over R-block is lost once`, async () => {
      const t = setup([
        { kind: 'abort', at: n },
        { kind: 'lose', at: n + 1 },
      ]);
      const e = await assertRejects(t.session.transceive(t.command), T1ProtocolError);
      assert.equal(e.reason, 'aborted-by-card');
      assert.deepEqual(t.card.unfiredFaults(), []);
      const again = pattern(CMD, 13);
      assertBytes(await t.session.transceive(again), expectedAnswer(again, RESP));
    });
  }
  it('refuses S(ABORT request) outside a chain', async () => {
    // Single-block command and answer: the card has no chain to abort; the fake refuses the script.
    const card = new T1Card(sizedEcho(() => 2), { faults: [{ kind: 'abort', at: 1 }] });
    const session = new T1Session(new T1CardLink(card), { ifsc: 32, ifsd: 32 });
    const e = await assertRejects(session.transceive(pattern(4, 1)), Error);
    assert.match(e.message, /does not continue a chain/);
  });
});
