/**
 * Air-gapped and distributed signing (DESIGN §5) at the data level: a prepared command leaves
 * the coordinator as JSON text, another device checks it and signs, the signature comes back
 * as text, and the coordinator submits signatures gathered in any order.
 */
import { describe, it, assert, assertBytes, assertRejects, assertThrows, before } from '../../harness.ts';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../../src/bytes/index.ts';
import {
  Command, decodeAdminBlock, encodeAdminBlock, encodeAttributePairs, wrapPartForImporter,
} from '../../../src/cryptounit/protocol/index.ts';
import {
  Base64Error, CryptoUnitClient, PreparedCommandError, SignerError, fromBase64, preparedCommandFromJson, preparedCommandToJson,
  signatureForCommand, signatureToJson, toBase64, describeAdminBlock, type PreparedCommand,
} from '../../../src/cryptounit/client.ts';
import { MemoryUnitTransport } from '../../../src/cryptounit/transports/memory.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { createTestAdmin, type TestAdmin } from '../../fakes/test-admins.ts';
import { expectedVp } from '../transports/small-ceremony.ts';

const c = globalThis.crypto;

/** The other device: it has no unit connection, only the text and its admin key. */
async function signElsewhere(text: string, admin: TestAdmin): Promise<{ shown: string; reply: string }> {
  const p = await preparedCommandFromJson(c, text);
  return { shown: p.description, reply: signatureToJson(p, await admin.sign(p.adminBlock)) };
}

function edit(text: string, change: (o: Record<string, unknown>) => void): string {
  const o = JSON.parse(text) as Record<string, unknown>;
  change(o);
  return JSON.stringify(o);
}

describe('cryptounit/client: base64 for the text forms', () => {
  it('matches btoa/atob for every length 0..64 and refuses non-canonical text', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const ref = btoa(String.fromCharCode(...bytes));
      assert.equal(toBase64(bytes), ref, `length ${n}`);
      assertBytes(fromBase64(ref), bytes);
    }
    for (const bad of ['A', 'AA', 'AAA', 'AB==', 'AAB=', 'A===', 'AA=A', '-_AA', 'AA AA', '====']) {
      assertThrows(() => fromBase64(bad), Base64Error, bad);
    }
  });
});

