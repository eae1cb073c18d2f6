import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { wrap, type IDBPDatabase } from 'idb';
import { parseCertificate } from '../../src/cryptounit/protocol/index.ts';
import { describe, it, beforeEach, afterEach, assert, assertBytes, assertRejects } from '../harness.ts';
import {
  MIGRATIONS, MigrationError, openStore, StoreClosedError, StoreVersionError, type Migration, type WebtkeStore,
} from '../../src/store/index.ts';
import { adminCertificate, c, hex, keyBlob, randomVp, T0 } from './helpers.ts';
import { testIdb, type TestIdb } from './idb-env.ts';

const INSTANCE_ID = 'a1'.repeat(16);

/** Open a raw database at `version`, creating the schema with `upgrade` (the test's own code). */
async function rawOpen(idb: TestIdb, version?: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBPDatabase<unknown>> {
  const req = idb.indexedDB.open(idb.name, version);
  if (upgrade) req.onupgradeneeded = () => upgrade(req.result);
  return (await wrap(req)) as unknown as IDBPDatabase<unknown>;
}

/** Journal entries as a v1 webtke wrote them, hashed here with @noble/hashes and sorted-key JSON. */
function v1JournalEntries(): Record<string, unknown>[] {
  const jcs = (v: unknown): string =>
    v === null || typeof v !== 'object'
      ? JSON.stringify(v)
      : '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + jcs((v as Record<string, unknown>)[k])).join(',') + '}';
  const out: Record<string, unknown>[] = [];
  let prev = '0'.repeat(64);
  for (const [seq, text] of [[1, 'instance created'], [2, 'admins added']] as const) {
    const body = { seq, time: T0 + seq, prevHash: prev, kind: 'note', instanceId: INSTANCE_ID, text };
    prev = hex(nobleSha256(new TextEncoder().encode(jcs(body))));
    out.push({ ...body, hash: prev });
  }
  return out;
}

