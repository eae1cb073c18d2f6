/**
 * Conformance, DESIGN §3.4–§3.6: GEN_IMPORTER and the IMPORTER query, COMMIT_WK, FINALIZE_WK,
 * CLEAR_WK, CLEAR_NEXT_WK, DOMAIN_INFO flags and VPs through a whole rotation.
 */
import { describe, it, assert, hexOf } from '../../harness.ts';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { Command, Query, decodeDomainInfo, wrapPartForImporter } from '../../../src/cryptounit/protocol/index.ts';
import type { UnitSession } from '../../fakes/unit-requests.ts';
import { hex } from './independent-envelope.ts';
import {
  assertNoInternal, assertUnchanged, authenticatedUnit, c, expectOk, expectRc, nobleVp, randomPart, xorParts,
} from './setup.ts';

async function info(s: UnitSession): Promise<{ flags: number; current: string; next: string }> {
  const r = await s.query(Query.DOMAIN_INFO);
  expectOk(r);
  assert.equal(r.payload.length, 65);
  const d = decodeDomainInfo(r.payload);
  return { flags: d.flags, current: hexOf(d.currentVp), next: hexOf(d.newVp) };
}
const ZERO_VP = '00'.repeat(32);

describe('conformance §3.4: GEN_IMPORTER and IMPORTER', () => {
  it('type 2 gives a P-256 and type 3 a P-521 importer, as RFC 5480 SPKI; IMPORTER returns the same bytes', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    expectRc(await f.s.query(Query.IMPORTER), 96, 0, 'none yet');
    const p256 = await f.s.genImporter(f.admins[0], 2);
    // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 00 04 … }
    assert.equal(hexOf(p256.subarray(0, 27)), '3059301306072a8648ce3d020106082a8648ce3d030107034200' + '04');
    assert.equal(p256.length, 91);
    assert.equal(hexOf((await f.s.query(Query.IMPORTER)).payload), hexOf(p256));
    const p521 = await f.s.genImporter(f.admins[1], 3);
    assert.equal(hexOf(p521.subarray(0, 26)), '30819b301006072a8648ce3d020106052b81040023038186000' + '4');
    assert.equal(p521.length, 158);
    assert.equal(hexOf((await f.s.query(Query.IMPORTER)).payload), hexOf(p521), 'replaced');
    assertNoInternal(f);
  });

  it('another key type is 84, a payload that is not 4 bytes is 33; a replaced importer no longer opens envelopes', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const gen = (payload: Uint8Array) => f.s.run({ command: Command.GEN_IMPORTER, payload, signers: [f.admins[0]] });
    await assertUnchanged(f.unit, async () => {
      for (const t of [0, 1, 4, 0x102, 0xffffffff]) expectRc(await gen(u32be(t)), 84, 0, `type ${t}`);
      for (const p of [new Uint8Array(0), hex('000003'), hex('0000000003')]) expectRc(await gen(p), 33, 0, `${p.length} bytes`);
    });
    const old = await f.s.genImporter(f.admins[0], 3);
    const envs = [await wrapPartForImporter(c, old, randomPart()), await wrapPartForImporter(c, old, randomPart())];
    await f.s.genImporter(f.admins[0], 3);
    expectRc(await f.s.send(await f.s.importRequest(envs, [[f.admins[0]], [f.admins[0]]])), 32, 0, 'envelopes for the old importer');
  });
});

