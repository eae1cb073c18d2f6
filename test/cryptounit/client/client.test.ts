/**
 * The client against the simulated unit (src/cryptounit/simulated/): every query and command
 * decoded, counters, key storage, the unit's own errors, signatures checked before submit,
 * and responses from the real unit authenticated (sister unit, replay, byte flips).
 */
import { describe, it, assert, assertBytes, assertRejects, before } from '../../harness.ts';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import {
  Command, decodeEcSpki, decodeKeyBlob, decodeSignerInfo, encodeSignerInfo, wrapPartForImporter,
} from '../../../src/cryptounit/protocol/index.ts';
import {
  CryptoUnitClient, PreparedCommandError, ResponseAuthError, SignerError, UnitError, type AdminSigner,
} from '../../../src/cryptounit/client.ts';
import { MemoryUnitTransport } from '../../../src/cryptounit/transports/memory.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { createTestAdmin, type TestAdmin } from '../../fakes/test-admins.ts';
import { expectedVp } from '../transports/small-ceremony.ts';
import { Switchboard } from './helpers.ts';

const c = globalThis.crypto;
const random = (n: number): Uint8Array => c.getRandomValues(new Uint8Array(n));
const xor = (...parts: Uint8Array[]): Uint8Array => parts.reduce((acc, p) => acc.map((x, i) => x ^ p[i]));

async function fresh(host?: SimulatedHost, domainIndex = 0) {
  const h = host ?? (await SimulatedHost.create({ crypto: c }));
  const unit = await SimulatedCryptoUnit.create({ host: h, crypto: c, domainIndex, onInternalError: (e) => { throw e; } });
  const board = new Switchboard(new MemoryUnitTransport((r) => unit.handle(r)));
  const client = new CryptoUnitClient({ transport: board, crypto: c, domainIndex });
  await client.connect();
  return { host: h, unit, board, client };
}

/** Load and commit a master key from `parts` (an importer first); returns its VP. */
async function loadAndCommit(client: CryptoUnitClient, parts: Uint8Array[], signers: { one: AdminSigner[]; all: AdminSigner[] }) {
  const importer = await client.generateImporter('P-521', signers.one);
  const envelopes = await Promise.all(parts.map((p) => wrapPartForImporter(c, importer.spki, p)));
  const vp = await client.importParts(envelopes.map((envelope) => ({ envelope, signers: signers.one })));
  await client.commit(vp, signers.all);
  return vp;
}

describe('cryptounit/client with the simulated unit: queries', () => {
  it('a fresh unit: imprint mode, no admins, empty registers, no importer, its certificates', async () => {
    const { client } = await fresh(undefined, 3);
    assert.equal(client.identity.domainIndex, 3);
    assert.deepEqual(await client.adminSkis(), []);
    assert.deepEqual(await client.attributes(), { signThreshold: 0, revokeThreshold: 0, mode: 'imprint' });
    const info = await client.domainInfo();
    assert.equal(info.current, 'EMPTY');
    assert.equal(info.next, 'EMPTY');
    assertBytes(info.currentVp, new Uint8Array(32));
    assertBytes(info.newVp, new Uint8Array(32));
    assert.isNull(await client.importer());
    assertBytes(await client.deviceCertificate(0), client.certificates.oa);
    assertBytes(await client.deviceCertificate(1), client.certificates.root);
    const past = await assertRejects(client.deviceCertificate(2), UnitError);
    assert.equal(past.rc, 96);
    const unknown = await assertRejects(client.adminCertificate(random(32)), UnitError);
    assert.deepEqual([unknown.rc, unknown.reason], [32, 32]);
    const s = await client.state();
    assert.equal(s.counter, 0n);
    assert.isTrue(s.stable);
    assert.equal(client.counter, 0n, 'queries never move the counter');
  });

  it('a client with the wrong domain index cannot connect', async () => {
    const { unit } = await fresh(undefined, 2);
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => unit.handle(r)), crypto: c, domainIndex: 0 });
    assert.equal((await assertRejects(client.connect(), ResponseAuthError)).check, 'chain');
  });
});

