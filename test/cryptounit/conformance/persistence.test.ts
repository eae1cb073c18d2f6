/**
 * Export/restore equivalence: a unit restored from its saved state (on a restored host)
 * answers exactly as the original would: the same ResponseBlocks for the same requests
 * (signatures differ only by ECDSA randomness and verify under the same OA key), the same
 * counter, admins, thresholds, registers and importer.
 */
import { describe, it, assert, hexOf } from '../../harness.ts';
import { u32be } from '../../../src/bytes/index.ts';
import { Command, KeyStorageOp, Query, encodeBlobWithData, decodeKeyBlob, wrapPartForImporter } from '../../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { UnitSession, thresholdPairs } from '../../fakes/unit-requests.ts';
import { adminPool, c, expectOk, expectRc, freshUnit, nobleVp, randomPart, xorParts } from './setup.ts';

describe('conformance: export/restore equivalence', () => {
  it('a restored unit answers exactly as the original', async () => {
    const pool = await adminPool();
    const admins = pool.slice(0, 3);
    const host = await SimulatedHost.create();
    const f = await freshUnit({ host, domainIndex: 3 });
    const s = f.s;
    await s.installAdmins(admins);
    await s.setThresholds(2, 2, admins.slice(0, 2));
    const vpA = await s.loadNew([randomPart(), randomPart()], admins[0]);
    await s.commit(vpA, admins.slice(0, 2));
    await s.finalize(vpA, admins[1]);
    const blob = await s.generateKey(new Uint8Array(16).fill(7));
    const wrapped = (await s.keyOp(KeyStorageOp.WRAP, encodeBlobWithData({ blob: decodeKeyBlob(blob), data: Uint8Array.of(1, 2, 3) }))).payload;
    const vpB = await s.loadNew([randomPart(), randomPart()], admins[0]);
    const spki = await s.genImporter(admins[2], 2);
    const accepted = await s.request({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(2, 2), signers: admins.slice(0, 2) });
    expectOk(await s.send(accepted));

    const savedHost = await host.exportState();
    const saved = await f.unit.exportState();
    const host2 = await SimulatedHost.restore(savedHost);
    const unit2 = await SimulatedCryptoUnit.restore(saved, { host: host2 });
    const s2 = await UnitSession.open(unit2);
    assert.equal(hexOf(await unit2.exportState()), hexOf(saved), 'export(restore(x)) = x');

    // identity and binding
    for (const k of ['oaPoint', 'oaCertificate', 'rootCertificate', 'moduleSerial', 'moduleInstance', 'domainInstance'] as const) {
      assert.equal(hexOf(s2[k]), hexOf(s[k]), k);
    }
    assert.equal(s2.domainIndex, 3);
    assert.equal(s2.counter, s.counter);

    /** Send the same bytes to both; their ResponseBlocks must be identical. */
    const both = async (req: Uint8Array, what: string) => {
      const a = await s.send(req);
      const b = await s2.send(req);
      assert.equal(hexOf(b.response.responseBlock), hexOf(a.response.responseBlock), what);
      return a;
    };
    for (const [q, p] of [
      [Query.DOMADMIN, new Uint8Array(0)],
      [Query.DOMADMIN, admins[1].ski],
      [Query.DOM_ATTRS, new Uint8Array(0)],
      [Query.DOMAIN_INFO, new Uint8Array(0)],
      [Query.IMPORTER, new Uint8Array(0)],
      [Query.DEVICE_CERT, u32be(0)],
      [Query.DEVICE_CERT, u32be(1)],
    ] as [number, Uint8Array][]) {
      expectOk(await both(s.queryRequest(q, p), `query 0x${q.toString(16)}`));
    }
    // the counter: a request the original accepted before the export is a replay for both
    expectRc(await both(accepted, 'replay'), 163);
    // the registers: committing B and the wrong VP behave the same
    const wrongVp = vpB.slice();
    wrongVp[0] ^= 1;
    expectRc(await both(await s.request({ command: Command.COMMIT_WK, payload: wrongVp, signers: admins.slice(0, 2) }), 'wrong VP'), 101, 48);
    // key storage: the blob made by the original opens on the restored unit
    const u = await s2.keyOp(KeyStorageOp.UNWRAP, encodeBlobWithData({ blob: decodeKeyBlob(blob), data: wrapped }));
    expectOk(u);
    assert.equal(hexOf(u.payload), '010203');
    // the importer: clear the new register on both, then load parts wrapped to the original's importer
    expectOk(await both(await s.request({ command: Command.CLEAR_NEXT_WK, signers: [admins[2]] }), 'clear new'));
    const parts = [randomPart(), randomPart()];
    const envs = [await wrapPartForImporter(c, spki, parts[0]), await wrapPartForImporter(c, spki, parts[1])];
    const load = await both(await s.importRequest(envs, [[admins[0]], [admins[2]]]), 'IMPORT_WK');
    expectOk(load);
    assert.equal(hexOf(load.payload), hexOf(nobleVp(xorParts(parts))));
    assert.equal(hexOf(await unit2.exportState()), hexOf(await f.unit.exportState()), 'the same state after the same commands');
    assert.notEqual(hexOf(await unit2.exportState()), hexOf(saved));
  });

  it('a fresh unit in imprint mode round-trips too', async () => {
    const host = await SimulatedHost.create();
    const f = await freshUnit({ host });
    const saved = await f.unit.exportState();
    const u = await SimulatedCryptoUnit.restore(saved, { host });
    assert.equal(hexOf(await u.exportState()), hexOf(saved));
    const s2 = await UnitSession.open(u);
    assert.equal(s2.counter, 0n);
    expectOk(await s2.run({ command: Command.DOM_ZEROIZE }));
  });
});
