/**
 * Response authentication: every check of client/verify-response.ts is shown to refuse a
 * response that is validly signed but wrong (through the signed responder), and whole-response
 * tampering is refused byte by byte.
 */
import { describe, it, assert, assertBytes, assertRejects, before } from '../../harness.ts';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { p521 } from '@noble/curves/nist.js';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { derToRawSignature, exportSpki, generateEcKeyPair, subjectKeyIdentifier, exportPublicPoint } from '../../../src/crypto/index.ts';
import {
  Command, counterField, createSignerInfo, decodeAdminResponse, decodeSignerInfo, Query, RETURN_CODES, describeReturnCode,
} from '../../../src/cryptounit/protocol/index.ts';
import { CryptoUnitClient, ResponseAuthError, UnitError, UnitProtocolError, type ResponseCheck } from '../../../src/cryptounit/client.ts';
import { MemoryUnitTransport } from '../../../src/cryptounit/transports/memory.ts';
import { TestHost, type SignedResponder, type ResponseEdit } from './signed-responder.ts';
import { Switchboard, sshFingerprint } from './helpers.ts';

const c = globalThis.crypto;

async function connected(unit: SignedResponder, opts: { pinnedRoot?: string } = {}) {
  const board = new Switchboard(new MemoryUnitTransport(unit.handle));
  const client = new CryptoUnitClient({ transport: board, crypto: c, domainIndex: unit.domainIndex, ...opts });
  await client.connect();
  return { board, client };
}

/** The client refuses a response edited by `edit` with `check`, and nothing it knows changes. */
async function refuses(unit: SignedResponder, edit: (e: ResponseEdit) => void, check: ResponseCheck, what: string, query = () => Query.DOMAIN_INFO as number) {
  const { client } = await connected(unit);
  const before = { counter: client.counter, identity: client.identity };
  unit.editNext = edit;
  const q = query();
  const e = await assertRejects(q === Query.DOMAIN_INFO ? client.domainInfo() : client.attributes(), ResponseAuthError, what);
  assert.equal(e.check, check, `${what}: ${e.message}`);
  assert.equal(e.command, q);
  assert.equal(client.counter, before.counter, `${what}: counter unchanged`);
  assert.deepEqual(client.identity, before.identity, `${what}: identity unchanged`);
  await client.domainInfo(); // the next honest response is accepted
}

