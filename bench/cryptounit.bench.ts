/**
 * The simulated crypto unit's key-storage hot path (DESIGN §3.8): REENCRYPT of 100,000 stored
 * blobs through `handle`, in batches, against the bare AES-GCM decrypt + encrypt of the same
 * blobs with WebCrypto (keys imported once), measured in the same run. Also single-blob
 * REENCRYPT requests and the P-521 sign/verify rates that bound every response.
 */
import { concat } from '../src/bytes/index.ts';
import { ecdsaSign, ecdsaVerify, generateEcKeyPair } from '../src/crypto/index.ts';
import {
  KeyStorageOp, decodeKeyBlob, encodeKeyBlob, splitDerSequence, type KeyBlob,
} from '../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, MAX_REENCRYPT_BATCH } from '../src/cryptounit/simulated/index.ts';
import { UnitSession, makeUnitAdmin, nobleVp, xorParts } from '../test/fakes/unit-requests.ts';
import { fmt, line, median, rate, timeRuns, type Bench } from './util.ts';

const c = globalThis.crypto;
const BLOBS = 100_000;
const BATCH = MAX_REENCRYPT_BATCH;
const PASSES = 3;

type Buf = Uint8Array<ArrayBuffer>;

async function gcmKey(raw: Uint8Array): Promise<CryptoKey> {
  return c.subtle.importKey('raw', raw as Buf, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Blobs under `mk` made directly with WebCrypto (the stored key storage of an instance). */
async function makeBlobs(mk: Uint8Array, n: number): Promise<Uint8Array[]> {
  const key = await gcmKey(mk);
  const vp = nobleVp(mk).subarray(0, 28);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, n - i) }, async () => {
        const keyId = c.getRandomValues(new Uint8Array(16));
        const iv = c.getRandomValues(new Uint8Array(12));
        const plain = c.getRandomValues(new Uint8Array(32));
        const sealed = new Uint8Array(
          await c.subtle.encrypt({ name: 'AES-GCM', iv: iv as Buf, additionalData: concat(keyId, vp) as Buf }, key, plain as Buf),
        );
        return encodeKeyBlob({ keyId, vp: vp.slice(), iv, sealed });
      }),
    );
    out.push(...batch);
  }
  return out;
}

/** The bare work REENCRYPT does per blob: GCM open under the old key, GCM seal under the new. */
async function bareReencrypt(blobs: KeyBlob[], oldKey: CryptoKey, newKey: CryptoKey, newVp: Uint8Array): Promise<number> {
  let n = 0;
  for (let i = 0; i < blobs.length; i += BATCH) {
    const batch = blobs.slice(i, i + BATCH);
    await Promise.all(
      batch.map(async (b) => {
        const plain = await c.subtle.decrypt(
          { name: 'AES-GCM', iv: b.iv as Buf, additionalData: concat(b.keyId, b.vp) as Buf },
          oldKey,
          b.sealed as Buf,
        );
        const iv = c.getRandomValues(new Uint8Array(12));
        await c.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: concat(b.keyId, newVp) as Buf }, newKey, plain);
        n++;
      }),
    );
  }
  return n;
}

