import { describe, it, assert, assertBytes, assertRejects } from '../../../harness.ts';
import { concat, fromHex } from '../../../../src/bytes/index.ts';
import { CardRemovedError, TransportClosedError } from '../../../../src/card/transport-errors.ts';
import { CcidSetupError, NotCcidDeviceError, openCcidReader } from '../../../../src/card/transports/webusb-ccid/index.ts';
import { FakeCcidDevice } from '../../../fakes/ccid-device.ts';
import { EchoCard } from '../../../fakes/echo-card.ts';
import { dumpOf, echo, pattern, rig, tick } from './helpers.ts';

const ok = fromHex('9000');

describe('webusb-ccid: open and close', () => {
  it('open reads the descriptor, claims the interface and powers the card; close powers it off and releases the device', async () => {
    const r = await rig('yubikey');
    // GetSlotStatus (65), IccPowerOn (62).
    assert.deepEqual(
      r.dev.sent.map((m) => m[0]),
      [0x65, 0x62],
    );
    assert.isTrue(r.dev.powered);
    assertBytes(r.reader.atr, fromHex('3b8f01805d4e6974726f6b657900000000006a'));
    assert.equal(r.reader.atrInfo?.t1?.ifsc, 32);
    assert.equal(r.reader.reader.interfaceNumber, 2);
    assert.match(r.reader.reader.name, /Yubico YubiKey OTP\+FIDO\+CCID/);
    await r.reader.close();
    assert.equal(r.dev.sent.at(-1)![0], 0x63, 'IccPowerOff last');
    assert.isFalse(r.dev.powered);
    assert.isFalse(r.dev.opened);
    await assertRejects(r.reader.transmit(echo(pattern(3))), TransportClosedError);
    await r.reader.close();
  });

  it('close while an exchange runs fails it with TransportClosedError', async () => {
    const r = await rig('cherry', { device: { faults: [{ kind: 'delay', at: 1, ms: 50 }] } });
    const p = r.reader.transmit(echo(pattern(3)));
    await tick(5);
    const closing = r.reader.close();
    await assertRejects(p, TransportClosedError);
    await closing;
    assert.isFalse(r.dev.opened);
  });

  it('an empty slot: open succeeds without ATR; transmit is CardRemovedError; insertion is announced and the card then answers', async () => {
    const r = await rig('scr3310', { noCard: true });
    assert.equal(r.reader.atr.length, 0);
    assert.isFalse(r.reader.cardPresent);
    await assertRejects(r.reader.transmit(echo(pattern(3))), CardRemovedError);
    assert.equal(r.dev.stats.xfrBlocks, 0);
    let inserted = 0;
    r.reader.on('card-inserted', () => inserted++);
    r.dev.insertCard(r.card.handle);
    await tick(5);
    assert.equal(inserted, 1);
    const atr = await r.reader.connect();
    assert.isAbove(atr.length, 0);
    const d = pattern(300, 4);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });

  it('without an interrupt endpoint (Nitrokey 3) insertion is noticed at the next power-up', async () => {
    const r = await rig('nitrokey3', { noCard: true });
    const events: string[] = [];
    r.reader.on('card-inserted', () => events.push('inserted'));
    r.dev.insertCard(r.card.handle);
    await tick(5);
    assert.deepEqual(events, []);
    const d = pattern(5, 4);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    assert.deepEqual(events, ['inserted']);
    await r.reader.close();
  });

  it('a refused claim (protected class) is CcidSetupError carrying the browser error, and the device is closed again', async () => {
    const dev = new FakeCcidDevice({ dump: await dumpOf('cherry'), card: new EchoCard().handle, refuseClaim: true });
    const e = await assertRejects(openCcidReader(dev), CcidSetupError);
    assert.equal(e.operation, 'claimInterface');
    assert.equal((e.cause as DOMException).name, 'SecurityError');
    assert.match((e.cause as DOMException).message, /protected class/);
    assert.equal(e.interfaceClass, 0x0b);
    assert.isFalse(dev.opened);
  });

  it('a device without a CCID interface is NotCcidDeviceError', async () => {
    const dev = new FakeCcidDevice({ dump: await dumpOf('cherry'), card: new EchoCard().handle });
    // A HID-only configuration: interface, HID descriptor, interrupt endpoint.
    const hidOnly = Uint8Array.from([9, 2, 34, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 1, 3, 0, 0, 0, 9, 0x21, 0x10, 1, 0, 1, 0x22, 0x22, 0, 7, 5, 0x81, 3, 64, 0, 10]);
    await assertRejects(openCcidReader(dev, { configurationDescriptor: hidOnly }), NotCcidDeviceError);
    assert.isFalse(dev.opened);
  });

  it('listeners can unsubscribe; a throwing listener does not break the transport', async () => {
    const r = await rig('yubikey');
    let calls = 0;
    const off = r.reader.on('card-removed', () => calls++);
    r.reader.on('card-removed', () => {
      throw new Error('listener bug');
    });
    off();
    r.dev.removeCard();
    await tick(5);
    assert.equal(calls, 0);
    assert.isFalse(r.reader.cardPresent);
    r.dev.insertCard(r.card.handle);
    await tick(5);
    const d = pattern(8, 8);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    await r.reader.close();
  });

  it('a slot notification that repeats the known state changes nothing', async () => {
    const r = await rig('yubikey');
    const events: string[] = [];
    r.reader.on('card-removed', () => events.push('removed'));
    r.reader.on('card-inserted', () => events.push('inserted'));
    r.dev.notifySlot(0b11); // present, "changed"
    await tick(5);
    const powerOns = r.dev.sent.filter((m) => m[0] === 0x62).length;
    const d = pattern(8, 1);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    assert.deepEqual(events, []);
    assert.equal(r.dev.sent.filter((m) => m[0] === 0x62).length, powerOns, 'no new power-up');
    await r.reader.close();
  });

  it('a card found inactive (swapped between exchanges) is CardRemovedError, reported as removed then inserted, and powered again next time', async () => {
    const r = await rig('nitrokey3', { device: { faults: [{ kind: 'slot-error', at: 1, bError: 0xfe, iccStatus: 1 }] } });
    const events: string[] = [];
    r.reader.on('card-removed', () => events.push('removed'));
    r.reader.on('card-inserted', () => events.push('inserted'));
    await assertRejects(r.reader.transmit(echo(pattern(3, 1))), CardRemovedError);
    assert.deepEqual(events, ['removed', 'inserted']);
    const powerOns = r.dev.sent.filter((m) => m[0] === 0x62).length;
    const d = pattern(8, 2);
    assertBytes(await r.reader.transmit(echo(d)), concat(d, ok));
    assert.equal(r.dev.sent.filter((m) => m[0] === 0x62).length, powerOns + 1);
    await r.reader.close();
  });
});
