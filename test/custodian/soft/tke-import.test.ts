import { describe, it, before, assert, assertBytes, assertRejects, browserScale } from '../../harness.ts';
import { parseAdminCertificate } from '../../../src/cryptounit/protocol/index.ts';
import { WrongSecretError } from '../../../src/custodian/index.ts';
import {
  CorruptFileError, LegacyRsaKeyError, TKE_KDF_ITERATIONS, WrongPasswordError, convertTkeSignatureKeyFile,
  createSignatureKey, importTkeSignatureKey, importTkeSignatureKeyFile, openSignatureKeyFile,
} from '../../../src/custodian/soft/index.ts';
import { NOBLE } from '../conformance/independent-kari.ts';
import { children, readOnly } from '../conformance/independent-der.ts';
import { byteFlips, parse } from './file-helpers.ts';
import { makeTkeFile, type TkeFixture } from './tke-fixture.ts';
import { allZero, rawImports, recordingCrypto } from './recording-crypto.ts';

const c = globalThis.crypto;
const PASSWORD = 'ibm tke password';
const TEST = { insecureIterationsForTests: 1000 };

async function signsFor(signer: { sign(d: Uint8Array): Promise<Uint8Array> }, point: Uint8Array): Promise<boolean> {
  const data = c.getRandomValues(new Uint8Array(80));
  const items = children(readOnly(await signer.sign(data)).content);
  return NOBLE['P-521'].verify(items[4].content, data, point, { format: 'der', lowS: false });
}