export const bench: Bench = {
  title: 'simulated crypto unit: REENCRYPT and OA signatures',
  async run() {
    // a unit with current = A and new = B committed, and A, B known to the bench
    const unit = await SimulatedCryptoUnit.create();
    const s = await UnitSession.open(unit, { verify: 'webcrypto' });
    const admin = await makeUnitAdmin('Bench', 'P-256');
    await s.installAdmins([admin]);
    await s.setThresholds(1, 1, [admin]);
    const partsA = [c.getRandomValues(new Uint8Array(32)), c.getRandomValues(new Uint8Array(32))];
    const partsB = [c.getRandomValues(new Uint8Array(32)), c.getRandomValues(new Uint8Array(32))];
    const vpA = await s.loadNew(partsA, admin);
    await s.commit(vpA, [admin]);
    await s.finalize(vpA, admin);
    const vpB = await s.loadNew(partsB, admin);
    await s.commit(vpB, [admin]);
    const mkA = xorParts(partsA);
    const mkB = xorParts(partsB);

    const blobs = await makeBlobs(mkA, BLOBS);
    const requests: Uint8Array[] = [];
    for (let i = 0; i < blobs.length; i += BATCH) {
      requests.push(s.queryRequest(KeyStorageOp.REENCRYPT, concat(...blobs.slice(i, i + BATCH))));
    }
    line('blobs / batch size / requests', `${fmt(BLOBS)} / ${BATCH} / ${requests.length}`);

    // correctness outside the timing: one batch through the unit opens under B
    {
      const r = await s.send(requests[0]);
      if (r.rv !== 0) throw new Error(`REENCRYPT failed: ${r.rv}/${r.reason}`);
      const out = splitDerSequence(r.payload, { maxItems: BATCH }).map((d) => decodeKeyBlob(d));
      const kB = await gcmKey(mkB);
      const b = out[out.length - 1];
      await c.subtle.decrypt({ name: 'AES-GCM', iv: b.iv as Buf, additionalData: concat(b.keyId, b.vp) as Buf }, kB, b.sealed as Buf);
    }

    const decoded = blobs.map((b) => decodeKeyBlob(b));
    const oldKey = await gcmKey(mkA);
    const newKey = await gcmKey(mkB);
    const newVp = nobleVp(mkB).subarray(0, 28);
    // the two passes alternate, so that a change of machine load hits both alike
    const unitTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let run = 0; run < PASSES; run++) {
      unitTimes.push(
        ...(await timeRuns(
          async () => {
            for (const req of requests) await unit.handle(req);
          },
          1,
          0,
        )),
      );
      bareTimes.push(...(await timeRuns(() => bareReencrypt(decoded, oldKey, newKey, newVp), 1, 0)));
    }
    const unitRate = rate(BLOBS, median(unitTimes));
    const bareRate = rate(BLOBS, median(bareTimes));
    line(`REENCRYPT through handle (median of ${PASSES})`, `${fmt(unitRate)} blobs/s`, `${fmt(median(unitTimes))} ms per pass`);
    line(`bare AES-GCM decrypt + encrypt (median of ${PASSES})`, `${fmt(bareRate)} blobs/s`, `${fmt(median(bareTimes))} ms per pass`);
    line('ratio unit / bare (goal ≥ 0.5)', fmt(unitRate / bareRate, 2));
    line('  passes, through handle (ms)', unitTimes.map((t) => fmt(t)).join(' / '));
    line('  passes, bare (ms)', bareTimes.map((t) => fmt(t)).join(' / '));

    const single = blobs.slice(0, 200).map((b) => s.queryRequest(KeyStorageOp.REENCRYPT, b));
    const singleTimes = await timeRuns(async () => {
      for (const req of single) await unit.handle(req);
    }, 3);
    line('single-blob REENCRYPT requests (median of 3 × 200)', `${fmt(rate(single.length, median(singleTimes)))} req/s`);

    const kp = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const msg = c.getRandomValues(new Uint8Array(200));
    const N = 200;
    let sig: Uint8Array = new Uint8Array(0);
    const signTimes = await timeRuns(async () => {
      for (let i = 0; i < N; i++) sig = await ecdsaSign(c, 'P-521', kp.privateKey, msg);
    }, 5);
    const verifyTimes = await timeRuns(async () => {
      for (let i = 0; i < N; i++) await ecdsaVerify(c, 'P-521', kp.publicKey, msg, sig);
    }, 5);
    line(`P-521 sign, WebCrypto (median of 5 × ${N})`, `${fmt(rate(N, median(signTimes)))} /s`);
    line(`P-521 verify, WebCrypto (median of 5 × ${N})`, `${fmt(rate(N, median(verifyTimes)))} /s`);
  },
};
