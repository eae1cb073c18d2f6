import { describe, it, assert, assertBytes, assertRejects } from '../../harness.ts';
import { concat, fromHex, toHex } from '../../../src/bytes/index.ts';
import { encodeCommand } from '../../../src/card/apdu.ts';
import { CardProtocolError } from '../../../src/card/errors.ts';
import { commandChaining } from '../../../src/card/processors/command-chaining.ts';
import { getResponse } from '../../../src/card/processors/get-response.ts';
import { shortApduExchange } from '../../../src/card/processors/short-apdu.ts';
import { wrongLengthRetry } from '../../../src/card/processors/wrong-length.ts';
import { TranscriptCard, TranscriptMismatchError } from '../../fakes/transcript-card.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });
const bytes = (n: number, seed: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 11 + seed) & 0xff;
  return b;
};
const hx = (b: Uint8Array): string => toHex(b);

describe('card/processors: GET RESPONSE on 61xx', () => {
  it('collects 256 + 44 bytes with GET RESPONSE Le=2C, echoing the class without the chaining bit', async () => {
    const a = bytes(256, 1);
    const b = bytes(44, 2);
    const card = new TranscriptCard([
      { command: '80ca000000', response: hx(a) + '612c' },
      { command: '80c000002c', response: hx(b) + '9000' },
    ]);
    const r = await getResponse(card.handle)(h('80ca000000'));
    assertBytes(r, concat(a, b, h('9000')));
    card.assertDone();
  });

  it('uses a fixed class when told, and returns the last status word as is', async () => {
    const card = new TranscriptCard([
      { command: '80ca000000', response: '0102 6103' },
      { command: '00c0000003', response: '030405 6a82' },
    ]);
    const r = await getResponse(card.handle, { cla: 0x00 })(h('80ca000000'));
    assertBytes(r, h('0102 030405 6a82'));
    card.assertDone();
  });

  it('passes other answers through untouched', async () => {
    const card = new TranscriptCard([{ command: '00a4040000', response: '6a82' }]);
    assertBytes(await getResponse(card.handle)(h('00a4040000')), h('6a82'));
    card.assertDone();
  });

  it('stops a card that offers more than the cap or loops without data', async () => {
    const big = new TranscriptCard([
      { command: '80ca000000', response: hx(bytes(256, 3)) + '6100' },
      { command: '80c0000000', response: hx(bytes(256, 4)) + '6100' },
    ]);
    await assertRejects(getResponse(big.handle, { maxResponse: 300 })(h('80ca000000')), CardProtocolError);
    const loop = new TranscriptCard([
      { command: '80ca000000', response: '6110' },
      { command: '80c0000010', response: '6110' },
    ]);
    await assertRejects(getResponse(loop.handle)(h('80ca000000')), CardProtocolError);
  });
});

describe('card/processors: command chaining', () => {
  it('sends 600 bytes as 255 + 255 + 90 with CLA|10 on all but the last, Le on the last', async () => {
    const d = bytes(600, 5);
    const card = new TranscriptCard([
      { command: '90da0000ff' + hx(d.subarray(0, 255)), response: '9000' },
      { command: '90da0000ff' + hx(d.subarray(255, 510)), response: '9000' },
      { command: '80da00005a' + hx(d.subarray(510)) + '00', response: 'aabb9000' },
    ]);
    const r = await commandChaining(card.handle)(encodeCommand({ cla: 0x80, ins: 0xda, p1: 0, p2: 0, data: d, ne: 256 }));
    assertBytes(r, h('aabb9000'));
    card.assertDone();
  });

  it('chains at a smaller maxData, and stops at a refusal in the middle of the chain', async () => {
    const d = bytes(10, 6);
    const card = new TranscriptCard([{ command: '10d6000004' + hx(d.subarray(0, 4)), response: '6884' }]);
    const r = await commandChaining(card.handle, { maxData: 4 })(encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: d }));
    assertBytes(r, h('6884'));
    card.assertDone();
  });

  it('passes a command that fits unchanged', async () => {
    const card = new TranscriptCard([{ command: '00d6000003010203', response: '9000' }]);
    await commandChaining(card.handle)(h('00d6000003010203'));
    card.assertDone();
  });
});

