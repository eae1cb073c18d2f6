/**
 * Conformance, DESIGN §3.2 and §3.4: installing and removing admins (7/40, 256/38, 261/39,
 * 32/32, 209/66) and the threshold rules of DOM_SET_ATTR (7, 209/36, 209/57, 209/58, 209/76).
 */
import { describe, it, assert, hexOf } from '../../harness.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { ecdsaSign, exportPublicPoint, generateEcKeyPair, type CurveName } from '../../../src/crypto/index.ts';
import { Command, OID_CN, OID_OU, Query, buildCertificate, decodeAttributePairs } from '../../../src/cryptounit/protocol/index.ts';
import { skiExtension } from '../../../src/cryptounit/protocol/certificates/x509.ts';
import { thresholdPairs, type UnitSession } from '../../fakes/unit-requests.ts';
import { hex } from './independent-envelope.ts';
import { adminPool, assertNoInternal, assertUnchanged, authenticatedUnit, c, expectOk, expectRc, imprintUnit } from './setup.ts';

async function attrs(s: UnitSession): Promise<string> {
  const pairs = decodeAttributePairs((await s.query(Query.DOM_ATTRS)).payload)!;
  return pairs.map((p) => `${p.index}=${p.value}`).join(' ');
}

interface CertOptions {
  curve?: CurveName;
  ou?: string;
  cn?: string;
  extraRdn?: boolean;
  ski?: 'right' | 'wrong' | 'missing';
  signWithOtherKey?: boolean;
  issuerCn?: string;
}

/** An admin certificate with one thing changed (built with the protocol's X.509 writer). */
async function oddCertificate(o: CertOptions): Promise<Uint8Array> {
  const curve = o.curve ?? 'P-256';
  const kp = await generateEcKeyPair(c, curve, 'ECDSA');
  const other = await generateEcKeyPair(c, curve, 'ECDSA');
  const point = await exportPublicPoint(c, kp.publicKey);
  const dn = (cn: string) => [
    { type: OID_OU, value: o.ou ?? 'TKE Administration' },
    { type: OID_CN, value: cn },
    ...(o.extraRdn ? [{ type: OID_CN, value: 'x' }] : []),
  ];
  const ski = o.ski === 'wrong' ? sha256(concat(point, Uint8Array.of(0))) : sha256(point);
  return buildCertificate(
    {
      serial: Uint8Array.of(0x11),
      issuer: dn(o.issuerCn ?? o.cn ?? 'Odd'),
      subject: dn(o.cn ?? 'Odd'),
      notBefore: new Date(Date.UTC(2020, 0, 1)),
      notAfter: new Date(Date.UTC(2021, 0, 1)), // expired: validity is not checked
      subjectKey: { curve, point },
      signerCurve: curve,
      extensions: o.ski === 'missing' ? [] : [skiExtension(ski)],
    },
    (tbs) => ecdsaSign(c, curve, (o.signWithOtherKey ? other : kp).privateKey, tbs),
  );
}

