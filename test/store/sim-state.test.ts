import { describe, it, beforeEach, afterEach, assert, assertBytes, assertRejects } from '../harness.ts';
import type { WebCrypto } from '../../src/crypto/index.ts';
import {
  HOST_SLOT, InvalidRecordError, NotFoundError, openStore, SimStateError, type InstanceRecord, type WebtkeStore,
} from '../../src/store/index.ts';
import { c, rawAll, setup, type Harness } from './helpers.ts';

/** A recognisable plaintext: "UNIT-STATE " repeated, then counting bytes. */
function statePlaintext(n = 300): Uint8Array {
  const out = new Uint8Array(n);
  const tag = new TextEncoder().encode('UNIT-STATE ');
  for (let i = 0; i < n; i++) out[i] = i < 110 ? tag[i % tag.length] : i & 0xff;
  return out;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('store: simulated unit state (encrypted)', () => {
  let h: Harness;
  let s: WebtkeStore;
  let inst: InstanceRecord;
  let unit: string;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
    inst = await s.instances.create({
      name: 'Lab', kind: 'simulated',
      units: [{ label: 'u0', endpoint: { kind: 'simulated', index: 0 } }, { label: 'u1', endpoint: { kind: 'simulated', index: 1 } }],
    });
    unit = inst.units[0].id;
  });
  afterEach(async () => h.done());

  it('saves and loads unit and host state; the caller keeps its buffer', async () => {
    const pt = statePlaintext();
    const host = new Uint8Array([9, 8, 7]);
    await s.simState.save(inst.id, unit, pt);
    await s.simState.save(inst.id, HOST_SLOT, host);
    assertBytes(pt, statePlaintext(), 'save does not wipe the caller buffer');
    assertBytes((await s.simState.load(inst.id, unit))!, pt);
    assertBytes((await s.simState.load(inst.id, HOST_SLOT))!, host);
    assert.isUndefined(await s.simState.load(inst.id, inst.units[1].id));
    assert.deepEqual(await s.simState.slots(inst.id), [unit, HOST_SLOT].sort());
    await s.simState.save(inst.id, unit, new Uint8Array([1]));
    assertBytes((await s.simState.load(inst.id, unit))!, new Uint8Array([1]), 'a save replaces the slot');
  });

  it('stores only ciphertext, sealed under a non-extractable CryptoKey that is stored too (and decrypts independently)', async () => {
    const pt = statePlaintext();
    await s.simState.save(inst.id, unit, pt);
    const [row] = await rawAll(h, 'simState');
    const [key] = await rawAll(h, 'simKeys');
    const ct = row.ciphertext as Uint8Array;
    assert.equal(ct.length, pt.length + 16);
    assert.isFalse(contains(ct, pt.subarray(0, 8)), 'no 8 bytes of the plaintext head');
    assert.isFalse(contains(ct, pt.subarray(200, 208)), 'no 8 bytes of the plaintext tail');
    const k = key.key as CryptoKey;
    assert.equal(k.type, 'secret');
    assert.isFalse(k.extractable);
    assert.deepEqual(k.algorithm as unknown, { name: 'AES-GCM', length: 256 });
    await assertRejects(c.subtle.exportKey('raw', k), Error, 'the key material cannot be read');
    assert.equal(row.keyId, key.keyId);
    // the documented format: AES-256-GCM, 12-byte iv, AAD "webtke sim-state v1" 00 instanceId 00 slot
    const aad = new TextEncoder().encode(`webtke sim-state v1\u0000${inst.id}\u0000${unit}`);
    const opened = new Uint8Array(await c.subtle.decrypt({ name: 'AES-GCM', iv: row.iv as Uint8Array<ArrayBuffer>, additionalData: aad }, k, ct as Uint8Array<ArrayBuffer>));
    assertBytes(opened, pt);
  });

  it('the stored key survives closing and reopening the database', async () => {
    await s.simState.save(inst.id, unit, statePlaintext(50));
    s.close();
    const again = await h.open();
    assertBytes((await again.simState.load(inst.id, unit))!, statePlaintext(50));
  });

  it('a wrong key, a moved row or a missing key is a typed SimStateError', async () => {
    await s.simState.save(inst.id, unit, statePlaintext());
    const db = await h.raw();
    try {
      const keyRec = (await db.get('simKeys', inst.id)) as Record<string, unknown>;
      const other = await c.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      await db.put('simKeys', { ...keyRec, key: other });
      assert.equal((await assertRejects(s.simState.load(inst.id, unit), SimStateError)).problem, 'auth-failed');
      await db.put('simKeys', keyRec);
      assertBytes((await s.simState.load(inst.id, unit))!, statePlaintext());

      const row = (await db.get('simState', [inst.id, unit])) as Record<string, unknown>;
      await db.put('simState', { ...row, slot: inst.units[1].id });
      const moved = await assertRejects(s.simState.load(inst.id, inst.units[1].id), SimStateError);
      assert.equal(moved.problem, 'auth-failed');
      assert.equal(moved.slot, inst.units[1].id);

      const flipped = (row.ciphertext as Uint8Array).slice();
      flipped[3] ^= 1;
      await db.put('simState', { ...row, ciphertext: flipped });
      assert.equal((await assertRejects(s.simState.load(inst.id, unit), SimStateError)).problem, 'auth-failed');

      await db.delete('simKeys', inst.id);
      assert.equal((await assertRejects(s.simState.load(inst.id, unit), SimStateError)).problem, 'missing-key');
    } finally {
      db.close();
    }
  });

  it('reset deletes the state and its key; the next save makes a new key', async () => {
    const other = await s.instances.create({ name: 'Other', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }] });
    await s.simState.save(inst.id, unit, statePlaintext());
    await s.simState.save(inst.id, HOST_SLOT, statePlaintext(10));
    await s.simState.save(other.id, HOST_SLOT, statePlaintext(20));
    const firstKeyId = (await rawAll(h, 'simKeys')).find((k) => k.instanceId === inst.id)!.keyId;
    await s.simState.reset(inst.id);
    assert.isUndefined(await s.simState.load(inst.id, unit));
    assert.deepEqual(await s.simState.slots(inst.id), []);
    assert.deepEqual((await rawAll(h, 'simKeys')).map((k) => k.instanceId), [other.id]);
    assertBytes((await s.simState.load(other.id, HOST_SLOT))!, statePlaintext(20), 'other instances keep theirs');
    await s.simState.save(inst.id, unit, statePlaintext(5));
    const second = (await rawAll(h, 'simKeys')).find((k) => k.instanceId === inst.id)!;
    assert.notEqual(second.keyId, firstKeyId);
    assertBytes((await s.simState.load(inst.id, unit))!, statePlaintext(5));
  });

  it('refuses a slot that is not the host or a unit of the instance, a remote instance, an unknown instance; makes no key for them', async () => {
    assert.equal((await assertRejects(s.simState.save(inst.id, 'unit-x', new Uint8Array([1])), InvalidRecordError)).field, 'slot');
    const remote = await s.instances.create({ name: 'R', kind: 'remote' });
    await assertRejects(s.simState.save(remote.id, HOST_SLOT, new Uint8Array([1])), InvalidRecordError);
    await assertRejects(s.simState.save('77'.repeat(16), HOST_SLOT, new Uint8Array([1])), NotFoundError);
    await assertRejects(s.simState.save(inst.id, HOST_SLOT, new Uint8Array(0)), InvalidRecordError);
    assert.deepEqual(await rawAll(h, 'simKeys'), []);
    assert.deepEqual(await rawAll(h, 'simState'), []);
  });

  it('a reset that lands while a save encrypts makes that save fail (key-changed) instead of leaving an orphan row', async () => {
    let duringEncrypt: (() => Promise<void>) | undefined;
    const subtle = new Proxy(c.subtle, {
      get(target, prop) {
        if (prop === 'encrypt') {
          return async (...args: Parameters<SubtleCrypto['encrypt']>) => {
            const hook = duringEncrypt;
            duringEncrypt = undefined;
            if (hook) await hook();
            return target.encrypt(...args);
          };
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const hooked: WebCrypto = { subtle, getRandomValues: <T extends ArrayBufferView | null>(a: T) => c.getRandomValues(a as never) as T };
    const hs = await openStore({ indexedDB: h.idb.indexedDB, crypto: hooked, name: h.idb.name });
    try {
      await hs.simState.save(inst.id, unit, statePlaintext(10));
      duringEncrypt = () => s.simState.reset(inst.id);
      const e = await assertRejects(hs.simState.save(inst.id, unit, statePlaintext(20)), SimStateError);
      assert.equal(e.problem, 'key-changed');
      assert.deepEqual(await rawAll(h, 'simState'), [], 'no row sealed under the deleted key');
    } finally {
      hs.close();
    }
  });
});
