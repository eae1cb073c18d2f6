import { describe, it, assert, bytesOf, hexOf, readSharedText } from '../../harness.ts';
import { aesDecryptBlock, aesKeyUnwrap } from './independent-aes.ts';
import { x963Sha256 } from './independent-kari.ts';

/** The conformance suite's independent implementations are themselves checked on published vectors. */
describe('conformance helpers: independent AES, key unwrap and X9.63 KDF', () => {
  it('AES-128/192/256 decrypt the FIPS-197 Appendix C examples', () => {
    const pt = '00112233445566778899aabbccddeeff';
    const cases = [
      ['000102030405060708090a0b0c0d0e0f', '69c4e0d86a7b0430d8cdb78070b4c55a'],
      ['000102030405060708090a0b0c0d0e0f1011121314151617', 'dda97ca4864cdfe06eaf70a0ec0d7191'],
      ['000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', '8ea2b7ca516745bfeafc49904b496089'],
    ];
    for (const [k, ct] of cases) assert.equal(hexOf(aesDecryptBlock(bytesOf(k), bytesOf(ct))), pt);
  });

  it('key unwrap: every RFC 3394 vector (shared/vectors/kdf/rfc3394.vec), and a changed byte fails', async () => {
    const text = await readSharedText('vectors/kdf/rfc3394.vec');
    const recs: Record<string, string>[] = [];
    let cur: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^(\w+) = ([0-9A-Fa-f]+)$/.exec(line.trim());
      if (!m) continue;
      cur[m[1]] = m[2];
      if (m[1] === 'Output') {
        recs.push(cur);
        cur = {};
      }
    }
    assert.lengthOf(recs, 6);
    for (const r of recs) {
      assert.equal(hexOf(aesKeyUnwrap(bytesOf(r.KEK), bytesOf(r.Output))!), r.Key.toLowerCase());
      const bad = bytesOf(r.Output);
      bad[bad.length - 1] ^= 1;
      assert.isUndefined(aesKeyUnwrap(bytesOf(r.KEK), bad));
    }
  });

  it('X9.63 SHA-256: the first NIST CAVS record with SharedInfo (shared/vectors/kdf/ansx963_2001_sha256.txt)', async () => {
    const text = await readSharedText('vectors/kdf/ansx963_2001_sha256.txt');
    const blocks = text.split(/\n\s*\n/).filter((b) => /SharedInfo = [0-9a-f]+/.test(b) && /key_data/.test(b));
    assert.isAbove(blocks.length, 0);
    const field = (b: string, name: string): string => new RegExp(`${name} = ([0-9a-f]+)`).exec(b)![1];
    const b = blocks[0];
    const z = bytesOf(field(b, 'Z'));
    const si = bytesOf(field(b, 'SharedInfo'));
    const key = field(b, 'key_data');
    assert.equal(hexOf(x963Sha256(z, si, key.length / 2)), key);
  });
});