describe('IBM TKE CLI signature key files: import', () => {
  let fx: TkeFixture;
  before(async () => {
    fx = await makeTkeFile({ password: PASSWORD });
  });

  it('imports (two-argument form): SKI of the file, a webtke certificate for the key, signatures verify', async () => {
    assert.equal(TKE_KDF_ITERATIONS, 4096);
    const signer = await importTkeSignatureKeyFile(fx.text, PASSWORD);
    assertBytes(signer.ski, fx.ski);
    assert.equal(signer.curve, 'P-521');
    assert.equal(signer.origin, 'ibm-tke-file');
    const hex = Array.from(fx.ski.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
    assert.equal(signer.name, `IBM TKE ${hex}`);
    const cert = await parseAdminCertificate(c, signer.certificate);
    assertBytes(cert.publicPoint, fx.point);
    assert.isTrue(await signsFor(signer, fx.point));
    const named = await importTkeSignatureKey(c, fx.text, PASSWORD, { name: 'Carol' });
    assert.equal(named.name, 'Carol');
  });

  it('the decrypted PEM and the PKCS#8 are wiped; the key is imported non-extractable', async () => {
    const rec = recordingCrypto(c);
    const signer = await importTkeSignatureKey(rec.crypto, fx.text, PASSWORD);
    assertBytes(signer.ski, fx.ski);
    const decrypted = rec.calls.filter((x) => x.method === 'decrypt');
    assert.lengthOf(decrypted, 1);
    assert.isAbove((decrypted[0].result as ArrayBuffer).byteLength, 300, 'the PEM');
    assert.isTrue(allZero(decrypted[0].result as ArrayBuffer), 'the PEM is zero afterwards');
    const pkcs8 = rec.calls.filter((x) => x.method === 'importKey' && x.args[0] === 'pkcs8');
    assert.lengthOf(pkcs8, 1);
    assert.isFalse(pkcs8[0].args[3] as boolean);
    assert.isTrue(allZero(pkcs8[0].args[1] as Uint8Array), 'the PKCS#8 is zero afterwards');
    assert.isTrue(allZero(rawImports(rec.calls, 'PBKDF2')[0]), 'the password bytes are zero afterwards');
  });

  it('a wrong password is WrongPasswordError', async () => {
    const e = await assertRejects(importTkeSignatureKey(c, fx.text, 'ibm tke passworD'), WrongPasswordError);
    assert.instanceOf(e, WrongSecretError);
  });

  it('legacy RSA files are refused with a clear message', async () => {
    const f = parse(fx.text);
    for (const t of [JSON.stringify({ ...f, keyType: 'rsa2048' }), JSON.stringify({ ski: f.ski, seaSalt: f.seaSalt, enckey: f.enckey })]) {
      const e = await assertRejects(importTkeSignatureKey(c, t, PASSWORD), LegacyRsaKeyError);
      assert.include(e.message, 'legacy RSA keys are not supported');
    }
  });

  it('variants other tools write: upper-case hex, CRLF PEM, "EC PRIVATE KEY" label, no curve parameters', async () => {
    for (const o of [{ upperHex: true }, { crlf: true }, { pemLabel: 'EC PRIVATE KEY' }, { omitParameters: true }]) {
      const v = await makeTkeFile({ password: PASSWORD, ...o });
      const s = await importTkeSignatureKey(c, v.text, PASSWORD);
      assertBytes(s.ski, v.ski, JSON.stringify(o));
      assert.isTrue(await signsFor(s, v.point));
    }
  });

  it('what the file may not hold: a key without its public half, another curve, another PEM, extra fields', async () => {
    const cases: [Parameters<typeof makeTkeFile>[0], string][] = [
      [{ password: PASSWORD, omitPublicKey: true }, 'enckey'],
      [{ password: PASSWORD, curve: 'P-256' }, 'enckey'],
      [{ password: PASSWORD, pemLabel: 'RSA PRIVATE KEY' }, 'enckey'],
      [{ password: PASSWORD, pemBody: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00) }, 'enckey'],
      [{ password: PASSWORD, extraFields: { name: 'Dave' } }, 'name'],
      [{ password: PASSWORD, keyType: 'p384ec' }, 'keyType'],
    ];
    for (const [o, field] of cases) {
      const v = await makeTkeFile(o);
      const e = await assertRejects(importTkeSignatureKey(c, v.text, PASSWORD), CorruptFileError, JSON.stringify(o));
      assert.equal(e.field, field, e.message);
    }
    const webtke = await createSignatureKey(c, { name: 'W', curve: 'P-256', password: PASSWORD }, TEST);
    assert.equal((await assertRejects(importTkeSignatureKey(c, webtke.text, PASSWORD), CorruptFileError)).field, 'format');
  });

  it('the SKI must be the key\'s own', async () => {
    const f = parse(fx.text);
    const ski = f.ski as string;
    const t = JSON.stringify({ ...f, ski: (ski[0] === '0' ? '1' : '0') + ski.slice(1) });
    const e = await assertRejects(importTkeSignatureKey(c, t, PASSWORD), CorruptFileError);
    assert.equal(e.field, 'ski');
  });

  it('every byte flipped in turn is a typed error and never a different key', async () => {
    const variants = byteFlips(fx.text, 0x01, browserScale(1, 3));
    let corrupt = 0;
    let wrongPassword = 0;
    for (const v of variants) {
      try {
        const s = await importTkeSignatureKey(c, v.text, PASSWORD);
        assertBytes(s.ski, fx.ski, `byte ${v.index} opened to a different key`);
        assert.fail(`byte ${v.index}: a changed file opened`);
      } catch (e) {
        if (e instanceof CorruptFileError) corrupt++;
        else if (e instanceof WrongPasswordError) wrongPassword++;
        else throw e;
      }
    }
    assert.isAbove(corrupt, 0);
    assert.isAbove(wrongPassword, 0, 'seaSalt and enckey damage cannot be told from a wrong password');
    assert.equal(corrupt + wrongPassword, variants.length);
  });

  it('re-save as a webtke file: a new password, the same key, a strong KDF', async () => {
    const { text, signer } = await convertTkeSignatureKeyFile(c, fx.text, PASSWORD, { name: 'Erin', newPassword: 'a new strong one' }, TEST);
    assert.equal(signer.origin, 'webtke-file');
    assertBytes(signer.ski, fx.ski);
    const reopened = await openSignatureKeyFile(c, text, 'a new strong one', TEST);
    assert.equal(reopened.name, 'Erin');
    assertBytes(reopened.ski, fx.ski);
    assert.isTrue(await signsFor(reopened, fx.point));
    await assertRejects(convertTkeSignatureKeyFile(c, fx.text, 'wrong', { newPassword: 'a new strong one' }, TEST), WrongPasswordError);
    // by default the re-saved file has the production KDF
    const prod = await convertTkeSignatureKeyFile(c, fx.text, PASSWORD, { newPassword: 'a new strong one' });
    assert.equal((parse(prod.text).kdf as { iterations: number }).iterations, 600_000);
  });
});
