/**
 * Conformance, DESIGN §3.3: the order of checks. Each request carries two faults from
 * different steps and must get the earlier step's code, and change nothing.
 */
import { describe, it } from '../../harness.ts';
import { concat, u32be } from '../../../src/bytes/index.ts';
import { Command, KeyStorageOp, Query, wrapPartForImporter } from '../../../src/cryptounit/protocol/index.ts';
import { signerInfoOf, type RequestSpec } from '../../fakes/unit-requests.ts';
import {
  adminPool, assertNoInternal, assertUnchanged, authenticatedUnit, c, expectRc, imprintUnit, randomPart, unitWithRegisters,
} from './setup.ts';

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const x = b.slice();
  x[i] ^= 1;
  return x;
};

describe('conformance §3.3: the first failing step is the answer', () => {
  it('state-changing commands: each pair of faults gets the earlier step', async () => {
    const pool = await adminPool();
    const f = await authenticatedUnit(3, 2, 2);
    const s = f.s;
    const s2 = f.admins.slice(0, 2);
    const gen: RequestSpec = { command: Command.GEN_IMPORTER, payload: u32be(3), signers: [f.admins[0]] };
    const cases: [string, RequestSpec, number, number][] = [
      ['step 1 (33: domain field size) before step 2 (domain index)', { ...gen, domainIndex: 7, domain: s.domain.subarray(1) }, 33, 0],
      ['step 2 function (7) before domain index (3)', { ...gen, function: 1, domainIndex: 7 }, 7, 0],
      ['step 2 domain index (3) before step 3 (84)', { command: 0x03, domainIndex: 7 }, 3, 0],
      ['step 3 (84) before step 4 (binding)', { command: 0x03, module: flip(s.module, 0) }, 84, 0],
      ['step 4 (3/17) before step 5 (counter)', { ...gen, domain: flip(s.domain, 6), counter: 0n }, 3, 17],
      ['step 4 (3/14) before step 9 (signatures)', { ...gen, module: flip(s.module, 1), signers: [pool[8]] }, 3, 14],
      ['step 5 (163) before step 7 (payload)', { ...gen, counter: s.counter, payload: u32be(3).subarray(1) }, 163, 0],
      ['step 7 (33) before step 8 (84: key type)', { ...gen, payload: concat(u32be(7), Uint8Array.of(0)) }, 33, 0],
      ['step 7 (7/40) before step 9 (208)', { command: Command.DOM_ADMIN_LOGIN, payload: Uint8Array.of(0x30, 0) }, 7, 40],
      ['step 7 (33) before step 8 (102): COMMIT with a short VP on an empty register', { command: Command.COMMIT_WK, payload: new Uint8Array(31), signers: s2 }, 33, 0],
      ['step 7 (7) before step 8 (209/76): SET_ATTR form', { command: Command.DOM_SET_ATTR, payload: concat(u32be(1), u32be(0), u32be(1), u32be(0)), signers: s2 }, 7, 0],
      ['step 8 (102) before step 9 (208)', { command: Command.COMMIT_WK, payload: new Uint8Array(32) }, 102, 0],
      ['step 8 (256/38) before step 9 (257)', { command: Command.DOM_ADMIN_LOGIN, payload: pool[0].certificate, signers: [pool[8]] }, 256, 38],
      ['step 8 (209/57) before step 9 (192)', { command: Command.DOM_SET_ATTR, payload: concat(u32be(1), u32be(4)), extraSignerInfos: [await signerInfoOf(f.admins[0], Uint8Array.of(1))] }, 209, 57],
      ['step 8 (32/32) before step 9 (193)', { command: Command.DOM_ADMIN_LOGOUT, payload: pool[8].ski, signers: [f.admins[0], f.admins[0]] }, 32, 32],
      ['step 8 (84: key type) before step 9 (208)', { command: Command.GEN_IMPORTER, payload: u32be(1) }, 84, 0],
    ];
    await assertUnchanged(f.unit, async () => {
      for (const [what, spec, rc, reason] of cases) expectRc(await s.run(spec), rc, reason, what);
    });
    assertNoInternal(f);
  });

  it('imprint mode: counter (163) before the imprint restriction (179), which comes before payload (7/33) and signatures', async () => {
    const pool = await adminPool();
    const f = await imprintUnit(1);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.run({ command: Command.GEN_IMPORTER, payload: u32be(3), counter: f.s.counter }), 163, 0, '163 before 179');
      expectRc(await f.s.run({ command: Command.GEN_IMPORTER, payload: new Uint8Array(3) }), 179, 0, '179 before 33');
      expectRc(await f.s.run({ command: Command.CLEAR_WK, payload: Uint8Array.of(1), signers: [pool[8]] }), 179, 0, '179 before 7 and 257');
      expectRc(await f.s.run({ command: Command.DOM_ZEROIZE, payload: Uint8Array.of(1), signers: [pool[8]] }), 7, 0, '7 before 257');
    });
  });

  it('IMPORT_WK: form (7) before preconditions (96, then 80/80) before inner signatures before envelopes (32)', async () => {
    const pool = await adminPool();
    const f = await authenticatedUnit(2, 1, 1);
    const spki = await f.s.genImporter(f.admins[0], 2);
    const envs = [await wrapPartForImporter(c, spki, randomPart()), await wrapPartForImporter(c, spki, randomPart())];
    const badEnv = envs[1].slice();
    badEnv[badEnv.length - 3] ^= 1;
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await f.s.importRequest(envs, [[f.admins[0]], [f.admins[0]]], { signers: [f.admins[0]] })), 7, 0, 'outer signed');
      expectRc(await f.s.send(await f.s.importRequest([envs[0]], [[pool[8]]])), 7, 0, 'one part, unknown signer');
      expectRc(await f.s.send(await f.s.importRequest([envs[0], badEnv], [[pool[8]], []])), 257, 0, 'signatures before envelopes');
      expectRc(await f.s.send(await f.s.importRequest([envs[0], badEnv], [[f.admins[0]], []])), 208, 0, '208 before 32');
    });
    // used up: 96 before the inner signatures
    const good = await f.s.importRequest(envs, [[f.admins[0]], [f.admins[0]]]);
    expectRc(await f.s.send(good), 0);
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await f.s.importRequest(envs, [[pool[8]], []])), 96, 0, '96 before signatures');
    });
    const spki2 = await f.s.genImporter(f.admins[0], 2);
    const envs2 = [await wrapPartForImporter(c, spki2, randomPart()), await wrapPartForImporter(c, spki2, randomPart())];
    await assertUnchanged(f.unit, async () => {
      expectRc(await f.s.send(await f.s.importRequest(envs2, [[pool[8]], []])), 80, 80, '80/80 before signatures');
    });
  });

  it('queries and key storage: 84 before signerInfos (7) before payload (33) before state (80, then 102, then 32)', async () => {
    const f = await unitWithRegisters({ n: 1, sign: 1, revoke: 1 });
    const signed = async (code: number, payload: Uint8Array) => f.s.run({ command: code, payload, signers: [f.admins[0]] });
    await assertUnchanged(f.unit, async () => {
      expectRc(await signed(0x00010077, new Uint8Array(0)), 84, 0, 'unknown query, signed');
      expectRc(await signed(Query.DEVICE_CERT, new Uint8Array(3)), 7, 0, 'signed with a bad length');
      expectRc(await f.s.keyOp(KeyStorageOp.GENERATE_KEY, new Uint8Array(3)), 33, 0, '33 before 102');
      const tampered = new Uint8Array(114);
      tampered.set([0x30, 0x70, 0x04, 0x10], 0);
      tampered.set([0x04, 0x1c], 20);
      tampered.set([0x04, 0x0c], 50);
      tampered.set([0x04, 0x30], 64);
      expectRc(await f.s.keyOp(KeyStorageOp.REENCRYPT, tampered), 80, 0, '80 before 102 and 32');
    });
    const g = await unitWithRegisters({ n: 1, sign: 1, revoke: 1, next: [randomPart(), randomPart()], commitNext: true });
    const junk = new Uint8Array(114);
    junk.set([0x30, 0x70, 0x04, 0x10], 0);
    junk.set([0x04, 0x1c], 20);
    junk.set([0x04, 0x0c], 50);
    junk.set([0x04, 0x30], 64);
    expectRc(await g.s.keyOp(KeyStorageOp.REENCRYPT, junk), 102, 0, '102 before 32');
    expectRc(await g.s.keyOp(KeyStorageOp.REENCRYPT, junk.subarray(0, 113)), 7, 0, 'form before 102');
  });
});