describe('store: migrations', () => {
  let idb: TestIdb;
  const open: (WebtkeStore | IDBPDatabase<unknown>)[] = [];
  const track = <T extends WebtkeStore | IDBPDatabase<unknown>>(x: T): T => {
    open.push(x);
    return x;
  };
  const store = (migrations?: readonly Migration[], onVersionChange?: () => void): Promise<WebtkeStore> =>
    openStore({ indexedDB: idb.indexedDB, crypto: c, name: idb.name, clock: () => T0 + 100, migrations, onVersionChange }).then(track);

  beforeEach(async () => {
    idb = await testIdb();
  });
  afterEach(async () => {
    for (const x of open.splice(0)) x.close();
    await idb.cleanup();
  });

  it('a new database gets every store and index of the current schema', async () => {
    const s = await store();
    assert.equal(s.version, MIGRATIONS.length);
    s.close();
    const db = track(await rawOpen(idb));
    assert.equal(db.version, 2);
    assert.deepEqual([...db.objectStoreNames].sort(), ['admins', 'instances', 'journal', 'keyParts', 'keyRecords', 'rotations', 'settings', 'simKeys', 'simState']);
    const tx = db.transaction([...db.objectStoreNames]);
    const shape = (name: string) => {
      const os = tx.objectStore(name);
      return { keyPath: os.keyPath, indexes: Object.fromEntries([...os.indexNames].map((i) => [i, os.index(i).keyPath])) };
    };
    assert.deepEqual(shape('instances'), { keyPath: 'id', indexes: {} });
    assert.deepEqual(shape('admins'), { keyPath: 'ski', indexes: { name: 'name' } });
    assert.deepEqual(shape('keyParts'), { keyPath: 'id', indexes: { vp: 'vp' } });
    assert.deepEqual(shape('journal'), { keyPath: 'seq', indexes: { instanceId: 'instanceId' } });
    assert.deepEqual(shape('keyRecords'), {
      keyPath: ['instanceId', 'keyId'],
      indexes: { instanceId: 'instanceId', instanceVp: ['instanceId', 'vp'], instanceNextVp: ['instanceId', 'nextVp'] },
    });
    assert.deepEqual(shape('simState'), { keyPath: ['instanceId', 'slot'], indexes: { instanceId: 'instanceId' } });
    assert.deepEqual(shape('simKeys'), { keyPath: 'instanceId', indexes: {} });
    assert.deepEqual(shape('rotations'), { keyPath: 'instanceId', indexes: {} });
    assert.deepEqual(shape('settings'), { keyPath: 'key', indexes: {} });
  });

  it('upgrades a version 1 database written by hand: every record survives and the chain continues', async () => {
    const cert = await adminCertificate('Alice');
    const point = parseCertificate(cert).subjectKey.point as Uint8Array<ArrayBuffer>;
    const certSki = hex(new Uint8Array(await c.subtle.digest('SHA-256', point)));
    const v1 = track(
      await rawOpen(idb, 1, (db) => {
        db.createObjectStore('instances', { keyPath: 'id' });
        db.createObjectStore('admins', { keyPath: 'ski' }).createIndex('name', 'name');
        db.createObjectStore('keyParts', { keyPath: 'id' }).createIndex('vp', 'vp');
        db.createObjectStore('journal', { keyPath: 'seq' }).createIndex('instanceId', 'instanceId');
      }),
    );
    const instance = {
      id: INSTANCE_ID, name: 'Old lab', kind: 'simulated', created: T0,
      units: [{ id: 'b2'.repeat(16), label: 'unit 0', endpoint: { kind: 'simulated', index: 0 }, created: T0 }],
    };
    const admin = { ski: certSki, name: 'Alice', curve: 'P-256', certificate: cert, location: { kind: 'unit' }, added: T0 };
    const part = { id: 'c3'.repeat(16), description: 'part 1', vp: 'dd'.repeat(28) + '00000000', holder: 'file p1', created: T0 };
    await v1.put('instances', instance);
    await v1.put('admins', admin);
    await v1.put('keyParts', part);
    for (const e of v1JournalEntries()) await v1.put('journal', e);
    v1.close();

    const s = await store();
    assert.deepEqual(await s.instances.get(INSTANCE_ID), instance as never);
    const a = (await s.admins.get(certSki))!;
    assertBytes(a.certificate, cert);
    assert.equal(a.name, 'Alice');
    assert.deepEqual(await s.keyParts.findByVp(part.vp), [part]);
    assert.deepEqual(await s.journal.verify(), { ok: true, count: 2, head: { seq: 2, hash: v1JournalEntries()[1].hash as string } });
    const next = await s.journal.append({ kind: 'note', instanceId: INSTANCE_ID, text: 'upgraded' });
    assert.equal(next.seq, 3);
    assert.equal(next.prevHash, v1JournalEntries()[1].hash);
    // the stores v2 adds work on the upgraded database
    const vp = randomVp();
    await s.keyStorage.add(INSTANCE_ID, { label: 'k', blob: keyBlob(new Uint8Array(16).fill(1), vp) });
    assert.deepEqual(await s.keyStorage.countByVp(INSTANCE_ID), { [vp]: 1 });
    await s.settings.set('theme', 'dark');
    assert.equal(await s.settings.get('theme'), 'dark');
  });

  it('runs an injected migration that rewrites data, in order, after the real ones', async () => {
    const s = await store();
    const inst = await s.instances.create({ name: '  padded  ', kind: 'remote' });
    s.close();
    const ran: number[] = [];
    const v3: Migration = {
      version: 3,
      description: 'trim instance names',
      async up(_db, tx) {
        ran.push(3);
        let cursor = await tx.objectStore('instances').openCursor();
        while (cursor) {
          const v = cursor.value as { name: string };
          await cursor.update({ ...v, name: v.name.trim() });
          cursor = await cursor.continue();
        }
      },
    };
    const s3 = await store([...MIGRATIONS.map((m) => ({ ...m, up: (...a: Parameters<Migration['up']>) => (ran.push(m.version), m.up(...a)) })), v3]);
    assert.deepEqual(ran, [3], 'only the migration above the version on disk runs');
    assert.equal(s3.version, 3);
    assert.equal((await s3.instances.get(inst.id))!.name, 'padded');
  });

  for (const style of ['sync', 'async'] as const) {
    it(`a failing migration (${style}) rolls the whole upgrade back: old version, old data, no partial write`, async () => {
      const s = await store();
      const inst = await s.instances.create({ name: 'Keep me', kind: 'remote' });
      s.close();
      const v3: Migration = {
        version: 3,
        description: 'breaks half-way',
        async up(db, tx) {
          db.createObjectStore('halfway');
          if (style === 'async') await tx.objectStore('instances').put({ id: inst.id, name: 'changed', kind: 'remote', units: [], created: 0 });
          else tx.objectStore('instances').put({ id: inst.id, name: 'changed', kind: 'remote', units: [], created: 0 }).catch(() => undefined); // aborted with the upgrade
          throw new Error('boom');
        },
      };
      const v4: Migration = { version: 4, description: 'never reached', up: () => assert.fail('v4 ran after v3 failed') };
      const e = await assertRejects(store([...MIGRATIONS, v3, v4]), MigrationError);
      assert.equal(e.version, 3);
      assert.match(e.message, /boom/);
      const db = track(await rawOpen(idb));
      assert.equal(db.version, 2);
      assert.isFalse(db.objectStoreNames.contains('halfway'));
      assert.equal(((await db.get('instances', inst.id)) as { name: string }).name, 'Keep me');
      db.close();
      assert.equal((await (await store()).instances.get(inst.id))!.name, 'Keep me');
    });
  }

  it('a database from a newer webtke is refused (StoreVersionError), a misnumbered list is a MigrationError', async () => {
    (await store([...MIGRATIONS, { version: 3, description: 'future', up: () => undefined }])).close();
    const e = await assertRejects(store(), StoreVersionError);
    assert.equal(e.supported, 2);
    await assertRejects(store([MIGRATIONS[1]]), MigrationError);
    await assertRejects(store([]), MigrationError);
  });

  it('an upgrade from another tab closes this store instead of being blocked by it', async () => {
    let told = 0;
    const old = await store(undefined, () => told++);
    const upgraded = await store([...MIGRATIONS, { version: 3, description: 'next', up: () => undefined }]);
    assert.equal(upgraded.version, 3);
    assert.equal(told, 1);
    assert.isTrue(old.closed);
    await assertRejects(old.journal.head(), StoreClosedError);
  });
});
