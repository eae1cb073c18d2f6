/**
 * Conformance, DESIGN §3.8: GENERATE_KEY, WRAP, UNWRAP and REENCRYPT (batches, all or
 * nothing), with every blob and ciphertext opened here by hand with WebCrypto AES-GCM under
 * the master keys the test loaded, so the sealing format is checked, not just round trips.
 */
import { describe, it, assert, hexOf, before } from '../../harness.ts';
import { concat } from '../../../src/bytes/index.ts';
import { KeyStorageOp, encodeBlobWithData, type KeyBlob } from '../../../src/cryptounit/protocol/index.ts';
import type { UnitAdmin } from '../../fakes/unit-requests.ts';
import { hex, tlv } from './independent-envelope.ts';
import {
  assertNoInternal, assertUnchanged, authenticatedUnit, c, expectOk, expectRc, nobleVp, randomPart, unitWithRegisters,
  type Fixture,
} from './setup.ts';

type Buf = Uint8Array<ArrayBuffer>;

/** The fixed DER layout of a KeyBlob (30 70, then 04 10 keyId, 04 1C vp, 04 0C iv, 04 30 sealed). */
function blobFields(der: Uint8Array): KeyBlob {
  assert.equal(der.length, 114);
  assert.equal(hexOf(Uint8Array.of(der[0], der[1], der[2], der[3], der[20], der[21], der[50], der[51], der[64], der[65])), '30700410041c040c0430');
  return { keyId: der.slice(4, 20), vp: der.slice(22, 50), iv: der.slice(52, 64), sealed: der.slice(66, 114) };
}

async function gcmOpen(key: Uint8Array, iv: Uint8Array, ct: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
  const k = await c.subtle.importKey('raw', key as Buf, 'AES-GCM', false, ['decrypt']);
  return new Uint8Array(await c.subtle.decrypt({ name: 'AES-GCM', iv: iv as Buf, ...(aad ? { additionalData: aad as Buf } : {}) }, k, ct as Buf));
}

/** Open a blob by hand: vp = VP(mk)[0..28], AES-256-GCM(mk, iv, aad = keyId ‖ vp). */
async function openByHand(mk: Uint8Array, der: Uint8Array): Promise<{ keyId: Uint8Array; key: Uint8Array }> {
  const b = blobFields(der);
  assert.equal(hexOf(b.vp), hexOf(nobleVp(mk).subarray(0, 28)), 'the blob names its master key');
  const key = await gcmOpen(mk, b.iv, b.sealed, concat(b.keyId, b.vp));
  assert.equal(key.length, 32);
  return { keyId: b.keyId, key };
}

function blobDer(b: KeyBlob): Uint8Array {
  return tlv(0x30, tlv(0x04, b.keyId), tlv(0x04, b.vp), tlv(0x04, b.iv), tlv(0x04, b.sealed));
}

function changed(der: Uint8Array, at: number): Uint8Array {
  const x = der.slice();
  x[at] ^= 0x01;
  return x;
}

const keyId = (n: number): Uint8Array => {
  const id = new Uint8Array(16);
  id[15] = n;
  id[0] = 0xa0;
  return id;
};

