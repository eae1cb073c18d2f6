/** The management-key ciphers against OpenSSL (node:crypto) on random keys and blocks. */
import { createCipheriv } from 'node:crypto';
import { assertBytes, describe, it } from '../../../harness.ts';
import { tdesDecryptBlock, tdesEncryptBlock } from '../../../../src/card/applets/piv/cipher/tdes.ts';
import { aesDecryptBlock, aesEncryptBlock } from '../../../../src/card/applets/piv/cipher/aes.ts';

const rnd = (n: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(n));

function openssl(alg: string, key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv(alg, key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

describe('PIV management-key ciphers vs OpenSSL', () => {
  it('TDEA (des-ede3): 300 random keys and blocks, both directions', () => {
    for (let i = 0; i < 300; i++) {
      const k = rnd(24);
      const p = rnd(8);
      const c = openssl('des-ede3', k, p);
      assertBytes(tdesEncryptBlock(k, p), c);
      assertBytes(tdesDecryptBlock(k, c), p);
    }
  });
  for (const bits of [128, 192, 256]) {
    it(`AES-${bits}-ECB: 300 random keys and blocks, both directions`, () => {
      for (let i = 0; i < 300; i++) {
        const k = rnd(bits / 8);
        const p = rnd(16);
        const c = openssl(`aes-${bits}-ecb`, k, p);
        assertBytes(aesEncryptBlock(k, p), c);
        assertBytes(aesDecryptBlock(k, c), p);
      }
    });
  }
});
