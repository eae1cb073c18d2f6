import {
  KeyObject, X509Certificate, createCipheriv, createDecipheriv, createECDH, createHash, createPublicKey, pbkdf2Sync,
  randomBytes, verify as nodeVerify, webcrypto,
} from 'node:crypto';
import { describe, it, assert, assertBytes } from '../../harness.ts';
import { SoftKeyPartHolder, createKeyPart, importTkeSignatureKeyFile } from '../../../src/custodian/soft/index.ts';
import { children, readOnly } from '../conformance/independent-der.ts';
import { sharedInfoOf } from '../conformance/independent-kari.ts';

/**
 * Cross-checks against node:crypto, an implementation that shares nothing with webtke's code
 * paths: an IBM-format file written entirely by node:crypto must import and sign, and part
 * envelopes must open with node:crypto ECDH, a hand-written X9.63 KDF over node:crypto SHA-256
 * and node:crypto's id-aes256-wrap.
 */
const TEST = { insecureIterationsForTests: 1000 };
const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

describe('IBM TKE CLI file written by node:crypto (independent fixture)', () => {
  it('imports, has the file\'s SKI, and its signatures and certificate verify under node:crypto', async () => {
    const password = 'Pässword from IBM';
    // key made by WebCrypto (never generateKeyPairSync), SEC1 PEM exported by node:crypto
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const sec1Pem = KeyObject.from(pair.privateKey).export({ type: 'sec1', format: 'pem' }) as string;
    assert.match(sec1Pem, /^-----BEGIN EC PRIVATE KEY-----\n/);
    const ibmPem = sec1Pem.replace(/EC PRIVATE KEY/g, 'PRIVATE KEY'); // IBM's label for the SEC1 key
    const salt = randomBytes(32);
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 4096, 32, 'sha256');
    const nonce = randomBytes(12);
    const gcm = createCipheriv('aes-256-gcm', key, nonce);
    const ct = Buffer.concat([gcm.update(ibmPem, 'utf8'), gcm.final(), gcm.getAuthTag()]);
    const publicKey = KeyObject.from(pair.publicKey);
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    assert.lengthOf(point, 133);
    const ski = createHash('sha256').update(point).digest();
    const text = JSON.stringify({
      keyType: 'p521ec',
      ski: ski.toString('hex'),
      seaSalt: salt.toString('hex'),
      enckey: Buffer.concat([nonce, ct]).toString('hex'),
    });

    const signer = await importTkeSignatureKeyFile(text, password);
    assertBytes(signer.ski, new Uint8Array(ski));
    for (let i = 0; i < 5; i++) {
      const block = new Uint8Array(randomBytes(40 + 20 * i));
      const items = children(readOnly(await signer.sign(block)).content);
      assertBytes(items[1].content, new Uint8Array(ski), 'sid = SKI');
      const sig = items[4].content;
      assert.isTrue(nodeVerify('sha512', block, { key: publicKey, dsaEncoding: 'der' }, sig), 'node:crypto verifies the signature');
      block[0] ^= 1;
      assert.isFalse(nodeVerify('sha512', block, { key: publicKey, dsaEncoding: 'der' }, sig));
    }
    const cert = new X509Certificate(signer.certificate);
    assert.isTrue(cert.verify(publicKey), 'node:crypto verifies the self-signed certificate');
    assert.include(cert.subject, 'OU=TKE Administration');
    assert.include(cert.subject, `CN=${signer.name}`);
    assert.isTrue(cert.publicKey.equals(publicKey));
  });
});

describe('part envelopes opened by node:crypto (independent unwrap)', () => {
  for (const [curve, nodeCurve] of [['P-256', 'prime256v1'], ['P-384', 'secp384r1'], ['P-521', 'secp521r1']] as const) {
    it(`${curve} importer: node ECDH + hand X9.63 over node SHA-256 + id-aes256-wrap give back the 32 bytes`, async () => {
      const value = randomBytes(32);
      const password = 'key part password';
      const { text, info } = await createKeyPart(globalThis.crypto, { description: 'node check', password, value: value.toString('hex') }, TEST);
      const holder = new SoftKeyPartHolder(globalThis.crypto, TEST);
      await holder.addFile(text);

      const ecdh = createECDH(nodeCurve);
      ecdh.generateKeys();
      const point = ecdh.getPublicKey(); // uncompressed
      const size = (point.length - 1) / 2;
      const spki = createPublicKey({
        key: { kty: 'EC', crv: curve, x: b64url(point.subarray(1, 1 + size)), y: b64url(point.subarray(1 + size)) },
        format: 'jwk',
      }).export({ type: 'spki', format: 'der' });

      const env = await holder.wrapForImporter(info.id, new Uint8Array(spki), password);
      const items = children(readOnly(env).content);
      const [originatorKey] = children(items[1].content);
      const ephemeral = children(originatorKey.content)[1].content.subarray(1);
      const ukm = children(items[2].content)[0].content;
      const [rid, ek] = children(children(items[4].content)[0].content);
      assertBytes(children(rid.content)[0].content, new Uint8Array(createHash('sha256').update(point).digest()), 'rKeyId');

      const z = ecdh.computeSecret(ephemeral);
      assert.lengthOf(z, size);
      const kek = createHash('sha256').update(z).update(Buffer.of(0, 0, 0, 1)).update(sharedInfoOf(ukm)).digest();
      const kw = createDecipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
      const part = Buffer.concat([kw.update(ek.content), kw.final()]);
      assertBytes(new Uint8Array(part), new Uint8Array(value));
    });
  }
});