describe('conformance §3.4: COMMIT_WK, FINALIZE_WK, CLEAR_WK, CLEAR_NEXT_WK and DOMAIN_INFO', () => {
  it('a whole rotation, with DOMAIN_INFO flags and VPs at each step', async () => {
    const f = await authenticatedUnit(3, 2, 2);
    const sign2 = f.admins.slice(0, 2);
    assert.deepEqual(await info(f.s), { flags: 0x00, current: ZERO_VP, next: ZERO_VP });
    const a = [randomPart(), randomPart()];
    const vpA = await f.s.loadNew(a, f.admins[0]);
    assert.equal(hexOf(vpA), hexOf(nobleVp(xorParts(a))));
    assert.deepEqual(await info(f.s), { flags: 0x04, current: ZERO_VP, next: hexOf(vpA) }, 'FULL UNCOMMITTED');
    await f.s.commit(vpA, sign2);
    assert.deepEqual(await info(f.s), { flags: 0x0c, current: ZERO_VP, next: hexOf(vpA) }, 'FULL COMMITTED');
    await f.s.finalize(vpA, f.admins[2]);
    assert.deepEqual(await info(f.s), { flags: 0x02, current: hexOf(vpA), next: ZERO_VP }, 'VALID, new EMPTY');
    const b = [randomPart(), randomPart(), randomPart()];
    const vpB = await f.s.loadNew(b, f.admins[1]);
    assert.deepEqual(await info(f.s), { flags: 0x06, current: hexOf(vpA), next: hexOf(vpB) });
    await f.s.commit(vpB, sign2);
    assert.deepEqual(await info(f.s), { flags: 0x0e, current: hexOf(vpA), next: hexOf(vpB) });
    await f.s.finalize(vpB, f.admins[0]);
    assert.deepEqual(await info(f.s), { flags: 0x02, current: hexOf(vpB), next: ZERO_VP });
    expectOk(await f.s.run({ command: Command.CLEAR_WK, signers: [f.admins[0]] }));
    assert.deepEqual(await info(f.s), { flags: 0x00, current: ZERO_VP, next: ZERO_VP });
    assertNoInternal(f);
  });

  it('COMMIT_WK: empty 102, wrong VP 101/48, already committed 80, not 32 bytes 33; VPs compare on 28 bytes', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const commit = (vp: Uint8Array) => f.s.run({ command: Command.COMMIT_WK, payload: vp, signers: [f.admins[0]] });
    const vp = nobleVp(xorParts([randomPart(), randomPart()]));
    expectRc(await commit(vp), 102, 0, 'empty');
    const parts = [randomPart(), randomPart()];
    const loaded = await f.s.loadNew(parts, f.admins[0]);
    const other = loaded.slice();
    other[27] ^= 1;
    const tail = loaded.slice();
    tail[31] = 0x55; // the last 4 bytes are not compared
    await assertUnchanged(f.unit, async () => {
      expectRc(await commit(other), 101, 48, 'wrong VP');
      expectRc(await commit(loaded.subarray(0, 28)), 33, 0, '28 bytes');
      expectRc(await commit(concat(loaded, Uint8Array.of(0))), 33, 0, '33 bytes');
    });
    expectOk(await commit(tail), 'VP differing only in its last 4 bytes');
    expectRc(await commit(loaded), 80, 0, 'already committed');
  });

  it('FINALIZE_WK: empty 102, before COMMIT 80, wrong VP 101/48', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const finalize = (vp: Uint8Array) => f.s.run({ command: Command.FINALIZE_WK, payload: vp, signers: [f.admins[0]] });
    const parts = [randomPart(), randomPart()];
    const vp = nobleVp(xorParts(parts));
    expectRc(await finalize(vp), 102, 0, 'empty');
    await f.s.loadNew(parts, f.admins[0]);
    await assertUnchanged(f.unit, async () => {
      expectRc(await finalize(vp), 80, 0, 'not committed');
    });
    await f.s.commit(vp, [f.admins[0]]);
    const wrong = vp.slice();
    wrong[0] ^= 0x80;
    await assertUnchanged(f.unit, async () => {
      expectRc(await finalize(wrong), 101, 48, 'wrong VP');
      expectRc(await finalize(new Uint8Array(31)), 33);
    });
    expectOk(await finalize(vp));
    expectRc(await finalize(vp), 102, 0, 'the new register is empty again');
  });

  it('CLEAR_WK and CLEAR_NEXT_WK clear one register each, are fine on an empty register, take an empty payload (7)', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const s1 = [f.admins[0]];
    expectOk(await f.s.run({ command: Command.CLEAR_WK, signers: s1 }), 'already empty');
    expectOk(await f.s.run({ command: Command.CLEAR_NEXT_WK, signers: s1 }), 'already empty');
    const a = [randomPart(), randomPart()];
    const vpA = await f.s.loadNew(a, f.admins[0]);
    await f.s.commit(vpA, s1);
    await f.s.finalize(vpA, f.admins[0]);
    await f.s.loadNew([randomPart(), randomPart()], f.admins[0]);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ command: Command.CLEAR_WK, payload: Uint8Array.of(0), signers: s1 }), 7);
      expectRc(await f.s.run({ command: Command.CLEAR_NEXT_WK, payload: new Uint8Array(32), signers: s1 }), 7);
    });
    expectOk(await f.s.run({ command: Command.CLEAR_NEXT_WK, signers: s1 }));
    assert.deepEqual(await info(f.s), { flags: 0x02, current: hexOf(vpA), next: ZERO_VP });
    await f.s.loadNew([randomPart(), randomPart()], f.admins[0]);
    expectOk(await f.s.run({ command: Command.CLEAR_WK, signers: s1 }));
    const d = await info(f.s);
    assert.equal(d.flags, 0x04, 'current cleared, new kept');
    assert.equal(d.current, ZERO_VP);
  });

  it('DOM_ZEROIZE clears both registers and the importer', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const vp = await f.s.loadNew([randomPart(), randomPart()], f.admins[0]);
    await f.s.commit(vp, [f.admins[0]]);
    await f.s.finalize(vp, f.admins[0]);
    await f.s.loadNew([randomPart(), randomPart()], f.admins[0]);
    await f.s.genImporter(f.admins[0], 2);
    assert.equal((await info(f.s)).flags, 0x06);
    expectRc(await f.s.run({ command: Command.DOM_ZEROIZE, payload: Uint8Array.of(0), signers: [f.admins[0]] }), 7, 0, 'payload');
    expectOk(await f.s.run({ command: Command.DOM_ZEROIZE, signers: [f.admins[0]] }));
    assert.deepEqual(await info(f.s), { flags: 0x00, current: ZERO_VP, next: ZERO_VP });
    expectRc(await f.s.query(Query.IMPORTER), 96);
  });
});
