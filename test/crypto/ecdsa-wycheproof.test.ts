import { describe, it, assert, bytesOf } from '../harness.ts';
import { loadWycheproof } from './wycheproof.ts';
import { ecdsaVerify, importSpki, derToRawSignature, type CurveName, CURVES } from '../../src/crypto/index.ts';

const c = globalThis.crypto;

/**
 * Every case of the Wycheproof ECDSA DER verification files, on all three curves: valid
 * signatures must verify and invalid ones (including every BER/non-canonical encoding) must not.
 */
const FILES: [CurveName, string][] = [
  ['P-256', 'ecdsa_secp256r1_sha256_test.json'],
  ['P-384', 'ecdsa_secp384r1_sha384_test.json'],
  ['P-521', 'ecdsa_secp521r1_sha512_test.json'],
];

describe('ECDSA DER verification (Wycheproof)', () => {
  for (const [curve, file] of FILES) {
    it(`${curve}: ${file}`, async () => {
      const f = await loadWycheproof(file);
      let valid = 0;
      let invalid = 0;
      const wrong: string[] = [];
      for (const g of f.testGroups) {
        assert.equal(g.sha, CURVES[curve].hash);
        const key = await importSpki(c, curve, bytesOf(g.publicKeyDer as string), 'ECDSA');
        for (const t of g.tests) {
          const ok = await ecdsaVerify(c, curve, key, bytesOf(t.msg as string), bytesOf(t.sig as string));
          if (t.result === 'valid') {
            valid++;
            if (!ok) wrong.push(`tc ${t.tcId} (${t.comment}) valid but rejected`);
          } else if (t.result === 'invalid') {
            invalid++;
            if (ok) wrong.push(`tc ${t.tcId} (${t.comment}) invalid but accepted`);
          }
        }
      }
      assert.deepEqual(wrong, []);
      assert.isAbove(valid, 100);
      assert.isAbove(invalid, 100);
      assert.equal(valid + invalid, f.numberOfTests, 'no acceptable cases expected in these files');
    });
  }

  it('P1363 valid signatures convert to the same r‖s as their DER form verifies', async () => {
    // The DER and P1363 files share their first valid case message/key; cross-check the converter.
    const der = await loadWycheproof('ecdsa_secp256r1_sha256_test.json');
    const t = der.testGroups[0].tests.find((x) => x.result === 'valid')!;
    const raw = derToRawSignature(bytesOf(t.sig as string), 32);
    const key = await importSpki(c, 'P-256', bytesOf(der.testGroups[0].publicKeyDer as string), 'ECDSA');
    const ok = await c.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(raw), bytesOf(t.msg as string));
    assert.isTrue(ok);
  });
});
