import { describe, it, assert, assertThrows, bytesOf, readRepo } from '../harness.ts';
import { hostedPolicy, hostHeaderPolicy, serializePolicy, sha256Source, singleFilePolicy } from '../../src/security/csp.ts';

const HOSTED =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; " +
  "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; connect-src 'self'; " +
  "require-trusted-types-for 'script'; trusted-types lit-html default";

describe('security/csp: the builds\' Content-Security-Policy', () => {
  it('hosted build: everything from self, nothing inline, connect-src self plus the unit origins', () => {
    assert.equal(serializePolicy(hostedPolicy([])), HOSTED);
    assert.equal(
      serializePolicy(hostedPolicy(['https://a.example', 'https://b.example:8443'])),
      HOSTED.replace("connect-src 'self'", "connect-src 'self' https://a.example https://b.example:8443"),
    );
  });

  it('single file: inline code only by hash, blob: workers, no self, connect-src none without units', () => {
    const p = serializePolicy(singleFilePolicy({ scriptHashes: ["'sha256-AAAA'"], styleHashes: [], unitOrigins: [] }));
    assert.equal(
      p,
      "default-src 'none'; script-src 'sha256-AAAA'; style-src 'none'; img-src data:; worker-src blob:; object-src 'none'; " +
        "base-uri 'none'; form-action 'none'; frame-src 'none'; connect-src 'none'; require-trusted-types-for 'script'; " +
        'trusted-types lit-html default',
    );
    const withUnits = new Map(singleFilePolicy({ scriptHashes: [], styleHashes: ["'sha256-B'"], unitOrigins: ['https://a.example'] }));
    assert.deepEqual(withUnits.get('connect-src'), ['https://a.example']);
    assert.deepEqual(withUnits.get('script-src'), ["'none'"]);
    assert.deepEqual(withUnits.get('style-src'), ["'sha256-B'"]);
  });

  it('the host header adds frame-ancestors, which a <meta> cannot carry', () => {
    assert.equal(serializePolicy(hostHeaderPolicy([])), `${HOSTED}; frame-ancestors 'none'`);
  });

  it('hash sources are base64 SHA-256 (the empty string\'s digest, from FIPS 180-4 examples)', () => {
    const emptyDigest = bytesOf('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Source(emptyDigest), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    assertThrows(() => sha256Source(new Uint8Array(31)), RangeError);
  });

  it('docs/builds.md shows exactly the header policy the code defines', async () => {
    const doc = new TextDecoder().decode(await readRepo('docs/builds.md'));
    assert.include(doc, `Content-Security-Policy: ${serializePolicy(hostHeaderPolicy([]))}`);
  });
});
