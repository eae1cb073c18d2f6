import { describe, it, assert, assertBytes, assertRejects } from '../../../harness.ts';
import { fromHex } from '../../../../src/bytes/index.ts';
import {
  CardRemovedError,
  TransportAbortedError,
  TransportBusyError,
  TransportClosedError,
} from '../../../../src/card/transport-errors.ts';
import { MemoryTransport } from '../../../../src/card/transports/memory/index.ts';
import { EchoCard } from '../../../fakes/echo-card.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });

/** A card whose answers wait until the test releases them; it records overlapping calls. */
function heldCard() {
  const echo = new EchoCard();
  const waiting: (() => void)[] = [];
  let inside = 0;
  let maxInside = 0;
  const handle = async (apdu: Uint8Array): Promise<Uint8Array> => {
    inside++;
    maxInside = Math.max(maxInside, inside);
    await new Promise<void>((r) => waiting.push(r));
    inside--;
    return echo.handle(apdu);
  };
  return {
    handle,
    echo,
    releaseOne: () => waiting.shift()?.(),
    get waiting() {
      return waiting.length;
    },
    get maxInside() {
      return maxInside;
    },
  };
}
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('card/transports/memory', () => {
  it('carries APDUs to the card and exposes the ATR and reader facts', async () => {
    const t = new MemoryTransport(new EchoCard().handle, { atr: h('3b00'), name: 'virtual' });
    assertBytes(await t.transmit(h('80ee0000 02 0102 02')), h('0102 9000'));
    assertBytes(t.atr, h('3b00'));
    assert.deepEqual(t.reader, { name: 'virtual', kind: 'memory', extendedApdu: true });
  });

  it('a second transmit while one runs is TransportBusyError; the first still completes', async () => {
    const c = heldCard();
    const t = new MemoryTransport(c.handle);
    const first = t.transmit(h('80ee0000 01 aa 01'));
    await assertRejects(t.transmit(h('80ee0000 01 bb 01')), TransportBusyError);
    await tick();
    c.releaseOne();
    assertBytes(await first, h('aa 9000'));
  });

  it('abort rejects at once; the next exchange waits for the abandoned card call (never two at once)', async () => {
    const c = heldCard();
    const t = new MemoryTransport(c.handle);
    const ctl = new AbortController();
    const first = t.transmit(h('80ee0000 01 aa 01'), ctl.signal);
    await tick();
    ctl.abort();
    await assertRejects(first, TransportAbortedError);
    const second = t.transmit(h('80ee0000 01 bb 01'));
    await tick();
    assert.equal(c.waiting, 1, 'the card is still on the first call only');
    c.releaseOne();
    await tick();
    c.releaseOne();
    assertBytes(await second, h('bb 9000'));
    assert.equal(c.maxInside, 1);
    const pre = new AbortController();
    pre.abort();
    await assertRejects(t.transmit(h('80ee0000 01 cc 01'), pre.signal), TransportAbortedError);
  });

  it('removal fails the running exchange with CardRemovedError and fires events; insertion restores it', async () => {
    const c = heldCard();
    const t = new MemoryTransport(c.handle);
    const events: string[] = [];
    const off = t.on('card-removed', () => events.push('removed'));
    t.on('card-inserted', () => events.push('inserted'));
    const running = t.transmit(h('80ee0000 01 aa 01'));
    await tick();
    t.removeCard();
    await assertRejects(running, CardRemovedError);
    await assertRejects(t.transmit(h('80ee0000 01 aa 01')), CardRemovedError);
    const card2 = new EchoCard();
    t.insertCard(card2.handle, h('3b01'));
    assertBytes(await t.transmit(h('80ee0000 01 dd 01')), h('dd 9000'));
    assertBytes(t.atr, h('3b01'));
    off();
    t.removeCard();
    assert.deepEqual(events, ['removed', 'inserted']);
    c.releaseOne();
  });

  it('close rejects the running exchange and every later one, and is idempotent', async () => {
    const c = heldCard();
    const t = new MemoryTransport(c.handle);
    const running = t.transmit(h('80ee0000 01 aa 01'));
    await tick();
    await t.close();
    await assertRejects(running, TransportClosedError);
    await assertRejects(t.transmit(h('80ee0000 01 aa 01')), TransportClosedError);
    await t.close();
    c.releaseOne();
  });

  it('with extendedApdu false, an extended APDU reaches the card as a chain plus GET RESPONSE', async () => {
    const card = new EchoCard({ extended: false });
    const t = new MemoryTransport(card.handle, { extendedApdu: false });
    const data = new Uint8Array(300).map((_, i) => i & 0xff);
    const apdu = new Uint8Array([0x80, 0xee, 0, 0, 0, 0x01, 0x2c, ...data, 0x01, 0x2c]);
    const r = await t.transmit(apdu);
    assertBytes(r.subarray(0, 300), data);
    assertBytes(r.subarray(300), h('9000'));
    assert.equal(card.received.length, 3, 'two chain pieces, one GET RESPONSE');
    assert.equal(card.received[0][0], 0x90);
    // Behind an extended transport the same short-only card refuses the extended APDU.
    const direct = new MemoryTransport(new EchoCard({ extended: false }).handle);
    assertBytes(await direct.transmit(apdu), h('6700'));
  });
});
