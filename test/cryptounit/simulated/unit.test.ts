/**
 * The simulated unit as an object: one request at a time in arrival order, requests copied
 * on arrival, non-byte input answered, simulator faults reported and still answered,
 * options checked.
 */
import { describe, it, assert, assertRejects, hexOf } from '../../harness.ts';
import { u32be } from '../../../src/bytes/index.ts';
import type { WebCrypto } from '../../../src/crypto/index.ts';
import { Command, KeyStorageOp, Query, decodeAdminResponse, decodeResponseBlock } from '../../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit } from '../../../src/cryptounit/simulated/index.ts';
import { UnitSession, makeUnitAdmins } from '../../fakes/unit-requests.ts';

const c = globalThis.crypto;

describe('SimulatedCryptoUnit', () => {
  it('takes concurrent requests one at a time, in arrival order', async () => {
    const unit = await SimulatedCryptoUnit.create();
    const s = await UnitSession.open(unit, { verify: 'webcrypto' });
    const admins = await makeUnitAdmins(3);
    // three logins with consecutive counters, sent at once
    const reqs = await Promise.all(
      admins.map((a, i) => s.request({ command: Command.DOM_ADMIN_LOGIN, payload: a.certificate, counter: s.nextCounter + BigInt(i) })),
    );
    const answers = await Promise.all([...reqs.map((r) => unit.handle(r)), unit.exportState()]);
    const rvs = answers.slice(0, 3).map((a) => decodeAdminResponse(a).rv);
    assert.deepEqual(rvs, [0, 0, 0]);
    const counters = answers.slice(0, 3).map((a) => decodeResponseBlock(decodeAdminResponse(a).responseBlock).counter.at(-1));
    assert.deepEqual(counters, [1, 2, 3]);
    // exportState queued after them sees all three
    const saved = JSON.parse(new TextDecoder().decode(answers[3])) as { admins: string[]; counter: string };
    assert.equal(saved.admins.length, 3);
    assert.equal(saved.counter, '3');
    // in the wrong order, the later counters fail
    const more = await makeUnitAdmins(2);
    await s.query(Query.DOM_ATTRS);
    const late = await s.request({ command: Command.DOM_ADMIN_LOGIN, payload: more[0].certificate, counter: s.nextCounter + 1n });
    const early = await s.request({ command: Command.DOM_ADMIN_LOGIN, payload: more[1].certificate });
    const [a, b] = await Promise.all([unit.handle(late), unit.handle(early)]);
    assert.deepEqual([decodeAdminResponse(a).rv, decodeAdminResponse(b).rv], [163, 0]);
  });

  it('copies a request on arrival: the caller may reuse its buffer at once', async () => {
    const unit = await SimulatedCryptoUnit.create();
    const s = await UnitSession.open(unit, { verify: 'webcrypto' });
    const [admin] = await makeUnitAdmins(1);
    const req = await s.request({ command: Command.DOM_ADMIN_LOGIN, payload: admin.certificate });
    const pending = s.send(req);
    req.fill(0);
    assert.equal((await pending).rv, 0);
  });

  it('answers input that is not bytes with a signed 7', async () => {
    const unit = await SimulatedCryptoUnit.create();
    const s = await UnitSession.open(unit, { verify: 'webcrypto' });
    for (const x of [undefined, null, 'text', 42, new ArrayBuffer(8), [0x30, 0x00], new Uint16Array(4)]) {
      const r = await s.check(await unit.handle(x as unknown as Uint8Array));
      assert.equal(r.rv, 7);
      assert.equal(r.block.command, 0);
    }
  });

  it('reports a simulator fault through onInternalError, answers it with 7, and changes nothing', async () => {
    // a WebCrypto whose AES-GCM key import breaks, as a stand-in for a bug inside the unit
    let broken = false;
    const subtle = new Proxy(c.subtle, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (prop === 'importKey') {
          return (...args: Parameters<SubtleCrypto['importKey']>) => {
            const alg = args[2] as string | { name?: string };
            if (broken && (alg === 'AES-GCM' || (typeof alg === 'object' && alg.name === 'AES-GCM'))) return Promise.reject(new TypeError('boom'));
            return target.importKey(...args);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const crypto: WebCrypto = { subtle, getRandomValues: (a) => c.getRandomValues(a) };
    const faults: unknown[] = [];
    const unit = await SimulatedCryptoUnit.create({ crypto, onInternalError: (e) => faults.push(e) });
    const s = await UnitSession.open(unit, { verify: 'webcrypto' });
    const [admin] = await makeUnitAdmins(1);
    await s.installAdmins([admin]);
    await s.setThresholds(1, 1, [admin]);
    const vp = await s.loadNew([c.getRandomValues(new Uint8Array(32)), c.getRandomValues(new Uint8Array(32))], admin);
    await s.commit(vp, [admin]);
    await s.finalize(vp, admin);
    broken = true;
    const before = await unit.exportState();
    const r = await s.keyOp(KeyStorageOp.GENERATE_KEY, new Uint8Array(16));
    assert.equal(r.rv, 7);
    assert.equal(faults.length, 1);
    assert.instanceOf(faults[0], TypeError);
    assert.equal(hexOf(await unit.exportState()), hexOf(before));
    broken = false;
    assert.equal((await s.keyOp(KeyStorageOp.GENERATE_KEY, new Uint8Array(16))).rv, 0, 'the unit goes on working');
    assert.equal(faults.length, 1);
  });

  it('checks its options', async () => {
    for (const domainIndex of [-1, 1.5, 2 ** 32]) {
      await assertRejects(SimulatedCryptoUnit.create({ domainIndex }), RangeError, `${domainIndex}`);
    }
    const unit = await SimulatedCryptoUnit.create({ domainIndex: 2 ** 32 - 1 });
    const s = await UnitSession.open(unit, { verify: 'webcrypto' });
    assert.equal(s.domainIndex, 2 ** 32 - 1);
    assert.equal((await s.query(Query.DEVICE_CERT, u32be(0))).rv, 0);
  });
});
