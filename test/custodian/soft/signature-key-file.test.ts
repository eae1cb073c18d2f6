import { describe, it, before, assert, assertBytes, assertRejects, browserScale } from '../../harness.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { CURVE_NAMES, ecdsaSign } from '../../../src/crypto/index.ts';
import { AdminNameError, buildAdminCertificate, parseAdminCertificate } from '../../../src/cryptounit/protocol/index.ts';
import { CustodianClosedError } from '../../../src/custodian/index.ts';
import {
  CorruptFileError, KDF_ITERATIONS, SoftAdminSigner, WeakPasswordError, WrongPasswordError, changeSignatureKeyPassword,
  createKeyPart, createSignatureKey, openSignatureKeyFile, parseSignatureKeyFile,
} from '../../../src/custodian/soft/index.ts';
import { NOBLE } from '../conformance/independent-kari.ts';
import { children, readOnly } from '../conformance/independent-der.ts';
import { asText, byteFlips, fromB64, parse, resealed, toB64, withChecksum } from './file-helpers.ts';
import { allZero, recordingCrypto } from './recording-crypto.ts';

const c = globalThis.crypto;
const TEST = { insecureIterationsForTests: 1000 };
const PASSWORD = 'open sesame 1';

/** Verify a SignerInfo from `signer` over `data` with noble and the certificate's key. */
async function verifiesUnderNoble(signer: { certificate: Uint8Array; curve: keyof typeof NOBLE; sign(d: Uint8Array): Promise<Uint8Array> }, data: Uint8Array): Promise<boolean> {
  const point = (await parseAdminCertificate(c, signer.certificate)).publicPoint;
  const items = children(readOnly(await signer.sign(data)).content);
  return NOBLE[signer.curve].verify(items[4].content, data, point, { format: 'der', lowS: false });
}

describe('webtke signature key files: round trips at the production KDF (600,000 iterations)', () => {
  for (const curve of CURVE_NAMES) {
    it(`${curve}: create, save, open with the password; a wrong password is refused`, async () => {
      const { text, signer } = await createSignatureKey(c, { name: `Admin ${curve}`, curve, password: PASSWORD });
      const f = parse(text);
      assert.deepEqual(Object.keys(f), ['format', 'version', 'name', 'curve', 'ski', 'certificate', 'kdf', 'cipher', 'checksum']);
      assert.equal(f.format, 'webtke-signature-key');
      assert.equal(f.version, 1);
      assert.equal(f.curve, curve);
      assert.deepEqual((f.kdf as { iterations: number }).iterations, 600_000);
      assert.equal(KDF_ITERATIONS, 600_000);
      assert.lengthOf(fromB64((f.kdf as { salt: string }).salt), 16);
      assert.lengthOf(fromB64((f.cipher as { iv: string }).iv), 12);
      const cert = await parseAdminCertificate(c, fromB64(f.certificate as string));
      assertBytes(fromB64(f.ski as string), sha256(cert.publicPoint));

      const opened = await openSignatureKeyFile(c, text, PASSWORD);
      assert.equal(opened.name, `Admin ${curve}`);
      assert.equal(opened.curve, curve);
      assertBytes(opened.ski, signer.ski);
      assertBytes(opened.certificate, signer.certificate);
      assert.equal(opened.origin, 'webtke-file');
      const block = c.getRandomValues(new Uint8Array(100));
      assert.isTrue(await verifiesUnderNoble(signer, block), 'the new signer signs');
      assert.isTrue(await verifiesUnderNoble(opened, block), 'the reopened signer signs for the same key');
      await assertRejects(openSignatureKeyFile(c, text, `${PASSWORD}x`), WrongPasswordError);
    });
  }

  it('P-521 is the default curve, and the default write is refused by nothing weaker', async () => {
    const { text, signer } = await createSignatureKey(c, { name: 'Default', password: PASSWORD }, TEST);
    assert.equal(signer.curve, 'P-521');
    assert.equal(parse(text).curve, 'P-521');
  });
});