describe('conformance §3.2/§3.4: admin certificates (7/40) and the admin list', () => {
  it('accepts well-formed certificates on all three curves, expired ones and IBM-padded names; lists them in order', async () => {
    const f = await imprintUnit(0);
    const certs = [
      await oddCertificate({ curve: 'P-521', cn: 'Alice' }),
      await oddCertificate({ curve: 'P-384', cn: 'Bob' + ' '.repeat(27) }),
      await oddCertificate({ curve: 'P-256', cn: 'x'.repeat(30) }),
      await oddCertificate({ curve: 'P-256', cn: 'Zoë (UTF-8)' }),
    ];
    for (const cert of certs) expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: cert }));
    const list = (await f.s.query(Query.DOMADMIN)).payload;
    assert.equal(list.length, 32 * certs.length);
    for (let i = 0; i < certs.length; i++) {
      const ski = list.subarray(32 * i, 32 * i + 32);
      const back = await f.s.query(Query.DOMADMIN, ski);
      expectOk(back);
      assert.equal(hexOf(back.payload), hexOf(certs[i]), 'the exact installed bytes');
    }
    assertNoInternal(f);
  });

  it('refuses every bad certificate with 7/40 and changes nothing', async () => {
    const f = await imprintUnit(1);
    const good = await oddCertificate({});
    const longForm = concat(Uint8Array.of(0x30, 0x82, 0x00, good[2]), good.subarray(3));
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['not DER', hex('3003020101')],
      ['trailing byte', concat(good, Uint8Array.of(0))],
      ['non-minimal length', good[1] === 0x81 ? longForm : concat(good, Uint8Array.of(0))],
      ['wrong OU', await oddCertificate({ ou: 'TKE Administrators' })],
      ['empty CN', await oddCertificate({ cn: '' })],
      ['CN of spaces only', await oddCertificate({ cn: '   ' })],
      ['CN of 31 characters', await oddCertificate({ cn: 'y'.repeat(31) })],
      ['a third RDN', await oddCertificate({ extraRdn: true })],
      ['issuer differs from subject', await oddCertificate({ cn: 'Carol', issuerCn: 'Dave' })],
      ['SKI extension missing', await oddCertificate({ ski: 'missing' })],
      ['SKI extension wrong', await oddCertificate({ ski: 'wrong' })],
      ['not self-signed', await oddCertificate({ signWithOtherKey: true })],
      ['changed after signing', (() => { const b = good.slice(); b[b.length - 80] ^= 1; return b; })()],
      ['an OA certificate', f.s.oaCertificate],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, cert] of cases) expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: cert }), 7, 40, what);
    });
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: good }));
  });

  it('an admin already installed is 256/38; a 9th admin is 261/39; duplicate is checked before the count', async () => {
    const pool = await adminPool();
    const f = await imprintUnit(8);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[8].certificate }), 261, 39, '9th');
      expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[3].certificate }), 256, 38, 'duplicate while full');
    });
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[7].ski }));
    expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[3].certificate }), 256, 38, 'duplicate');
    expectOk(await f.s.run({ command: Command.DOM_ADMIN_LOGIN, payload: pool[8].certificate }), 'room again');
    const list = (await f.s.query(Query.DOMADMIN)).payload;
    const skis = [...pool.slice(0, 7), pool[8]].map((a) => hexOf(a.ski)).join('');
    assert.equal(hexOf(list), skis, 'order of installation, the removed one gone');
  });

  it('DOM_ADMIN_LOGOUT: unknown SKI 32/32, wrong length 33, fewer admins than a threshold 209/66', async () => {
    const pool = await adminPool();
    const f = await authenticatedUnit(3, 3, 1);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[8].ski, signers: [f.admins[0]] }), 32, 32, 'unknown');
      expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[0].ski.subarray(1), signers: [f.admins[0]] }), 33, 0, '31 bytes');
      expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: concat(pool[0].ski, Uint8Array.of(0)), signers: [f.admins[0]] }), 33, 0, '33 bytes');
      expectRc(await f.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[0].ski, signers: [f.admins[0]] }), 209, 66, 'below sign threshold');
    });
    const g = await authenticatedUnit(3, 1, 3);
    await assertUnchanged(g.unit, async () => {
      expectRc(await g.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[2].ski, signers: g.admins }), 209, 66, 'below revocation threshold');
    });
    const h = await authenticatedUnit(3, 2, 2);
    expectOk(await h.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[1].ski, signers: h.admins.slice(0, 2) }), 'exactly the thresholds left');
    expectRc(await h.s.run({ command: Command.DOM_ADMIN_LOGOUT, payload: pool[1].ski, signers: [h.admins[0], h.admins[2]] }), 32, 32, 'now unknown');
  });
});

