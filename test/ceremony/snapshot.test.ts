/**
 * The instance snapshot: what is queried per unit, the one-query refresh of a unit whose counter
 * did not move, a unit that does not answer, and the key storage summary.
 */
import { refreshInstance, type InstanceSnapshot, type UnitLink } from '../../src/ceremony/index.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { Query } from '../../src/cryptounit/protocol/index.ts';
import { MemoryUnitTransport } from '../../src/cryptounit/transports/memory.ts';
import { after, assert, before, describe, it } from '../harness.ts';
import { c, makeWorld, type World } from './world.ts';

describe('instance snapshot', () => {
  let w: World;
  let links: UnitLink[];
  const refresh = (previous?: InstanceSnapshot): Promise<InstanceSnapshot> =>
    refreshInstance({ instanceId: w.instance.id, units: links, storage: w.store.keyStorage, now: () => 42, previous });
  const queries = (): number[][] => w.transports.map((t) => t.commands.filter((x) => x >= 0x00010000));

  before(async () => {
    w = await makeWorld({ units: 3 });
    links = w.instance.units.map((u, i) => {
      const client = new CryptoUnitClient({ transport: w.transports[i], crypto: c });
      return { unitId: u.id, label: u.label, client, ensureConnected: async () => void (client.connected || (await client.connect())) };
    });
  });
  after(async () => {
    await w.done();
  });

  it('queries DOMAIN_INFO, DOM_ATTRS and DOMADMIN of each unit (no IMPORTER in imprint mode)', async () => {
    const s = await refresh();
    assert.equal(s.takenAt, 42);
    assert.deepEqual(queries(), w.transports.map(() => [Query.DEVICE_CERT, Query.DEVICE_CERT, Query.DOMAIN_INFO, Query.DOM_ATTRS, Query.DOMADMIN]));
    for (const u of s.units) {
      assert.isTrue(u.reachable);
      if (!u.reachable) continue;
      assert.equal(u.mode, 'imprint');
      assert.deepEqual(u.adminSkis, []);
      assert.deepEqual(u.current, { state: 'EMPTY', vp: null });
      assert.deepEqual(u.next, { state: 'EMPTY', vp: null });
      assert.isNull(u.importer);
      assert.isTrue(u.stable);
      assert.equal(u.counter, 0n);
    }
    assert.deepEqual(s.storage, { total: 0, byVp: {}, rotation: null });
  });

  it('asks a unit whose counter did not move only DOMAIN_INFO, and the others everything again', async () => {
    const first = await refresh();
    w.transports.forEach((t) => (t.commands.length = 0));
    const same = await refresh(first);
    assert.deepEqual(queries(), w.transports.map(() => [Query.DOMAIN_INFO]));
    assert.deepEqual(same.units, first.units);

    // another workstation adds an admin on unit 2 (imprint mode: no signature)
    const other = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => w.sims[1].handle(r)), crypto: c });
    await other.connect();
    await other.addAdmin(w.admins[0].certificate);
    w.transports.forEach((t) => (t.commands.length = 0));
    const changed = await refresh(same);
    assert.deepEqual(queries(), [[Query.DOMAIN_INFO], [Query.DOMAIN_INFO, Query.DOM_ATTRS, Query.DOMADMIN], [Query.DOMAIN_INFO]]);
    const u2 = changed.units[1];
    assert.isTrue(u2.reachable && u2.counter === 1n && u2.adminSkis.length === 1 && u2.adminSkis[0] === w.admins[0].ski);
  });

  it('reports a unit that does not answer as unreachable, with the failure, whatever it showed before', async () => {
    const before = await refresh();
    w.transports[2].mode = 'down';
    try {
      const s = await refresh(before);
      const u3 = s.units[2];
      assert.isFalse(u3.reachable);
      if (!u3.reachable) {
        assert.equal(u3.error.kind, 'transport');
        assert.equal(u3.error.name, 'UnitTransportError');
        assert.match(u3.error.message, /is down/);
      }
      assert.isTrue(s.units[0].reachable && s.units[1].reachable);
    } finally {
      w.transports[2].mode = 'up';
    }
  });
});
