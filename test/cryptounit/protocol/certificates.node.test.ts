/** Admin and OA certificates checked by an independent X.509 implementation (node:crypto). */
import { X509Certificate, createHash } from 'node:crypto';
import { describe, it, assert, hexOf } from '../../harness.ts';
import {
  buildAdminCertificate, parseAdminCertificate, buildRootCertificate, buildOaCertificate, verifyOaChain,
} from '../../../src/cryptounit/protocol/index.ts';
import { generateEcKeyPair, exportPublicPoint, ecdsaSign, CURVE_NAMES } from '../../../src/crypto/index.ts';

const c = globalThis.crypto;

describe('certificates vs node:crypto X509Certificate', () => {
  for (const curve of CURVE_NAMES) {
    it(`${curve} admin certificate: self-signature, names, SKI as node reads them`, async () => {
      const kp = await generateEcKeyPair(c, curve, 'ECDSA');
      const point = await exportPublicPoint(c, kp.publicKey);
      const der = await buildAdminCertificate(c, { name: 'Ceremony Officer 1', curve, publicPoint: point, sign: (t) => ecdsaSign(c, curve, kp.privateKey, t) });
      const x = new X509Certificate(Buffer.from(der));
      assert.isTrue(x.verify(x.publicKey), 'self-signature verifies under node');
      assert.equal(x.subject, 'OU=TKE Administration\nCN=Ceremony Officer 1');
      assert.equal(x.issuer, x.subject);
      assert.isTrue(x.checkIssued(x));
      const jwk = x.publicKey.export({ format: 'jwk' });
      assert.equal(jwk.crv, curve);
      const parsed = await parseAdminCertificate(c, der);
      assert.equal(hexOf(parsed.ski), createHash('sha256').update(point).digest('hex'));
      // the SKI extension bytes appear in the certificate as 04 20 <ski> inside the extension
      assert.include(hexOf(der), '0420' + hexOf(parsed.ski));
      // the signature AlgorithmIdentifier is 30 0a 06 08 <ecdsa-with-SHAx>: no parameters written (RFC 5758)
      const sigAlg = { 'P-256': '300a06082a8648ce3d040302', 'P-384': '300a06082a8648ce3d040303', 'P-521': '300a06082a8648ce3d040304' }[curve];
      assert.equal(hexOf(der).split(sigAlg).length - 1, 2, 'inner and outer signature algorithm, without parameters');
    });
  }

  it('OA chain: node agrees the OA certificate is issued and signed by the root', async () => {
    const rk = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const root = await buildRootCertificate(c, {
      keyPair: rk, publicPoint: await exportPublicPoint(c, rk.publicKey), serial: c.getRandomValues(new Uint8Array(8)),
      label: 'Simulated manufacturer root', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2046-01-01T00:00:00Z'),
    });
    const ok = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const oa = await buildOaCertificate(c, {
      rootPrivateKey: rk.privateKey, rootCertificate: root, oaPublicPoint: await exportPublicPoint(c, ok.publicKey),
      serial: c.getRandomValues(new Uint8Array(8)), label: 'Crypto unit 0001 OA', notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2046-01-01T00:00:00Z'),
    });
    const xr = new X509Certificate(Buffer.from(root));
    const xo = new X509Certificate(Buffer.from(oa));
    assert.isTrue(xr.ca);
    assert.isFalse(xo.ca);
    assert.isTrue(xr.verify(xr.publicKey));
    assert.isTrue(xo.verify(xr.publicKey));
    assert.isTrue(xo.checkIssued(xr));
    const chain = await verifyOaChain(c, oa, root);
    const spki = xr.publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(chain.rootFingerprint, 'SHA256:' + createHash('sha256').update(spki).digest('base64').replace(/=+$/, ''));
  });
});