describe('webtke signature key files: passwords, names, KDF policy', () => {
  let text: string;
  before(async () => {
    ({ text } = await createSignatureKey(c, { name: 'Policy', curve: 'P-256', password: PASSWORD }, TEST));
  });

  it('wrong passwords (near misses, empty, other normalization of the same letters) are WrongPasswordError', async () => {
    for (const pw of ['open sesame 2', 'Open sesame 1', '', 'open sesame 1 ']) {
      const e = await assertRejects(openSignatureKeyFile(c, text, pw, TEST), WrongPasswordError, pw);
      assert.isUndefined(e.retriesLeft, 'files count no retries');
    }
    assert.equal((await openSignatureKeyFile(c, text, PASSWORD, TEST)).name, 'Policy');
  });

  it('passwords are NFC-normalized: é typed composed or decomposed opens the same file', async () => {
    const composed = 'caf\u00e9 au lait';
    const { text: t } = await createSignatureKey(c, { name: 'Unicode', curve: 'P-256', password: composed }, TEST);
    assert.equal((await openSignatureKeyFile(c, t, 'cafe\u0301 au lait', TEST)).name, 'Unicode');
  });

  it('the production path refuses a file with fewer than 600,000 iterations as corrupt/weak', async () => {
    const e = await assertRejects(openSignatureKeyFile(c, text, PASSWORD), CorruptFileError);
    assert.equal(e.field, 'kdf.iterations');
    assert.match(e.message, /too weak/);
    await assertRejects(parseSignatureKeyFile(c, text, { insecureIterationsForTests: 1001 }), CorruptFileError);
    await assertRejects(parseSignatureKeyFile(c, text, {}), CorruptFileError);
  });

  it('names must be 1–30 characters; passwords at least 8; trailing spaces are trimmed', async () => {
    await assertRejects(createSignatureKey(c, { name: '', password: PASSWORD }, TEST), AdminNameError);
    await assertRejects(createSignatureKey(c, { name: 'x'.repeat(31), password: PASSWORD }, TEST), AdminNameError);
    await assertRejects(createSignatureKey(c, { name: 'ok', password: 'short' }, TEST), WeakPasswordError);
    const { signer, text: t } = await createSignatureKey(c, { name: `${'y'.repeat(30)}   `, curve: 'P-256', password: PASSWORD }, TEST);
    assert.equal(signer.name, 'y'.repeat(30));
    assert.equal(parse(t).name, 'y'.repeat(30));
  });

  it('changing the password re-encrypts the same key and certificate', async () => {
    const t2 = await changeSignatureKeyPassword(c, text, PASSWORD, 'another password', TEST);
    const a = await openSignatureKeyFile(c, text, PASSWORD, TEST);
    const b = await openSignatureKeyFile(c, t2, 'another password', TEST);
    assertBytes(b.ski, a.ski);
    assertBytes(b.certificate, a.certificate);
    await assertRejects(openSignatureKeyFile(c, t2, PASSWORD, TEST), WrongPasswordError);
    assert.notEqual(parse(t2).cipher, parse(text).cipher);
  });

  it('close() drops the key; signers refuse extractable keys', async () => {
    const s = await openSignatureKeyFile(c, text, PASSWORD, TEST);
    s.close();
    assert.isTrue(s.closed);
    await assertRejects(s.sign(Uint8Array.of(1)), CustodianClosedError);
    const pair = await c.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const cert = await parseAdminCertificate(c, s.certificate);
    assert.throws(() => new SoftAdminSigner(c, cert, pair.privateKey, 'webtke-file'), TypeError);
  });

  it('opening imports the key non-extractable and wipes the decrypted PKCS#8 and the password bytes', async () => {
    const rec = recordingCrypto(c);
    await openSignatureKeyFile(rec.crypto, text, PASSWORD, TEST);
    const pkcs8 = rec.calls.filter((x) => x.method === 'importKey' && x.args[0] === 'pkcs8');
    assert.lengthOf(pkcs8, 1);
    assert.isFalse(pkcs8[0].args[3] as boolean, 'imported with extractable = false');
    assert.isTrue(allZero(pkcs8[0].args[1] as Uint8Array), 'the PKCS#8 bytes are zero afterwards');
    const decrypted = rec.calls.filter((x) => x.method === 'decrypt');
    assert.lengthOf(decrypted, 1);
    assert.isAbove((decrypted[0].result as ArrayBuffer).byteLength, 32);
    assert.isTrue(allZero(decrypted[0].result as ArrayBuffer), 'the decrypted buffer is zero afterwards');
    const pw = rec.calls.filter((x) => x.method === 'importKey' && (x.args[2] === 'PBKDF2'));
    assert.lengthOf(pw, 1);
    assert.isTrue(allZero(pw[0].args[1] as Uint8Array), 'the password bytes are zero afterwards');
    const derived = rec.calls.filter((x) => x.method === 'importKey' && x.args[2] === 'AES-GCM');
    assert.isTrue(allZero(derived[0].args[1] as Uint8Array), 'the PBKDF2 output is zero afterwards');
  });
});