describe('conformance §3.8: key storage', () => {
  let f: Fixture & { admins: UnitAdmin[]; currentKey?: Uint8Array };
  let mk: Uint8Array;
  before(async () => {
    f = await unitWithRegisters({ current: [randomPart(), randomPart()] });
    mk = f.currentKey!;
  });

  it('GENERATE_KEY seals a fresh key under the current register (opened here by hand); keyId must be 16 bytes (33)', async () => {
    const a = await openByHand(mk, await f.s.generateKey(keyId(1)));
    const b = await openByHand(mk, await f.s.generateKey(keyId(1)));
    assert.equal(hexOf(a.keyId), hexOf(keyId(1)));
    assert.notEqual(hexOf(a.key), hexOf(b.key), 'a new key every time');
    await assertUnchanged(f.unit, async () => {
      for (const n of [0, 15, 17]) expectRc(await f.s.keyOp(KeyStorageOp.GENERATE_KEY, new Uint8Array(n)), 33, 0, `${n} bytes`);
    });
    assertNoInternal(f);
  });

  it('WRAP and UNWRAP: data up to 64 KiB, sealed with the blob key (opened here by hand); over 64 KiB is 33', async () => {
    const blob = await f.s.generateKey(keyId(2));
    const { key } = await openByHand(mk, blob);
    const b = blobFields(blob);
    for (const size of [0, 1, 1000, 64 * 1024]) {
      const data = c.getRandomValues(new Uint8Array(Math.min(size, 65536)));
      const w = await f.s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: b, data }));
      expectOk(w, `wrap ${size}`);
      assert.equal(w.payload.length, 12 + size + 16);
      assert.equal(hexOf(await gcmOpen(key, w.payload.subarray(0, 12), w.payload.subarray(12))), hexOf(data), 'by hand');
      const u = await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: b, data: w.payload }));
      expectOk(u, `unwrap ${size}`);
      assert.equal(hexOf(u.payload), hexOf(data));
    }
    await assertUnchanged(f.unit, async () => {
      for (const size of [64 * 1024 + 1, 100 * 1024, 900 * 1024]) {
        expectRc(await f.s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: b, data: new Uint8Array(size) })), 33, 0, `wrap ${size}`);
      }
      expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: b, data: new Uint8Array(12 + 65536 + 17) })), 33, 0, 'unwrap too long');
    });
  });

  it('a changed blob, a blob under another key, or a changed ciphertext is 32', async () => {
    const blob = await f.s.generateKey(keyId(3));
    const b = blobFields(blob);
    const data = hex('00112233');
    const w = (await f.s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: b, data }))).payload;
    const other = await unitWithRegisters({ n: 1, sign: 1, revoke: 1, current: [randomPart(), randomPart()] });
    const foreign = blobFields(await other.s.generateKey(keyId(3)));
    const blobCases: [string, KeyBlob][] = [
      ['keyId changed', blobFields(changed(blob, 4))],
      ['vp changed', blobFields(changed(blob, 30))],
      ['iv changed', blobFields(changed(blob, 55))],
      ['sealed changed', blobFields(changed(blob, 70))],
      ['tag changed', blobFields(changed(blob, 113))],
      ['another unit\'s master key', foreign],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, bad] of blobCases) {
        expectRc(await f.s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: bad, data })), 32, 0, `wrap: ${what}`);
        expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: bad, data: w })), 32, 0, `unwrap: ${what}`);
      }
      expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: b, data: changed(w, 20) })), 32, 0, 'ciphertext changed');
      expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: b, data: w.subarray(0, 27) })), 32, 0, 'shorter than iv + tag');
      expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: b, data: new Uint8Array(0) })), 32, 0, 'empty');
    });
  });

  it('payload form: not DER 7, field sizes 33, signerInfos present 7', async () => {
    const blob = await f.s.generateKey(keyId(4));
    const b = blobFields(blob);
    const shortId = tlv(0x30, tlv(0x30, tlv(0x04, b.keyId.subarray(1)), tlv(0x04, b.vp), tlv(0x04, b.iv), tlv(0x04, b.sealed)), tlv(0x04, hex('00')));
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.keyOp(KeyStorageOp.WRAP, hex('3003040100')), 7, 0, 'not a blob');
      expectRc(await f.s.keyOp(KeyStorageOp.WRAP, concat(encodeBlobWithData({ blob: b, data: hex('00') }), hex('00'))), 7, 0, 'trailing');
      expectRc(await f.s.keyOp(KeyStorageOp.WRAP, shortId), 33, 0, 'keyId of 15 bytes');
      expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, new Uint8Array(0)), 7, 0, 'empty');
      const signed = await f.s.request({ command: KeyStorageOp.GENERATE_KEY, payload: keyId(5), signers: [f.admins[0]] });
      expectRc(await f.s.send(signed), 7, 0, 'signed key-storage request');
    });
  });

  it('key storage never changes the counter', async () => {
    const before = f.s.counter;
    await f.s.generateKey(keyId(6));
    await f.s.keyOp(KeyStorageOp.REENCRYPT, await f.s.generateKey(keyId(6)));
    assert.equal(f.s.counter, before);
  });
});

