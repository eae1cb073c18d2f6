import { describe, it, assert, assertBytes, assertRejects, bytesOf } from '../../../harness.ts';
import {
  CardRemovedError,
  TransportAbortedError,
  TransportBusyError,
  TransportClosedError,
  TransportError,
  TransportTimeoutError,
} from '../../../../src/card/transport-errors.ts';
import { encodeCommand, parseResponse } from '../../../../src/card/apdu.ts';
import {
  CardResetError,
  ReaderUnavailableError,
  SharingViolationError,
  SmartCardPermissionError,
  SmartCardServiceError,
  UnsupportedCardError,
  listSmartCardReaders,
  openSmartCardReader,
  type WebSmartCardTransport,
} from '../../../../src/card/transports/web-smart-card/index.ts';
import { FakeSmartCard, manualCard, recordingCard } from '../../../fakes/web-smart-card.ts';

const READER = 'Yubico YubiKey OTP+FIDO+CCID 00 00';
// A YubiKey 5 ATR (T=1): 3B FD 13 00 00 81 31 FE 15 80 73 C0 21 C0 57 59 75 62 69 4B 65 79 40
const ATR_A = bytesOf('3bfd1300008131fe158073c021c057597562694b657940');
const ATR_B = bytesOf('3b8c8001597562696b65794e454f7233');
const SELECT_PIV = encodeCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: bytesOf('a000000308'), ne: 256 });
const OPTS = { retryDelayMs: 0, closeWaitMs: 200 } as const;

/** Resolve after pending promise jobs and one timer turn. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await tick();
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A card that answers SELECT with a fixed FCI and anything else with its own INS echoed + 9000. */
function pivLikeCard(atr = ATR_A) {
  return recordingCard(atr, (apdu) => {
    if (apdu[1] === 0xa4) return bytesOf('61114f0600001000010079074f05a0000003089000');
    return Uint8Array.of(apdu[1], 0x90, 0x00);
  });
}

function events(t: WebSmartCardTransport): string[] {
  const seen: string[] = [];
  t.on('card-removed', () => seen.push('removed'));
  t.on('card-inserted', () => seen.push('inserted'));
  return seen;
}

