import { describe, it, assert, assertRejects, assertThrows } from '../../harness.ts';
import {
  buildAdminCertificate, parseAdminCertificate, buildCertificate, CertificateError, AdminNameError, checkAdminName,
  buildRootCertificate, buildOaCertificate, verifyOaChain, OaChainError, OID_OU, OID_CN, OID_SUBJECT_KEY_IDENTIFIER,
} from '../../../src/cryptounit/protocol/index.ts';
import { encodeDer, octets } from '../../../src/cryptounit/protocol/der/asn1.ts';
import { generateEcKeyPair, exportPublicPoint, ecdsaSign, subjectKeyIdentifier, type CurveName } from '../../../src/crypto/index.ts';

const c = globalThis.crypto;
const DN = (name: string) => [{ type: OID_OU, value: 'TKE Administration' }, { type: OID_CN, value: name }];

async function adminKey(curve: CurveName = 'P-256') {
  const kp = await generateEcKeyPair(c, curve, 'ECDSA');
  const point = await exportPublicPoint(c, kp.publicKey);
  return { kp, point, sign: (t: Uint8Array) => ecdsaSign(c, curve, kp.privateKey, t) };
}

describe('admin certificates', () => {
  it('names: 1–30 characters after trimming trailing spaces', () => {
    assert.equal(checkAdminName('Alice' + ' '.repeat(25)), 'Alice');
    assert.equal(checkAdminName('x'.repeat(30)), 'x'.repeat(30));
    assertThrows(() => checkAdminName('x'.repeat(31)), AdminNameError);
    assertThrows(() => checkAdminName('   '), AdminNameError);
    assertThrows(() => checkAdminName(''), AdminNameError);
    assertThrows(() => checkAdminName('a\nb'), AdminNameError);
  });

  it('round trip, and a CN padded to 30 reads as the trimmed name', async () => {
    const k = await adminKey('P-384');
    const der = await buildAdminCertificate(c, { name: 'Bob', curve: 'P-384', publicPoint: k.point, sign: k.sign });
    const a = await parseAdminCertificate(c, der);
    assert.equal(a.name, 'Bob');
    assert.equal(a.curve, 'P-384');
    const padded = await buildCertificate({
      serial: Uint8Array.of(1), issuer: DN('Bob'.padEnd(30)), subject: DN('Bob'.padEnd(30)), notBefore: new Date(0), notAfter: new Date(1e12),
      subjectKey: { curve: 'P-384', point: k.point }, signerCurve: 'P-384',
      extensions: [{ oid: OID_SUBJECT_KEY_IDENTIFIER, critical: false, value: encodeDer(octets(await subjectKeyIdentifier(c, k.point))) }],
    }, k.sign);
    assert.equal((await parseAdminCertificate(c, padded)).name, 'Bob');
  });

  it('refuses each broken property with CertificateError (7/40)', async () => {
    const k = await adminKey();
    const other = await adminKey();
    const ski = await subjectKeyIdentifier(c, k.point);
    const skiExt = (v: Uint8Array) => [{ oid: OID_SUBJECT_KEY_IDENTIFIER, critical: false, value: encodeDer(octets(v)) }];
    const base = {
      serial: Uint8Array.of(7), issuer: DN('Carol'), subject: DN('Carol'), notBefore: new Date(0), notAfter: new Date(1e12),
      subjectKey: { curve: 'P-256' as const, point: k.point }, signerCurve: 'P-256' as const, extensions: skiExt(ski),
    };
    const wrongSki = ski.slice(); wrongSki[0] ^= 1;
    const cases: [string, Promise<Uint8Array>][] = [
      ['no SKI extension', buildCertificate({ ...base, extensions: [] }, k.sign)],
      ['wrong SKI', buildCertificate({ ...base, extensions: skiExt(wrongSki) }, k.sign)],
      ['signed by another key', buildCertificate(base, other.sign)],
      ['OU missing', buildCertificate({ ...base, subject: [{ type: OID_CN, value: 'Carol' }], issuer: [{ type: OID_CN, value: 'Carol' }] }, k.sign)],
      ['CN before OU', buildCertificate({ ...base, subject: [...DN('Carol')].reverse(), issuer: [...DN('Carol')].reverse() }, k.sign)],
      ['wrong OU', buildCertificate({ ...base, subject: [{ type: OID_OU, value: 'Admins' }, { type: OID_CN, value: 'Carol' }], issuer: [{ type: OID_OU, value: 'Admins' }, { type: OID_CN, value: 'Carol' }] }, k.sign)],
      ['issuer differs', buildCertificate({ ...base, issuer: DN('Dave') }, k.sign)],
      ['name of 31 characters', buildCertificate({ ...base, subject: DN('x'.repeat(31)), issuer: DN('x'.repeat(31)) }, k.sign)],
      ['signature hash of another curve', buildCertificate({ ...base, signerCurve: 'P-521' }, k.sign)],
    ];
    for (const [what, p] of cases) {
      const e = await assertRejects(parseAdminCertificate(c, await p), CertificateError, what);
      assert.equal(e.rc, 7);
      assert.equal(e.reason, 40);
    }
    const good = await buildCertificate(base, k.sign);
    await parseAdminCertificate(c, good);
    for (const i of [10, 60, good.length - 5]) {
      const bad = good.slice(); bad[i] ^= 0x01;
      await assertRejects(parseAdminCertificate(c, bad), CertificateError, `byte ${i} flipped`);
    }
    await assertRejects(parseAdminCertificate(c, Uint8Array.of(...good, 0)), CertificateError, 'trailing byte');
  });
});

describe('OA certificate chains', () => {
  async function host(label: string) {
    const kp = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const root = await buildRootCertificate(c, { keyPair: kp, publicPoint: await exportPublicPoint(c, kp.publicKey), serial: c.getRandomValues(new Uint8Array(8)), label, notBefore: new Date(0), notAfter: new Date(2e12) });
    const unit = async () => {
      const ok = await generateEcKeyPair(c, 'P-521', 'ECDSA');
      return buildOaCertificate(c, { rootPrivateKey: kp.privateKey, rootCertificate: root, oaPublicPoint: await exportPublicPoint(c, ok.publicKey), serial: c.getRandomValues(new Uint8Array(8)), label: 'unit', notBefore: new Date(0), notAfter: new Date(2e12) });
    };
    return { root, unit };
  }

  it('verifies, pins, and refuses a wrong pin, a foreign root and tampering', async () => {
    const h1 = await host('root one');
    const h2 = await host('root two');
    const oa1 = await h1.unit();
    const ok = await verifyOaChain(c, oa1, h1.root);
    assert.match(ok.rootFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    await verifyOaChain(c, oa1, h1.root, ok.rootFingerprint);
    const other = await verifyOaChain(c, await h2.unit(), h2.root);
    await assertRejects(verifyOaChain(c, oa1, h1.root, other.rootFingerprint), OaChainError, 'wrong pin');
    await assertRejects(verifyOaChain(c, oa1, h2.root), OaChainError, 'OA cert under another root');
    await assertRejects(verifyOaChain(c, h1.root, oa1), OaChainError, 'swapped');
    const t = oa1.slice(); t[t.length - 10] ^= 1;
    await assertRejects(verifyOaChain(c, t, h1.root), OaChainError, 'tampered OA signature');
  });
});
