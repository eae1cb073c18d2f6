import { describe, it, assert, bytesOf, hexOf } from '../harness.ts';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { loadWycheproof } from './wycheproof.ts';
import {
  ecdhSharedSecret, importPrivateScalar, importPublicPoint, importSpki, CURVES, type CurveName,
} from '../../src/crypto/index.ts';

const c = globalThis.crypto;
const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** The public point of a Wycheproof private scalar, computed independently with @noble/curves. */
function publicOf(curve: CurveName, dHex: string): Uint8Array {
  const size = CURVES[curve].size;
  const d = bytesOf(dHex);
  const dd = d.length > size ? d.subarray(d.length - size) : d;
  const padded = new Uint8Array(size);
  padded.set(dd, size - dd.length);
  return NOBLE[curve].getPublicKey(padded, false);
}

const FILES: [CurveName, string, 'asn' | 'ecpoint'][] = [
  ['P-256', 'ecdh_secp256r1_test.json', 'asn'],
  ['P-384', 'ecdh_secp384r1_test.json', 'asn'],
  ['P-521', 'ecdh_secp521r1_test.json', 'asn'],
  ['P-256', 'ecdh_secp256r1_ecpoint_test.json', 'ecpoint'],
  ['P-384', 'ecdh_secp384r1_ecpoint_test.json', 'ecpoint'],
  ['P-521', 'ecdh_secp521r1_ecpoint_test.json', 'ecpoint'],
];

describe('ECDH (Wycheproof)', () => {
  for (const [curve, file, encoding] of FILES) {
    it(`${curve}: ${file}`, async () => {
      const f = await loadWycheproof(file);
      const wrong: string[] = [];
      let checked = 0;
      const privCache = new Map<string, CryptoKey>();
      for (const g of f.testGroups) {
        assert.equal(g.encoding, encoding);
        for (const t of g.tests) {
          const dHex = t.private as string;
          let priv = privCache.get(dHex);
          if (!priv) {
            priv = await importPrivateScalar(c, curve, bytesOf(dHex), publicOf(curve, dHex), 'ECDH');
            privCache.set(dHex, priv);
          }
          let shared: Uint8Array | undefined;
          try {
            const pubBytes = bytesOf(t.public as string);
            const pub = encoding === 'asn'
              ? await importSpki(c, curve, pubBytes, 'ECDH')
              : await importPublicPoint(c, curve, pubBytes, 'ECDH');
            shared = await ecdhSharedSecret(c, curve, priv, pub);
          } catch {
            shared = undefined;
          }
          checked++;
          if (t.result === 'valid') {
            if (!shared) wrong.push(`tc ${t.tcId} (${t.comment}) valid but rejected`);
            else if (hexOf(shared) !== (t.shared as string)) wrong.push(`tc ${t.tcId} wrong shared secret`);
          } else if (t.result === 'invalid') {
            if (shared) wrong.push(`tc ${t.tcId} (${t.comment}) invalid but accepted`);
          } else if (shared && hexOf(shared) !== (t.shared as string)) {
            wrong.push(`tc ${t.tcId} acceptable case gave a wrong shared secret`);
          }
        }
      }
      assert.deepEqual(wrong, []);
      assert.equal(checked, f.numberOfTests);
    });
  }
});