describe('card/processors: shortApduExchange', () => {
  it('passes short APDUs through unchanged, 61xx included', async () => {
    const card = new TranscriptCard([{ command: '00b0000010', response: '0102 6110' }]);
    assertBytes(await shortApduExchange(card.handle)(h('00b0000010')), h('0102 6110'));
    card.assertDone();
  });

  it('sends an extended case 4 (Nc=300, Ne=1000) as a 255+45 chain with Le=00, then GET RESPONSE to the end', async () => {
    const d = bytes(300, 7);
    const resp = bytes(1000, 8);
    const card = new TranscriptCard([
      { command: '10ee0000ff' + hx(d.subarray(0, 255)), response: '9000' },
      { command: '00ee00002d' + hx(d.subarray(255)) + '00', response: hx(resp.subarray(0, 256)) + '6100' },
      { command: '00c0000000', response: hx(resp.subarray(256, 512)) + '6100' },
      { command: '00c0000000', response: hx(resp.subarray(512, 768)) + '61e8' },
      { command: '00c00000e8', response: hx(resp.subarray(768)) + '9000' },
    ]);
    const r = await shortApduExchange(card.handle)(encodeCommand({ cla: 0, ins: 0xee, p1: 0, p2: 0, data: d, ne: 1000 }));
    assertBytes(r, concat(resp, h('9000')));
    card.assertDone();
  });

  it('rewrites a forced-extended APDU that fits short form, an extended case 3 and a case 2 with Ne=65536', async () => {
    const d10 = bytes(10, 9);
    const d256 = bytes(256, 10);
    const card = new TranscriptCard([
      { command: '00ee00000a' + hx(d10) + '14', response: hx(bytes(20, 1)) + '9000' },
      { command: '10d60000ff' + hx(d256.subarray(0, 255)), response: '9000' },
      { command: '00d6000001' + hx(d256.subarray(255)), response: '9000' },
      { command: '00b0000000', response: hx(bytes(256, 2)) + '6105' },
      { command: '00c0000005', response: hx(bytes(5, 3)) + '9000' },
    ]);
    const ex = shortApduExchange(card.handle);
    assertBytes(await ex(encodeCommand({ cla: 0, ins: 0xee, p1: 0, p2: 0, data: d10, ne: 20 }, { extended: true })), concat(bytes(20, 1), h('9000')));
    assertBytes(await ex(encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: d256 })), h('9000'));
    assertBytes(await ex(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 65536 })), concat(bytes(256, 2), bytes(5, 3), h('9000')));
    card.assertDone();
  });

  it('does not wipe or change the caller’s APDU', async () => {
    const apdu = encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: bytes(300, 11) });
    const copy = apdu.slice();
    const card = new TranscriptCard([
      { command: '10d60000ff' + hx(copy.subarray(7, 262)), response: '9000' },
      { command: '00d600002d' + hx(copy.subarray(262)), response: '9000' },
    ]);
    await shortApduExchange(card.handle)(apdu);
    assertBytes(apdu, copy);
    card.assertDone();
  });
});

describe('card/processors: 6Cxx', () => {
  it('re-sends a case 2 command once with the exact Le', async () => {
    const card = new TranscriptCard([
      { command: '80e2002010', response: '6c20' },
      { command: '80e2002020', response: hx(bytes(32, 4)) + '9000' },
    ]);
    assertBytes(await wrongLengthRetry(card.handle)(h('80e2002010')), concat(bytes(32, 4), h('9000')));
    card.assertDone();
  });

  it('returns a second 6Cxx, and a 6Cxx to a command without Le, as is', async () => {
    const twice = new TranscriptCard([
      { command: '80e2002010', response: '6c20' },
      { command: '80e2002020', response: '6c21' },
    ]);
    assertBytes(await wrongLengthRetry(twice.handle)(h('80e2002010')), h('6c21'));
    twice.assertDone();
    const noLe = new TranscriptCard([{ command: '80da000001aa', response: '6c05' }]);
    assertBytes(await wrongLengthRetry(noLe.handle)(h('80da000001aa')), h('6c05'));
    noLe.assertDone();
  });
});

describe('test fake: TranscriptCard', () => {
  it('fails on an unexpected APDU and on left-over steps', async () => {
    const card = new TranscriptCard([
      { command: '00a4040000', response: '9000' },
      { command: '00b0000000', response: '9000' },
    ]);
    await card.handle(h('00a4040000'));
    try {
      card.assertDone();
      assert.fail('left-over step not reported');
    } catch (e) {
      assert.instanceOf(e, TranscriptMismatchError);
    }
    await assertRejects(card.handle(h('00b0000001')), TranscriptMismatchError);
    try {
      card.assertDone();
      assert.fail('mismatch not remembered');
    } catch (e) {
      assert.instanceOf(e, TranscriptMismatchError);
    }
  });
});
