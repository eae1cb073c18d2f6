/**
 * Conformance, DESIGN §3.7: IMPORT_WK with envelopes built by an independent path
 * (independent-envelope.ts: @noble/curves ECDH, hand-written SharedInfo, @noble/hashes KDF,
 * RFC 3394 over AES-ECB from WebCrypto AES-CBC), the VP checked against VP(XOR of parts)
 * computed here; every envelope failure (32, importer kept); form (7), preconditions
 * (96, 80/80) and inner signatures.
 */
import { describe, it, assert, hexOf } from '../../harness.ts';
import { p256 } from '@noble/curves/nist.js';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { ADMIN_FUNCTION_ID, Command, Query, decodeDomainInfo } from '../../../src/cryptounit/protocol/index.ts';
import { signerInfoOf, type RequestSpec, type UnitAdmin } from '../../fakes/unit-requests.ts';
import { independentEnvelope, type EnvelopeFaults } from './independent-envelope.ts';
import {
  adminPool, assertNoInternal, assertUnchanged, authenticatedUnit, c, expectOk, expectRc, nobleVp, randomPart, xorParts,
  type Fixture,
} from './setup.ts';

type F = Fixture & { admins: UnitAdmin[] };

async function withImporter(type = 3): Promise<F & { spki: Uint8Array }> {
  const f = await authenticatedUnit(3, 2, 2);
  const spki = await f.s.genImporter(f.admins[0], type);
  return { ...f, spki };
}

const envelopesFor = (f: { spki: Uint8Array }, parts: Uint8Array[], faults: (EnvelopeFaults | undefined)[] = []): Promise<Uint8Array[]> =>
  Promise.all(parts.map((p, i) => independentEnvelope(c, f.spki, p, faults[i])));

async function newVp(f: F): Promise<string> {
  return hexOf(decodeDomainInfo((await f.s.query(Query.DOMAIN_INFO)).payload).newVp);
}

