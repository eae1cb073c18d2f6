import { describe, it, assert, hexOf } from '../../harness.ts';
import fc from 'fast-check';
import {
  KEY_BLOB_DER_LENGTH, readKeyBlobAt, readKeyBlobs, writeKeyBlobAt,
} from '../../../src/cryptounit/simulated/commands/blob-layout.ts';
import { ProtocolDecodeError, decodeKeyBlob, encodeKeyBlob, type KeyBlob } from '../../../src/cryptounit/protocol/index.ts';

const c = globalThis.crypto;

function randomBlob(): KeyBlob {
  return {
    keyId: c.getRandomValues(new Uint8Array(16)),
    vp: c.getRandomValues(new Uint8Array(28)),
    iv: c.getRandomValues(new Uint8Array(12)),
    sealed: c.getRandomValues(new Uint8Array(48)),
  };
}

function codecAccepts(bytes: Uint8Array): KeyBlob | undefined {
  try {
    return decodeKeyBlob(bytes);
  } catch (e) {
    if (e instanceof ProtocolDecodeError) return undefined;
    throw e;
  }
}

const same = (a: KeyBlob, b: KeyBlob): boolean =>
  hexOf(a.keyId) === hexOf(b.keyId) && hexOf(a.vp) === hexOf(b.vp) && hexOf(a.iv) === hexOf(b.iv) && hexOf(a.sealed) === hexOf(b.sealed);

describe('KeyBlob fixed layout (REENCRYPT hot path) agrees with the protocol codec', () => {
  it('writes exactly the bytes encodeKeyBlob writes, and reads them back', () => {
    for (let i = 0; i < 50; i++) {
      const b = randomBlob();
      const der = encodeKeyBlob(b);
      assert.equal(der.length, KEY_BLOB_DER_LENGTH);
      const out = new Uint8Array(KEY_BLOB_DER_LENGTH + 3);
      writeKeyBlobAt(out, 3, b);
      assert.equal(hexOf(out.subarray(3)), hexOf(der));
      const back = readKeyBlobAt(out, 3);
      assert.isDefined(back);
      assert.isTrue(same(back!, b));
    }
  });

  it('accepts a mutated blob exactly when the codec does, with the same fields', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 104, maxLength: 104 }),
        fc.array(fc.tuple(fc.nat(KEY_BLOB_DER_LENGTH - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.integer({ min: -2, max: 2 }),
        (fields, edits, resize) => {
          const b: KeyBlob = { keyId: fields.slice(0, 16), vp: fields.slice(16, 44), iv: fields.slice(44, 56), sealed: fields.slice(56, 104) };
          let der = encodeKeyBlob(b);
          for (const [at, v] of edits) der[at] = v;
          if (resize > 0) der = Uint8Array.from([...der, ...new Array<number>(resize).fill(0)]);
          if (resize < 0) der = der.slice(0, der.length + resize);
          const fast = readKeyBlobs(der);
          const slow = codecAccepts(der);
          assert.equal(fast !== undefined, slow !== undefined, hexOf(der));
          if (fast && slow) assert.isTrue(same(fast[0], slow));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a concatenation only when every blob has the layout', () => {
    const blobs = [randomBlob(), randomBlob(), randomBlob()];
    const all = new Uint8Array(3 * KEY_BLOB_DER_LENGTH);
    blobs.forEach((b, i) => writeKeyBlobAt(all, i * KEY_BLOB_DER_LENGTH, b));
    const read = readKeyBlobs(all);
    assert.equal(read?.length, 3);
    read!.forEach((r, i) => assert.isTrue(same(r, blobs[i])));
    assert.isUndefined(readKeyBlobs(new Uint8Array(0)));
    assert.isUndefined(readKeyBlobs(all.subarray(0, all.length - 1)));
    const bad = all.slice();
    bad[KEY_BLOB_DER_LENGTH + 20] = 0x05; // vp tag of the second blob
    assert.isUndefined(readKeyBlobs(bad));
  });
});