describe('cryptounit/client: connect and root pinning', () => {
  let host: TestHost;
  let unit: SignedResponder;
  before(async () => {
    host = await TestHost.create(c);
    unit = await host.unit();
  });

  it('pins the root on first use, showing its SHA-256 SPKI fingerprint as SSH does', async () => {
    const seen: string[] = [];
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport(unit.handle), crypto: c, onFirstUse: (f) => void seen.push(f) });
    assert.isFalse(client.connected);
    const id = await client.connect();
    const expected = sshFingerprint(nobleSha256(await exportSpki(c, host.rootKey.publicKey)));
    assert.deepEqual(seen, [expected]);
    assert.equal(client.pinnedRoot, expected);
    assert.equal(id.rootFingerprint, expected);
    assert.match(expected, /^SHA256:[A-Za-z0-9+/]{43}$/);
    // identity from the verified responses
    assertBytes(id.moduleSerial, unit.moduleSerial);
    assertBytes(id.moduleInstance, unit.moduleInstance);
    assertBytes(id.domainInstance, unit.domainInstance);
    assertBytes(id.oaSki, unit.oaSki);
    assert.equal(id.domainIndex, 0);
    assert.equal(client.counter, 0n);
    assertBytes(client.certificates.root, host.rootCertificate);
    assertBytes(client.certificates.oa, unit.oaCertificate);
    // a second connect checks against the pin and does not ask again
    await client.connect();
    assert.equal(seen.length, 1);
  });

  it('accepts a unit under the pinned root without asking', async () => {
    const pin = sshFingerprint(nobleSha256(await exportSpki(c, host.rootKey.publicKey)));
    let asked = false;
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport(unit.handle), crypto: c, pinnedRoot: pin, onFirstUse: () => void (asked = true) });
    await client.connect();
    assert.isFalse(asked);
    assert.equal(client.pinnedRoot, pin);
  });

  it('refuses a unit whose root is not the pinned one (pinned-root), and stays unconnected', async () => {
    const other = await TestHost.create(c);
    const otherPin = sshFingerprint(nobleSha256(await exportSpki(c, other.rootKey.publicKey)));
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport(unit.handle), crypto: c, pinnedRoot: otherPin });
    const e = await assertRejects(client.connect(), ResponseAuthError);
    assert.equal(e.check, 'pinned-root');
    assert.include(e.message, otherPin);
    assert.isFalse(client.connected);
    assert.equal(client.pinnedRoot, otherPin);
  });

  it('the user refusing the fingerprint leaves nothing pinned and the client unconnected', async () => {
    const client = new CryptoUnitClient({
      transport: new MemoryUnitTransport(unit.handle), crypto: c,
      onFirstUse: async () => { throw new Error('the fingerprint does not match the paper'); },
    });
    await assertRejects(client.connect(), Error);
    assert.isFalse(client.connected);
    assert.isUndefined(client.pinnedRoot);
  });

  it('refuses an OA certificate that the root did not sign (chain)', async () => {
    const other = await TestHost.create(c);
    const stranger = await other.unit();
    // a unit presenting a foreign OA certificate under this host's root
    const fake = await host.unit();
    (fake as { oaCertificate: Uint8Array }).oaCertificate = stranger.oaCertificate;
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport(fake.handle), crypto: c });
    const e = await assertRejects(client.connect(), ResponseAuthError);
    assert.equal(e.check, 'chain');
  });

  it('refuses certificate responses signed by another key than the certified OA key', async () => {
    const liar = await host.unit();
    const sister = await host.unit();
    // DEVICE_CERT answers carry the right certificates but are signed by the sister unit
    const board = new Switchboard(new MemoryUnitTransport(liar.handle));
    let n = 0;
    board.nextRewrite = undefined;
    const orig = liar.respond.bind(liar);
    liar.respond = (cmd, rv, payload, edit) => orig(cmd, rv, payload, (e) => {
      edit?.(e);
      if (n++ === 0) e.signer = { key: sister.oaKey.privateKey, ski: sister.oaSki };
    });
    const client = new CryptoUnitClient({ transport: board, crypto: c });
    const e = await assertRejects(client.connect(), ResponseAuthError);
    assert.equal(e.check, 'signer');
  });

  it('a wrong domain index is reported as unauthenticable, not believed', async () => {
    const client = new CryptoUnitClient({ transport: new MemoryUnitTransport(unit.handle), crypto: c, domainIndex: 5 });
    const e = await assertRejects(client.connect(), ResponseAuthError);
    assert.equal(e.check, 'chain');
    assert.include(e.message, '3/0');
  });

  it('a reconnect that finds another unit (other OA key) is refused (identity)', async () => {
    const board = new Switchboard(new MemoryUnitTransport(unit.handle));
    const client = new CryptoUnitClient({ transport: board, crypto: c });
    await client.connect();
    board.target = new MemoryUnitTransport((await host.unit()).handle);
    const e = await assertRejects(client.connect(), ResponseAuthError);
    assert.equal(e.check, 'identity');
    assertBytes(client.identity.oaSki, unit.oaSki);
  });
});