describe('webtke signature key files: damage and forgery', () => {
  let text: string;
  let ski: Uint8Array;
  before(async () => {
    const r = await createSignatureKey(c, { name: 'Flip Me', curve: 'P-384', password: PASSWORD }, TEST);
    text = r.text;
    ski = r.signer.ski;
  });

  it('every byte flipped in turn (XOR 01, and XOR 80 on a sample) is a CorruptFileError naming a field', async () => {
    const variants = [...byteFlips(text, 0x01), ...byteFlips(text, 0x80, browserScale(1, 7))];
    const fields = new Map<string, number>();
    for (const v of variants) {
      let e: unknown;
      try {
        await openSignatureKeyFile(c, v.text, PASSWORD, TEST);
      } catch (err) {
        e = err;
      }
      assert.instanceOf(e, CorruptFileError, `byte ${v.index}: ${(e as Error)?.message ?? 'opened!'}`);
      const field = (e as CorruptFileError).field;
      assert.isString(field);
      assert.isAbove(field.length, 0);
      fields.set(field, (fields.get(field) ?? 0) + 1);
    }
    // the damage is found where it is: each public field, and the checksum for the sealed parts
    for (const f of ['json', 'format', 'version', 'name', 'curve', 'ski', 'certificate', 'checksum']) {
      assert.isTrue(fields.has(f), `some flip is reported as ${f}`);
    }
    assert.isAbove(variants.length, 1000);
    // and the untouched file still opens, for the same key
    assertBytes((await openSignatureKeyFile(c, text, PASSWORD, TEST)).ski, ski);
  });

  it('format, version and field errors name the field', async () => {
    const f = parse(text);
    const cases: [Record<string, unknown> | string, string][] = [
      ['not json', 'json'],
      ['[1,2]', 'json'],
      [{ ...f, format: 'webtke-key-part' }, 'format'],
      [{ ...f, format: 'something' }, 'format'],
      [{ ...f, version: 2 }, 'version'],
      [{ ...f, extra: 1 }, 'extra'],
      [{ ...f, kdf: { ...(f.kdf as object), name: 'PBKDF2-SHA1' } }, 'kdf.name'],
      [{ ...f, kdf: { ...(f.kdf as object), iterations: 1e9 } }, 'kdf.iterations'],
      [{ ...f, kdf: { ...(f.kdf as object), iterations: 1000.5 } }, 'kdf.iterations'],
      [{ ...f, kdf: { ...(f.kdf as object), salt: 'AAAA' } }, 'kdf.salt'],
      [{ ...f, cipher: { ...(f.cipher as object), iv: 'AAAAAAAAAAAA' } }, 'cipher.iv'],
      [{ ...f, cipher: { ...(f.cipher as object), mode: 'x' } }, 'cipher.mode'],
      // 'B' before the final '=' leaves non-zero unused bits: never a canonical spelling
      [{ ...f, ski: `${(f.ski as string).slice(0, -2)}B=` }, 'ski'],
      [{ ...f, ski: toB64(new Uint8Array(32).fill(7)) }, 'ski'],
      [{ ...f, ski: ` ${f.ski as string}` }, 'ski'],
      [{ ...f, curve: 'P-224' }, 'curve'],
      [{ ...f, curve: 'P-256' }, 'curve'],
      [{ ...f, name: 'Someone Else' }, 'name'],
      [{ ...f, certificate: 'MAA=' }, 'certificate'],
      [{ keyType: 'p521ec', ski: '00', seaSalt: '00', enckey: '00' }, 'format'],
      ['x'.repeat(70000), 'file'],
    ];
    for (const [v, field] of cases) {
      const t = typeof v === 'string' ? v : asText(v);
      const e = await assertRejects(openSignatureKeyFile(c, t, PASSWORD, TEST), CorruptFileError, field);
      assert.equal(e.field, field, e.message);
    }
    const part = await createKeyPart(c, { description: 'a part', password: PASSWORD }, TEST);
    const e = await assertRejects(openSignatureKeyFile(c, part.text, PASSWORD, TEST), CorruptFileError);
    assert.match(e.message, /key part file/);
  });

  it('forged files whose checksum was recomputed never open to a wrong key', async () => {
    const f = parse(text);
    // another admin's certificate, name and SKI over this file's ciphertext: the AAD differs
    const other = parse((await createSignatureKey(c, { name: 'Mallory', curve: 'P-384', password: PASSWORD }, TEST)).text);
    const swapped = withChecksum({ ...f, name: other.name, ski: other.ski, certificate: other.certificate });
    await assertRejects(openSignatureKeyFile(c, asText(swapped), PASSWORD, TEST), WrongPasswordError);
    // a changed iteration count
    const iters = withChecksum({ ...f, kdf: { ...(f.kdf as object), iterations: 1001 } });
    await assertRejects(openSignatureKeyFile(c, asText(iters), PASSWORD, TEST), WrongPasswordError);
    // a correctly encrypted, correctly bound, but different private key: the self-test catches it
    const pair = await c.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
    const strangerPkcs8 = new Uint8Array(await c.subtle.exportKey('pkcs8', pair.privateKey));
    const forged = await resealed(f, PASSWORD, strangerPkcs8);
    const e = await assertRejects(openSignatureKeyFile(c, asText(forged), PASSWORD, TEST), CorruptFileError);
    assert.equal(e.field, 'cipher.ciphertext');
    // a P-256 key in a P-384 file
    const p256 = await c.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const wrongCurve = await resealed(f, PASSWORD, new Uint8Array(await c.subtle.exportKey('pkcs8', p256.privateKey)));
    assert.equal((await assertRejects(openSignatureKeyFile(c, asText(wrongCurve), PASSWORD, TEST), CorruptFileError)).field, 'cipher.ciphertext');
    // the forgery helper is faithful: the stranger key with its own certificate, sealed the same way, opens
    const point = new Uint8Array(await c.subtle.exportKey('raw', pair.publicKey));
    const cert = await buildAdminCertificate(c, {
      name: 'Stranger', curve: 'P-384', publicPoint: point, sign: (tbs) => ecdsaSign(c, 'P-384', pair.privateKey, tbs),
    });
    const own = await resealed({ ...f, name: 'Stranger', ski: toB64(sha256(point)), certificate: toB64(cert) }, PASSWORD, strangerPkcs8);
    const opened = await openSignatureKeyFile(c, asText(own), PASSWORD, TEST);
    assertBytes(opened.ski, sha256(point));
  });
});
