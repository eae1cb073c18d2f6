import { describe, it, assert, assertBytes } from '../harness.ts';
import { fromHex, toHex } from '../../src/bytes/index.ts';
import { EchoCard } from '../fakes/echo-card.ts';

const h = (s: string): Uint8Array => fromHex(s, { separators: true });
const sw = (r: Uint8Array): string => toHex(r.subarray(r.length - 2));

/** The echo card is what many transport tests trust; here it is held to its own rules. */
describe('test fake: the echo card is strict', () => {
  it('wrong length fields are 6700; extended APDUs are 6700 when it has no extended length', async () => {
    const c = new EchoCard({ extended: false });
    assert.equal(sw(await c.handle(h('80ee0000 03 0102'))), '6700');
    assert.equal(sw(await c.handle(h('80ee0000 00 0002 0102 0002'))), '6700');
    assert.equal(sw(await c.handle(h('80ee0000 02 0102'))), '6700', 'ECHO without Le');
    assert.equal(sw(await c.handle(h('80e20010 01 aa 10'))), '6700', 'GENERATE with data');
    assertBytes(await new EchoCard().handle(h('80ee0000 00 0002 0102 0002')), h('0102 9000'));
  });

  it('cuts a response at Ne and offers the rest with 61xx; GET RESPONSE gives it, then 6985', async () => {
    const c = new EchoCard();
    const d = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    await c.handle(new Uint8Array([0x80, 0xda, 0, 0, 0, 0x01, 0x2c, ...d]));
    const first = await c.handle(h('80ca0000 00'));
    assert.equal(first.length, 258);
    assert.equal(sw(first), '612c');
    const rest = await c.handle(h('00c00000 2c'));
    assertBytes(rest, new Uint8Array([...d.subarray(256), 0x90, 0x00]));
    assert.equal(sw(await c.handle(h('00c00000 10'))), '6985');
    // An extended command gets all 300 bytes at once.
    assert.equal((await c.handle(h('80ca0000 00 012c'))).length, 302);
  });

  it('case 2 in short form with Ne below the exact length answers 6Cxx', async () => {
    const c = new EchoCard();
    assert.equal(sw(await c.handle(h('80e20020 10'))), '6c20');
    assert.equal(sw(await c.handle(h('80e20100 ff'))), '6c00', 'n = 256');
    assert.equal((await c.handle(h('80e20020 40'))).length, 0x22, 'Ne above n is fine');
  });

  it('chains: pieces without Le collect; a piece with Le, or another INS mid-chain, is 6883; chaining off is 6884', async () => {
    const c = new EchoCard();
    assert.equal(sw(await c.handle(h('90ee0000 02 0102'))), '9000');
    assertBytes(await c.handle(h('80ee0000 01 03 00')), h('010203 9000'));
    assert.equal(sw(await c.handle(h('90ee0000 01 01 00'))), '6883');
    assert.equal(sw(await c.handle(h('90ee0000 01 01'))), '9000');
    assert.equal(sw(await c.handle(h('80da0000 01 01'))), '6883');
    assert.equal(sw(await new EchoCard({ chaining: false }).handle(h('90ee0000 01 01'))), '6884');
  });

  it('unknown class, instruction and P1-P2', async () => {
    const c = new EchoCard();
    assert.equal(sw(await c.handle(h('a0ee0000 01 01 00'))), '6e00');
    assert.equal(sw(await c.handle(h('80990000'))), '6d00');
    assert.equal(sw(await c.handle(h('80ee0100 01 01 00'))), '6a86');
  });

  it('counts PIN tries and blocks', async () => {
    const c = new EchoCard({ pin: '1234', pinTries: 2 });
    assert.equal(sw(await c.handle(h('00200081'))), '63c2');
    assert.equal(sw(await c.handle(h('00200081 04 31313131'))), '63c1');
    assert.equal(sw(await c.handle(h('00200081 04 31323334'))), '9000');
    assert.equal(sw(await c.handle(h('00200081'))), '9000');
    await c.handle(h('00200081 04 31313131'));
    assert.equal(sw(await c.handle(h('00200081 04 31313131'))), '63c0');
    assert.equal(sw(await c.handle(h('00200081 04 31323334'))), '6983');
  });
});
