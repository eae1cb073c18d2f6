/**
 * Conformance, DESIGN §3.5: the queries' answers, payload forms (7 / 33), unsigned only (7),
 * and that they never change the unit.
 */
import { describe, it, assert, hexOf } from '../../harness.ts';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { Query } from '../../../src/cryptounit/protocol/index.ts';
import { adminPool, assertNoInternal, assertUnchanged, authenticatedUnit, expectOk, expectRc, freshUnit } from './setup.ts';

describe('conformance §3.5: queries', () => {
  it('answer a fresh unit: no admins, imprint attributes, empty registers, no importer', async () => {
    const f = await freshUnit();
    await assertUnchanged(f.unit, async () => {
      const list = await f.s.query(Query.DOMADMIN);
      expectOk(list);
      assert.equal(list.payload.length, 0);
      assert.equal(hexOf((await f.s.query(Query.DOM_ATTRS)).payload), '00000001' + '00000000' + '00000002' + '00000000' + '00000004' + '00000000');
      assert.equal(hexOf((await f.s.query(Query.DOMAIN_INFO)).payload), '00'.repeat(65));
      expectRc(await f.s.query(Query.IMPORTER), 96);
    });
    assertNoInternal(f);
  });

  it('DOMADMIN lists SKIs in order of installation and returns the exact installed certificate for an SKI', async () => {
    const f = await authenticatedUnit(3, 2, 1);
    const pool = await adminPool();
    await assertUnchanged(f.unit, async () => {
      assert.equal(hexOf((await f.s.query(Query.DOMADMIN)).payload), hexOf(concat(pool[0].ski, pool[1].ski, pool[2].ski)));
      for (const a of f.admins) assert.equal(hexOf((await f.s.query(Query.DOMADMIN, a.ski)).payload), hexOf(a.certificate));
      expectRc(await f.s.query(Query.DOMADMIN, pool[5].ski), 32, 32, 'not installed');
      for (const n of [1, 31, 33, 64]) expectRc(await f.s.query(Query.DOMADMIN, new Uint8Array(n)), 33, 0, `${n} bytes`);
      assert.equal(hexOf((await f.s.query(Query.DOM_ATTRS)).payload), '00000001' + '00000002' + '00000002' + '00000001' + '00000004' + '00000001');
    });
  });

  it('"empty" queries with a payload are 7; any query with signerInfos is 7; queries never move the counter', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    await f.s.genImporter(f.admins[0], 2);
    const counter = f.s.counter;
    await assertUnchanged(f.unit, async () => {
      for (const q of [Query.DOM_ATTRS, Query.IMPORTER, Query.DOMAIN_INFO]) {
        expectRc(await f.s.query(q, Uint8Array.of(0)), 7, 0, `0x${q.toString(16)} with a byte`);
        expectRc(await f.s.query(q, new Uint8Array(32)), 7, 0, `0x${q.toString(16)} with 32 bytes`);
      }
      for (const [q, payload] of [
        [Query.DOMADMIN, new Uint8Array(0)],
        [Query.DOM_ATTRS, new Uint8Array(0)],
        [Query.DEVICE_CERT, u32be(0)],
        [Query.IMPORTER, new Uint8Array(0)],
        [Query.DOMAIN_INFO, new Uint8Array(0)],
      ] as [number, Uint8Array][]) {
        expectRc(await f.s.run({ command: q, payload, signers: [f.admins[0]] }), 7, 0, `0x${q.toString(16)} signed`);
      }
      expectOk(await f.s.query(Query.IMPORTER));
    });
    assert.equal(f.s.counter, counter);
  });
});
