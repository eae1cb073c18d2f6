import { describe, it, assert, assertBytes, assertRejects } from '../harness.ts';
import { toHex } from '../../src/bytes/index.ts';
import { parseCommand } from '../../src/card/apdu.ts';
import { CardChannel } from '../../src/card/channel.ts';
import { ApduError, PinBlockedError, PinError } from '../../src/card/errors.ts';
import { TrafficLog } from '../../src/card/processors/traffic-log.ts';
import { MemoryTransport } from '../../src/card/transports/memory/index.ts';
import { EchoCard } from '../fakes/echo-card.ts';

const pattern = (n: number, seed: number): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 17 + seed) & 0xff;
  return b;
};
/** The GENERATE pattern, computed here independently of the card: byte i = (i*31 + 7) mod 256. */
const expectedGenerate = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256);

const SIZES = [1, 255, 256, 1000, 4000];

const setups: { name: string; card: () => EchoCard; transport: (c: EchoCard) => MemoryTransport; channel?: { extendedLength?: boolean; maxCommandData?: number } }[] = [
  { name: 'extended card', card: () => new EchoCard(), transport: (c) => new MemoryTransport(c.handle) },
  { name: 'short-only link (transport converts)', card: () => new EchoCard({ extended: false }), transport: (c) => new MemoryTransport(c.handle, { extendedApdu: false }) },
  { name: 'short-only card (channel converts)', card: () => new EchoCard({ extended: false }), transport: (c) => new MemoryTransport(c.handle), channel: { extendedLength: false } },
  { name: 'extended card, chaining at 100', card: () => new EchoCard(), transport: (c) => new MemoryTransport(c.handle), channel: { maxCommandData: 100 } },
];

describe('card/channel over the memory transport and the echo card', () => {
  for (const s of setups) {
    for (const n of SIZES) {
      it(`${s.name}: ECHO of ${n} bytes, GENERATE of ${n} bytes, PUT/GET RECORD of ${n} bytes`, async () => {
        const card = s.card();
        const ch = new CardChannel(s.transport(card), s.channel);
        const d = pattern(n, n);
        const echo = await ch.send({ cla: 0x80, ins: 0xee, p1: 0, p2: 0, data: d, ne: Math.max(n, 256) });
        assert.equal(echo.sw, 0x9000);
        assertBytes(echo.data, d);
        const gen = await ch.sendChecked({ cla: 0x80, ins: 0xe2, p1: n >> 8, p2: n & 0xff, ne: n });
        assertBytes(gen, expectedGenerate(n));
        await ch.sendChecked({ cla: 0x80, ins: 0xda, p1: 0, p2: 0, data: d });
        assertBytes(await ch.sendChecked({ cla: 0x80, ins: 0xca, p1: 0, p2: 0, ne: 65536 }), d);
        // What reached the card matches the setup: extended APDUs only where the card takes them.
        const extendedSeen = card.received.some((a) => parseCommand(a).extended);
        const chained = card.received.some((a) => (a[0] & 0x10) !== 0);
        if (s.name.startsWith('short')) assert.isFalse(extendedSeen, 'no extended APDU reaches a short-only card');
        if (s.name.startsWith('short') && n > 255) assert.isTrue(chained, 'long commands were chained');
        if (s.name === 'extended card') assert.isFalse(chained, 'an extended card gets one APDU per command');
        if (s.name === 'extended card' && n > 256) assert.isTrue(extendedSeen);
        if (s.channel?.maxCommandData === 100 && n > 100) assert.isTrue(chained);
      });
    }
  }

  it('a short command with Le=00 to a 1,000-byte record gets all of it through GET RESPONSE', async () => {
    const card = new EchoCard();
    const ch = new CardChannel(new MemoryTransport(card.handle));
    const d = pattern(1000, 3);
    await ch.sendChecked({ cla: 0x80, ins: 0xda, p1: 0, p2: 0, data: d });
    const r = await ch.send({ cla: 0x80, ins: 0xca, p1: 0, p2: 0, ne: 256 });
    assert.equal(r.sw, 0x9000);
    assertBytes(r.data, d);
    // 80CA with Le=00, then GET RESPONSE ×3 (256+256+256+232)
    assert.deepEqual(
      card.received.slice(1).map((a) => toHex(a)),
      ['80ca000000', '80c0000000', '80c0000000', '80c00000e8'],
    );
  });

  it('a wrong Le on a case-2 command is fixed by the card’s 6Cxx', async () => {
    const card = new EchoCard();
    const ch = new CardChannel(new MemoryTransport(card.handle));
    assertBytes(await ch.sendChecked({ cla: 0x80, ins: 0xe2, p1: 0, p2: 0x20, ne: 0x10 }), expectedGenerate(0x20));
    assert.deepEqual(
      card.received.map((a) => toHex(a)),
      ['80e2002010', '80e2002020'],
    );
  });

  it('sendChecked throws the typed error: PinError with tries left, then PinBlockedError, ApduError otherwise', async () => {
    const card = new EchoCard({ pin: '123456', pinTries: 2 });
    const ch = new CardChannel(new MemoryTransport(card.handle));
    const verify = (pin: string): Promise<Uint8Array> =>
      ch.sendChecked({ cla: 0, ins: 0x20, p1: 0, p2: 0x81, data: new TextEncoder().encode(pin) }, { sensitive: 'command' });
    const e1 = await assertRejects(verify('000000'), PinError);
    assert.equal(e1.retriesLeft, 1);
    await verify('123456');
    assert.isTrue(card.pinVerified);
    await assertRejects(verify('000000'), PinError);
    const e2 = await assertRejects(verify('111111'), PinBlockedError);
    assert.equal(e2.sw, 0x63c0);
    const e3 = await assertRejects(verify('123456'), PinBlockedError);
    assert.equal(e3.sw, 0x6983);
    const e4 = await assertRejects(ch.sendChecked({ cla: 0x80, ins: 0x99, p1: 0, p2: 0 }), ApduError);
    assert.equal(e4.sw, 0x6d00);
    assert.notInstanceOf(e4, PinError);
  });
});

