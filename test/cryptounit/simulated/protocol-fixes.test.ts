/**
 * Regression tests for two fixes made in src/cryptounit/protocol while building the
 * simulated unit (both are unit-visible: DESIGN §3.2 "any check fails → 7/40" and §3.8
 * "data over 64 KiB 33").
 */
import { describe, it, assert, assertRejects, assertThrows } from '../../harness.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { ecdsaSign, exportPublicPoint, generateEcKeyPair } from '../../../src/crypto/index.ts';
import {
  CertificateError, FieldLengthError, MAX_WRAP_DATA, OID_CN, OID_OU, buildCertificate, decodeBlobWithData,
  encodeBlobWithData, parseAdminCertificate,
} from '../../../src/cryptounit/protocol/index.ts';
import { skiExtension } from '../../../src/cryptounit/protocol/certificates/x509.ts';

const c = globalThis.crypto;

describe('protocol fixes', () => {
  it('parseAdminCertificate: a public point off the curve is CertificateError (7/40), not CryptoFormatError', async () => {
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const kp = await generateEcKeyPair(c, curve, 'ECDSA');
      const point = await exportPublicPoint(c, kp.publicKey);
      point[point.length - 1] ^= 1; // y changed: no longer on the curve
      const dn = [
        { type: OID_OU, value: 'TKE Administration' },
        { type: OID_CN, value: 'Off Curve' },
      ];
      const der = await buildCertificate(
        {
          serial: Uint8Array.of(1),
          issuer: dn,
          subject: dn,
          notBefore: new Date(Date.UTC(2026, 0, 1)),
          notAfter: new Date(Date.UTC(2036, 0, 1)),
          subjectKey: { curve, point },
          signerCurve: curve,
          extensions: [skiExtension(sha256(point))],
        },
        (tbs) => ecdsaSign(c, curve, kp.privateKey, tbs),
      );
      const e = await assertRejects(parseAdminCertificate(c, der), CertificateError, curve);
      assert.equal(`${e.rc}/${e.reason}`, '7/40');
    }
  });

  it('decodeBlobWithData: data far over 64 KiB is a length error (33), not a DER size error (7)', () => {
    const blob = { keyId: new Uint8Array(16), vp: new Uint8Array(28), iv: new Uint8Array(12), sealed: new Uint8Array(48) };
    for (const n of [MAX_WRAP_DATA + 1, MAX_WRAP_DATA + 2000, 100 * 1024, 900 * 1024]) {
      const e = assertThrows(() => decodeBlobWithData(encodeBlobWithData({ blob, data: new Uint8Array(n) }), MAX_WRAP_DATA), FieldLengthError, `${n}`);
      assert.equal(e.rc, 33);
    }
    assert.equal(decodeBlobWithData(encodeBlobWithData({ blob, data: new Uint8Array(MAX_WRAP_DATA) }), MAX_WRAP_DATA).data.length, MAX_WRAP_DATA);
  });
});