describe('cryptounit/client: every response check refuses a validly signed but wrong response', () => {
  let host: TestHost;
  let unit: SignedResponder;
  let sister: SignedResponder;
  before(async () => {
    host = await TestHost.create(c);
    unit = await host.unit();
    sister = await host.unit();
  });

  it('the honest response passes, and its OA signature verifies with @noble/curves too', async () => {
    const { board, client } = await connected(unit);
    const info = await client.domainInfo();
    assert.equal(info.current, 'EMPTY');
    const r = decodeAdminResponse(board.last.response);
    const si = decodeSignerInfo(r.oaSignerInfo);
    const point = await exportPublicPoint(c, unit.oaKey.publicKey);
    assert.isTrue(p521.verify(derToRawSignature(si.signature, 66), r.responseBlock, point, { lowS: false }));
  });

  it('rv outside the block differs from inside (rv)', () => refuses(unit, (e) => { e.rv = 7; }, 'rv', 'rv'));
  it('rv inside the block differs from outside (rv)', () => refuses(unit, (e) => { e.block.rv = 7; }, 'rv', 'rv inside'));
  it('AdminResponse.domainIndex is another (domain-index)', () => refuses(unit, (e) => { e.domainIndex = 1; }, 'domain-index', 'outer index'));
  it('the block names another domain index (domain-index)', () => refuses(unit, (e) => { e.block.domain = concat(u32be(1), unit.domainInstance); }, 'domain-index', 'inner index'));
  it('the block answers another command (command)', () => refuses(unit, (e) => { e.block.command = Query.DOM_ATTRS; }, 'command', 'command'));
  it('the block answers command 0 (unparsed request) (command)', () => refuses(unit, (e) => { e.block.command = 0; e.block.rv = 7; e.rv = 7; }, 'command', 'command 0'));
  it('the block names another module serial (module)', () => refuses(unit, (e) => { e.block.module = concat(sister.moduleSerial, unit.moduleInstance); }, 'module', 'serial'));
  it('the block names another module instance (module)', () => refuses(unit, (e) => { e.block.module = concat(unit.moduleSerial, new Uint8Array(8)); }, 'module', 'instance'));
  it('the counter goes backwards (counter)', async () => {
    unit.counter = 5n;
    try {
      await refuses(unit, (e) => { e.block.counter = counterField(4n); }, 'counter', 'backwards');
    } finally {
      unit.counter = 0n;
    }
  });
  it('the domain instance changes at the same counter (domain-instance)', () => refuses(unit, (e) => { e.block.domain = concat(u32be(0), Uint8Array.of(1, 2, 3, 4)); }, 'domain-instance', 'instance'));
  it('signed by another key naming itself (signer)', async () => {
    const k = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const ski = await subjectKeyIdentifier(c, await exportPublicPoint(c, k.publicKey));
    await refuses(unit, (e) => { e.signer = { key: k.privateKey, ski }; }, 'signer', 'stranger');
  });
  it('signed by another key claiming the OA SKI (signature)', async () => {
    const k = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    await refuses(unit, (e) => { e.signer = { key: k.privateKey, ski: unit.oaSki }; }, 'signature', 'forged sid');
  });
  it('the OA SignerInfo names SHA-256 algorithms instead of SHA-512 (signer)', () =>
    refuses(unit, (e) => { e.claimCurve = 'P-256'; }, 'signer', 'algorithms'));
  it('signed by the sister unit of the same host (signer)', () =>
    refuses(unit, (e) => { e.signer = { key: sister.oaKey.privateKey, ski: sister.oaSki }; }, 'signer', 'sister'));
  it('two OA SignerInfos (format)', async () => {
    const extra = await createSignerInfo(c, 'P-521', unit.oaKey.privateKey, unit.oaSki, Uint8Array.of(1));
    await refuses(unit, (e) => { e.extraSignerInfos = [extra]; }, 'format', 'two signer infos');
  });

  it('a counter that rises with a new domain instance is believed (another client zeroized)', async () => {
    const { client } = await connected(unit);
    unit.editNext = (e) => { e.block.counter = counterField(9n); e.block.domain = concat(u32be(0), Uint8Array.of(9, 9, 9, 9)); };
    await client.domainInfo();
    assert.equal(client.counter, 9n);
    assertBytes(client.identity.domainInstance, Uint8Array.of(9, 9, 9, 9));
  });

  it('a response from the sister unit of the same host is refused (signer), whole', async () => {
    const { board, client } = await connected(unit);
    board.target = new MemoryUnitTransport(sister.handle);
    const e = await assertRejects(client.domainInfo(), ResponseAuthError);
    assert.equal(e.check, 'signer');
  });

  it('an error response is authenticated like any other (a forged rc is refused)', async () => {
    const k = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    await refuses(unit, (e) => { e.rv = 163; e.block.rv = 163; e.block.payload = u32be(0); e.signer = { key: k.privateKey, ski: unit.oaSki }; }, 'signature', 'forged error');
  });
});

describe('cryptounit/client: state-changing responses', () => {
  let unit: SignedResponder;
  before(async () => {
    unit = await (await TestHost.create(c)).unit();
  });

  it('prepare binds to the next counter; a success sets the counter to it', async () => {
    const { client } = await connected(unit);
    const start = client.counter;
    const p = await client.prepare(Command.CLEAR_NEXT_WK, new Uint8Array(0));
    assert.equal(p.counter, start + 1n);
    await client.submit(p, []);
    assert.equal(client.counter, start + 1n);
    assert.equal(unit.counter, start + 1n);
  });

  it('a success that leaves the unit at another counter than the command\'s (counter)', async () => {
    const { client } = await connected(unit);
    const p = await client.prepare(Command.CLEAR_NEXT_WK, new Uint8Array(0));
    unit.editNext = (e) => { e.block.counter = counterField(p.counter + 1n); };
    const e = await assertRejects(client.submit(p, []), ResponseAuthError);
    assert.equal(e.check, 'counter');
  });

  it('a non-zeroize success that changes the domain instance (domain-instance)', async () => {
    const { client } = await connected(unit);
    const p = await client.prepare(Command.CLEAR_WK, new Uint8Array(0));
    unit.editNext = (e) => { e.block.domain = concat(u32be(0), Uint8Array.of(7, 7, 7, 7)); };
    const e = await assertRejects(client.submit(p, []), ResponseAuthError);
    assert.equal(e.check, 'domain-instance');
  });

  it('a zeroize success that keeps the domain instance (domain-instance); an honest one changes it', async () => {
    const { client } = await connected(unit);
    const p = await client.prepare(Command.DOM_ZEROIZE, new Uint8Array(0));
    const old = unit.domainInstance;
    unit.editNext = (e) => { e.block.domain = concat(u32be(0), old); };
    const e = await assertRejects(client.submit(p, []), ResponseAuthError);
    assert.equal(e.check, 'domain-instance');
    await client.connect();
    const fresh = await client.zeroize([]);
    assertBytes(fresh, unit.domainInstance);
    assert.notDeepEqual([...fresh], [...old]);
    assertBytes(client.identity.domainInstance, unit.domainInstance);
  });

  it('a replayed older response (before a command) is refused (counter)', async () => {
    const { board, client } = await connected(unit);
    await client.domainInfo();
    const old = board.last.response;
    await client.clearNew([]);
    board.nextAnswer = old;
    const e = await assertRejects(client.domainInfo(), ResponseAuthError);
    assert.equal(e.check, 'counter');
    // a replay of the command's own response to the next command is refused too
    await client.clearNew([]);
    const cmdResponse = board.last.response;
    const p = await client.prepare(Command.CLEAR_NEXT_WK, new Uint8Array(0));
    board.nextAnswer = cmdResponse;
    const e2 = await assertRejects(client.submit(p, []), ResponseAuthError);
    assert.equal(e2.check, 'counter');
  });
});

