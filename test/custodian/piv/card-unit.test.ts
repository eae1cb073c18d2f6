/**
 * Card ↔ unit, end to end: an administrator on a virtual PIV card behind the TPDU-level fake
 * reader (SCR3310: the host runs T=1) signs the command that takes a SimulatedCryptoUnit out of
 * imprint mode (DOM_SET_ATTR thresholds 1/1, after DOM_ADMIN_LOGIN of that admin), and the
 * unit accepts it:
 *
 * 1. through the protocol codec alone (the test-side driver builds and checks every request
 *    and answer; the card only signs the AdminBlock);
 * 2. through the unit client, continuing to an importer key, two key parts from the card
 *    loaded and committed, with the unit's VP checked against the parts opened independently.
 */
import { assert, assertBytes, describe, it } from '../../harness.ts';
import { u32be } from '../../../src/bytes/index.ts';
import { Attribute, Command, Query, encodeAttributePairs } from '../../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/index.ts';
import { CryptoUnitClient } from '../../../src/cryptounit/client.ts';
import { MemoryUnitTransport } from '../../../src/cryptounit/transports/memory.ts';
import { UnitSession } from '../../fakes/unit-requests.ts';
import { expectedVp } from '../../cryptounit/transports/small-ceremony.ts';
import { independentVp, newTestImporter, openEnvelopeIndependently } from '../conformance/independent-kari.ts';
import { MK, PIN, c, pivCustodian } from './fixture.ts';

describe('PIV card ↔ simulated unit (SCR3310, TPDU level)', () => {
  it('the card admin signs the exit from imprint mode; the unit accepts it (protocol codec, no client)', async () => {
    const p = await pivCustodian({ name: 'Card Admin', curve: 'P-384', reader: 'scr3310', noPartKey: true });
    try {
      const unit = await SimulatedCryptoUnit.create({ crypto: c });
      const s = await UnitSession.open(unit);
      const login = await s.run({ command: Command.DOM_ADMIN_LOGIN, payload: p.signer.certificate });
      assert.equal(login.rv, 0, 'imprint mode: the admin is added unsigned');
      const setAttr = s.block({
        command: Command.DOM_SET_ATTR,
        payload: encodeAttributePairs([{ index: Attribute.SIGN_THR, value: 1 }, { index: Attribute.REVOKE_THR, value: 1 }]),
      });
      p.rig.log.clear();
      const before = { ...p.rig.device!.stats };
      const signerInfo = await p.signer.sign(setAttr);
      assert.lengthOf(p.rig.log.entries, 1, 'one APDU on the card for the signature');
      assert.isAbove(p.rig.device!.stats.xfrBlocks, before.xfrBlocks);
      const r = await s.run({ command: Command.DOM_SET_ATTR, adminBlock: setAttr, extraSignerInfos: [signerInfo] });
      assert.equal(r.rv, 0, `DOM_SET_ATTR answered ${r.rv}/${r.reason}`);
      const attrs = await s.query(Query.DOM_ATTRS);
      // pairs: 1 SIGN_THR = 1, 2 REVOKE_THR = 1, 4 MODE = 1 (authenticated)
      assertBytes(attrs.payload, new Uint8Array([...u32be(1), ...u32be(1), ...u32be(2), ...u32be(1), ...u32be(4), ...u32be(1)]));
      // a changed block under the same signature is refused (192: invalid signature)
      const forged = s.block({
        command: Command.DOM_SET_ATTR,
        payload: encodeAttributePairs([{ index: Attribute.SIGN_THR, value: 1 }]),
      });
      const refused = await s.run({ command: Command.DOM_SET_ATTR, adminBlock: forged, extraSignerInfos: [signerInfo] });
      assert.equal(refused.rv, 192);
    } finally {
      await p.rig.transport.close();
    }
  });

  it('through the unit client: thresholds, importer, two card parts loaded, committed and set', async () => {
    const p = await pivCustodian({ name: 'Card Admin', curve: 'P-384', reader: 'scr3310' });
    try {
      const host = await SimulatedHost.create({ crypto: c });
      const unit = await SimulatedCryptoUnit.create({ crypto: c, host });
      const client = new CryptoUnitClient({ transport: new MemoryUnitTransport((req) => unit.handle(req)), crypto: c });
      await client.connect();
      await client.addAdmin(p.signer.certificate);
      await client.setThresholds(1, 1, [p.signer]);
      const st = await client.state();
      assert.deepEqual(st.attributes, { signThreshold: 1, revokeThreshold: 1, mode: 'authenticated' });
      assertBytes(st.admins[0].ski, p.signer.ski);

      const a = await p.holder.createPart({ description: 'Part 1', managementKey: MK, pin: PIN });
      const b = await p.holder.createPart({ description: 'Part 2', managementKey: MK, pin: PIN });
      // the parts, opened independently through a test importer, give the expected register VP
      const probe = newTestImporter('P-256');
      const [pa, pb] = await Promise.all([a, b].map(async (x) => openEnvelopeIndependently(probe, await p.holder.wrapForImporter(x.id, probe.spki, PIN)).part!));
      assertBytes(independentVp(pa), a.vp);
      const vp = expectedVp(pa.map((x, i) => x ^ pb[i]));

      const importer = await client.generateImporter('P-521', [p.signer]);
      const envelopes = await p.holder.wrapForImporters(a.id, [importer.spki], PIN);
      const envelopeB = await p.holder.wrapForImporter(b.id, importer.spki, PIN);
      const loaded = await client.importParts([
        { envelope: envelopes[0], signers: [p.signer] },
        { envelope: envelopeB, signers: [p.signer] },
      ]);
      assertBytes(loaded, vp, 'the unit\'s new register holds part 1 XOR part 2');
      await client.commit(vp, [p.signer]);
      await client.finalize(vp, [p.signer]);
      const info = await client.domainInfo();
      assert.equal(info.current, 'VALID');
      assertBytes(info.currentVp, vp);
    } finally {
      await p.rig.transport.close();
    }
  });
});
