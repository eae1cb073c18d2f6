import { describe, it, before, assert, assertBytes, assertRejects, browserScale } from '../../harness.ts';
import { InvalidImporterKeyError, UnknownPartError, formatKeyPartListing, keyPartListing, vpDisplay } from '../../../src/custodian/index.ts';
import {
  CorruptFileError, DuplicatePartError, KeyPartDescriptionError, KeyPartValueError, SoftKeyPartHolder, WeakPasswordError,
  WrongPasswordError, createKeyPart, createSignatureKey, parseKeyPartFile,
} from '../../../src/custodian/soft/index.ts';
import { independentVp, newTestImporter, openEnvelopeIndependently } from '../conformance/independent-kari.ts';
import { asText, byteFlips, fromB64, parse, resealed, withChecksum } from './file-helpers.ts';
import { allZero, rawImports, recordingCrypto } from './recording-crypto.ts';

const c = globalThis.crypto;
const TEST = { insecureIterationsForTests: 1000 };
const PASSWORD = 'custodian pw 7';
const VALUE = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const hexBytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));

describe('webtke key part files: round trips at the production KDF (600,000 iterations)', () => {
  it('a random part: file, listing, and a wrap that unwraps independently to a part with the file\'s VP', async () => {
    const { text, info } = await createKeyPart(c, { description: 'MK part 1 (Alice)', password: PASSWORD });
    const f = parse(text);
    assert.deepEqual(Object.keys(f), ['format', 'version', 'id', 'description', 'vp', 'kdf', 'cipher', 'checksum']);
    assert.equal(f.format, 'webtke-key-part');
    assert.equal((f.kdf as { iterations: number }).iterations, 600_000);
    assert.lengthOf(fromB64((f.cipher as { ciphertext: string }).ciphertext), 48, '32-byte part + 16-byte tag');
    assertBytes(fromB64(f.vp as string), info.vp);
    assert.match(info.id, /^[0-9a-f]{32}$/);
    const holder = new SoftKeyPartHolder(c);
    const loaded = await holder.addFile(text);
    assert.deepEqual({ ...loaded, vp: [...loaded.vp] }, { ...info, vp: [...info.vp] });
    const importer = newTestImporter('P-521');
    const env = await holder.wrapForImporter(info.id, importer.spki, PASSWORD);
    const part = openEnvelopeIndependently(importer, env).part!;
    assertBytes(independentVp(part), info.vp);
    await assertRejects(holder.wrapForImporter(info.id, importer.spki, 'custodian pw 8'), WrongPasswordError);
  });
});

