/**
 * Conformance, DESIGN §3.1 and §3.3 steps 1–3: DER strictness (7), fixed field sizes (33),
 * the request size limit (33), function and domain index (7 / 3), unknown codes (84).
 * Requests here are written byte by byte, so the unit's parser is checked against hand DER.
 */
import { describe, it, assert, hexOf, before } from '../../harness.ts';
import { u32be } from '../../../src/bytes/index.ts';
import { Command, KeyStorageOp, MAX_REQUEST_LENGTH, Query } from '../../../src/cryptounit/protocol/index.ts';
import { cat, hex, tlv } from './independent-envelope.ts';
import { assertNoInternal, assertUnchanged, expectOk, expectRc, imprintUnit, type Fixture } from './setup.ts';
import type { UnitAdmin } from '../../fakes/unit-requests.ts';

const os = (b: Uint8Array): Uint8Array => tlv(0x04, b);
const FN = hex('00010029');
const rawRequest = (fn: Uint8Array, dom: Uint8Array, block: Uint8Array, sis: Uint8Array = new Uint8Array(0)): Uint8Array =>
  tlv(0x30, os(fn), os(dom), os(block), os(sis));
const rawBlock = (cmd: Uint8Array, domain: Uint8Array, module: Uint8Array, counter: Uint8Array, payload: Uint8Array = new Uint8Array(0)): Uint8Array =>
  tlv(0x30, os(cmd), os(domain), os(module), os(counter), os(payload));

