import { describe, it, beforeEach, afterEach, assert, assertRejects, assertThrows } from '../harness.ts';
import { assertNoSecrets, InvalidRecordError, isSecretName, SecretFieldError, type WebtkeStore } from '../../src/store/index.ts';
import { rawAll, setup, T0, type Harness } from './helpers.ts';

describe('store: secret guard', () => {
  it('flags names that hold secrets and leaves look-alikes alone', () => {
    const secret = [
      'password', 'Password', 'adminPassword', 'password_hash', 'passwd', 'passphrase', 'filePassphrase', 'passcode', 'pin', 'PIN',
      'userPIN', 'adminPINCode', 'pin_code', 'so-pin', 'puk', 'secret', 'sharedSecret', 'client_secret', 'pkcs8', 'pkcs8Der',
      'PKCS8', 'privateKey', 'private_key', 'PrivateKeyPem', 'privKey', 'masterKey', 'master_key_bytes', 'part', 'keyPart',
      'partBytes', 'part_raw', 'clearPart', 'partHex', 'partValue',
    ];
    const fine = [
      'pinnedRoot', 'pinned', 'spin', 'opinion', 'partId', 'partVp', 'parts', 'partDescription', 'counterpart', 'privateNote',
      'publicKey', 'masterName', 'vp', 'vpBefore', 'nextVp', 'ski', 'certificate', 'blob', 'nextBlob', 'key', 'keyId', 'holder',
      'description', 'label', 'fileName', 'serial',
    ];
    assert.deepEqual(secret.filter((n) => !isSecretName(n)), [], 'missed');
    assert.deepEqual(fine.filter((n) => isSecretName(n)), [], 'false alarms');
  });

  it('walks nested objects and arrays and reports the path', () => {
    assert.equal(assertThrows(() => assertNoSecrets({ a: [{ b: 1 }, { c: { pin: '1' } }] }), SecretFieldError).path, 'a[1].c.pin');
    assert.equal(assertThrows(() => assertNoSecrets([{ privateKey: new Uint8Array(32) }]), SecretFieldError).path, '[0].privateKey');
    assertNoSecrets({ blob: new Uint8Array(8), when: new Date(0), list: [1, 'two', null] }); // bytes and dates are leaves
  });
});

describe('store: no repository stores a secret', () => {
  let h: Harness;
  let s: WebtkeStore;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
  });
  afterEach(async () => h.done());

  it('every write path refuses a secret-named field, and nothing reaches the database', async () => {
    const sim = await s.instances.create({ name: 'Lab', kind: 'simulated', units: [{ label: 'u', endpoint: { kind: 'simulated', index: 0 } }] });
    const before = await dump(h);
    const attempts: [string, () => Promise<unknown>][] = [
      ['instances.create', () => s.instances.create({ name: 'x', kind: 'simulated', passphrase: 'p' } as never)],
      ['instances.addUnit', () => s.instances.addUnit(sim.id, { label: 'v', endpoint: { kind: 'simulated', index: 1 }, pin: '1' } as never)],
      ['instances.updateUnit', () => s.instances.updateUnit(sim.id, sim.units[0].id, { label: 'w', secret: 's' } as never)],
      ['keyParts.add', () => s.keyParts.add({ description: 'd', vp: '00'.repeat(32), holder: 'h', part: new Uint8Array(32) } as never)],
      ['keyStorage.add', () => s.keyStorage.add(sim.id, { label: 'l', blob: new Uint8Array(1), pkcs8: new Uint8Array(1) } as never)],
      ['journal.append', () => s.journal.append({ kind: 'note', instanceId: sim.id, fields: { cardPin: '123456' } })],
      ['settings.set name', () => s.settings.set('lastPin', '123456')],
      ['settings.set value', () => s.settings.set('custodians', [{ name: 'a', password: 'x' }])],
    ];
    for (const [what, attempt] of attempts) await assertRejects(attempt(), SecretFieldError, what);
    assert.deepEqual(await dump(h), before);
  });
});

describe('store: settings', () => {
  let h: Harness;
  let s: WebtkeStore;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
  });
  afterEach(async () => h.done());

  it('sets, gets, lists and removes non-secret preferences', async () => {
    await s.settings.set('theme', 'dark');
    await s.settings.set('transcript.columns', ['seq', 'command', 'rc']);
    await s.settings.set('lastInstance', { id: 'ab'.repeat(16), at: 3 });
    await s.settings.set('confirmTwice', true);
    await s.settings.set('theme', 'light');
    assert.equal(await s.settings.get('theme'), 'light');
    assert.deepEqual(await s.settings.all(), {
      theme: 'light', 'transcript.columns': ['seq', 'command', 'rc'], lastInstance: { id: 'ab'.repeat(16), at: 3 }, confirmTwice: true,
    });
    assert.equal((await rawAll(h, 'settings')).find((r) => r.key === 'theme')!.updated, T0);
    await s.settings.remove('theme');
    assert.isUndefined(await s.settings.get('theme'));
  });

  it('refuses bad names and values that are not plain data', async () => {
    for (const name of ['', '1abc', 'has space', '__proto__', 'x'.repeat(65)]) await assertRejects(s.settings.set(name, 1), InvalidRecordError, name);
    for (const value of [NaN, new Uint8Array(1), new Date(0), { f: () => 1 }]) await assertRejects(s.settings.set('v', value as never), InvalidRecordError, String(value));
    assert.deepEqual(await s.settings.all(), {});
  });
});

/** Every record of every object store, for before/after comparisons. */
async function dump(h: Harness): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const name of ['instances', 'admins', 'keyParts', 'journal', 'keyRecords', 'rotations', 'simState', 'simKeys', 'settings']) {
    out[name] = await rawAll(h, name);
  }
  return out;
}