describe('conformance §3.7: IMPORT_WK with independently built envelopes', () => {
  for (const [type, n] of [[3, 2], [3, 3], [2, 2], [2, 3]] as const) {
    it(`${n} parts to a ${type === 3 ? 'P-521' : 'P-256'} importer: the new register holds their XOR (VP checked by hand), the importer is used up`, async () => {
      const f = await withImporter(type);
      const parts = Array.from({ length: n }, randomPart);
      const counter = f.s.counter;
      const signers = [[f.admins[0]], [f.admins[1]], [f.admins[0]]].slice(0, n);
      const r = await f.s.send(await f.s.importRequest(await envelopesFor(f, parts), signers));
      expectOk(r);
      const expected = hexOf(nobleVp(xorParts(parts)));
      assert.equal(hexOf(r.payload), expected, 'response payload = VP(XOR)');
      assert.equal(await newVp(f), expected);
      assert.equal(decodeDomainInfo((await f.s.query(Query.DOMAIN_INFO)).payload).flags, 0x04, 'FULL UNCOMMITTED');
      assert.equal(f.s.counter, counter + 1n);
      expectRc(await f.s.query(Query.IMPORTER), 96, 0, 'single-use importer destroyed');
      assertNoInternal(f);
    });
  }

  it('originator key parameters may be absent, NULL or the importer\'s curve; another curve is 32', async () => {
    for (const originatorParams of ['null', 'curve'] as const) {
      const f = await withImporter(3);
      const parts = [randomPart(), randomPart()];
      const envs = await envelopesFor(f, parts, [{ originatorParams }, { originatorParams: 'absent' }]);
      expectOk(await f.s.send(await f.s.importRequest(envs, [[f.admins[0]], [f.admins[0]]])), originatorParams);
    }
    const g = await withImporter(3);
    const envs = await envelopesFor(g, [randomPart(), randomPart()], [{ originatorParams: 'other-curve' }]);
    await assertUnchanged(g.unit, async () => {
      expectRc(await g.s.send(await g.s.importRequest(envs, [[g.admins[0]], [g.admins[0]]])), 32);
    });
  });

  it('every envelope fault is 32, changes nothing, and keeps the importer for a good load afterwards', async () => {
    const f = await withImporter(3);
    const offCurve = (p: Uint8Array): Uint8Array => {
      const x = p.slice();
      x[x.length - 1] ^= 1;
      return x;
    };
    const p256Point = (): Uint8Array => p256.getPublicKey(p256.utils.randomSecretKey(), false);
    const pool = await adminPool();
    const a = randomPart();
    const b = randomPart();
    const cases: [string, Promise<Uint8Array[]>][] = [
      ['wrong SKI', envelopesFor(f, [a, b], [undefined, { ski: pool[0].ski }])],
      ['point off the curve', envelopesFor(f, [a, b], [{ point: offCurve }])],
      ['point of another curve', envelopesFor(f, [a, b], [{ point: p256Point }])],
      ['compressed point', envelopesFor(f, [a, b], [{ point: (p) => concat(Uint8Array.of(2 + (p[p.length - 1] & 1)), p.subarray(1, 67)) }])],
      ['NULL aes256-wrap parameters', envelopesFor(f, [a, b], [undefined, { nullWrapParams: true }])],
      ['ukm of 39 bytes', envelopesFor(f, [a, b], [{ ukmLength: 39 }])],
      ['ukm of 41 bytes', envelopesFor(f, [a, b], [{ ukmLength: 41 }])],
      ['tampered wrap', envelopesFor(f, [a, b], [undefined, { tamperWrap: true }])],
      ['identical parts', envelopesFor(f, [a, a])],
      ['three parts XOR to zero', envelopesFor(f, [a, b, xorParts([a, b])])],
      ['not DER', Promise.all([independentEnvelope(c, f.spki, a), Promise.resolve(Uint8Array.of(0x30, 0x03, 0x02, 0x01))])],
      ['trailing byte', Promise.all([independentEnvelope(c, f.spki, a), independentEnvelope(c, f.spki, b).then((e) => concat(e, Uint8Array.of(0)))])],
      ['empty envelope', Promise.all([independentEnvelope(c, f.spki, a), Promise.resolve(new Uint8Array(0))])],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, envs] of cases) {
        const signers = (await envs).map(() => [f.admins[0]]);
        expectRc(await f.s.send(await f.s.importRequest(await envs, signers)), 32, 0, what);
        assert.equal(hexOf((await f.s.query(Query.IMPORTER)).payload), hexOf(f.spki), `${what}: importer kept`);
      }
    });
    expectOk(await f.s.send(await f.s.importRequest(await envelopesFor(f, [a, b]), [[f.admins[0]], [f.admins[1]]])));
    assert.equal(await newVp(f), hexOf(nobleVp(xorParts([a, b]))));
    assertNoInternal(f);
  });

  it('preconditions: no importer 96, then a non-empty new register 80/80', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const parts = [randomPart(), randomPart()];
    const spki = await f.s.genImporter(f.admins[0]);
    const envs = await envelopesFor({ spki }, parts);
    const req = () => f.s.importRequest(envs, [[f.admins[0]], [f.admins[0]]]);
    expectOk(await f.s.send(await req()));
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await req()), 96, 0, 'importer used up (and register full)');
    });
    const spki2 = await f.s.genImporter(f.admins[0]);
    const envs2 = await envelopesFor({ spki: spki2 }, parts);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await f.s.importRequest(envs2, [[f.admins[0]], [f.admins[0]]])), 80, 80, 'new register not empty');
      // preconditions come before the inner signatures
      expectRc(await f.s.send(await f.s.importRequest(envs2, [[], []])), 80, 80, 'unsigned parts');
    });
    expectOk(await f.s.run({ command: Command.CLEAR_NEXT_WK, signers: [f.admins[0]] }));
    expectOk(await f.s.send(await f.s.importRequest(envs2, [[f.admins[0]], [f.admins[0]]])), 'after clearing');
  });

  it('form: outer signatures, part count, and every inner field that differs from the outer are 7', async () => {
    const f = await withImporter(3);
    const parts = [randomPart(), randomPart(), randomPart(), randomPart()];
    const envs = await envelopesFor(f, parts);
    const s1 = [f.admins[0]];
    const inner = (env: Uint8Array, over: Partial<RequestSpec> = {}) =>
      f.s.request({ command: Command.IMPORT_WK, payload: env, signers: s1, ...over });
    const outer = (payload: Uint8Array, signers: UnitAdmin[] = []) => f.s.request({ command: Command.IMPORT_WK, payload, signers });
    const good0 = await inner(envs[0]);
    const good1 = await inner(envs[1]);
    const cases: [string, Promise<Uint8Array>][] = [
      ['outer request signed', outer(concat(good0, good1), s1)],
      ['one part', outer(good0)],
      ['four parts', outer(concat(good0, good1, await inner(envs[2]), await inner(envs[3])))],
      ['no parts', outer(new Uint8Array(0))],
      ['payload not DER', outer(concat(good0, Uint8Array.of(0x30, 0x05)))],
      ['inner not an AdminRequest', outer(concat(good0, envs[1]))],
      ['inner counter differs', outer(concat(good0, await inner(envs[1], { counter: f.s.nextCounter + 1n })))],
      ['inner command differs', outer(concat(good0, await inner(envs[1], { command: Command.COMMIT_WK })))],
      ['inner domain differs', outer(concat(good0, await inner(envs[1], { domain: concat(u32be(0), u32be(0)) })))],
      ['inner module differs', outer(concat(good0, await inner(envs[1], { module: new Uint8Array(16) })))],
      ['inner function differs', outer(concat(good0, await inner(envs[1], { function: ADMIN_FUNCTION_ID + 1 })))],
      ['inner domainIndex differs', outer(concat(good0, await inner(envs[1], { domainIndex: 9 })))],
      ['inner field of the wrong size', outer(concat(good0, await inner(envs[1], { counter: new Uint8Array(15) })))],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, req] of cases) expectRc(await f.s.send(await req), 7, 0, what);
    });
    expectOk(await f.s.send(await outer(concat(good0, good1))));
    assert.equal(await newVp(f), hexOf(nobleVp(xorParts(parts.slice(0, 2)))));
  });

  it('inner signatures: unknown 257, bad 192, duplicate in one part 193, missing 208 — all before the envelopes are opened', async () => {
    const f = await withImporter(3);
    const pool = await adminPool();
    const parts = [randomPart(), randomPart()];
    const envs = await envelopesFor(f, parts);
    const broken = await envelopesFor(f, parts, [{ tamperWrap: true }]);
    const badSig = async (): Promise<Uint8Array> => {
      const inner0 = await f.s.request({ command: Command.IMPORT_WK, payload: envs[0], signers: [f.admins[0]] });
      const wrongBlock = f.s.block({ command: Command.IMPORT_WK, payload: envs[1] }).slice();
      wrongBlock[wrongBlock.length - 1] ^= 1;
      const inner1 = await f.s.request({ command: Command.IMPORT_WK, payload: envs[1], extraSignerInfos: [await signerInfoOf(f.admins[1], wrongBlock)] });
      return f.s.request({ command: Command.IMPORT_WK, payload: concat(inner0, inner1) });
    };
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await f.s.importRequest(envs, [[f.admins[0]], [pool[8]]])), 257, 0, 'unknown');
      expectRc(await f.s.send(await badSig()), 192, 0, 'bad');
      expectRc(await f.s.send(await f.s.importRequest(envs, [[f.admins[0], f.admins[0]], [f.admins[1]]])), 193, 0, 'duplicate');
      expectRc(await f.s.send(await f.s.importRequest(envs, [[f.admins[0]], []])), 208, 0, 'missing');
      expectRc(await f.s.send(await f.s.importRequest(broken, [[pool[8]], [f.admins[0]]])), 257, 0, 'signatures before envelopes');
      expectRc(await f.s.send(await f.s.importRequest(broken, [[f.admins[0]], [f.admins[0]]])), 32, 0, 'then the envelope');
    });
    expectOk(await f.s.send(await f.s.importRequest(envs, [[f.admins[2]], [f.admins[2]]])));
  });
});