describe('conformance §3.8: REENCRYPT', () => {
  it('only while the new register is committed (80), with a current register (102)', async () => {
    const f = await authenticatedUnit(2, 1, 1);
    const s1 = [f.admins[0]];
    const dummy = blobDer({ keyId: keyId(0), vp: new Uint8Array(28), iv: new Uint8Array(12), sealed: new Uint8Array(48) });
    expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, dummy), 80, 0, 'new empty');
    expectRc(await f.s.keyOp(KeyStorageOp.GENERATE_KEY, keyId(0)), 102, 0, 'GENERATE_KEY without a current register');
    const a = [randomPart(), randomPart()];
    const vpA = await f.s.loadNew(a, f.admins[0]);
    expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, dummy), 80, 0, 'new uncommitted');
    await f.s.commit(vpA, s1);
    expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, dummy), 102, 0, 'first rotation: no current register');
    expectRc(await f.s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: blobFields(dummy), data: hex('00') })), 102, 0, 'WRAP');
    expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: blobFields(dummy), data: new Uint8Array(28) })), 102, 0, 'UNWRAP');
    await f.s.finalize(vpA, f.admins[0]);
    const blob = await f.s.generateKey(keyId(1));
    expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, blob), 80, 0, 'after set immediate');
  });

  it('a batch comes back under the new register, in order, same keys (opened here by hand under both keys); UNWRAP works after set immediate', async () => {
    const f = await unitWithRegisters({ n: 2, sign: 1, revoke: 1, current: [randomPart(), randomPart()] });
    const mkA = f.currentKey!;
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 7; i++) blobs.push(await f.s.generateKey(keyId(10 + i)));
    const data = c.getRandomValues(new Uint8Array(300));
    const wrapped = (await f.s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: blobFields(blobs[3]), data }))).payload;
    const b = [randomPart(), randomPart(), randomPart()];
    const vpB = await f.s.loadNew(b, f.admins[0]);
    await f.s.commit(vpB, [f.admins[0]]);
    const mkB = b.reduce((x, p) => x.map((v, i) => v ^ p[i]), new Uint8Array(32));
    const r = await f.s.keyOp(KeyStorageOp.REENCRYPT, concat(...blobs));
    expectOk(r);
    assert.equal(r.payload.length, 7 * 114);
    for (let i = 0; i < 7; i++) {
      const before = await openByHand(mkA, blobs[i]);
      const after = await openByHand(mkB, r.payload.subarray(114 * i, 114 * i + 114));
      assert.equal(hexOf(after.keyId), hexOf(keyId(10 + i)), 'in order');
      assert.equal(hexOf(after.key), hexOf(before.key), 'same key');
      assert.notEqual(hexOf(blobFields(r.payload.subarray(114 * i, 114 * i + 114)).iv), hexOf(blobFields(blobs[i]).iv), 'fresh iv');
    }
    // blobs under the new key are not usable until set immediate
    const newBlob = r.payload.slice(3 * 114, 4 * 114);
    expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: blobFields(newBlob), data: wrapped })), 32, 0, 'new blob before set immediate');
    await f.s.finalize(vpB, f.admins[1]);
    const u = await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: blobFields(newBlob), data: wrapped }));
    expectOk(u);
    assert.equal(hexOf(u.payload), hexOf(data), 'data wrapped before the rotation opens with the re-enciphered blob');
    expectRc(await f.s.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: blobFields(blobs[3]), data: wrapped })), 32, 0, 'the old blob is lost');
    assertNoInternal(f);
  });

  it('all or nothing: one bad blob in a batch is 32 with no output; sizes 1..1024 (7 otherwise); field sizes 33', async () => {
    const f = await unitWithRegisters({ n: 2, sign: 1, revoke: 1, current: [randomPart(), randomPart()], next: [randomPart(), randomPart()], commitNext: true });
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) blobs.push(await f.s.generateKey(keyId(i)));
    const foreign = await (await unitWithRegisters({ n: 1, sign: 1, revoke: 1, current: [randomPart(), randomPart()] })).s.generateKey(keyId(9));
    await assertUnchanged(f.unit, async () => {
      for (const [what, batch] of [
        ['tampered last', [...blobs.slice(0, 3), changed(blobs[3], 80)]],
        ['tampered first', [changed(blobs[0], 10), ...blobs.slice(1)]],
        ['foreign blob', [blobs[0], foreign, blobs[1]]],
      ] as [string, Uint8Array[]][]) {
        const r = await f.s.keyOp(KeyStorageOp.REENCRYPT, concat(...batch));
        expectRc(r, 32, 0, what);
        assert.equal(r.payload.length, 4, 'only the reason');
      }
      expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, new Uint8Array(0)), 7, 0, 'no blob');
      expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, concat(blobs[0], hex('30'))), 7, 0, 'trailing garbage');
      expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, concat(...Array.from({ length: 1025 }, () => blobs[0]))), 7, 0, '1025 blobs');
      const shortVp = blobFields(blobs[1]);
      shortVp.vp = shortVp.vp.subarray(1);
      expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, concat(blobs[0], blobDer(shortVp))), 33, 0, 'vp of 27 bytes');
      expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, tlv(0x30, tlv(0x04, keyId(1)))), 7, 0, 'not a KeyBlob');
    });
    const full = await f.s.keyOp(KeyStorageOp.REENCRYPT, concat(...Array.from({ length: 1024 }, (_, i) => blobs[i % 4])));
    expectOk(full, '1024 blobs');
    assert.equal(full.payload.length, 1024 * 114);
    expectOk(await f.s.keyOp(KeyStorageOp.REENCRYPT, blobs[2]), 'a single blob');
    assertNoInternal(f);
  });
});