describe('conformance §3.4: DOM_SET_ATTR', () => {
  it('payload form: 1 or 2 pairs, indexes 1 and 2 only, each once; anything else is 7', async () => {
    const f = await imprintUnit(2);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['4 bytes', u32be(1)],
      ['12 bytes', concat(u32be(1), u32be(1), u32be(2))],
      ['3 pairs', concat(thresholdPairs(1, 1), u32be(1), u32be(1))],
      ['MODE (4)', concat(u32be(4), u32be(1))],
      ['index 3', concat(u32be(3), u32be(1))],
      ['index 0', concat(u32be(0), u32be(1))],
      ['index 1 twice', concat(u32be(1), u32be(1), u32be(1), u32be(1))],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, payload] of cases) expectRc(await f.s.run({ command: Command.DOM_SET_ATTR, payload, signers: f.admins }), 7, 0, what);
    });
    assert.equal(await attrs(f.s), '1=0 2=0 4=0');
  });

  it('in imprint mode: 0/0 stays, 1..8/1..8 leaves, split thresholds are 209/36 and 209/76, more than the admins 209/57 then 209/58', async () => {
    const f = await imprintUnit(2);
    const set = (pairs: Uint8Array, signers = f.admins) => f.s.run({ command: Command.DOM_SET_ATTR, payload: pairs, signers });
    await assertUnchanged(f.unit, async () => {
      expectRc(await set(thresholdPairs(1, 0)), 209, 36, '1/0');
      expectRc(await set(concat(u32be(1), u32be(2))), 209, 36, 'only the signature threshold');
      expectRc(await set(thresholdPairs(0, 1)), 209, 76, '0/1');
      expectRc(await set(concat(u32be(2), u32be(1))), 209, 76, 'only the revocation threshold');
      expectRc(await set(thresholdPairs(3, 1)), 209, 57, 'sign 3 > 2 admins');
      expectRc(await set(thresholdPairs(1, 3)), 209, 58, 'revoke 3 > 2 admins');
      expectRc(await set(thresholdPairs(3, 3)), 209, 57, 'both: signature first');
      expectRc(await set(thresholdPairs(9, 1)), 209, 57, '9');
      expectRc(await set(thresholdPairs(0xffffffff, 0xffffffff)), 209, 57, '2^32 − 1');
    });
    expectOk(await set(thresholdPairs(0, 0), []), '0/0 in imprint mode');
    assert.equal(await attrs(f.s), '1=0 2=0 4=0');
    expectOk(await set(concat(u32be(2), u32be(2), u32be(1), u32be(1))), 'pairs in any order');
    assert.equal(await attrs(f.s), '1=1 2=2 4=1', 'authenticated');
    assertNoInternal(f);
  });

  it('after imprint mode: only zeroize returns to 0/0 (209/76); sign 0 is 209/76, revoke 0 is 209/36; changes need the current signature threshold', async () => {
    const f = await authenticatedUnit(3, 2, 2);
    const set = (pairs: Uint8Array) => f.s.run({ command: Command.DOM_SET_ATTR, payload: pairs, signers: f.admins.slice(0, 2) });
    await assertUnchanged(f.unit, async () => {
      expectRc(await set(thresholdPairs(0, 0)), 209, 76, '0/0');
      expectRc(await set(concat(u32be(1), u32be(0))), 209, 76, 'sign 0');
      expectRc(await set(concat(u32be(2), u32be(0))), 209, 36, 'revoke 0');
      expectRc(await set(thresholdPairs(4, 1)), 209, 57);
      expectRc(await set(thresholdPairs(1, 4)), 209, 58);
    });
    expectOk(await set(thresholdPairs(3, 1)));
    assert.equal(await attrs(f.s), '1=3 2=1 4=1');
    // the new signature threshold (3) now applies to changing it back
    expectRc(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(1, 1), signers: f.admins.slice(0, 2) }), 208);
    expectOk(await f.s.run({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(1, 1), signers: f.admins }));
    assert.equal(await attrs(f.s), '1=1 2=1 4=1');
    // zeroize is the way back
    expectOk(await f.s.run({ command: Command.DOM_ZEROIZE, signers: [f.admins[2]] }));
    assert.equal(await attrs(f.s), '1=0 2=0 4=0');
    assert.equal((await f.s.query(Query.DOMADMIN)).payload.length, 0, 'no admins after zeroize');
  });
});