describe('card/processors: traffic log redaction', () => {
  const PIN = '271828';
  const PIN_HEX = toHex(new TextEncoder().encode(PIN));

  it('never holds a PIN (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER) and logs the rest with timing', async () => {
    let t = 1000;
    const log = new TrafficLog({ now: () => (t += 2.5) });
    const card = new EchoCard({ pin: PIN });
    const ch = new CardChannel(new MemoryTransport(card.handle), { log });
    const pin = new TextEncoder().encode(PIN);
    await ch.sendChecked({ cla: 0, ins: 0x20, p1: 0, p2: 0x81, data: pin });
    await ch.send({ cla: 0, ins: 0x24, p1: 0, p2: 0x81, data: new TextEncoder().encode(PIN + PIN) });
    await ch.send({ cla: 0, ins: 0x2c, p1: 0, p2: 0x81, data: new TextEncoder().encode('1234567' + PIN) });
    const echoData = Uint8Array.of(1, 2, 3);
    await ch.sendChecked({ cla: 0x80, ins: 0xee, p1: 0, p2: 0, data: echoData, ne: 3 });
    const text = log.format();
    assert.notInclude(text, PIN_HEX);
    assert.notInclude(text, PIN);
    assert.notInclude(JSON.stringify(log.entries.map((e) => ({ ...e, commandData: e.commandData && toHex(e.commandData) }))), PIN_HEX);
    assert.equal(log.entries.length, 4);
    for (const e of log.entries.slice(0, 3)) {
      assert.isNull(e.commandData);
      assert.isAbove(e.nc, 0);
    }
    assert.equal(log.entries[0].nc, 6);
    assert.equal(log.entries[0].sw, 0x9000);
    assert.match(text, /00 20 00 81 Lc=6 <6 bytes redacted> -> 9000/);
    // The ordinary command is there in full, with its duration from the injected clock.
    assertBytes(log.entries[3].commandData!, echoData);
    assertBytes(log.entries[3].responseData!, echoData);
    assert.equal(log.entries[3].durationMs, 2.5);
    assert.match(text, /80 EE 00 00 Lc=3 010203 Le=3 -> 9000 \[3\] 010203/);
  });

  it('redacts caller-marked key material in every piece of a chain and every GET RESPONSE', async () => {
    const log = new TrafficLog();
    const card = new EchoCard({ extended: false });
    const ch = new CardChannel(new MemoryTransport(card.handle), { log, extendedLength: false });
    const key = pattern(600, 99);
    const keyHex = toHex(key.subarray(300, 316));
    const r = await ch.send({ cla: 0x80, ins: 0xee, p1: 0, p2: 0, data: key, ne: 600 }, { sensitive: 'both' });
    assertBytes(r.data, key);
    assert.isAbove(log.entries.length, 4, 'chain pieces and GET RESPONSE are each logged');
    for (const e of log.entries) {
      assert.isNull(e.commandData);
      assert.isNull(e.responseData);
    }
    assert.notInclude(log.format(), keyHex);
    // 'response' hides only the response.
    log.clear();
    await ch.send({ cla: 0x80, ins: 0xee, p1: 0, p2: 0, data: Uint8Array.of(9, 8), ne: 2 }, { sensitive: 'response' });
    assertBytes(log.entries[0].commandData!, Uint8Array.of(9, 8));
    assert.isNull(log.entries[0].responseData);
    assert.equal(log.entries[0].nr, 2);
  });

  it('logs a failed exchange with the error and keeps at most `limit` entries', async () => {
    const log = new TrafficLog({ limit: 2 });
    const t = new MemoryTransport(new EchoCard().handle);
    const ch = new CardChannel(t, { log });
    for (let i = 0; i < 3; i++) await ch.send({ cla: 0x80, ins: 0xe2, p1: 0, p2: 1, ne: 1 });
    t.removeCard();
    await assertRejects(ch.send({ cla: 0x80, ins: 0xe2, p1: 0, p2: 1, ne: 1 }), Error);
    assert.equal(log.entries.length, 2);
    assert.equal(log.entries[1].n, 4);
    assert.match(log.entries[1].error!, /CardRemovedError/);
    assert.isUndefined(log.entries[1].sw);
  });
});

describe('card/channel: sensitive responses', () => {
  it('wipes the transport\'s response buffer when the response is marked sensitive, and only then', async () => {
    const secret = Uint8Array.of(0x5e, 0xc7, 0xe7, 0x11);
    const seen: Uint8Array[] = [];
    const transport = {
      atr: new Uint8Array(0),
      reader: { name: 'recording', kind: 'memory' as const, extendedApdu: true },
      on: () => () => undefined,
      close: async () => undefined,
      transmit: async () => {
        const r = Uint8Array.of(...secret, 0x90, 0x00);
        seen.push(r);
        return r;
      },
    };
    const ch = new CardChannel(transport);
    const a = await ch.send({ cla: 0, ins: 0x87, p1: 0, p2: 0, ne: 256 }, { sensitive: 'response' });
    assertBytes(a.data, secret);
    assert.isTrue(seen[0].every((b) => b === 0), 'raw buffer wiped');
    const b = await ch.send({ cla: 0, ins: 0x87, p1: 0, p2: 0, ne: 256 });
    assertBytes(b.data, secret);
    assert.equal(toHex(seen[1]), toHex(secret) + '9000', 'unmarked responses are left alone');
  });
});
