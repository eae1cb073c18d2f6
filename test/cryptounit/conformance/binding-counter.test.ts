/**
 * Conformance, DESIGN §3.3 steps 4–5: binding to domain index, module serial, module
 * instance and domain instance (3/0, 3/14, 3/16, 3/17, in that order) and the transaction
 * counter (163), including replays, old counters and commands signed before a zeroize.
 */
import { describe, it, assert } from '../../harness.ts';
import { concat, u32be, uintBe } from '../../../src/bytes/index.ts';
import { Command, KeyStorageOp, Query } from '../../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { UnitSession } from '../../fakes/unit-requests.ts';
import { adminPool, assertNoInternal, assertUnchanged, authenticatedUnit, expectOk, expectRc, freshUnit, imprintUnit } from './setup.ts';

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const x = b.slice();
  x[i] ^= 0x01;
  return x;
};

describe('conformance §3.3: binding (3) and counter (163)', () => {
  it('each binding mismatch of a correctly signed command is 3 with its reason, and changes nothing', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const signers = [f.admins[0]];
    const d = f.s.domain;
    const m = f.s.module;
    const cases: [string, Uint8Array, Uint8Array, number][] = [
      ['domain index', flip(d, 3), m, 0],
      ['module serial', d, flip(m, 0), 14],
      ['module instance', d, flip(m, 15), 16],
      ['domain instance', flip(d, 7), m, 17],
      // several at once: the first in the order index, serial, instance, domain instance
      ['serial and instance', d, flip(flip(m, 7), 8), 14],
      ['module instance and domain instance', flip(d, 4), flip(m, 8), 16],
      ['everything', flip(d, 0), flip(flip(m, 0), 8), 0],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, domain, module, reason] of cases) {
        const r = await f.s.run({ command: Command.GEN_IMPORTER, payload: u32be(3), domain, module, signers });
        expectRc(r, 3, reason, what);
        assert.equal(r.block.command, Command.GEN_IMPORTER);
      }
    });
    expectOk(await f.s.run({ command: Command.GEN_IMPORTER, payload: u32be(3), signers }), 'the same command, correctly bound');
    assertNoInternal(f);
  });

  it('the request domainIndex and the block domain index are both checked', async () => {
    const f = await imprintUnit(1);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ command: Command.DOM_ZEROIZE, domainIndex: 5 }), 3, 0, 'request field');
      expectRc(await f.s.run({ command: Command.DOM_ZEROIZE, domain: concat(u32be(5), f.s.domainInstance) }), 3, 0, 'block field');
    });
  });

  it('queries and key-storage operations ignore domain, module and counter', async () => {
    const f = await imprintUnit(1);
    const junk = { domain: new Uint8Array(8).fill(0xaa), module: new Uint8Array(16).fill(0xbb), counter: new Uint8Array(16).fill(0xcc) };
    expectOk(await f.s.run({ command: Query.DOM_ATTRS, ...junk }));
    expectOk(await f.s.run({ command: Query.DOMADMIN, ...junk }));
    // GENERATE_KEY gets past binding and counter to its own rule (current register empty: 102)
    expectRc(await f.s.run({ command: KeyStorageOp.GENERATE_KEY, payload: new Uint8Array(16), ...junk }), 102);
  });

  it('the counter starts at 0, a success sets it to the request counter, and only counter + 1 is accepted', async () => {
    const f = await imprintUnit(0);
    assert.equal(f.s.counter, 0n, 'a fresh unit');
    const pool = await adminPool();
    const login = (counter?: bigint) => f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[0].certificate, counter });
    await assertUnchanged(f.unit, async () => {
      expectRc(await login(0n), 163, 0, 'the current counter');
      expectRc(await login(2n), 163, 0, 'counter + 2');
      expectRc(await login((1n << 128n) - 1n), 163, 0, 'the largest counter');
    });
    const ok = await login(1n);
    expectOk(ok);
    assert.equal(f.s.counter, 1n);
    assert.equal(ok.block.counter.at(-1), 1);
    // a failure at a later step does not move the counter either
    expectRc(await login(2n), 256, 38);
    assert.equal(f.s.counter, 1n);
    // queries and key storage never change it
    await f.s.query(Query.DOMAIN_INFO);
    await f.s.keyOp(KeyStorageOp.GENERATE_KEY, new Uint8Array(16));
    assert.equal(f.s.counter, 1n);
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[1].certificate }));
    assert.equal(f.s.counter, 2n);
  });

  it('a replayed or reordered command is 163', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const first = await f.s.request({ command: Command.GEN_IMPORTER, payload: u32be(3), signers: [f.admins[0]] });
    const second = await f.s.request({ command: Command.GEN_IMPORTER, payload: u32be(2), signers: [f.admins[0]], counter: f.s.nextCounter + 1n });
    expectRc(await f.s.send(second), 163, 0, 'out of order');
    expectOk(await f.s.send(first));
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(first), 163, 0, 'replayed');
    });
    expectOk(await f.s.send(second), 'now in order');
    expectRc(await f.s.send(first), 163, 0, 'an old counter');
  });

  it('a command signed before zeroize fails after it with 3/17, even with the right counter; the counter does not go back', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const c0 = f.s.counter;
    // prepared for the counter the unit will want after the zeroize
    const stale = await f.s.request({ command: Command.DOM_ZEROIZE, signers: [f.admins[0]], counter: c0 + 2n });
    const staleLogin = await f.s.request({ command: Command.DOM_ADMIN_LOGIN, payload: f.admins[0].certificate, counter: c0 + 2n });
    expectOk(await f.s.run({ command: Command.DOM_ZEROIZE, signers: [f.admins[0]] }));
    assert.equal(f.s.counter, c0 + 1n, 'zeroize moves the counter forward like any command');
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(stale), 3, 17, 'signed zeroize');
      expectRc(await f.s.send(staleLogin), 3, 17, 'unsigned imprint-mode command');
    });
    // the same command prepared now goes through, at counter c0 + 2
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: f.admins[0].certificate }));
    assert.equal(f.s.counter, c0 + 2n);
  });

  it('the counter is a u128: counters above 2^64 work', async () => {
    // reach a big counter through a saved state (the only way short of 2^64 commands)
    const host = await SimulatedHost.create();
    const f = await freshUnit({ host });
    const o = JSON.parse(new TextDecoder().decode(await f.unit.exportState())) as Record<string, unknown>;
    const big = (1n << 100n) + 5n;
    o.counter = big.toString();
    const unit = await SimulatedCryptoUnit.restore(new TextEncoder().encode(JSON.stringify(o)), { host });
    const s = await UnitSession.open(unit);
    assert.equal(s.counter, big);
    expectRc(await s.run({ command: Command.DOM_ZEROIZE, counter: big }), 163);
    expectRc(await s.run({ command: Command.DOM_ZEROIZE, counter: 6n }), 163, 0, 'the low 64 bits alone are not enough');
    const r = await s.run({ command: Command.DOM_ZEROIZE });
    expectOk(r);
    assert.equal(s.counter, big + 1n);
    assert.deepEqual(Array.from(r.block.counter), Array.from(uintBe(big + 1n, 16)));
  });
});