describe('web-smart-card transport', () => {
  it('lists readers with card presence and ATR', async () => {
    const api = new FakeSmartCard();
    api.addReader(READER, pivLikeCard());
    api.addReader('Empty Reader 01 00');
    const list = await listSmartCardReaders(api);
    assert.deepEqual(list.map((r) => [r.name, r.cardPresent, r.available]), [
      [READER, true, true],
      ['Empty Reader 01 00', false, true],
    ]);
    assertBytes(list[0].atr, ATR_A);
    assert.equal(list[1].atr.length, 0);
    assert.deepEqual(await listSmartCardReaders(new FakeSmartCard()), []);
  });

  it('connects exclusively with T=0/T=1 offered, reads the ATR and describes the reader', async () => {
    const api = new FakeSmartCard();
    api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, OPTS);
    assertBytes(t.atr, ATR_A);
    assert.equal(t.reader.kind, 'web-smart-card');
    assert.equal(t.reader.name, READER);
    assert.isTrue(t.reader.extendedApdu);
    assert.match(t.reader.note, /extended/i);
    assert.equal(t.activeProtocol, 't1');
    assert.include(api.log, `connect ${READER} exclusive t0,t1`);
    // The connection and the tracking wait live on two different contexts.
    assert.equal(api.contexts.length, 2);
    await t.close();
  });

  it('round-trips APDUs unchanged, extended ones included', async () => {
    const api = new FakeSmartCard();
    const card = pivLikeCard();
    api.addReader(READER, card);
    const t = await openSmartCardReader(api, READER, OPTS);
    const r1 = await t.transmit(SELECT_PIV);
    assertBytes(card.seen[0], SELECT_PIV);
    const fci = parseResponse(r1);
    assert.equal(fci.sw, 0x9000);
    assertBytes(fci.data, bytesOf('61114f0600001000010079074f05a000000308'));
    // 300 data bytes need the extended form; the card must see the exact bytes.
    const big = encodeCommand({ cla: 0, ins: 0xdb, p1: 0x3f, p2: 0xff, data: new Uint8Array(300).fill(0x5a) });
    assert.equal(big[4], 0, 'extended form');
    const r2 = await t.transmit(big);
    assertBytes(card.seen[1], big);
    assertBytes(r2, Uint8Array.of(0xdb, 0x90, 0x00));
    // The caller may wipe its buffer after the call without touching what the card saw.
    big.fill(0);
    assert.equal(card.seen[1][7], 0x5a);
    await t.close();
  });

  it('raises card-removed and CardRemovedError between exchanges, then works again after reinsertion', async () => {
    const api = new FakeSmartCard();
    const reader = api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, OPTS);
    const seen = events(t);
    await t.transmit(SELECT_PIV);
    await until(() => api.waiting === 1, 'the tracking wait');
    reader.remove();
    await until(() => seen.length === 1, 'card-removed');
    assert.deepEqual(seen, ['removed']);
    const err = await assertRejects(t.transmit(SELECT_PIV), CardRemovedError);
    assert.isAbove(err.remedy.length, 0);
    // A different card goes in: card-inserted, new ATR, exchanges work on the same transport.
    const card2 = pivLikeCard(ATR_B);
    reader.insert(card2);
    await until(() => seen.length === 2, 'card-inserted');
    assert.deepEqual(seen, ['removed', 'inserted']);
    const r = await t.transmit(Uint8Array.of(0x00, 0xca, 0x00, 0x7e, 0x00));
    assertBytes(r, Uint8Array.of(0xca, 0x90, 0x00));
    assertBytes(t.atr, ATR_B);
    assert.equal(card2.seen.length, 1);
    await t.close();
  });

  it('fails the running exchange with CardRemovedError when the card is pulled mid-command', async () => {
    const api = new FakeSmartCard();
    const card = manualCard(ATR_A);
    const reader = api.addReader(READER, card);
    const t = await openSmartCardReader(api, READER, { ...OPTS, watch: false });
    const seen = events(t);
    const p = t.transmit(SELECT_PIV);
    const cmd = await card.next();
    assertBytes(cmd.apdu, SELECT_PIV);
    reader.remove();
    await assertRejects(p, CardRemovedError);
    assert.deepEqual(seen, ['removed'], 'removal seen by transmit is raised as an event too, once');
    // No card: the next exchange fails without a card to talk to.
    await assertRejects(t.transmit(SELECT_PIV), CardRemovedError);
    await t.close();
  });

  it('detects a quick remove-and-reinsert between polls through the event count', async () => {
    const api = new FakeSmartCard();
    const reader = api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, OPTS);
    const seen = events(t);
    await until(() => api.waiting === 1, 'the tracking wait');
    // Both changes happen before the tracker looks again.
    const card2 = pivLikeCard(ATR_B);
    reader.remove();
    reader.insert(card2);
    await until(() => seen.length === 2, 'two events');
    assert.deepEqual(seen, ['removed', 'inserted']);
    await t.transmit(SELECT_PIV);
    assertBytes(t.atr, ATR_B);
    await t.close();
  });

  it('reports an unplugged reader as ReaderUnavailableError (a TransportClosedError)', async () => {
    const api = new FakeSmartCard();
    const reader = api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, OPTS);
    const seen = events(t);
    await until(() => api.waiting === 1, 'the tracking wait');
    reader.unplug();
    await until(() => seen.length === 1, 'card-removed');
    const err = await assertRejects(t.transmit(SELECT_PIV), ReaderUnavailableError);
    assert.instanceOf(err, TransportClosedError);
    assert.include(err.message, READER);
    assert.isAbove(err.remedy.length, 0);
    assert.equal(api.waiting, 0, 'no tracking loop left on a vanished reader');
    await t.close();
  });

  it('refuses with SharingViolationError while another program holds the card, after retrying', async () => {
    const api = new FakeSmartCard();
    const reader = api.addReader(READER, pivLikeCard());
    reader.otherAppExclusive = true;
    const err = await assertRejects(openSmartCardReader(api, READER, { ...OPTS, connectRetries: 2 }), SharingViolationError);
    assert.match(err.remedy, /scdaemon/);
    assert.equal(api.log.filter((l) => l.startsWith('connect')).length, 3, 'first try + 2 retries');
    // A second webtke transport on the same card is refused too, while the first is open.
    reader.otherAppExclusive = false;
    const t = await openSmartCardReader(api, READER, OPTS);
    await assertRejects(openSmartCardReader(api, READER, { ...OPTS, connectRetries: 0 }), SharingViolationError);
    await t.close();
    // A sharing violation that clears up during the retries is not an error.
    reader.otherAppExclusive = false;
    api.failNext('connect', 'sharing-violation');
    const t2 = await openSmartCardReader(api, READER, OPTS);
    await t2.close();
  });

  it('honours AbortSignal before and during an exchange, and never sends a cancelled command later', async () => {
    const api = new FakeSmartCard();
    const card = manualCard(ATR_A);
    api.addReader(READER, card);
    const t = await openSmartCardReader(api, READER, { ...OPTS, watch: false });
    const pre = new AbortController();
    pre.abort();
    await assertRejects(t.transmit(SELECT_PIV, pre.signal), TransportAbortedError);
    assert.equal(card.pending.length, 0, 'an aborted-before call sends nothing');

    const ctl = new AbortController();
    const p = t.transmit(SELECT_PIV, ctl.signal);
    const first = await card.next();
    ctl.abort();
    await assertRejects(p, TransportAbortedError);
    // PC/SC still runs the first command. A second call waits for it, then goes out.
    const ctl2 = new AbortController();
    const p2 = t.transmit(Uint8Array.of(0x00, 0xcb, 0x3f, 0xff, 0x00), ctl2.signal);
    await tick();
    assert.equal(card.pending.length, 0, 'the second command waits for the first');
    // ... and if it is cancelled while waiting, it is never sent.
    ctl2.abort();
    await assertRejects(p2, TransportAbortedError);
    first.answer.resolve(Uint8Array.of(0x90, 0x00));
    const p3 = t.transmit(Uint8Array.of(0x00, 0xca, 0x00, 0x7e, 0x00));
    const third = await card.next();
    assert.equal(third.apdu[1], 0xca, 'the cancelled 0xCB command never reached the card');
    third.answer.resolve(Uint8Array.of(0x01, 0x90, 0x00));
    assertBytes(await p3, Uint8Array.of(0x01, 0x90, 0x00));
    await t.close();
  });

  it('rejects a second concurrent exchange with TransportBusyError', async () => {
    const api = new FakeSmartCard();
    const card = manualCard(ATR_A);
    api.addReader(READER, card);
    const t = await openSmartCardReader(api, READER, { ...OPTS, watch: false });
    const p1 = t.transmit(SELECT_PIV);
    await assertRejects(t.transmit(SELECT_PIV), TransportBusyError);
    const c = await card.next();
    c.answer.resolve(Uint8Array.of(0x6a, 0x82));
    assertBytes(await p1, Uint8Array.of(0x6a, 0x82));
    assert.equal(card.pending.length, 0);
    // Free again afterwards.
    const p2 = t.transmit(SELECT_PIV);
    (await card.next()).answer.resolve(Uint8Array.of(0x90, 0x00));
    assertBytes(await p2, Uint8Array.of(0x90, 0x00));
    await t.close();
  });

  it('close() powers the card down once, stops tracking, and is idempotent', async () => {
    const api = new FakeSmartCard();
    api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, OPTS);
    await until(() => api.waiting === 1, 'the tracking wait');
    const conn = api.openConnections()[0];
    const a = t.close();
    const b = t.close();
    await Promise.all([a, b]);
    await t.close();
    assert.deepEqual(conn.disconnects, ['unpower']);
    assert.equal(api.openConnections().length, 0);
    assert.equal(api.waiting, 0, 'the tracking wait was cancelled');
    await assertRejects(t.transmit(SELECT_PIV), TransportClosedError);
  });

  it('close() during an exchange rejects it with TransportClosedError and disconnects after PC/SC returns', async () => {
    const api = new FakeSmartCard();
    const card = manualCard(ATR_A);
    api.addReader(READER, card);
    const t = await openSmartCardReader(api, READER, { ...OPTS, watch: false, closeDisposition: 'reset' });
    const p = t.transmit(SELECT_PIV);
    const c = await card.next();
    const closing = t.close();
    await assertRejects(p, TransportClosedError);
    assert.equal(api.openConnections().length, 1, 'not disconnected while the command runs');
    c.answer.resolve(Uint8Array.of(0x90, 0x00));
    await closing;
    assert.deepEqual(api.log.filter((l) => l.startsWith('disconnect')), [`disconnect ${READER} reset`]);
  });

  it('maps a card reset by another program to CardResetError and reconnects on the next exchange', async () => {
    const api = new FakeSmartCard();
    const reader = api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, { ...OPTS, access: 'shared' });
    const seen = events(t);
    reader.resetByOtherProgram();
    const err = await assertRejects(t.transmit(SELECT_PIV), CardResetError);
    assert.match(err.message, /forgotten the PIN/);
    assert.match(err.remedy, /PIN again/);
    assertBytes(await t.transmit(SELECT_PIV), bytesOf('61114f0600001000010079074f05a0000003089000'));
    assert.deepEqual(seen, [], 'a reset is not a removal');
    assert.equal(api.log.filter((l) => l.startsWith('connect')).length, 2);
    await t.close();
  });

  it('maps PC/SC failures to typed errors with remedies', async () => {
    const cases: Array<[Parameters<FakeSmartCard['failNext']>[0], Parameters<FakeSmartCard['failNext']>[1], abstract new (...a: never[]) => TransportError]> = [
      ['establishContext', 'no-service', SmartCardServiceError],
      ['connect', 'no-smartcard', CardRemovedError],
      ['connect', 'unknown-reader', ReaderUnavailableError],
      ['connect', 'unsupported-card', UnsupportedCardError],
      ['connect', new DOMException('denied', 'NotAllowedError'), SmartCardPermissionError],
      ['transmit', 'unresponsive-card', TransportTimeoutError],
      ['transmit', 'server-too-busy', SmartCardServiceError],
      ['transmit', 'transaction-failed', TransportError],
      ['transmit', 'not-transacted', TransportError],
      ['transmit', 'unpowered-card', CardResetError],
      ['transmit', new DOMException('service stopped', 'InvalidStateError'), TransportClosedError],
    ];
    for (const [op, error, type] of cases) {
      const api = new FakeSmartCard();
      api.addReader(READER, pivLikeCard());
      api.failNext(op, error);
      const label = `${op} ${typeof error === 'string' ? error : error.name}`;
      const attempt = async (): Promise<void> => {
        const t = await openSmartCardReader(api, READER, { ...OPTS, watch: false, connectRetries: 0 });
        try {
          await t.transmit(SELECT_PIV);
        } finally {
          await t.close();
        }
      };
      const err = (await assertRejects(attempt, type as never, label)) as TransportError;
      assert.isAbove(err.remedy.length, 10, `${label} has a remedy`);
      assert.isDefined((err as { cause?: unknown }).cause, `${label} keeps the original error`);
    }
  });

  it('refuses a card that negotiated no usable protocol', async () => {
    const api = new FakeSmartCard();
    api.addReader(READER, { ...pivLikeCard(), protocol: 't0' });
    await assertRejects(openSmartCardReader(api, READER, { ...OPTS, protocols: ['t1'] }), UnsupportedCardError);
    const t = await openSmartCardReader(api, READER, OPTS);
    assert.equal(t.activeProtocol, 't0');
    await t.close();
  });

  it('unsubscribes listeners', async () => {
    const api = new FakeSmartCard();
    const reader = api.addReader(READER, pivLikeCard());
    const t = await openSmartCardReader(api, READER, OPTS);
    let n = 0;
    const off = t.on('card-removed', () => n++);
    let m = 0;
    t.on('card-removed', () => m++);
    off();
    await until(() => api.waiting === 1, 'the tracking wait');
    reader.remove();
    await until(() => m === 1, 'the remaining listener');
    assert.equal(n, 0);
    await t.close();
  });
});
