import { describe, it, assert, bytesOf, hexOf, readSharedText } from '../harness.ts';
import { loadWycheproof } from './wycheproof.ts';
import { x963Kdf, pbkdf2Sha256, type HashName } from '../../src/crypto/index.ts';

const c = globalThis.crypto;

/** Records of a NIST CAVS ansx963_2001 .rsp file: [SHA-xxx] sections of Z / SharedInfo / key_data. */
function parseX963(text: string): { hash: string; z: string; sharedInfo: string; keyData: string }[] {
  const out: { hash: string; z: string; sharedInfo: string; keyData: string }[] = [];
  let hash = '';
  let z = '';
  let si = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const h = /^\[(SHA-\d+)\]$/.exec(line);
    if (h) hash = h[1];
    let m = /^Z = ([0-9a-f]+)$/.exec(line);
    if (m) z = m[1];
    m = /^SharedInfo = ([0-9a-f]*)$/.exec(line);
    if (m) si = m[1];
    m = /^key_data = ([0-9a-f]+)$/.exec(line);
    if (m) out.push({ hash, z, sharedInfo: si, keyData: m[1] });
  }
  return out;
}

describe('X9.63 KDF (NIST CAVS vectors)', () => {
  for (const [file, hash] of [
    ['ansx963_2001_sha256.txt', 'SHA-256'],
    ['ansx963_2001_sha384.txt', 'SHA-384'],
    ['ansx963_2001_sha512.txt', 'SHA-512'],
  ] as [string, HashName][]) {
    it(file, async () => {
      const recs = parseX963(await readSharedText(`vectors/kdf/${file}`));
      assert.equal(recs.length, 20);
      let withInfo = 0;
      for (const r of recs) {
        assert.equal(r.hash, hash);
        if (r.sharedInfo) withInfo++;
        const out = await x963Kdf(c, hash, bytesOf(r.z), bytesOf(r.sharedInfo), r.keyData.length / 2);
        assert.equal(hexOf(out), r.keyData);
      }
      assert.equal(withInfo, 10, 'half the records carry SharedInfo and multi-block output');
    });
  }
});

describe('PBKDF2-HMAC-SHA256 (Wycheproof)', () => {
  it('every case', async () => {
    const f = await loadWycheproof('pbkdf2_hmacsha256_test.json');
    let n = 0;
    for (const g of f.testGroups) {
      for (const t of g.tests) {
        n++;
        const dk = await pbkdf2Sha256(c, bytesOf(t.password as string), bytesOf(t.salt as string), t.iterationCount as number, t.dkLen as number);
        assert.equal(hexOf(dk), t.dk, `tc ${t.tcId}`);
      }
    }
    assert.equal(n, f.numberOfTests);
  });
});
