import { describe, it, assert, assertBytes, assertThrows } from '../../harness.ts';
import { Base64Error, decodeBase64, decodeBase64Bytes, encodeBase64 } from '../../../src/custodian/soft/base64.ts';
import { PemError, decodePem } from '../../../src/custodian/soft/pem.ts';
import { Sec1Error, ecPkcs8, parseSec1 } from '../../../src/custodian/soft/sec1.ts';
import { OID_TLV, tlv } from '../conformance/independent-der.ts';
import { pemOf } from './tke-fixture.ts';

const c = globalThis.crypto;
const ascii = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

describe('strict base64', () => {
  it('agrees with btoa/atob for every length 0..70, both decoders', () => {
    for (let n = 0; n <= 70; n++) {
      const b = c.getRandomValues(new Uint8Array(n));
      const expected = btoa(String.fromCharCode(...b));
      assert.equal(encodeBase64(b), expected);
      assertBytes(decodeBase64(expected), b);
      assertBytes(decodeBase64Bytes(ascii(expected)), b);
    }
  });

  it('refuses every non-canonical spelling that atob would accept', () => {
    for (const s of ['QQ', 'QQ=', 'QR==', 'QUI', 'QUJ=', ' QUJD', 'QU JD', 'QUJD\n', 'QUJD====', '=QUJ', 'QU=D', 'Q===', 'QUJD-_', 'Ã']) {
      assertThrows(() => decodeBase64(s), Base64Error, JSON.stringify(s));
    }
    assertBytes(decodeBase64('QQ=='), Uint8Array.of(0x41));
  });
});

describe('PEM over bytes', () => {
  const der = Uint8Array.from({ length: 100 }, (_, i) => i);
  it('decodes LF and CRLF blocks with surrounding whitespace, by label', () => {
    for (const crlf of [false, true]) {
      const pem = new Uint8Array([...ascii('\n  '), ...pemOf('PRIVATE KEY', der, crlf), ...ascii('\n')]);
      const r = decodePem(pem, ['PRIVATE KEY', 'EC PRIVATE KEY']);
      assert.equal(r.label, 'PRIVATE KEY');
      assertBytes(r.der, der);
    }
    assert.equal(decodePem(pemOf('EC PRIVATE KEY', der), ['PRIVATE KEY', 'EC PRIVATE KEY']).label, 'EC PRIVATE KEY');
  });

  it('refuses other labels, mismatched END, headers, junk, bad base64', () => {
    const good = new TextDecoder().decode(pemOf('PRIVATE KEY', der));
    const bad = [
      good.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'),
      good.replace('END PRIVATE KEY', 'END EC PRIVATE KEY'),
      good.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n'),
      `${good}trailing`,
      `x${good}`,
      good.replace(/-----END[^\n]*\n/, ''),
      good.replace('A', '*'),
      good.replace('-----\n', '----- \n'),
    ];
    for (const t of bad) assertThrows(() => decodePem(ascii(t), ['PRIVATE KEY']), PemError, t.slice(0, 60));
  });
});

describe('SEC1 ECPrivateKey and PKCS#8', () => {
  it('a SEC1 key built by hand parses; its PKCS#8 imports into WebCrypto and signs for the same public key', async () => {
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const pair = (await c.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const jwk = await c.subtle.exportKey('jwk', pair.privateKey);
      const b = (s: string): Uint8Array => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (ch) => ch.charCodeAt(0));
      const point = new Uint8Array([4, ...b(jwk.x!), ...b(jwk.y!)]);
      const d = b(jwk.d!);
      const sec1 = tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x04, d), tlv(0xa0, OID_TLV[curve]), tlv(0xa1, tlv(0x03, Uint8Array.of(0), point)));
      const k = parseSec1(sec1);
      assert.equal(k.curve, curve);
      assertBytes(k.d, d);
      assertBytes(k.publicPoint!, point);
      // leading zeros stripped by some writers must still give the right key
      const pkcs8 = ecPkcs8(curve, new Uint8Array([0, 0, ...d]), point);
      const imported = await c.subtle.importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
      const data = ascii('sign me');
      const hash = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' }[curve];
      const sig = await c.subtle.sign({ name: 'ECDSA', hash }, imported, data);
      assert.isTrue(await c.subtle.verify({ name: 'ECDSA', hash }, pair.publicKey, sig, data));
    }
  });

  it('strict: version, tags, lengths, trailing bytes, unknown curves', () => {
    const d = new Uint8Array(32).fill(7);
    const ok = tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x04, d));
    assert.isUndefined(parseSec1(ok).curve);
    const bad = [
      tlv(0x30, tlv(0x02, Uint8Array.of(0)), tlv(0x04, d)),
      tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x03, d)),
      tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x04, new Uint8Array(0))),
      new Uint8Array([...ok, 0]),
      ok.subarray(0, ok.length - 1),
      tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x04, d), tlv(0xa0, tlv(0x06, Uint8Array.of(0x2b, 0x65, 0x70)))),
      tlv(0x30, tlv(0x02, Uint8Array.of(1)), tlv(0x04, d), tlv(0xa1, tlv(0x03, Uint8Array.of(1, 4)))),
      Uint8Array.of(0x30, 0x81, 0x05, 0x02, 0x01, 0x01, 0x04, 0x00),
    ];
    for (const b of bad) assertThrows(() => parseSec1(b), Sec1Error);
  });
});
