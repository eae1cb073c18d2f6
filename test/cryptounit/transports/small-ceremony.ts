/**
 * A full small ceremony through a connected client, whatever carries its bytes: add 2 admins
 * (imprint mode, unsigned), thresholds 2/2 (signed by both), an importer key, 2 parts wrapped
 * with wrapPartForImporter and signed one each, commit (2 signatures), finalize (1).
 * The VP is checked against VP(part1 XOR part2) computed here with @noble/hashes.
 */
import { assert, assertBytes } from '../../harness.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import type { WebCrypto } from '../../../src/crypto/index.ts';
import { wrapPartForImporter } from '../../../src/cryptounit/protocol/index.ts';
import type { CryptoUnitClient } from '../../../src/cryptounit/client.ts';
import { createTestAdmin, type TestAdmin } from '../../fakes/test-admins.ts';

/** VP = SHA-256(0x01 ‖ key) with the last 4 bytes zero (DESIGN §3.6), computed independently. */
export function expectedVp(key: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + key.length);
  input[0] = 0x01;
  input.set(key, 1);
  const vp = sha256(input);
  vp.fill(0, 28);
  return vp;
}

export interface CeremonyOutcome {
  admins: TestAdmin[];
  vp: Uint8Array;
}

export async function runSmallCeremony(c: WebCrypto, client: CryptoUnitClient, admins?: TestAdmin[]): Promise<CeremonyOutcome> {
  const [a, b] = admins ?? [await createTestAdmin(c, 'Alice', 'P-521'), await createTestAdmin(c, 'Bob', 'P-256')];
  const start = client.counter;

  await client.addAdmin(a.certificate);
  await client.addAdmin(b.certificate);
  await client.setThresholds(2, 2, [a, b]);
  let s = await client.state();
  assert.deepEqual(s.attributes, { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
  assert.deepEqual(s.admins.map((x) => x.name), ['Alice', 'Bob']);
  assertBytes(s.admins[0].ski, a.ski);
  assertBytes(s.admins[1].ski, b.ski);

  const importer = await client.generateImporter('P-521', [a]);
  assert.equal(importer.curve, 'P-521');
  const part1 = c.getRandomValues(new Uint8Array(32));
  const part2 = c.getRandomValues(new Uint8Array(32));
  const xor = part1.map((x, i) => x ^ part2[i]);
  const vp = expectedVp(xor);

  const loaded = await client.importParts([
    { envelope: await wrapPartForImporter(c, importer.spki, part1), signers: [a] },
    { envelope: await wrapPartForImporter(c, importer.spki, part2), signers: [b] },
  ]);
  assertBytes(loaded, vp, 'the unit\'s VP of the new register is VP(part1 XOR part2)');
  s = await client.state();
  assert.equal(s.registers.next, 'FULL_UNCOMMITTED');
  assertBytes(s.registers.newVp, vp);
  assert.isNull(s.importer, 'the importer key is single-use');

  await client.commit(vp, [a, b]);
  assert.equal((await client.domainInfo()).next, 'FULL_COMMITTED');
  await client.finalize(vp, [a]);

  s = await client.state();
  assert.equal(s.registers.current, 'VALID');
  assert.equal(s.registers.next, 'EMPTY');
  assertBytes(s.registers.currentVp, vp, 'current VP = VP(XOR)');
  assert.isTrue(s.stable);
  // seven state-changing commands: 2 × add admin, thresholds, importer, import, commit, finalize
  assert.equal(s.counter, start + 7n);
  return { admins: [a, b], vp };
}
