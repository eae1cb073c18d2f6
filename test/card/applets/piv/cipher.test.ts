/**
 * The management-key block ciphers against published known answers:
 * - DES: the FIPS 46 worked example (key 133457799BBCDFF1) and the classic "Now is t" vector;
 * - TDEA: NIST SP 800-67 Rev. 1's example (first block of "The qufck brown fox jump");
 * - AES: FIPS 197 Appendix C.1–C.3 (128/192/256-bit keys).
 * Random cross-checks against OpenSSL are in cipher.node.test.ts.
 */
import { assertBytes, assertThrows, bytesOf, describe, it } from '../../../harness.ts';
import { desDecryptBlock, desEncryptBlock, tdesDecryptBlock, tdesEncryptBlock } from '../../../../src/card/applets/piv/cipher/tdes.ts';
import { aesDecryptBlock, aesEncryptBlock } from '../../../../src/card/applets/piv/cipher/aes.ts';

describe('PIV management-key ciphers: known answers', () => {
  const des: [string, string, string][] = [
    ['133457799BBCDFF1', '0123456789ABCDEF', '85E813540F0AB405'],
    ['0123456789ABCDEF', '4E6F772069732074', '3FA40E8A984D4815'],
  ];
  for (const [k, p, c] of des) {
    it(`DES key ${k}: ${p} → ${c} and back`, () => {
      assertBytes(desEncryptBlock(bytesOf(k), bytesOf(p)), bytesOf(c));
      assertBytes(desDecryptBlock(bytesOf(k), bytesOf(c)), bytesOf(p));
    });
  }

  it('TDEA (SP 800-67 example): K1 K2 K3 distinct, "The qufc" → A826FD8CE53B855F and back', () => {
    const key = bytesOf('0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123');
    assertBytes(tdesEncryptBlock(key, bytesOf('5468652071756663')), bytesOf('A826FD8CE53B855F'));
    assertBytes(tdesDecryptBlock(key, bytesOf('A826FD8CE53B855F')), bytesOf('5468652071756663'));
  });

  it('TDEA with K1 = K2 = K3 is single DES (keying option 3)', () => {
    const k = bytesOf('133457799BBCDFF1');
    const key = new Uint8Array([...k, ...k, ...k]);
    assertBytes(tdesEncryptBlock(key, bytesOf('0123456789ABCDEF')), bytesOf('85E813540F0AB405'));
  });

  const aes: [string, string][] = [
    ['000102030405060708090a0b0c0d0e0f', '69c4e0d86a7b0430d8cdb78070b4c55a'],
    ['000102030405060708090a0b0c0d0e0f1011121314151617', 'dda97ca4864cdfe06eaf70a0ec0d7191'],
    ['000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', '8ea2b7ca516745bfeafc49904b496089'],
  ];
  for (const [k, c] of aes) {
    it(`AES-${k.length * 4} (FIPS 197 C): encrypt and decrypt`, () => {
      const p = bytesOf('00112233445566778899aabbccddeeff');
      assertBytes(aesEncryptBlock(bytesOf(k), p), bytesOf(c));
      assertBytes(aesDecryptBlock(bytesOf(k), bytesOf(c)), p);
    });
  }

  it('wrong key and block sizes are refused', () => {
    assertThrows(() => aesEncryptBlock(new Uint8Array(20), new Uint8Array(16)), RangeError);
    assertThrows(() => aesEncryptBlock(new Uint8Array(16), new Uint8Array(8)), RangeError);
    assertThrows(() => tdesEncryptBlock(new Uint8Array(16), new Uint8Array(8)), RangeError);
    assertThrows(() => tdesEncryptBlock(new Uint8Array(24), new Uint8Array(16)), RangeError);
  });
});
