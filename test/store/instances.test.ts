import { describe, it, beforeEach, afterEach, assert, assertBytes, assertRejects } from '../harness.ts';
import { exportSpki, generateEcKeyPair } from '../../src/crypto/index.ts';
import {
  InvalidRecordError, NotFoundError, RootPinConflictError, SecretFieldError, StoreClosedError, type WebtkeStore,
} from '../../src/store/index.ts';
import { c, keyBlob, randomVp, rawAll, setup, T0, type Harness } from './helpers.ts';

/** SHA256:<unpadded base64> computed here, independently of spkiFingerprint. */
async function fingerprint(spki: Uint8Array): Promise<string> {
  const h = new Uint8Array(await c.subtle.digest('SHA-256', spki as Uint8Array<ArrayBuffer>));
  return 'SHA256:' + btoa(String.fromCharCode(...h)).replace(/=+$/, '');
}

async function rootSpki(): Promise<Uint8Array> {
  return exportSpki(c, (await generateEcKeyPair(c, 'P-521', 'ECDSA', true)).publicKey);
}

describe('store: instances and units', () => {
  let h: Harness;
  let s: WebtkeStore;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
  });
  afterEach(async () => h.done());

  it('creates an instance with units, reads it back, lists oldest first', async () => {
    const a = await s.instances.create({
      name: 'Payments',
      kind: 'remote',
      units: [
        { label: 'HSM A', endpoint: { kind: 'http', url: 'https://hsm-a.example/unit' } },
        { label: 'HSM B', endpoint: { kind: 'http', url: 'https://hsm-b.example/unit' } },
      ],
    });
    h.time.now = T0 + 5;
    const b = await s.instances.create({ name: 'Lab', kind: 'simulated', units: [{ label: 'sim 0', endpoint: { kind: 'simulated', index: 0 } }] });
    assert.match(a.id, /^[0-9a-f]{32}$/);
    assert.notEqual(a.units[0].id, a.units[1].id);
    assert.equal(a.created, T0);
    const back = await s.instances.get(a.id);
    assert.deepEqual(back, a);
    assert.deepEqual((await s.instances.list()).map((i) => i.name), ['Payments', 'Lab']);
    assert.equal(b.units[0].endpoint.kind, 'simulated');
    assert.isUndefined(await s.instances.get('00'.repeat(16)));
  });

  it('refuses endpoints that do not match the kind, bad URLs, duplicates and unknown fields', async () => {
    const bad: [unknown, string][] = [
      [{ name: 'x', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'http', url: 'https://a.example' } }] }, 'units[0].endpoint.kind'],
      [{ name: 'x', kind: 'remote', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }] }, 'units[0].endpoint.kind'],
      [{ name: 'x', kind: 'remote', units: [{ label: 'u', endpoint: { kind: 'http', url: 'ftp://a.example' } }] }, 'units[0].endpoint.url'],
      [{ name: 'x', kind: 'remote', units: [{ label: 'u', endpoint: { kind: 'http', url: 'https://bob@a.example' } }] }, 'units[0].endpoint.url'],
      [{ name: 'x', kind: 'remote', units: [{ label: 'u', endpoint: { kind: 'http', url: 'not a url' } }] }, 'units[0].endpoint.url'],
      [{ name: 'x', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: -1 } }] }, 'units[0].endpoint.index'],
      [{ name: 'x', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }, { label: 'u', endpoint: { kind: 'simulated', index: 1 } }] }, 'label'],
      [{ name: 'x', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }, { label: 'v', endpoint: { kind: 'simulated', index: 0 } }] }, 'endpoint'],
      [{ name: '', kind: 'simulated' }, 'name'],
      [{ name: 'x', kind: 'hybrid' }, 'kind'],
      [{ name: 'x', kind: 'simulated', owner: 'me' }, 'owner'],
    ];
    for (const [input, field] of bad) {
      const e = await assertRejects(s.instances.create(input as never), InvalidRecordError, JSON.stringify(input));
      assert.equal(e.field, field, JSON.stringify(input));
    }
    assert.deepEqual(await s.instances.list(), []);
  });

  it('adds, updates and removes units; rename; a failed change leaves the record as it was', async () => {
    const inst = await s.instances.create({ name: 'Lab', kind: 'simulated' });
    const u0 = await s.instances.addUnit(inst.id, { label: 'unit 0', endpoint: { kind: 'simulated', index: 0 } });
    const u1 = await s.instances.addUnit(inst.id, { label: 'unit 1', endpoint: { kind: 'simulated', index: 1 } });
    await s.instances.updateUnit(inst.id, u1.id, { label: 'unit one' });
    await assertRejects(s.instances.updateUnit(inst.id, u1.id, { endpoint: { kind: 'simulated', index: 0 } }), InvalidRecordError);
    await assertRejects(s.instances.updateUnit(inst.id, 'ab'.repeat(16), { label: 'x' }), NotFoundError);
    await s.instances.rename(inst.id, 'Lab 2');
    let now = (await s.instances.get(inst.id))!;
    assert.equal(now.name, 'Lab 2');
    assert.deepEqual(now.units.map((u) => [u.label, u.endpoint]), [['unit 0', { kind: 'simulated', index: 0 }], ['unit one', { kind: 'simulated', index: 1 }]]);
    await s.simState.save(inst.id, u0.id, new Uint8Array([1]));
    await s.simState.save(inst.id, u1.id, new Uint8Array([2]));
    await s.instances.removeUnit(inst.id, u0.id);
    now = (await s.instances.get(inst.id))!;
    assert.deepEqual(now.units.map((u) => u.id), [u1.id]);
    assert.deepEqual(await s.simState.slots(inst.id), [u1.id], "the removed unit's state goes with it");
    await assertRejects(s.instances.rename('cd'.repeat(16), 'x'), NotFoundError);
  });

  it('pins a root on first use, accepts the same root, refuses a different one, unpins', async () => {
    const inst = await s.instances.create({ name: 'P', kind: 'remote', units: [{ label: 'a', endpoint: { kind: 'http', url: 'http://127.0.0.1:8080/' } }] });
    const unitId = inst.units[0].id;
    const root = await rootSpki();
    const other = await rootSpki();
    h.time.now = T0 + 7;
    const u = await s.instances.pinRoot(inst.id, unitId, root);
    assert.equal(u.pinnedRoot!.fingerprint, await fingerprint(root));
    assertBytes(u.pinnedRoot!.spki, root);
    assert.equal(u.pinnedRoot!.pinned, T0 + 7);
    h.time.now = T0 + 9;
    assert.equal((await s.instances.pinRoot(inst.id, unitId, root)).pinnedRoot!.pinned, T0 + 7, 'pinning again keeps the first pin');
    const e = await assertRejects(s.instances.pinRoot(inst.id, unitId, other), RootPinConflictError);
    assert.equal(e.pinned, await fingerprint(root));
    assert.equal(e.offered, await fingerprint(other));
    const stored = (await s.instances.get(inst.id))!.units[0];
    assertBytes(stored.pinnedRoot!.spki, root);
    await assertRejects(s.instances.pinRoot(inst.id, unitId, new Uint8Array([0x30, 0x00])), InvalidRecordError);
    await s.instances.unpinRoot(inst.id, unitId);
    assert.isUndefined((await s.instances.get(inst.id))!.units[0].pinnedRoot);
    await s.instances.pinRoot(inst.id, unitId, other);
    assert.equal((await s.instances.get(inst.id))!.units[0].pinnedRoot!.fingerprint, await fingerprint(other));
  });

  it('delete removes the instance with its key storage, rotation and simulated state in one go; other instances stay', async () => {
    const a = await s.instances.create({ name: 'A', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }] });
    const b = await s.instances.create({ name: 'B', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }] });
    const vp = randomVp();
    for (const inst of [a, b]) {
      await s.keyStorage.add(inst.id, { label: 'k', blob: keyBlob(c.getRandomValues(new Uint8Array(16)), vp) });
      await s.simState.save(inst.id, inst.units[0].id, new Uint8Array([1, 2, 3]));
      await s.simState.save(inst.id, 'host', new Uint8Array([4]));
    }
    await s.keyStorage.beginRotation(a.id, { fromVp: vp, toVp: randomVp() });
    await s.journal.append({ kind: 'note', instanceId: a.id, text: 'about to delete' });
    await s.instances.delete(a.id);
    assert.isUndefined(await s.instances.get(a.id));
    assert.deepEqual(await s.keyStorage.list(a.id), []);
    assert.isUndefined(await s.keyStorage.rotation(a.id));
    assert.deepEqual(await s.simState.slots(a.id), []);
    const keys = await rawAll(h, 'simKeys');
    assert.deepEqual(keys.map((k) => k.instanceId), [b.id]);
    assert.lengthOf(await s.keyStorage.list(b.id), 1);
    assert.deepEqual(await s.simState.slots(b.id), [b.units[0].id, 'host'].sort());
    assert.lengthOf(await s.journal.list({ instanceId: a.id }), 1, 'the journal is append-only');
    await assertRejects(s.instances.delete(a.id), NotFoundError);
  });

  it('refuses secret-named fields anywhere in the input', async () => {
    const e = await assertRejects(
      s.instances.create({ name: 'x', kind: 'remote', units: [{ label: 'u', endpoint: { kind: 'http', url: 'https://a.example', password: 'hunter2' } }] } as never),
      SecretFieldError,
    );
    assert.equal(e.path, 'units[0].endpoint.password');
    assert.deepEqual(await rawAll(h, 'instances'), []);
  });

  it('a closed store refuses calls with StoreClosedError', async () => {
    s.close();
    assert.isTrue(s.closed);
    await assertRejects(s.instances.list(), StoreClosedError);
  });

  it('records survive closing and reopening the database', async () => {
    const inst = await s.instances.create({ name: 'Keep', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 3 } }] });
    s.close();
    const again = await h.open();
    assert.deepEqual(await again.instances.get(inst.id), inst);
  });
});
