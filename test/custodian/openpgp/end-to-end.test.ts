import { assert, assertBytes, describe, it } from '../../harness.ts';
import { CryptoUnitClient } from '../../../src/cryptounit/client.ts';
import { SimulatedCryptoUnit } from '../../../src/cryptounit/index.ts';
import { MemoryUnitTransport } from '../../../src/cryptounit/transports/memory.ts';
import { SoftKeyPartHolder, createKeyPart } from '../../../src/custodian/soft/index.ts';
import { createTestAdmin } from '../../fakes/test-admins.ts';
import { expectedVp } from '../../cryptounit/transports/small-ceremony.ts';
import { newTestImporter, openEnvelopeIndependently } from '../conformance/independent-kari.ts';
import { c, PIN, provisionedCard, type ReaderLevel } from './fixtures.ts';

/**
 * Card ↔ unit: a master key from a part on a virtual OpenPGP card (behind a fake CCID reader)
 * and two software parts loads into a simulated unit through the unit client; the card's
 * admin key signs the commands. The register VP must be VP(part1 XOR part2 XOR part3),
 * computed here: the card part's value is learned independently from an envelope the card
 * wrapped to a test key (noble + hand-written KDF and AES unwrap), the software parts are
 * typed values.
 */
const TEST_KDF = { insecureIterationsForTests: 1000 };
const PASSWORD = 'soft custodian password';
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

for (const via of ['extended-apdu', 'tpdu'] as ReaderLevel[]) {
  describe(`OpenPGP card ↔ simulated unit (${via} reader)`, () => {
    it('a card part and two software parts load, commit and finalize; the VP is VP(XOR) computed in the test', async () => {
      const unit = await SimulatedCryptoUnit.create({ crypto: c });
      const client = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => unit.handle(r)), crypto: c });
      await client.connect();

      const card = await provisionedCard({ via, name: 'Card Admin', adminCurve: 'P-384' });
      const bob = await createTestAdmin(c, 'Bob', 'P-256');
      await client.addAdmin(card.signer.certificate);
      await client.addAdmin(bob.certificate);
      await client.setThresholds(2, 1, [card.signer, bob]);
      const importer = await client.generateImporter('P-521', [card.signer]);

      // the parts
      const cardPart = await card.holder.createPart({ description: 'MK part 1 (card)', pin: PIN });
      const soft = new SoftKeyPartHolder(c, TEST_KDF);
      const values = [c.getRandomValues(new Uint8Array(32)), c.getRandomValues(new Uint8Array(32))];
      const softParts = [];
      for (const [i, v] of values.entries()) {
        const { text } = await createKeyPart(c, { description: `MK part ${i + 2} (file)`, password: PASSWORD, value: hex(v) }, TEST_KDF);
        softParts.push(await soft.addFile(text));
      }

      // one PIN entry wraps the card part for the unit and for the test's own probe key
      const probe = newTestImporter('P-256');
      const [forUnit, forProbe] = await card.holder.wrapForImporters(cardPart.id, [importer.spki, probe.spki], PIN);
      const cardValue = openEnvelopeIndependently(probe, forProbe).part!;
      assertBytes(expectedVp(cardValue), cardPart.vp, 'the probe saw the part the card lists');

      const vp = await client.importParts([
        { envelope: forUnit, signers: [card.signer] },
        { envelope: await soft.wrapForImporter(softParts[0].id, importer.spki, PASSWORD), signers: [bob] },
        { envelope: await soft.wrapForImporter(softParts[1].id, importer.spki, PASSWORD), signers: [card.signer] },
      ]);
      const xor = cardValue.map((x, i) => x ^ values[0][i] ^ values[1][i]);
      assertBytes(vp, expectedVp(xor), 'new register VP = VP(card part XOR file part XOR file part)');

      await client.commit(vp, [card.signer, bob]);
      await client.finalize(vp, [card.signer]);
      const s = await client.state();
      assert.equal(s.registers.current, 'VALID');
      assertBytes(s.registers.currentVp, expectedVp(xor));
      assert.deepEqual(s.admins.map((a) => a.name), ['Card Admin', 'Bob']);
      await card.dispose();
    });
  });
}
