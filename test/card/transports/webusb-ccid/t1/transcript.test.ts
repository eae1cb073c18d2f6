/**
 * Block-by-block transcripts in the manner of the ISO/IEC 7816-3 Annex A scenarios. Every byte
 * is written by hand: NAD 00; PCB from the tables (I: 0 N(S) M 00000, R: 100 N(R) error,
 * S: 11 response function); LRC = XOR of all prologue and INF bytes, worked out for each block
 * (e.g. 00^00^04^00^A4^04^00 = A4). The session's encoder is never used to make them.
 */
import { assert, assertBytes, assertRejects, bytesOf, describe, hexOf, it } from '../../../../harness.ts';
import { T1LinkError, T1ProtocolError, T1Session, type T1Link, type T1Options } from '../../../../../src/card/transports/webusb-ccid/t1/index.ts';

interface Step {
  /** The block the host must send. */
  host: string;
  /** Its BWT multiplier (default 1). */
  bwt?: number;
  /** The card's reply, or 'mute' when none comes. */
  card: string;
}

class TranscriptLink implements T1Link {
  private i = 0;
  constructor(private readonly steps: Step[]) {}
  async exchangeBlock(block: Uint8Array, opts: { bwtMultiplier: number }): Promise<Uint8Array> {
    const step = this.steps[this.i++];
    assert.isDefined(step, `unexpected block ${this.i}: ${hexOf(block)}`);
    assertBytes(block, bytesOf(step.host), `host block ${this.i}`);
    assert.equal(opts.bwtMultiplier, step.bwt ?? 1, `BWT multiplier of block ${this.i}`);
    if (step.card === 'mute') throw new T1LinkError('ICC mute', 'mute');
    return bytesOf(step.card);
  }
  done(): void {
    assert.equal(this.i, this.steps.length, 'every scripted block was exchanged');
  }
}

function session(steps: Step[], opts: Partial<T1Options> = {}): { s: T1Session; link: TranscriptLink } {
  const link = new TranscriptLink(steps);
  return { s: new T1Session(link, { ifsc: 32, ifsd: 32, ...opts }), link };
}