describe('cryptounit/client with the simulated unit: commands, counters, key storage', () => {
  let client: CryptoUnitClient;
  let admins: TestAdmin[];
  let a: TestAdmin, b: TestAdmin, d: TestAdmin;
  before(async () => {
    ({ client } = await fresh());
    admins = [await createTestAdmin(c, 'Ann', 'P-256'), await createTestAdmin(c, 'Ben', 'P-384'), await createTestAdmin(c, 'Dee', 'P-521')];
    [a, b, d] = admins;
  });

  it('adds admins (imprint, unsigned), one counter step each, certificates returned byte for byte', async () => {
    for (const [i, admin] of admins.entries()) {
      await client.addAdmin(admin.certificate);
      assert.equal(client.counter, BigInt(i + 1));
    }
    const skis = await client.adminSkis();
    assert.deepEqual(skis.map((s) => [...s]), admins.map((x) => [...x.ski]));
    const certs = await client.admins();
    assert.deepEqual(certs.map((x) => x.name), ['Ann', 'Ben', 'Dee']);
    assert.deepEqual(certs.map((x) => x.curve), ['P-256', 'P-384', 'P-521']);
    certs.forEach((x, i) => assertBytes(x.der, admins[i].certificate));
    const dup = await assertRejects(client.addAdmin(a.certificate), UnitError);
    assert.deepEqual([dup.rc, dup.reason, dup.command], [256, 38, Command.DOM_ADMIN_LOGIN]);
    assert.equal(client.counter, 3n, 'an error does not move the counter');
  });

  it('leaving imprint mode needs as many signatures as the new threshold', async () => {
    const few = await assertRejects(client.setThresholds(2, 2, [a]), UnitError);
    assert.equal(few.rc, 208);
    assert.include(few.remedy, 'threshold');
    const imprint = await assertRejects(client.generateImporter('P-521', [a]), UnitError);
    assert.equal(imprint.rc, 179);
    await client.setThresholds(2, 2, [a, b]);
    assert.deepEqual(await client.attributes(), { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
    assert.equal(client.counter, 4n);
  });

  it('removes an admin with the revocation threshold; refuses to go below a threshold', async () => {
    await client.removeAdmin(d.ski, [a, b]);
    assert.deepEqual((await client.admins()).map((x) => x.name), ['Ann', 'Ben']);
    const e = await assertRejects(client.removeAdmin(b.ski, [a, b]), UnitError);
    assert.deepEqual([e.rc, e.reason], [209, 66]);
    const gone = await assertRejects(client.removeAdmin(d.ski, [a, b]), UnitError);
    assert.deepEqual([gone.rc, gone.reason], [32, 32]);
  });

  it('generates a P-256 importer: the SPKI, its curve and SKI (SHA-256 of the point)', async () => {
    const imp = await client.generateImporter('P-256', [a]);
    assert.equal(imp.curve, 'P-256');
    const { point } = decodeEcSpki(imp.spki);
    assertBytes(imp.ski, nobleSha256(point));
    const again = await client.importer();
    assertBytes(again!.spki, imp.spki);
  });

  it('key storage needs a current master key (102)', async () => {
    const e = await assertRejects(client.generateKey(random(16)), UnitError);
    assert.equal(e.rc, 102);
    assert.equal(e.command, 0x00020001);
  });

  it('loads 3 parts (VP = VP of their XOR), refuses a wrong VP at commit (101/48), commits, finalizes', async () => {
    const parts = [random(32), random(32), random(32)];
    const imp = await client.generateImporter('P-521', [b]);
    const envelopes = await Promise.all(parts.map((p) => wrapPartForImporter(c, imp.spki, p)));
    const vp = await client.importParts([{ envelope: envelopes[0], signers: [a] }, { envelope: envelopes[1], signers: [b] }, { envelope: envelopes[2], signers: [a, b] }]);
    assertBytes(vp, expectedVp(xor(...parts)));
    const wrong = vp.slice();
    wrong[0] ^= 1;
    const e = await assertRejects(client.commit(wrong, [a, b]), UnitError);
    assert.deepEqual([e.rc, e.reason], [101, 48]);
    await client.commit(vp, [a, b]);
    await client.finalize(vp, [b]);
    const info = await client.domainInfo();
    assert.equal(info.current, 'VALID');
    assertBytes(info.currentVp, vp);
  });

  it('generate, wrap and unwrap; a rotation re-enciphers one blob and a batch, in order; the keys survive', async () => {
    const currentVp = (await client.domainInfo()).currentVp;
    const ids = Array.from({ length: 5 }, () => random(16));
    const blobs: Uint8Array[] = [];
    for (const id of ids) blobs.push(await client.generateKey(id));
    blobs.forEach((bl, i) => {
      const k = decodeKeyBlob(bl);
      assertBytes(k.keyId, ids[i]);
      assertBytes(k.vp, currentVp.subarray(0, 28));
    });
    const data = new TextEncoder().encode('payment key material');
    const ct = await client.wrap(blobs[0], data);
    assert.equal(ct.length, data.length + 28);
    assertBytes(await client.unwrap(blobs[0], ct), data);
    const bad = ct.slice();
    bad[bad.length - 1] ^= 1;
    assert.equal((await assertRejects(client.unwrap(blobs[0], bad), UnitError)).rc, 32);

    const early = await assertRejects(client.reencrypt(blobs[0]), UnitError);
    assert.equal(early.rc, 80, 'the new register is not committed');
    const counter = client.counter;
    const nextVp = await loadAndCommit(client, [random(32), random(32)], { one: [a], all: [a, b] });
    const single = await client.reencrypt(blobs[0]);
    assertBytes(decodeKeyBlob(single).vp, nextVp.subarray(0, 28));
    const batch = await client.reencrypt(blobs.slice(1).reverse());
    assert.equal(batch.length, 4);
    batch.forEach((bl, i) => {
      assertBytes(decodeKeyBlob(bl).keyId, ids[4 - i], 'same order as sent');
      assertBytes(decodeKeyBlob(bl).vp, nextVp.subarray(0, 28));
    });
    assert.equal(client.counter, counter + 3n, 'importer, import, commit; re-enciphering is no state change');
    await assertRejects(client.reencrypt([]), RangeError);
    await assertRejects(client.reencrypt(Array.from({ length: 1025 }, () => blobs[0])), RangeError);
    await client.finalize(nextVp, [a]);
    assertBytes(await client.unwrap(single, ct), data, 'the re-enciphered blob holds the same key');
    assert.equal((await assertRejects(client.unwrap(blobs[0], ct), UnitError)).rc, 32, 'the old blob is lost after set immediate');
  });

  it('clears the new and the current register', async () => {
    await client.generateImporter('P-256', [a]);
    const imp = (await client.importer())!;
    await client.importParts([{ envelope: await wrapPartForImporter(c, imp.spki, random(32)), signers: [a] }, { envelope: await wrapPartForImporter(c, imp.spki, random(32)), signers: [b] }]);
    assert.equal((await client.domainInfo()).next, 'FULL_UNCOMMITTED');
    await client.clearNew([a]);
    assert.equal((await client.domainInfo()).next, 'EMPTY');
    await client.clearCurrent([a]);
    assert.equal((await client.domainInfo()).current, 'EMPTY');
  });

  it('zeroize: a new domain instance, back to imprint mode, the counter keeps rising', async () => {
    const before = client.identity.domainInstance;
    const counter = client.counter;
    const stale = await client.prepare(Command.CLEAR_WK, new Uint8Array(0));
    const instance = await client.zeroize([a]);
    assert.notDeepEqual([...instance], [...before]);
    assertBytes(client.identity.domainInstance, instance);
    assert.equal(client.counter, counter + 1n);
    const s = await client.state();
    assert.equal(s.attributes.mode, 'imprint');
    assert.deepEqual(s.admins, []);
    assert.equal(s.registers.current, 'EMPTY');
    // a command prepared before the zeroize can never run: 3/17 (or 163 first, by counter)
    const e = await assertRejects(client.submit(stale, []), UnitError);
    assert.equal(e.rc, 3);
    assert.equal(e.reason, 17);
  });
});

describe('cryptounit/client: signatures are checked before submitting', () => {
  let client: CryptoUnitClient;
  let unit: SimulatedCryptoUnit;
  let host: SimulatedHost;
  let a: TestAdmin, b: TestAdmin, outsider: TestAdmin;
  before(async () => {
    ({ client, unit, host } = await fresh());
    [a, b, outsider] = [await createTestAdmin(c, 'A'), await createTestAdmin(c, 'B', 'P-521'), await createTestAdmin(c, 'Outsider')];
    await client.addAdmin(a.certificate);
    await client.addAdmin(b.certificate);
    await client.setThresholds(1, 1, [a]);
  });

  it('an outsider, a signer answering for someone else, a signature over another block, a duplicate', async () => {
    const p = await client.prepare(Command.GEN_IMPORTER, Uint8Array.of(0, 0, 0, 3));
    const counter = client.counter;
    const e1 = await assertRejects(client.collectSignatures(p, [outsider]), SignerError);
    assert.include(e1.message, 'not an administrator');
    const impostor: AdminSigner = { ski: a.ski, curve: a.curve, sign: (blk) => b.sign(blk) };
    const e2 = await assertRejects(client.collectSignatures(p, [impostor]), SignerError);
    assert.include(e2.message, 'not its own');
    const other = await client.prepare(Command.GEN_IMPORTER, Uint8Array.of(0, 0, 0, 2));
    const elsewhere: AdminSigner = { ski: a.ski, curve: a.curve, sign: () => a.sign(other.adminBlock) };
    const e3 = await assertRejects(client.collectSignatures(p, [elsewhere]), SignerError);
    assert.include(e3.message, 'does not verify');
    const wrongAlg: AdminSigner = {
      ski: b.ski, curve: b.curve,
      sign: async (blk) => encodeSignerInfo(b.ski, 'P-256', decodeSignerInfo(await b.sign(blk)).signature),
    };
    await assertRejects(client.collectSignatures(p, [wrongAlg]), SignerError);
    const si = await a.sign(p.adminBlock);
    await assertRejects(client.submit(p, [si, si]), SignerError);
    assert.equal(client.counter, counter, 'nothing was submitted');
    const ok = await client.collectSignatures(p, [a, b]);
    assert.equal(ok.length, 2);
    await client.submit(p, ok.reverse());
    assert.equal(client.counter, counter + 1n);
  });

  it('a prepared command for another unit of the same host is refused before sending', async () => {
    const { client: other } = await fresh(host);
    const p = await other.prepare(Command.CLEAR_NEXT_WK, new Uint8Array(0));
    await assertRejects(client.submit(p, []), PreparedCommandError);
  });

  it('a response from the sister unit of the same host is refused', async () => {
    const { unit: sister } = await fresh(host);
    const board = new Switchboard(new MemoryUnitTransport((r) => unit.handle(r)));
    const c2 = new CryptoUnitClient({ transport: board, crypto: c });
    await c2.connect();
    board.target = new MemoryUnitTransport((r) => sister.handle(r));
    assert.equal((await assertRejects(c2.domainInfo(), ResponseAuthError)).check, 'signer');
    assert.equal((await assertRejects(c2.prepare(Command.CLEAR_WK, new Uint8Array(0)), ResponseAuthError)).check, 'signer');
  });

  it('every byte of a real command response flipped is refused; a replayed older one too', async () => {
    const { client: cl, board } = await fresh(host);
    const adm = await createTestAdmin(c, 'Flip');
    await cl.domainInfo();
    const older = board.last.response;
    await cl.addAdmin(adm.certificate);
    const real = board.log[board.log.length - 1].response;
    const p = await cl.prepare(Command.DOM_ADMIN_LOGIN, (await createTestAdmin(c, 'Next')).certificate);
    // the same prepared request, answered by each flipped copy of the real response to the previous command
    for (let i = 0; i < real.length; i++) {
      board.nextAnswer = real.slice();
      board.nextAnswer[i] ^= 0x04;
      const e = await assertRejects(cl.submit(p, []), ResponseAuthError, `byte ${i}`);
      assert.isString(e.check);
    }
    board.nextAnswer = real;
    assert.equal((await assertRejects(cl.submit(p, []), ResponseAuthError)).check, 'counter', 'the unflipped older response: counter');
    board.nextAnswer = older;
    assert.equal((await assertRejects(cl.domainInfo(), ResponseAuthError)).check, 'counter');
    await cl.submit(p, []); // the honest unit still takes it
    assert.equal((await cl.adminSkis()).length, 2);
  });
});

describe('cryptounit/client: queries answered in order under concurrency', () => {
  it('concurrent calls are serialized: responses are verified in the order the unit gave them', async () => {
    const { client } = await fresh();
    const admins = [await createTestAdmin(c, 'X'), await createTestAdmin(c, 'Y')];
    await Promise.all([client.addAdmin(admins[0].certificate), client.domainInfo(), client.attributes(), client.adminSkis()]);
    await Promise.all([client.domainInfo(), client.addAdmin(admins[1].certificate), client.state()]);
    assert.equal(client.counter, 2n);
    assert.equal((await client.adminSkis()).length, 2);
  });
});

