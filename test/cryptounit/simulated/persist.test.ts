/**
 * The unit's saved state: format, determinism, and refusal of damaged or inconsistent state
 * with a SimulatedStateError naming the field.
 */
import { describe, it, assert, assertRejects, before, hexOf } from '../../harness.ts';
import { SimulatedCryptoUnit, SimulatedHost, SimulatedStateError } from '../../../src/cryptounit/simulated/index.ts';
import { UnitSession, makeUnitAdmins, type UnitAdmin } from '../../fakes/unit-requests.ts';

const c = globalThis.crypto;
type Json = Record<string, unknown>;

const parse = (b: Uint8Array): Json => JSON.parse(new TextDecoder().decode(b)) as Json;
const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));

describe('SimulatedCryptoUnit saved state', () => {
  let host: SimulatedHost;
  let otherHost: SimulatedHost;
  let full: Json;
  let imprint: Json;
  let admins: UnitAdmin[];
  before(async () => {
    host = await SimulatedHost.create();
    otherHost = await SimulatedHost.create();
    admins = await makeUnitAdmins(2);
    const u = await SimulatedCryptoUnit.create({ host });
    imprint = parse(await u.exportState());
    const s = await UnitSession.open(u, { verify: 'webcrypto' });
    await s.installAdmins(admins);
    await s.setThresholds(1, 1, [admins[0]]);
    const vp = await s.loadNew([c.getRandomValues(new Uint8Array(32)), c.getRandomValues(new Uint8Array(32))], admins[0]);
    await s.commit(vp, [admins[0]]);
    await s.finalize(vp, admins[0]);
    await s.loadNew([c.getRandomValues(new Uint8Array(32)), c.getRandomValues(new Uint8Array(32))], admins[0]);
    await s.genImporter(admins[1], 2);
    full = parse(await u.exportState());
  });

  it('is versioned JSON holding the whole unit', () => {
    assert.equal(full.format, 'webtke.simulated-unit');
    assert.equal(full.version, 1);
    assert.deepEqual(Object.keys(full).sort(), [
      'admins', 'counter', 'currentKey', 'domainIndex', 'domainInstance', 'format', 'importer', 'moduleInstance', 'moduleSerial',
      'newCommitted', 'newKey', 'oaCertificate', 'oaPkcs8', 'revokeThreshold', 'signThreshold', 'version',
    ]);
    assert.equal(full.counter, '10', '2 logins, thresholds, 2 × (importer + load), commit, finalize, importer');
    assert.deepEqual(full.admins, admins.map((a) => hexOf(a.certificate)));
    assert.equal((full.importer as Json).curve, 'P-256');
    assert.equal(full.newCommitted, false);
  });

  it('restores and exports the same bytes', async () => {
    for (const o of [full, imprint]) {
      const u = await SimulatedCryptoUnit.restore(bytes(o), { host });
      assert.equal(new TextDecoder().decode(await u.exportState()), JSON.stringify(o));
    }
  });

  it('refuses damaged or inconsistent state with a typed error naming the field', async () => {
    const edit = (base: Json, f: (o: Json) => void): Uint8Array => {
      const o = JSON.parse(JSON.stringify(base)) as Json;
      f(o);
      return bytes(o);
    };
    const otherUnit = parse(await (await SimulatedCryptoUnit.create({ host })).exportState());
    const cases: [string, Uint8Array][] = [
      ['(state)', new TextEncoder().encode('{"format":')],
      ['(state)', Uint8Array.of(0xff, 0xfe, 0x7b, 0x7d)],
      ['(state)', bytes(null)],
      ['format', edit(full, (o) => (o.format = 'webtke.simulated-host'))],
      ['version', edit(full, (o) => (o.version = 2))],
      ['counter', edit(full, (o) => (o.counter = 'abc'))],
      ['counter', edit(full, (o) => (o.counter = '-1'))],
      ['counter', edit(full, (o) => (o.counter = '007'))],
      ['counter', edit(full, (o) => (o.counter = (1n << 128n).toString()))],
      ['counter', edit(full, (o) => (o.counter = 7))],
      ['domainIndex', edit(full, (o) => (o.domainIndex = 2 ** 32))],
      ['domainIndex', edit(full, (o) => (o.domainIndex = 1.5))],
      ['moduleSerial', edit(full, (o) => (o.moduleSerial = (o.moduleSerial as string).slice(2)))],
      ['moduleInstance', edit(full, (o) => (o.moduleInstance = 'zz' + (o.moduleInstance as string).slice(2)))],
      ['domainInstance', edit(full, (o) => delete o.domainInstance)],
      ['signThreshold', edit(full, (o) => (o.signThreshold = 9))],
      ['signThreshold', edit(full, (o) => (o.revokeThreshold = 0))],
      ['signThreshold', edit(imprint, (o) => (o.currentKey = full.currentKey))],
      ['revokeThreshold', edit(full, (o) => (o.revokeThreshold = 3))],
      ['admins', edit(full, (o) => (o.admins = 'none'))],
      ['admins[1]', edit(full, (o) => ((o.admins as string[])[1] = (o.admins as string[])[0]))],
      ['admins[0]', edit(full, (o) => ((o.admins as string[])[0] = (o.admins as string[])[0].slice(0, -4) + '0000'))],
      ['currentKey', edit(full, (o) => (o.currentKey = '00'.repeat(32)))],
      ['currentKey', edit(full, (o) => (o.currentKey = '11'.repeat(31)))],
      ['newCommitted', edit(full, (o) => ((o.newKey = null), (o.newCommitted = true)))],
      ['newCommitted', edit(full, (o) => (o.newCommitted = 'yes'))],
      ['importer.curve', edit(full, (o) => ((o.importer as Json).curve = 'P-384'))],
      ['importer.pkcs8', edit(full, (o) => ((o.importer as Json).pkcs8 = '3000'))],
      ['importer.pkcs8', edit(full, (o) => ((o.importer as Json).curve = 'P-521'))],
      ['importer.extra', edit(full, (o) => ((o.importer as Json).extra = 1))],
      ['oaPkcs8', edit(full, (o) => (o.oaPkcs8 = (o.oaPkcs8 as string).slice(0, 40)))],
      ['oaCertificate', edit(full, (o) => (o.oaPkcs8 = otherUnit.oaPkcs8))],
      ['oaCertificate', edit(full, (o) => (o.oaCertificate = (o.oaCertificate as string).slice(0, -2) + '00'))],
      ['surplus', edit(full, (o) => (o.surplus = true))],
    ];
    for (const [field, state] of cases) {
      const e = await assertRejects(SimulatedCryptoUnit.restore(state, { host }), SimulatedStateError, field);
      assert.equal(e.field, field, e.message);
    }
    // a unit of one host cannot be restored on another
    const e = await assertRejects(SimulatedCryptoUnit.restore(bytes(full), { host: otherHost }), SimulatedStateError);
    assert.equal(e.field, 'oaCertificate');
  });
});