describe('T=1 transcripts (ISO/IEC 7816-3 Annex A style)', () => {
  it('A.1 I-blocks exchanged in turn, N(S) alternating on both sides', async () => {
    const { s, link } = session([
      { host: '00 00 04 00a40400 a4', card: '00 00 02 9000 92' }, // I(0) / I(0)
      { host: '00 40 04 00b00000 f4', card: '00 40 02 9000 d2' }, // I(1) / I(1)
    ]);
    assertBytes(await s.transceive(bytesOf('00a40400')), bytesOf('9000'));
    assertBytes(await s.transceive(bytesOf('00b00000')), bytesOf('9000'));
    link.done();
  });

  it('A.2 IFSD negotiation: S(IFS request FE) / S(IFS response FE)', async () => {
    const { s, link } = session([{ host: '00 c1 01 fe 3e', card: '00 e1 01 fe 1e' }], { ifsd: 254 });
    await s.negotiateIfsd();
    assert.equal(s.currentIfsd, 254);
    link.done();
  });

  it('A.3 command chaining by the host (IFSC 4)', async () => {
    const { s, link } = session(
      [
        { host: '00 20 04 00d60000 f2', card: '00 90 00 90' }, // I(0,M) / R(1)
        { host: '00 40 04 03010203 47', card: '00 00 02 9000 92' }, // I(1) / I(0)
      ],
      { ifsc: 4 },
    );
    assertBytes(await s.transceive(bytesOf('00d60000 03010203')), bytesOf('9000'));
    link.done();
  });

  it('A.4 response chaining by the card', async () => {
    const { s, link } = session([
      { host: '00 00 04 00ca0000 ce', card: '00 20 02 0102 21' }, // I(0) / I(0,M)
      { host: '00 90 00 90', card: '00 40 03 039000 d0' }, // R(1) / I(1)
    ]);
    assertBytes(await s.transceive(bytesOf('00ca0000')), bytesOf('010203 9000'));
    link.done();
  });

  it('A.5 waiting time extension: S(WTX request 2), BWT ×2 for the next block only', async () => {
    const { s, link } = session([
      { host: '00 00 04 00ca0000 ce', card: '00 c3 01 02 c0' }, // I(0) / S(WTX request 2)
      { host: '00 e3 01 02 e0', bwt: 2, card: '00 00 02 9000 92' }, // S(WTX response 2) / I(0)
      { host: '00 40 04 00b00000 f4', card: '00 40 02 9000 d2' }, // back to BWT ×1
    ]);
    assertBytes(await s.transceive(bytesOf('00ca0000')), bytesOf('9000'));
    assertBytes(await s.transceive(bytesOf('00b00000')), bytesOf('9000'));
    link.done();
  });

  it('A.6 lost reply: R(0) with "other error" asks for the card I-block again', async () => {
    const { s, link } = session([
      { host: '00 00 04 00a40400 a4', card: 'mute' },
      { host: '00 82 00 82', card: '00 00 02 9000 92' },
    ]);
    assertBytes(await s.transceive(bytesOf('00a40400')), bytesOf('9000'));
    link.done();
  });

  it('A.7 reply with a bad LRC: R(0) with "EDC error"', async () => {
    const { s, link } = session([
      { host: '00 00 04 00a40400 a4', card: '00 00 02 9000 93' },
      { host: '00 81 00 81', card: '00 00 02 9000 92' },
    ]);
    assertBytes(await s.transceive(bytesOf('00a40400')), bytesOf('9000'));
    link.done();
  });

  it('A.8 the card asks for our I-block again: R(0) from the card, the same I(0) again', async () => {
    const { s, link } = session([
      { host: '00 00 04 00a40400 a4', card: '00 81 00 81' },
      { host: '00 00 04 00a40400 a4', card: '00 00 02 9000 92' },
    ]);
    assertBytes(await s.transceive(bytesOf('00a40400')), bytesOf('9000'));
    link.done();
  });

  it('A.9 the card did not get our acknowledgement: it sends R(1) and we repeat R(1)', async () => {
    const { s, link } = session([
      { host: '00 00 04 00ca0000 ce', card: '00 20 02 0102 21' }, // I(0) / I(0,M)
      { host: '00 90 00 90', card: '00 91 00 91' }, // R(1) / R(1, EDC error)
      { host: '00 90 00 90', card: '00 40 03 039000 d0' }, // R(1) again / I(1)
    ]);
    assertBytes(await s.transceive(bytesOf('00ca0000')), bytesOf('010203 9000'));
    link.done();
  });

  it('A.10 a card I-block with the wrong N(S) is refused with R(0, other error)', async () => {
    const { s, link } = session([
      { host: '00 00 04 00a40400 a4', card: '00 40 02 9000 d2' }, // I(1), but I(0) was due
      { host: '00 82 00 82', card: '00 00 02 9000 92' },
    ]);
    assertBytes(await s.transceive(bytesOf('00a40400')), bytesOf('9000'));
    link.done();
  });

  it('A.11 the card changes IFSC in the middle of our chain', async () => {
    const { s, link } = session(
      [
        { host: '00 20 04 00d60000 f2', card: '00 c1 01 08 c8' }, // I(0,M) / S(IFS request 8)
        { host: '00 e1 01 08 e8', card: '00 90 00 90' }, // S(IFS response 8) / R(1)
        { host: '00 40 08 0304050607080910 5a', card: '00 00 02 9000 92' }, // I(1) with 8 bytes
      ],
      { ifsc: 4 },
    );
    assertBytes(await s.transceive(bytesOf('00d60000 0304050607080910')), bytesOf('9000'));
    assert.equal(s.currentIfsc, 8);
    link.done();
  });

  it('A.12 resynchronisation after repeated loss, then the chain again from N(S) 0', async () => {
    const { s, link } = session(
      [
        { host: '00 20 04 00da0000 fe', card: 'mute' }, // I(0,M)
        { host: '00 82 00 82', card: 'mute' }, // R(0), then maxRetries 1 is used up
        { host: '00 c0 00 c0', card: '00 e0 00 e0' }, // S(RESYNCH request) / response
        { host: '00 20 04 00da0000 fe', card: '00 90 00 90' }, // I(0,M) / R(1)
        { host: '00 40 01 22 63', card: '00 00 02 9000 92' }, // I(1) / I(0)
      ],
      { ifsc: 4, maxRetries: 1 },
    );
    assertBytes(await s.transceive(bytesOf('00da0000 22')), bytesOf('9000'));
    link.done();
  });

  it('A.13 the card aborts our chain; its R(0) gives the turn back', async () => {
    const { s, link } = session(
      [
        { host: '00 20 04 00da0000 fe', card: '00 c2 00 c2' }, // I(0,M) / S(ABORT request)
        { host: '00 e2 00 e2', card: '00 80 00 80' }, // S(ABORT response) / R(0)
        { host: '00 00 01 22 23', card: '00 00 02 9000 92' }, // next command, I(0)
      ],
      { ifsc: 4 },
    );
    const e = await assertRejects(s.transceive(bytesOf('00da0000 22')), T1ProtocolError);
    assert.equal(e.reason, 'aborted-by-card');
    assertBytes(await s.transceive(bytesOf('22')), bytesOf('9000'));
    link.done();
  });

  it('A.14 an unanswered S(IFS request) is repeated, not answered with an R-block', async () => {
    const { s, link } = session(
      [
        { host: '00 c1 01 fe 3e', card: 'mute' },
        { host: '00 c1 01 fe 3e', card: '00 e1 01 fe 1f' }, // bad LRC
        { host: '00 c1 01 fe 3e', card: '00 e1 01 fe 1e' },
      ],
      { ifsd: 254 },
    );
    await s.negotiateIfsd();
    link.done();
  });
  it('A.15 a card I-block before our chain ended is refused; its R(1) then continues the chain', async () => {
    const { s, link } = session(
      [
        { host: '00 20 04 00da0000 fe', card: '00 00 02 9000 92' }, // I(0,M) / I(0): too early
        { host: '00 82 00 82', card: '00 90 00 90' }, // R(0, other error) / R(1)
        { host: '00 40 01 22 63', card: '00 00 02 9000 92' }, // I(1) / I(0)
      ],
      { ifsc: 4 },
    );
    assertBytes(await s.transceive(bytesOf('00da0000 22')), bytesOf('9000'));
    link.done();
  });

  it('A.16 after an abort the card names the N(S) it expects next, and we use it', async () => {
    const { s, link } = session(
      [
        { host: '00 20 04 00da0000 fe', card: '00 c2 00 c2' }, // I(0,M) / S(ABORT request)
        { host: '00 e2 00 e2', card: '00 90 00 90' }, // S(ABORT response) / R(1): it counted I(0)
        { host: '00 40 01 22 63', card: '00 00 02 9000 92' }, // so the next command is I(1)
      ],
      { ifsc: 4 },
    );
    await assertRejects(s.transceive(bytesOf('00da0000 22')), T1ProtocolError);
    assertBytes(await s.transceive(bytesOf('22')), bytesOf('9000'));
    link.done();
  });

  it('A.17 a card I-block longer than our IFSD is refused', async () => {
    const { s, link } = session([
      { host: '00 00 04 00a40400 a4', card: '00 00 21 111111111111111111111111111111111111111111111111111111111111111111 30' },
      { host: '00 82 00 82', card: '00 00 02 9000 92' },
    ]);
    assertBytes(await s.transceive(bytesOf('00a40400')), bytesOf('9000'));
    link.done();
  });

  it('A.18 an S(IFS response) with another value does not answer our request', async () => {
    const { s, link } = session(
      [
        { host: '00 c1 01 fe 3e', card: '00 e1 01 20 c0' },
        { host: '00 c1 01 fe 3e', card: '00 e1 01 fe 1e' },
      ],
      { ifsd: 254 },
    );
    await s.negotiateIfsd();
    link.done();
  });
});