describe('conformance §3.1/§3.3 steps 1–3: parsing, DER, sizes, function, domain index, known codes', () => {
  let f: Fixture & { admins: UnitAdmin[] };
  before(async () => {
    f = await imprintUnit(1);
  });

  const counterBytes = (): Uint8Array => {
    const b = new Uint8Array(16);
    let n = f.s.nextCounter;
    for (let i = 15; i >= 0; i--) {
      b[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    return b;
  };
  /** A state-changing AdminBlock by hand, bound to the unit as it is now. */
  const block = (over: { cmd: Uint8Array; domain?: Uint8Array; module?: Uint8Array; counter?: Uint8Array; payload?: Uint8Array }): Uint8Array =>
    rawBlock(over.cmd, over.domain ?? f.s.domain, over.module ?? f.s.module, over.counter ?? counterBytes(), over.payload);

  it('a hand-written request is accepted (so the cases below differ from it only in their fault)', async () => {
    const q = rawRequest(FN, u32be(0), rawBlock(u32be(Query.DOM_ATTRS), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)));
    assert.equal(hexOf(q), hexOf(f.s.queryRequest(Query.DOM_ATTRS)), 'hand DER equals the codec');
    expectOk(await f.s.send(q));
    // a hand-written state-changing command too: add the admin again is 256/38 (it parsed and got to step 8)
    const login = rawRequest(FN, u32be(0), block({ cmd: u32be(Command.DOM_ADMIN_LOGIN), payload: f.admins[0].certificate }));
    expectRc(await f.s.send(login), 256, 38);
  });

  it('not DER, or not the structure, is 7 with command 0, and changes nothing', async () => {
    const good = rawRequest(FN, u32be(0), block({ cmd: u32be(Command.DOM_SET_ATTR), payload: hex('0000000200000001') }));
    const goodBlock = block({ cmd: u32be(Command.DOM_SET_ATTR), payload: hex('0000000200000001') });
    const longForm = (der: Uint8Array): Uint8Array => cat(Uint8Array.of(der[0], 0x81, der[1]), der.subarray(2));
    const indefinite = (der: Uint8Array): Uint8Array => cat(Uint8Array.of(der[0], 0x80), der.subarray(2), hex('0000'));
    const si = (version: Uint8Array): Uint8Array =>
      tlv(0x30, version, tlv(0x80, new Uint8Array(32)), tlv(0x30, hex('0609608648016503040203')), tlv(0x30, hex('06082a8648ce3d040304')), os(hex('3006020101020101')));
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte', hex('30')],
      ['random', f.s.block({ command: 1 }).map((b, i) => (b * 31 + i) & 0xff)],
      ['long-form outer length', longForm(good)],
      ['indefinite outer length', indefinite(good)],
      ['trailing byte', cat(good, hex('00'))],
      ['SET instead of SEQUENCE', cat(hex('31'), good.subarray(1))],
      ['3 elements', tlv(0x30, os(FN), os(u32be(0)), os(goodBlock))],
      ['5 elements', tlv(0x30, os(FN), os(u32be(0)), os(goodBlock), os(new Uint8Array(0)), os(new Uint8Array(0)))],
      ['INTEGER for function', tlv(0x30, tlv(0x02, hex('010029')), os(u32be(0)), os(goodBlock), os(new Uint8Array(0)))],
      ['constructed OCTET STRING', tlv(0x30, tlv(0x24, os(FN)), os(u32be(0)), os(goodBlock), os(new Uint8Array(0)))],
      ['long-form length of a field', tlv(0x30, hex('048104'), FN, os(u32be(0)), os(goodBlock), os(new Uint8Array(0)))],
      ['adminBlock long-form length', rawRequest(FN, u32be(0), longForm(goodBlock))],
      ['adminBlock indefinite length', rawRequest(FN, u32be(0), indefinite(goodBlock))],
      ['adminBlock trailing byte', rawRequest(FN, u32be(0), cat(goodBlock, hex('00')))],
      ['adminBlock 4 elements', rawRequest(FN, u32be(0), tlv(0x30, os(u32be(8)), os(f.s.domain), os(f.s.module), os(counterBytes())))],
      ['adminBlock not a SEQUENCE', rawRequest(FN, u32be(0), os(goodBlock))],
      ['signerInfos not DER', rawRequest(FN, u32be(0), goodBlock, hex('300501'))],
      ['signerInfos trailing byte', rawRequest(FN, u32be(0), goodBlock, cat(si(hex('020103')), hex('00')))],
      ['signerInfos non-minimal INTEGER', rawRequest(FN, u32be(0), goodBlock, si(hex('02020003')))],
      ['17 SignerInfos', rawRequest(FN, u32be(0), goodBlock, cat(...Array.from({ length: 17 }, () => si(hex('020103')))))],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, bytes] of cases) {
        const r = await f.s.send(bytes);
        expectRc(r, 7, 0, what);
        assert.equal(r.block.command, 0, `${what}: command 0`);
      }
    });
    // the well-formed one would have been answered otherwise (209/76: revoke 1, sign 0)
    expectRc(await f.s.send(good), 209, 76);
    assertNoInternal(f);
  });

  it('a fixed-size field of the wrong length is 33', async () => {
    const sc = (over: Partial<Parameters<typeof block>[0]>): Uint8Array => rawRequest(FN, u32be(0), block({ cmd: u32be(Command.DOM_ZEROIZE), ...over }));
    const q = (domain: Uint8Array, module: Uint8Array, counter: Uint8Array): Uint8Array =>
      rawRequest(FN, u32be(0), rawBlock(u32be(Query.DOM_ATTRS), domain, module, counter));
    const cases: [string, Uint8Array][] = [
      ['function 3 bytes', rawRequest(hex('010029'), u32be(0), block({ cmd: u32be(Command.DOM_ZEROIZE) }))],
      ['function 5 bytes', rawRequest(hex('0000010029'), u32be(0), block({ cmd: u32be(Command.DOM_ZEROIZE) }))],
      ['domainIndex 3 bytes', rawRequest(FN, hex('000000'), block({ cmd: u32be(Command.DOM_ZEROIZE) }))],
      ['domainIndex 8 bytes', rawRequest(FN, new Uint8Array(8), block({ cmd: u32be(Command.DOM_ZEROIZE) }))],
      ['command 3 bytes', sc({ cmd: hex('000010') })],
      ['command 5 bytes', sc({ cmd: hex('0000000010') })],
      ['domain 7 bytes', sc({ domain: f.s.domain.subarray(0, 7) })],
      ['domain 9 bytes', sc({ domain: cat(f.s.domain, hex('00')) })],
      ['module 15 bytes', sc({ module: f.s.module.subarray(0, 15) })],
      ['module 17 bytes', sc({ module: cat(f.s.module, hex('00')) })],
      ['counter 15 bytes', sc({ counter: counterBytes().subarray(1) })],
      ['counter 17 bytes', sc({ counter: cat(hex('00'), counterBytes()) })],
      ['query domain 9 bytes', q(new Uint8Array(9), new Uint8Array(0), new Uint8Array(0))],
      ['query module 17 bytes', q(new Uint8Array(0), new Uint8Array(17), new Uint8Array(0))],
      ['query counter 17 bytes', q(new Uint8Array(0), new Uint8Array(0), new Uint8Array(17))],
      ['over 1 MiB', f.s.queryRequest(KeyStorageOp.REENCRYPT, new Uint8Array(MAX_REQUEST_LENGTH))],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, bytes] of cases) expectRc(await f.s.send(bytes), 33, 0, what);
    });
    // queries accept 0..size bytes of anything in domain, module and counter
    for (const [d, m, n] of [[0, 0, 0], [3, 9, 1], [8, 16, 16]]) {
      const r = await f.s.send(q(new Uint8Array(d).fill(0xee), new Uint8Array(m).fill(0xee), new Uint8Array(n).fill(0xee)));
      expectOk(r, `query fields ${d}/${m}/${n}`);
    }
    // the correct sizes are fine: the zeroize goes through
    expectOk(await f.s.send(sc({})));
    assertNoInternal(f);
  });

  it('step 2: a wrong function is 7, a wrong domain index 3/0 (command echoed)', async () => {
    const g = await imprintUnit(0);
    await assertUnchanged(g.unit, async () => {
      const r1 = await g.s.run({ command: Command.DOM_ZEROIZE, function: 0x00010028 });
      expectRc(r1, 7);
      assert.equal(r1.block.command, Command.DOM_ZEROIZE);
      const r2 = await g.s.run({ command: Command.DOM_ZEROIZE, domainIndex: 1 });
      expectRc(r2, 3, 0);
      assert.equal(r2.block.command, Command.DOM_ZEROIZE);
      expectRc(await g.s.send(await g.s.request({ command: Query.DOM_ATTRS, domainIndex: 0xffffffff })), 3, 0);
    });
    expectOk(await g.s.run({ command: Command.DOM_ZEROIZE }));
  });

  it('step 3: an unknown command, query or key-storage code is 84', async () => {
    const g = await imprintUnit(0);
    await assertUnchanged(g.unit, async () => {
      for (const code of [0x00, 0x01, 0x03, 0x05, 0x0a, 0x0b, 0x0f, 0x11, 0x1a, 0x1d, 0xffff, 0x00010000, 0x00010001, 0x00010005, 0x0001000b, 0x00010031, 0x00020000, 0x00020005, 0x00030001, 0xffffffff]) {
        const r = await g.s.run({ command: code });
        expectRc(r, 84, 0, `0x${code.toString(16)}`);
        assert.equal(r.block.command, code);
      }
    });
  });
});