describe('cryptounit/client: tampering, byte by byte', () => {
  it('every byte of a real response flipped (two ways) is refused with ResponseAuthError', async () => {
    const unit = await (await TestHost.create(c)).unit();
    unit.answers.set(Query.DOMAIN_INFO, concat(new Uint8Array(64).fill(0xab), Uint8Array.of(0x0e)));
    const { board, client } = await connected(unit);
    await client.domainInfo();
    const real = board.last.response;
    const counter = client.counter;
    let refused = 0;
    for (let i = 0; i < real.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = real.slice();
        bad[i] ^= mask;
        board.nextAnswer = bad;
        try {
          await client.domainInfo();
          assert.fail(`byte ${i} ^ ${mask} was accepted`);
        } catch (e) {
          assert.instanceOf(e, ResponseAuthError, `byte ${i} ^ ${mask}: ${(e as Error).message}`);
          refused++;
        }
      }
    }
    assert.equal(refused, 2 * real.length);
    assert.equal(client.counter, counter);
    board.nextAnswer = real; // the untouched response still passes
    const info = await client.domainInfo();
    assert.equal(info.next, 'FULL_COMMITTED');
    // truncations and an appended byte
    for (const bad of [real.subarray(0, real.length - 1), real.subarray(0, 10), new Uint8Array(0), concat(real, Uint8Array.of(0))]) {
      board.nextAnswer = bad;
      await assertRejects(client.domainInfo(), ResponseAuthError);
    }
  });
});

describe('cryptounit/client: return codes', () => {
  it('every rc/reason of the table becomes a UnitError with its message and remedy', async () => {
    const unit = await (await TestHost.create(c)).unit();
    const { client } = await connected(unit);
    const entries = RETURN_CODES.filter((e) => e.rc !== 0);
    assert.isAbove(entries.length, 25);
    for (const entry of entries) {
      const reason = entry.reason ?? 999;
      unit.failWith = { rc: entry.rc, reason };
      const e = await assertRejects(client.domainInfo(), UnitError, `${entry.rc}/${reason}`);
      assert.equal(e.rc, entry.rc);
      assert.equal(e.reason, reason);
      assert.equal(e.command, Query.DOMAIN_INFO);
      assert.equal(e.message, entry.message);
      assert.equal(e.remedy, entry.remedy);
      assert.include(e.detail, `DOMAIN_INFO (0x00010030) failed with ${entry.rc}/${reason}`);
    }
    unit.failWith = { rc: 4242, reason: 1 };
    const unknown = await assertRejects(client.domainInfo(), UnitError);
    assert.equal(unknown.message, describeReturnCode(4242, 1).message);
    assert.include(unknown.message, '4242');
    unit.failWith = undefined;
  });

  it('an error response whose reason is not 4 bytes is a UnitProtocolError', async () => {
    const unit = await (await TestHost.create(c)).unit();
    const { client } = await connected(unit);
    unit.editNext = (e) => { e.rv = 7; e.block.rv = 7; e.block.payload = new Uint8Array(0); };
    await assertRejects(client.domainInfo(), UnitProtocolError);
  });

  it('a command error leaves the counter where the unit says (163 for a stale counter)', async () => {
    const unit = await (await TestHost.create(c)).unit();
    const { client } = await connected(unit);
    const p = await client.prepare(Command.CLEAR_WK, new Uint8Array(0));
    await client.clearNew([]); // moves the counter on, so p is stale
    const e = await assertRejects(client.submit(p, []), UnitError);
    assert.equal(e.rc, 163);
    assert.equal(e.command, Command.CLEAR_WK);
    assert.equal(client.counter, unit.counter);
  });
});
