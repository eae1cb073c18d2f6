import { describe, it, assert, bytesOf, hexOf, readSharedText, assertRejects } from '../harness.ts';
import { loadWycheproof } from './wycheproof.ts';
import {
  aesKwWrap, aesKwUnwrap, aesGcmEncrypt, aesGcmDecrypt, importAesGcmKey, CryptoAuthError, CryptoFormatError,
} from '../../src/crypto/index.ts';

const c = globalThis.crypto;

/** Parse a botan-style .vec file: "Key = value" lines, blank-line separated records, [SECTION] headers. */
function parseVec(text: string): { section: string; fields: Record<string, string> }[] {
  const out: { section: string; fields: Record<string, string> }[] = [];
  let section = '';
  let cur: Record<string, string> = {};
  const flush = (): void => {
    if (Object.keys(cur).length) out.push({ section, fields: cur });
    cur = {};
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line === '') { flush(); continue; }
    const sec = /^\[(.*)\]$/.exec(line);
    if (sec) { flush(); section = sec[1]; continue; }
    const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (m) cur[m[1]] = m[2];
  }
  flush();
  return out;
}

describe('AES key wrap', () => {
  it('Wycheproof aes_wrap_test.json: every valid wraps and unwraps, every invalid is refused', async () => {
    const f = await loadWycheproof('aes_wrap_test.json');
    const wrong: string[] = [];
    let n = 0;
    for (const g of f.testGroups) {
      if (g.keySize === 192) continue; // Chromium's WebCrypto has no AES-192; webtke uses AES-256 only
      for (const t of g.tests) {
        n++;
        const key = bytesOf(t.key as string);
        const msg = bytesOf(t.msg as string);
        const ct = bytesOf(t.ct as string);
        let unwrapped: Uint8Array | undefined;
        try { unwrapped = await aesKwUnwrap(c, key, ct); } catch (e) {
          if (!(e instanceof CryptoAuthError || e instanceof CryptoFormatError)) throw e;
        }
        if (t.result === 'valid') {
          const wrapped = await aesKwWrap(c, key, msg);
          if (hexOf(wrapped) !== t.ct) wrong.push(`tc ${t.tcId} wrap mismatch`);
          if (!unwrapped || hexOf(unwrapped) !== t.msg) wrong.push(`tc ${t.tcId} unwrap mismatch`);
        } else if (t.result === 'invalid' && unwrapped) {
          wrong.push(`tc ${t.tcId} (${t.comment}) invalid but unwrapped`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.isAbove(n, 100);
  });

  it('RFC 3394 vectors (shared/vectors/kdf/rfc3394.vec)', async () => {
    const recs = parseVec(await readSharedText('vectors/kdf/rfc3394.vec'));
    assert.equal(recs.length, 6);
    for (const { fields } of recs) {
      if (fields.KEK.length === 48) continue; // AES-192: not in Chromium's WebCrypto
      const out = await aesKwWrap(c, bytesOf(fields.KEK), bytesOf(fields.Key));
      assert.equal(hexOf(out), fields.Output.toLowerCase());
      assert.equal(hexOf(await aesKwUnwrap(c, bytesOf(fields.KEK), out)), fields.Key.toLowerCase());
    }
  });

  it('NIST KW unwrap inputs that must fail authentication', async () => {
    const recs = parseVec(await readSharedText('vectors/kdf/nist_key_wrap_invalid.vec')).filter((r) => r.section === 'KW');
    assert.isAbove(recs.length, 0);
    let tried = 0;
    for (const { fields } of recs) {
      const kek = bytesOf(fields.Key);
      if (kek.length === 24) continue;
      tried++;
      await assertRejects(aesKwUnwrap(c, kek, bytesOf(fields.Input)), Error);
    }
    assert.isAbove(tried, 0);
  });

  it('refuses a wrong KEK and changed data with CryptoAuthError', async () => {
    const kek = c.getRandomValues(new Uint8Array(32));
    const data = c.getRandomValues(new Uint8Array(32));
    const w = await aesKwWrap(c, kek, data);
    assert.equal(w.length, 40);
    const other = kek.slice(); other[0] ^= 1;
    await assertRejects(aesKwUnwrap(c, other, w), CryptoAuthError);
    const bad = w.slice(); bad[39] ^= 0x80;
    await assertRejects(aesKwUnwrap(c, kek, bad), CryptoAuthError);
  });
});

describe('AES-256-GCM (Wycheproof)', () => {
  it('every 256-bit-key case with a 96-bit IV and a 128-bit tag (the form webtke uses)', async () => {
    const f = await loadWycheproof('aes_gcm_test.json');
    const wrong: string[] = [];
    let n = 0;
    for (const g of f.testGroups) {
      if (g.keySize !== 256 || g.tagSize !== 128 || g.ivSize !== 96) continue;
      for (const t of g.tests) {
        n++;
        const key = await importAesGcmKey(c, bytesOf(t.key as string));
        const iv = bytesOf(t.iv as string);
        const aad = bytesOf(t.aad as string);
        const ctTag = bytesOf((t.ct as string) + (t.tag as string));
        let pt: Uint8Array | undefined;
        try { pt = await aesGcmDecrypt(c, key, iv, ctTag, aad); } catch { pt = undefined; }
        if (t.result === 'valid') {
          if (!pt || hexOf(pt) !== t.msg) wrong.push(`tc ${t.tcId} decrypt`);
          const enc = await aesGcmEncrypt(c, key, iv, bytesOf(t.msg as string), aad);
          if (hexOf(enc) !== (t.ct as string) + (t.tag as string)) wrong.push(`tc ${t.tcId} encrypt`);
        } else if (t.result === 'invalid' && pt) {
          wrong.push(`tc ${t.tcId} (${t.comment}) invalid but decrypted`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.isAbove(n, 30);
  });

  it('refuses IVs other than 12 bytes', async () => {
    const key = await importAesGcmKey(c, new Uint8Array(32));
    await assertRejects(aesGcmEncrypt(c, key, new Uint8Array(16), new Uint8Array(1)), CryptoFormatError);
    await assertRejects(aesGcmDecrypt(c, key, new Uint8Array(0), new Uint8Array(17)), CryptoFormatError);
  });
});