describe('webtke key part files', () => {
  let typed: { text: string; id: string };
  before(async () => {
    const r = await createKeyPart(c, { description: 'typed part', password: PASSWORD, value: VALUE }, TEST);
    typed = { text: r.text, id: r.info.id };
  });

  it('a typed value (tke mk-add --value): VP computed independently, envelope unwraps to the value', async () => {
    const holder = new SoftKeyPartHolder(c, TEST);
    const info = await holder.addFile(typed.text);
    assertBytes(info.vp, independentVp(hexBytes(VALUE)));
    const importer = newTestImporter('P-256');
    assertBytes(openEnvelopeIndependently(importer, await holder.wrapForImporter(info.id, importer.spki, PASSWORD)).part!, hexBytes(VALUE));
    // spaced, colon-separated and upper-case spellings give the same part
    const spaced = VALUE.toUpperCase().match(/../g)!.join(' ');
    const colons = VALUE.match(/../g)!.join(':');
    for (const v of [spaced, colons]) {
      const r = await createKeyPart(c, { description: 'same', password: PASSWORD, value: v }, TEST);
      assertBytes(r.info.vp, info.vp);
    }
  });

  it('typed values must be 64 hex digits and not all zero; descriptions 1–128 characters; passwords 8+', async () => {
    for (const v of [VALUE.slice(2), `${VALUE}00`, `${VALUE.slice(1)}g`, '0'.repeat(64), '']) {
      await assertRejects(createKeyPart(c, { description: 'x', password: PASSWORD, value: v }, TEST), KeyPartValueError, v);
    }
    for (const d of ['', '   ', 'x'.repeat(129), 'tab\there', 'new\nline']) {
      await assertRejects(createKeyPart(c, { description: d, password: PASSWORD }, TEST), KeyPartDescriptionError, JSON.stringify(d));
    }
    assert.equal((await createKeyPart(c, { description: 'é'.repeat(128), password: PASSWORD }, TEST)).info.description.length, 128);
    await assertRejects(createKeyPart(c, { description: 'x', password: '1234567' }, TEST), WeakPasswordError);
  });

  it('listing shows each VP in grouped hex', async () => {
    const holder = new SoftKeyPartHolder(c, TEST);
    await holder.addFile(typed.text);
    const r2 = await createKeyPart(c, { description: 'second', password: PASSWORD }, TEST);
    await holder.addFile(r2.text);
    const parts = await holder.parts();
    assert.lengthOf(parts, 2);
    const vp = independentVp(hexBytes(VALUE));
    const hex = Array.from(vp, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
    const expected = `${hex.slice(0, 4)} ${hex.slice(4, 8)} ${hex.slice(8, 12)} ${hex.slice(12, 16)} ${hex.slice(16, 20)} ${hex.slice(20, 24)} ${hex.slice(24, 28)} ${hex.slice(28, 32)} ${hex.slice(32, 36)} ${hex.slice(36, 40)} ${hex.slice(40, 44)} ${hex.slice(44, 48)} ${hex.slice(48, 52)} ${hex.slice(52, 56)} 0000 0000`;
    assert.equal(vpDisplay(vp), expected);
    const rows = keyPartListing(parts);
    assert.deepEqual(rows[0], { id: typed.id, description: 'typed part', vp: expected });
    assert.equal(formatKeyPartListing(parts).split('\n')[0], `typed part  VP ${expected}`);
  });

  it('one holder: duplicates refused, removal, unknown ids, bad importer keys checked before the password', async () => {
    const holder = new SoftKeyPartHolder(c, TEST);
    await holder.addFile(typed.text);
    await assertRejects(holder.addFile(typed.text), DuplicatePartError);
    await assertRejects(holder.wrapForImporter('0'.repeat(32), newTestImporter('P-256').spki, PASSWORD), UnknownPartError);
    const rec = recordingCrypto(c);
    const h2 = new SoftKeyPartHolder(rec.crypto, TEST);
    await h2.addFile(typed.text);
    await assertRejects(h2.wrapForImporter(typed.id, Uint8Array.of(1, 2, 3), 'not even the password'), InvalidImporterKeyError);
    assert.isFalse(rec.calls.some((x) => x.method === 'deriveBits' || x.method === 'decrypt'), 'no PBKDF2 and no decryption ran');
    await assertRejects(h2.wrapForImporters(typed.id, [], PASSWORD), RangeError);
    assert.isTrue(holder.remove(typed.id));
    assert.isFalse(holder.remove(typed.id));
    assert.lengthOf(await holder.parts(), 0);
  });

  it('the production path refuses a weak file', async () => {
    const e = await assertRejects(new SoftKeyPartHolder(c).addFile(typed.text), CorruptFileError);
    assert.equal(e.field, 'kdf.iterations');
  });

  it('wrapForImporter(s) wipe the clear part and the password bytes, on success and on failure', async () => {
    const rec = recordingCrypto(c);
    const holder = new SoftKeyPartHolder(rec.crypto, TEST);
    await holder.addFile(typed.text);
    const units = [newTestImporter('P-521'), newTestImporter('P-256')];
    const envs = await holder.wrapForImporters(typed.id, units.map((u) => u.spki), PASSWORD);
    for (let i = 0; i < 2; i++) assertBytes(openEnvelopeIndependently(units[i], envs[i]).part!, hexBytes(VALUE));
    // AES-KW receives the part as the raw bytes of an HMAC key: the very buffer we decrypted
    const handed = rawImports(rec.calls, 'HMAC');
    assert.lengthOf(handed, 2);
    assert.strictEqual(handed[0], handed[1], 'one clear copy for both units');
    assert.lengthOf(handed[0], 32);
    assert.isTrue(allZero(handed[0]), 'the clear part is zero once the call returned');
    const decrypted = rec.calls.filter((x) => x.method === 'decrypt').map((x) => x.result as ArrayBuffer);
    assert.lengthOf(decrypted, 1);
    assert.isTrue(allZero(decrypted[0]));
    assert.isTrue(allZero(rawImports(rec.calls, 'PBKDF2')[0]), 'the password bytes are zero');

    const failing = recordingCrypto(c, 'wrapKey');
    const h2 = new SoftKeyPartHolder(failing.crypto, TEST);
    await h2.addFile(typed.text);
    await assertRejects(h2.wrapForImporter(typed.id, units[0].spki, PASSWORD), Error);
    const handed2 = rawImports(failing.calls, 'HMAC');
    assert.lengthOf(handed2, 1);
    assert.isTrue(allZero(handed2[0]), 'the clear part is zero after a failed wrap too');
  });

  it('every byte flipped in turn is a CorruptFileError naming a field', async () => {
    const variants = [...byteFlips(typed.text, 0x01), ...byteFlips(typed.text, 0x80, browserScale(1, 5))];
    const fields = new Set<string>();
    for (const v of variants) {
      const holder = new SoftKeyPartHolder(c, TEST);
      let e: unknown;
      try {
        await holder.addFile(v.text);
      } catch (err) {
        e = err;
      }
      assert.instanceOf(e, CorruptFileError, `byte ${v.index}: ${(e as Error)?.message ?? 'loaded!'}`);
      fields.add((e as CorruptFileError).field);
    }
    // a changed description or salt still reads well: the checksum finds those
    for (const f of ['json', 'format', 'version', 'id', 'vp', 'checksum']) assert.isTrue(fields.has(f), f);
  });

  it('forged files (checksum recomputed) never give a wrong part', async () => {
    const f = parse(typed.text);
    const holder = new SoftKeyPartHolder(c, TEST);
    // another description or VP over the same ciphertext: bound by the AAD
    for (const change of [{ description: 'renamed' }, { vp: parse((await createKeyPart(c, { description: 'o', password: PASSWORD }, TEST)).text).vp }]) {
      const forged = withChecksum({ ...f, ...change, id: 'ab'.repeat(16) });
      await holder.addFile(asText(forged));
      await assertRejects(holder.wrapForImporter('ab'.repeat(16), newTestImporter('P-256').spki, PASSWORD), WrongPasswordError);
      holder.remove('ab'.repeat(16));
    }
    // properly sealed and bound, but the part does not have the file's VP
    const other = c.getRandomValues(new Uint8Array(32));
    const forged = await resealed({ ...f, id: 'cd'.repeat(16) }, PASSWORD, other);
    await holder.addFile(asText(forged));
    const e = await assertRejects(holder.wrapForImporter('cd'.repeat(16), newTestImporter('P-256').spki, PASSWORD), CorruptFileError);
    assert.equal(e.field, 'vp');
    // the helper is faithful: the same forgery with the right part opens
    const good = await resealed({ ...f, id: 'ef'.repeat(16) }, PASSWORD, hexBytes(VALUE) as Uint8Array<ArrayBuffer>);
    await holder.addFile(asText(good));
    const importer = newTestImporter('P-256');
    assertBytes(openEnvelopeIndependently(importer, await holder.wrapForImporter('ef'.repeat(16), importer.spki, PASSWORD)).part!, hexBytes(VALUE));
  });

  it('file kinds are told apart', async () => {
    const sig = await createSignatureKey(c, { name: 'Not a part', curve: 'P-256', password: PASSWORD }, TEST);
    const e = await assertRejects(parseKeyPartFile(c, sig.text, TEST), CorruptFileError);
    assert.equal(e.field, 'format');
    assert.match(e.message, /signature key file/);
  });
});
