import { describe, it, beforeEach, afterEach, assert, assertBytes, assertRejects } from '../harness.ts';
import { decodeKeyBlob } from '../../src/cryptounit/protocol/index.ts';
import {
  AlreadyExistsError, InvalidRecordError, NotFoundError, RotationError, SecretFieldError, type InstanceRecord, type KeyRecord,
  type WebtkeStore,
} from '../../src/store/index.ts';
import { c, hex, keyBlob, randomVp, rawAll, setup, T0, type Harness } from './helpers.ts';

describe('store: key storage and staged rotation', () => {
  let h: Harness;
  let s: WebtkeStore;
  let inst: InstanceRecord;
  let vpA: string;
  let vpB: string;
  const ids = [1, 2, 3].map((n) => new Uint8Array(16).fill(n));
  const idHex = ids.map(hex);

  beforeEach(async () => {
    h = await setup();
    s = h.store;
    inst = await s.instances.create({ name: 'Lab', kind: 'simulated', units: [{ label: 'u0', endpoint: { kind: 'simulated', index: 0 } }] });
    vpA = randomVp();
    vpB = randomVp();
  });
  afterEach(async () => h.done());

  async function threeKeys(): Promise<KeyRecord[]> {
    const out: KeyRecord[] = [];
    for (let i = 0; i < 3; i++) {
      h.time.now = T0 + i;
      out.push(await s.keyStorage.add(inst.id, { label: `key ${i + 1}`, blob: keyBlob(ids[i], vpA) }));
    }
    return out;
  }

  it('stores blobs with the keyId and VP read from the blob; lists, counts by VP, relabels, removes', async () => {
    const [k1, k2] = await threeKeys();
    assert.equal(k1.keyId, idHex[0]);
    assert.equal(k1.vp, vpA);
    assert.equal(hex(decodeKeyBlob(k1.blob).vp), vpA.slice(0, 56));
    assert.deepEqual((await s.keyStorage.list(inst.id)).map((k) => k.label), ['key 1', 'key 2', 'key 3']);
    assert.deepEqual(await s.keyStorage.countByVp(inst.id), { [vpA]: 3 });
    assert.lengthOf(await s.keyStorage.listByVp(inst.id, vpA), 3);
    assert.lengthOf(await s.keyStorage.listByVp(inst.id, vpA.slice(0, 56)), 3, 'the 28-byte form finds the same records');
    assert.deepEqual(await s.keyStorage.listByVp(inst.id, vpB), []);
    await s.keyStorage.relabel(inst.id, k2.keyId, 'payments KEK');
    assert.equal((await s.keyStorage.get(inst.id, k2.keyId))!.label, 'payments KEK');
    await s.keyStorage.remove(inst.id, k2.keyId);
    assert.deepEqual((await s.keyStorage.list(inst.id)).map((k) => k.keyId), [idHex[0], idHex[2]]);
    await assertRejects(s.keyStorage.remove(inst.id, k2.keyId), NotFoundError);
  });

  it('refuses a duplicate keyId, a blob that is not a KeyBlob, a remote instance, a secret-named field', async () => {
    await s.keyStorage.add(inst.id, { label: 'k', blob: keyBlob(ids[0], vpA) });
    await assertRejects(s.keyStorage.add(inst.id, { label: 'again', blob: keyBlob(ids[0], vpA) }), AlreadyExistsError);
    const notBlob = keyBlob(ids[1], vpA).slice(0, -1);
    assert.equal((await assertRejects(s.keyStorage.add(inst.id, { label: 'k', blob: notBlob }), InvalidRecordError)).field, 'blob');
    const remote = await s.instances.create({ name: 'R', kind: 'remote' });
    await assertRejects(s.keyStorage.add(remote.id, { label: 'k', blob: keyBlob(ids[1], vpA) }), InvalidRecordError);
    await assertRejects(s.keyStorage.add('99'.repeat(16), { label: 'k', blob: keyBlob(ids[1], vpA) }), NotFoundError);
    await assertRejects(s.keyStorage.add(inst.id, { label: 'k', blob: keyBlob(ids[1], vpA), clearKey: c.getRandomValues(new Uint8Array(32)) } as never), InvalidRecordError);
    await assertRejects(s.keyStorage.add(inst.id, { label: 'k', blob: keyBlob(ids[1], vpA), secret: 'x' } as never), SecretFieldError);
    assert.lengthOf(await rawAll(h, 'keyRecords'), 1);
  });

  it('a rotation: begin, stage (resumable), promotion refused until complete, then promote swaps every record', async () => {
    const before = await threeKeys();
    let st = await s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpB });
    assert.deepInclude(st, { fromVp: vpA, toVp: vpB, total: 3, staged: 0 });
    assert.deepEqual(st.pending, idHex);

    const e1 = await assertRejects(s.keyStorage.add(inst.id, { label: 'new', blob: keyBlob(new Uint8Array(16).fill(9), vpA) }), RotationError);
    assert.equal(e1.problem, 'rotation-open');

    const next = ids.map((id) => keyBlob(id, vpB));
    st = await s.keyStorage.stage(inst.id, [next[0], next[2]]);
    assert.deepInclude(st, { total: 3, staged: 2 });
    assert.deepEqual(st.pending, [idHex[1]]);

    // the app reloads in the middle: the progress is in the database
    s.close();
    s = await h.open();
    assert.deepEqual((await s.keyStorage.rotation(inst.id))!.pending, [idHex[1]]);

    const e2 = await assertRejects(s.keyStorage.promote(inst.id, vpB), RotationError);
    assert.equal(e2.problem, 'incomplete');
    assert.deepEqual(e2.keyIds, [idHex[1]]);
    const mid = await s.keyStorage.list(inst.id);
    mid.forEach((r, i) => {
      assertBytes(r.blob, before[i].blob, 'the old blob is kept beside the new one');
      assert.equal(r.vp, vpA);
    });
    assertBytes(mid[0].nextBlob!, next[0]);
    assert.equal(mid[0].nextVp, vpB);
    assert.isUndefined(mid[1].nextBlob);

    st = await s.keyStorage.stage(inst.id, [next[1]]);
    assert.deepEqual(st.pending, []);
    await assertRejects(s.keyStorage.promote(inst.id, vpA), RotationError, 'promote names the VP it expects');
    assert.equal(await s.keyStorage.promote(inst.id, vpB), 3);

    const after = await s.keyStorage.list(inst.id);
    after.forEach((r, i) => {
      assertBytes(r.blob, next[i]);
      assert.equal(r.vp, vpB);
      assert.notProperty(r, 'nextBlob');
      assert.notProperty(r, 'nextVp');
      assert.equal(r.label, before[i].label);
      assert.equal(r.created, before[i].created);
    });
    assert.deepEqual(await s.keyStorage.countByVp(inst.id), { [vpB]: 3 });
    assert.isUndefined(await s.keyStorage.rotation(inst.id));
    await s.keyStorage.add(inst.id, { label: 'after', blob: keyBlob(new Uint8Array(16).fill(9), vpB) });
  });

  it('stage is all or nothing: one blob under the wrong VP, or of an unknown key, stages none', async () => {
    await threeKeys();
    await s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpB });
    const e = await assertRejects(s.keyStorage.stage(inst.id, [keyBlob(ids[0], vpB), keyBlob(ids[1], vpA)]), RotationError);
    assert.equal(e.problem, 'wrong-vp');
    assert.deepEqual(e.keyIds, [idHex[1]]);
    await assertRejects(s.keyStorage.stage(inst.id, [keyBlob(ids[0], vpB), keyBlob(new Uint8Array(16).fill(7), vpB)]), NotFoundError);
    const rows = await rawAll(h, 'keyRecords');
    assert.lengthOf(rows, 3);
    for (const r of rows) assert.notProperty(r, 'nextBlob');
    assert.equal((await s.keyStorage.rotation(inst.id))!.staged, 0);
  });

  it('beginRotation checks every record is under fromVp; resumes with the same VPs; refuses a second rotation', async () => {
    await threeKeys();
    const vpC = randomVp();
    const e = await assertRejects(s.keyStorage.beginRotation(inst.id, { fromVp: vpC, toVp: vpB }), RotationError);
    assert.equal(e.problem, 'wrong-vp');
    assert.deepEqual(e.keyIds, idHex);
    assert.isUndefined(await s.keyStorage.rotation(inst.id));
    await assertRejects(s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpA }), InvalidRecordError);
    const first = await s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpB });
    h.time.now = T0 + 1000;
    const resumed = await s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpB });
    assert.equal(resumed.started, first.started);
    const e2 = await assertRejects(s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpC }), RotationError);
    assert.equal(e2.problem, 'rotation-open');
    const e3 = await assertRejects(s.keyStorage.stage(inst.id, []), InvalidRecordError);
    assert.equal(e3.field, 'blobs');
  });

  it('abandonRotation drops the staged blobs and keeps the old ones; stage and promote then need a rotation', async () => {
    const before = await threeKeys();
    await s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpB });
    await s.keyStorage.stage(inst.id, [keyBlob(ids[0], vpB)]);
    await s.keyStorage.abandonRotation(inst.id);
    const rows = await s.keyStorage.list(inst.id);
    rows.forEach((r, i) => {
      assertBytes(r.blob, before[i].blob);
      assert.notProperty(r, 'nextBlob');
    });
    assert.isUndefined(await s.keyStorage.rotation(inst.id));
    for (const p of [s.keyStorage.stage(inst.id, [keyBlob(ids[0], vpB)]), s.keyStorage.promote(inst.id, vpB), s.keyStorage.abandonRotation(inst.id)]) {
      assert.equal((await assertRejects(p, RotationError)).problem, 'no-rotation');
    }
  });

  it('the first rotation of an empty key storage goes from the empty register (zero VP) and promotes nothing', async () => {
    const zero = '00'.repeat(32);
    await s.keyStorage.beginRotation(inst.id, { fromVp: zero, toVp: vpA });
    assert.equal(await s.keyStorage.promote(inst.id, vpA), 0);
    assert.isUndefined(await s.keyStorage.rotation(inst.id));
  });

  it('removing a key during a rotation is allowed and the rest still promotes', async () => {
    await threeKeys();
    await s.keyStorage.beginRotation(inst.id, { fromVp: vpA, toVp: vpB });
    await s.keyStorage.stage(inst.id, [keyBlob(ids[0], vpB), keyBlob(ids[2], vpB)]);
    await s.keyStorage.remove(inst.id, idHex[1]);
    assert.equal(await s.keyStorage.promote(inst.id, vpB), 2);
    assert.deepEqual(await s.keyStorage.countByVp(inst.id), { [vpB]: 2 });
  });
});