describe('cryptounit/client: prepared commands as text', () => {
  let client: CryptoUnitClient;
  let a: TestAdmin, b: TestAdmin, x: TestAdmin;
  let prepared: PreparedCommand;
  let text: string;
  before(async () => {
    const host = await SimulatedHost.create({ crypto: c });
    const unit = await SimulatedCryptoUnit.create({ host, crypto: c });
    client = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => unit.handle(r)), crypto: c });
    await client.connect();
    [a, b, x] = [await createTestAdmin(c, 'Alice', 'P-521'), await createTestAdmin(c, 'Bob', 'P-384'), await createTestAdmin(c, 'Xavier')];
    for (const adm of [a, b, x]) await client.addAdmin(adm.certificate);
    prepared = await client.prepare(Command.DOM_SET_ATTR, encodeAttributePairs([{ index: 1, value: 2 }, { index: 2, value: 2 }]));
    text = preparedCommandToJson(prepared);
  });

  it('the prepared command: the unit binding, the next counter, the block hash, the meaning in words', async () => {
    const id = client.identity;
    assert.equal(prepared.counter, client.counter + 1n);
    const blk = decodeAdminBlock(prepared.adminBlock);
    assert.equal(blk.command, Command.DOM_SET_ATTR);
    assertBytes(blk.domain, Uint8Array.of(0, 0, 0, 0, ...id.domainInstance));
    assertBytes(blk.module, Uint8Array.of(...id.moduleSerial, ...id.moduleInstance));
    assertBytes(prepared.blockSha256, nobleSha256(prepared.adminBlock));
    assert.include(prepared.description, 'Set the signature threshold to 2 and the revocation threshold to 2.');
    assert.include(prepared.description, `transaction counter ${prepared.counter}`);
    assert.include(prepared.description, 'domain 0');
    const o = JSON.parse(text);
    assert.equal(o.format, 'webtke-prepared-command');
    assert.equal(o.commandName, 'DOM_SET_ATTR (0x08)');
    assert.equal(o.counter, prepared.counter.toString());
    assert.equal(o.sha256, toHex(prepared.blockSha256));
    assert.equal(o.unit.rootFingerprint, client.pinnedRoot);
  });

  it('round trip: the text reads back to the same command', async () => {
    const back = await preparedCommandFromJson(c, text);
    assertBytes(back.adminBlock, prepared.adminBlock);
    assertBytes(back.blockSha256, prepared.blockSha256);
    assert.equal(back.description, prepared.description);
    assert.equal(back.counter, prepared.counter);
    assert.equal(back.command, prepared.command);
    assert.deepEqual(back.unit, prepared.unit);
  });

  it('signed on two other devices, the replies arrive in any order, and the unit takes them', async () => {
    const fromBob = await signElsewhere(text, b);
    const fromAlice = await signElsewhere(text, a);
    assert.equal(fromBob.shown, prepared.description, 'the signer saw the coordinator\'s words, recomputed');
    const sis = [signatureForCommand(prepared, fromBob.reply), signatureForCommand(prepared, fromAlice.reply)];
    for (const si of sis) await client.checkSignerInfo(prepared, si);
    await client.submit(prepared, sis);
    assert.deepEqual(await client.attributes(), { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
  });

  it('a signature made for another command is refused by hash', async () => {
    const other = await client.prepare(Command.CLEAR_NEXT_WK, new Uint8Array(0));
    const reply = (await signElsewhere(preparedCommandToJson(other), a)).reply;
    assertThrows(() => signatureForCommand(prepared, reply), PreparedCommandError);
    assertBytes(signatureForCommand(other, reply).subarray(0, 1), Uint8Array.of(0x30));
  });

  it('a changed text is refused on the signing device: words, payload, hash, unit, counter, command, format', async () => {
    const otherBlock = encodeAdminBlock({ ...decodeAdminBlock(prepared.adminBlock), payload: encodeAttributePairs([{ index: 1, value: 1 }, { index: 2, value: 1 }]) });
    const cases: [string, string][] = [
      ['friendlier words', edit(text, (o) => { o.description = 'Set the signature threshold to 3 and the revocation threshold to 3.'; })],
      ['another payload under the old words and hash', edit(text, (o) => { o.adminBlock = toBase64(otherBlock); })],
      ['another payload with its hash but the old words', edit(text, (o) => { o.adminBlock = toBase64(otherBlock); o.sha256 = toHex(nobleSha256(otherBlock)); })],
      ['a wrong hash', edit(text, (o) => { o.sha256 = '00'.repeat(32); })],
      ['another module serial', edit(text, (o) => { (o.unit as Record<string, unknown>).moduleSerial = '00'.repeat(8); })],
      ['another domain instance', edit(text, (o) => { (o.unit as Record<string, unknown>).domainInstance = 'ffffffff'; })],
      ['another counter', edit(text, (o) => { o.counter = String(prepared.counter + 1n); })],
      ['another command', edit(text, (o) => { o.command = Command.DOM_ZEROIZE; })],
      ['another command name', edit(text, (o) => { o.commandName = 'DOM_ZEROIZE (0x10)'; })],
      ['a bad root fingerprint', edit(text, (o) => { (o.unit as Record<string, unknown>).rootFingerprint = 'MD5:abc'; })],
      ['another format', edit(text, (o) => { o.format = 'something'; })],
      ['another version', edit(text, (o) => { o.version = 2; })],
      ['a counter with a sign', edit(text, (o) => { o.counter = '-1'; })],
      ['not base64', edit(text, (o) => { o.adminBlock = '***'; })],
      ['not JSON', text.slice(0, -2)],
      ['an array', '[]'],
    ];
    for (const [what, t] of cases) await assertRejects(preparedCommandFromJson(c, t), PreparedCommandError, what);
  });

  it('a query code or an unknown code in the block is refused', async () => {
    const blk = decodeAdminBlock(prepared.adminBlock);
    for (const command of [0x00010002, 0x77]) {
      const bad = encodeAdminBlock({ ...blk, command });
      const t = edit(text, (o) => { o.adminBlock = toBase64(bad); o.sha256 = toHex(nobleSha256(bad)); o.command = command; });
      await assertRejects(preparedCommandFromJson(c, t), PreparedCommandError, `0x${command.toString(16)}`);
    }
  });

  it('every command describes itself from its block', async () => {
    const words = async (command: number, payload: Uint8Array) =>
      describeAdminBlock(c, { ...decodeAdminBlock(prepared.adminBlock), command, payload });
    assert.include(await words(Command.DOM_ADMIN_LOGIN, x.certificate), 'Add administrator "Xavier" (P-256 key');
    assert.include(await words(Command.DOM_ADMIN_LOGIN, Uint8Array.of(1, 2)), 'NOT valid');
    assert.include(await words(Command.DOM_ADMIN_LOGOUT, x.ski), 'Remove the administrator with SKI');
    assert.include(await words(Command.GEN_IMPORTER, Uint8Array.of(0, 0, 0, 2)), 'new P-256 importer key');
    assert.include(await words(Command.COMMIT_WK, new Uint8Array(32).fill(0xab)), 'ABAB ABAB');
    assert.include(await words(Command.FINALIZE_WK, new Uint8Array(32)), 'Set immediate');
    assert.include(await words(Command.CLEAR_WK, new Uint8Array(0)), 'Clear the current master key register.');
    assert.include(await words(Command.CLEAR_NEXT_WK, new Uint8Array(0)), 'Clear the new master key register.');
    assert.include(await words(Command.DOM_ZEROIZE, new Uint8Array(0)), 'Zeroize the domain');
    assert.include(await words(Command.DOM_SET_ATTR, encodeAttributePairs([{ index: 2, value: 3 }])), 'Set the revocation threshold to 3.');
  });

  it('IMPORT_WK: each part is its own text, signed by its own admin elsewhere; the coordinator submits', async () => {
    const imp = await client.generateImporter('P-521', [a]);
    const part1 = c.getRandomValues(new Uint8Array(32));
    const part2 = c.getRandomValues(new Uint8Array(32));
    const parts = await client.prepareImport([await wrapPartForImporter(c, imp.spki, part1), await wrapPartForImporter(c, imp.spki, part2)]);
    assert.equal(parts[0].counter, parts[1].counter);
    assert.include(parts[0].description, 'Load one master key part');
    const texts = parts.map(preparedCommandToJson);
    const replies = [await signElsewhere(texts[1], b), await signElsewhere(texts[0], a)];
    const vp = await client.submitImport([
      { prepared: parts[0], signerInfos: [signatureForCommand(parts[0], replies[1].reply)] },
      { prepared: parts[1], signerInfos: [signatureForCommand(parts[1], replies[0].reply)] },
    ]);
    assertBytes(vp, expectedVp(part1.map((v, i) => v ^ part2[i])));
    await assertRejects(client.submitImport([{ prepared: parts[0], signerInfos: [] }, { prepared: parts[1], signerInfos: [] }]), SignerError);
  });
});
