/**
 * Property/fuzz tests of the simulated unit with fast-check: mutated valid signed
 * state-changing requests (bit flips, truncations, insertions, deletions, field edits and
 * field swaps, re-encoded as DER or not), random DER-ish requests and random bytes, sent to
 * units in three states. For every one:
 *
 *   - `handle` answers (no exception), no simulator fault is reported;
 *   - the answer is a parseable AdminResponse signed by the OA key, with a non-zero rv;
 *   - the unit's exported state is byte-identical before and after.
 *
 * At least 10,000 requests in the Node run (browserScale lowers it in the browser). The
 * base requests are first shown to be valid on a restored copy of each unit, so the
 * mutations start from requests that would have succeeded.
 */
import { describe, it, assert, before, browserScale, hexOf } from '../../harness.ts';
import fc from 'fast-check';
import { p521 } from '@noble/curves/nist.js';
import { bytesEqual, concat, u32be, uintBe } from '../../../src/bytes/index.ts';
import {
  Command, KNOWN_CODES, RC, decodeAdminBlock, decodeAdminRequest, decodeSignerInfo, isStateChanging, wrapPartForImporter,
} from '../../../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { UnitSession, makeUnitAdmins, thresholdPairs, type UnitAdmin } from '../../fakes/unit-requests.ts';
import { tlv } from '../conformance/independent-envelope.ts';

const c = globalThis.crypto;
const TOTAL = browserScale(10_000, 1_000);
const CHUNK = 16;
const KNOWN_RCS = new Set<number>(Object.values(RC));

interface Target {
  name: string;
  unit: SimulatedCryptoUnit;
  s: UnitSession;
  faults: unknown[];
  saved: Uint8Array;
  bases: Fields[];
  /** DER-ish requests only where every state-changing command needs a valid admin signature */
  authenticated: boolean;
}

/** A request taken apart: the raw contents of every field. */
interface Fields {
  function: Uint8Array;
  domainIndex: Uint8Array;
  command: Uint8Array;
  domain: Uint8Array;
  module: Uint8Array;
  counter: Uint8Array;
  payload: Uint8Array;
  signerInfos: Uint8Array[];
}
const FIELD_NAMES = ['function', 'domainIndex', 'command', 'domain', 'module', 'counter', 'payload'] as const;

const os = (b: Uint8Array): Uint8Array => tlv(0x04, b);
const encode = (f: Fields): Uint8Array =>
  tlv(0x30, os(f.function), os(f.domainIndex), os(tlv(0x30, os(f.command), os(f.domain), os(f.module), os(f.counter), os(f.payload))), os(concat(...f.signerInfos)));

function fieldsOf(request: Uint8Array): Fields {
  const r = decodeAdminRequest(request);
  const b = decodeAdminBlock(r.adminBlock);
  return {
    function: u32be(r.function),
    domainIndex: u32be(r.domainIndex),
    command: u32be(b.command),
    domain: b.domain,
    module: b.module,
    counter: b.counter,
    payload: b.payload,
    signerInfos: r.signerInfos,
  };
}

// ---- mutations ----

type ByteEdit =
  | { kind: 'flip'; bits: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'replace'; bytes: Uint8Array };

/** Positions anywhere in a request, not biased towards its first bytes. */
const position = fc.noBias(fc.nat({ max: 1 << 24 }));

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), bits: fc.array(position, { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('replace' as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
);

function applyEdit(b: Uint8Array, e: ByteEdit): Uint8Array {
  const n = b.length;
  switch (e.kind) {
    case 'flip': {
      if (n === 0) return Uint8Array.of(1);
      const x = b.slice();
      for (const bit of e.bits) x[(bit >> 3) % n] ^= 1 << (bit & 7);
      return x;
    }
    case 'truncate':
      return b.slice(0, n === 0 ? 0 : e.at % n);
    case 'insert': {
      const at = e.at % (n + 1);
      return concat(b.subarray(0, at), e.bytes, b.subarray(at));
    }
    case 'delete': {
      const at = n === 0 ? 0 : e.at % n;
      return concat(b.subarray(0, at), b.subarray(at + e.n));
    }
    case 'replace':
      return e.bytes.slice();
  }
}

type Mutation =
  | { on: 'bytes'; edits: ByteEdit[] }
  | { on: 'field'; field: number; edit: ByteEdit }
  | { on: 'signerInfo'; index: number; op: 'drop' | 'duplicate' | { kind: 'tail'; bit: number } | ByteEdit }
  | { on: 'swap'; a: number; b: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ on: fc.constant('bytes' as const), edits: fc.array(byteEdit, { minLength: 1, maxLength: 3 }) }), weight: 4 },
  { arbitrary: fc.record({ on: fc.constant('field' as const), field: fc.nat(FIELD_NAMES.length - 1), edit: byteEdit }), weight: 4 },
  {
    arbitrary: fc.record({
      on: fc.constant('signerInfo' as const),
      index: fc.nat(),
      // 'tail' flips a bit among the last 16 bytes: the low bytes of s, so the DER stays valid
      op: fc.oneof(fc.constant('drop' as const), fc.constant('duplicate' as const), fc.record({ kind: fc.constant('tail' as const), bit: fc.nat(127) }), byteEdit),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ on: fc.constant('swap' as const), a: fc.nat(FIELD_NAMES.length), b: fc.nat(FIELD_NAMES.length) }), weight: 1 },
);

function applyMutation(base: Fields, m: Mutation): Uint8Array {
  const f: Fields = { ...base, signerInfos: [...base.signerInfos] };
  switch (m.on) {
    case 'bytes':
      return m.edits.reduce((b, e) => applyEdit(b, e), encode(base));
    case 'field': {
      const k = FIELD_NAMES[m.field];
      f[k] = applyEdit(f[k], m.edit);
      return encode(f);
    }
    case 'signerInfo': {
      const op = m.op;
      if (f.signerInfos.length === 0) {
        f.signerInfos = [typeof op === 'string' || op.kind === 'tail' ? Uint8Array.of(0x30, 0x00) : applyEdit(new Uint8Array(0), op)];
        return encode(f);
      }
      const i = m.index % f.signerInfos.length;
      if (op === 'drop') f.signerInfos.splice(i, 1);
      else if (op === 'duplicate') f.signerInfos.splice(i, 0, f.signerInfos[i]);
      else if (op.kind === 'tail') {
        const si = f.signerInfos[i].slice();
        si[si.length - 1 - (op.bit >> 3)] ^= 1 << (op.bit & 7);
        f.signerInfos[i] = si;
      } else f.signerInfos[i] = applyEdit(f.signerInfos[i], op);
      return encode(f);
    }
    case 'swap': {
      // field FIELD_NAMES.length stands for the whole signerInfos field
      const get = (i: number): Uint8Array => (i < FIELD_NAMES.length ? f[FIELD_NAMES[i]] : concat(...f.signerInfos));
      const set = (i: number, v: Uint8Array): void => {
        if (i < FIELD_NAMES.length) f[FIELD_NAMES[i]] = v;
        else f.signerInfos = v.length ? [v] : [];
      };
      const [va, vb] = [get(m.a), get(m.b)];
      set(m.a, vb);
      set(m.b, va);
      return encode(f);
    }
  }
}

/**
 * A mutated request must still be a state-changing request (or not parse at all): a
 * mutation that turns a command into a known query or key-storage operation may validly
 * succeed, so it is not a fuzz case for "every answer fails".
 */
function stillStateChanging(req: Uint8Array): boolean {
  try {
    const code = decodeAdminBlock(decodeAdminRequest(req).adminBlock).command;
    return !(KNOWN_CODES.has(code) && !isStateChanging(code));
  } catch {
    return true;
  }
}

// ---- random DER-ish requests ----

const derish: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.uint8Array({ maxLength: 24 }).map((b) => tlv(0x04, b)),
    fc.uint8Array({ minLength: 1, maxLength: 9 }).map((b) => tlv(0x02, b)),
    fc.uint8Array({ maxLength: 8 }).map((b) => tlv(0x06, b)),
    fc.constant(Uint8Array.of(0x05, 0x00)),
    fc.tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa2), fc.array(tie('node'), { maxLength: 4 })).map(([t, kids]) => tlv(t, ...kids)),
    fc.tuple(fc.constantFrom(0x80, 0x81, 0x03), fc.uint8Array({ maxLength: 40 })).map(([t, b]) => tlv(t, b)),
  ),
})).node;

function derishRequest(t: Target): fc.Arbitrary<Uint8Array> {
  const s = t.s;
  const signerInfoLike = fc
    .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(...t.bases.flatMap((b) => b.signerInfos.map((x) => decodeSignerInfo(x).ski))), fc.boolean(), fc.uint8Array({ maxLength: 80 }))
    .map(([rnd, ski, known, sig]) =>
      tlv(0x30, Uint8Array.of(0x02, 0x01, 0x03), tlv(0x80, known ? ski : rnd), tlv(0x30, Uint8Array.of(0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03)), tlv(0x30, Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04)), tlv(0x04, sig)),
    );
  const command = fc.oneof(
    fc.constantFrom(...Object.values(Command)).map((x) => u32be(x)),
    fc.integer({ min: 0, max: 0xffff }).map((x) => u32be(x)),
    fc.uint8Array({ maxLength: 6 }),
  );
  const bound = fc.boolean();
  return fc
    .record({
      fn: fc.oneof({ arbitrary: fc.constant(u32be(0x00010029)), weight: 4 }, fc.uint8Array({ maxLength: 5 })),
      dom: fc.oneof({ arbitrary: fc.constant(u32be(s.domainIndex)), weight: 4 }, fc.uint8Array({ maxLength: 5 })),
      command,
      bound,
      domain: fc.uint8Array({ maxLength: 9 }),
      module: fc.uint8Array({ maxLength: 17 }),
      counter: fc.oneof(fc.uint8Array({ maxLength: 17 }), fc.bigInt({ min: 0n, max: 1000n }).map((n) => uintBe(n, 16))),
      payload: fc.oneof(fc.uint8Array({ maxLength: 64 }), derish, fc.constant(new Uint8Array(0))),
      sis: fc.oneof(fc.constant([] as Uint8Array[]), fc.array(signerInfoLike, { maxLength: 3 }), fc.array(derish, { maxLength: 2 }), fc.uint8Array({ maxLength: 30 }).map((b) => [b])),
      shape: fc.constantFrom('ok', 'ok', 'ok', 'three', 'five', 'set'),
    })
    .map((r) => {
      const block = tlv(0x30, os(r.command), os(r.bound ? s.domain : r.domain), os(r.bound ? s.module : r.module), os(r.bound ? uintBe(s.nextCounter, 16) : r.counter), os(r.payload));
      const items = [os(r.fn), os(r.dom), os(block), os(concat(...r.sis))];
      if (r.shape === 'three') return tlv(0x30, ...items.slice(0, 3));
      if (r.shape === 'five') return tlv(0x30, ...items, os(new Uint8Array(0)));
      if (r.shape === 'set') return tlv(0x31, ...items);
      return tlv(0x30, ...items);
    })
    .filter(stillStateChanging);
}

const randomBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.uint8Array({ maxLength: 200 })).map(([b]) => concat(Uint8Array.of(0x30, b.length < 128 ? b.length : 0x81), b.length < 128 ? b : concat(Uint8Array.of(b.length), b))),
);

// ---- targets ----

async function target(name: string, host: SimulatedHost, setup: (s: UnitSession) => Promise<Uint8Array[]>, authenticated: boolean): Promise<Target> {
  const faults: unknown[] = [];
  const unit = await SimulatedCryptoUnit.create({ host, onInternalError: (e) => faults.push(e) });
  const s = await UnitSession.open(unit, { verify: 'webcrypto' });
  const bases = await setup(s);
  const saved = await unit.exportState();
  // each base request succeeds on a fresh copy of the unit
  for (const b of bases) {
    const copy = await SimulatedCryptoUnit.restore(saved, { host });
    const r = await s.check(await copy.handle(b));
    assert.equal(r.rv, 0, `${name}: base request 0x${hexOf(fieldsOf(b).command)} is valid (got ${r.rv}/${r.reason})`);
  }
  await s.check(await unit.handle(s.queryRequest(0x0001000a))); // the session's binding is the unit's again
  return { name, unit, s, faults, saved, bases: bases.map(fieldsOf), authenticated };
}

describe('fuzz: malformed and mutated requests never escape, never change the unit', () => {
  let targets: Target[];
  let admins: UnitAdmin[];
  const part = (): Uint8Array => c.getRandomValues(new Uint8Array(32));

  before(async () => {
    const host = await SimulatedHost.create();
    admins = await makeUnitAdmins(5);
    const [a0, a1, a2, a3, a4] = admins;
    targets = [
      await target('imprint', host, async (s) => {
        await s.installAdmins([a0, a1]);
        return [
          await s.request({ command: Command.DOM_ADMIN_LOGIN, payload: a3.certificate }),
          await s.request({ command: Command.DOM_ADMIN_LOGOUT, payload: a1.ski }),
          await s.request({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(2, 1), signers: [a0, a1] }),
          await s.request({ command: Command.DOM_ZEROIZE }),
        ];
      }, false),
      await target('rotation', host, async (s) => {
        await s.installAdmins([a0, a1, a2]);
        await s.setThresholds(2, 2, [a0, a1]);
        const vpA = await s.loadNew([part(), part()], a0);
        await s.commit(vpA, [a0, a1]);
        await s.finalize(vpA, a2);
        const vpB = await s.loadNew([part(), part(), part()], a1);
        await s.commit(vpB, [a1, a2]);
        await s.genImporter(a0, 3);
        return [
          await s.request({ command: Command.GEN_IMPORTER, payload: u32be(2), signers: [a1] }),
          await s.request({ command: Command.FINALIZE_WK, payload: vpB, signers: [a2] }),
          await s.request({ command: Command.CLEAR_WK, signers: [a0] }),
          await s.request({ command: Command.CLEAR_NEXT_WK, signers: [a1] }),
          await s.request({ command: Command.DOM_ADMIN_LOGIN, payload: a4.certificate, signers: [a2, a0] }),
          await s.request({ command: Command.DOM_ADMIN_LOGOUT, payload: a2.ski, signers: [a0, a1] }),
          await s.request({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(1, 1), signers: [a1, a2] }),
          await s.request({ command: Command.DOM_ZEROIZE, signers: [a2] }),
        ];
      }, true),
      await target('loading', host, async (s) => {
        await s.installAdmins([a0, a1]);
        await s.setThresholds(1, 1, [a1]);
        const spki = await s.genImporter(a0, 2);
        const envs = [await wrapPartForImporter(c, spki, part()), await wrapPartForImporter(c, spki, part())];
        return [
          await s.importRequest(envs, [[a0], [a1]]),
          await s.request({ command: Command.GEN_IMPORTER, payload: u32be(3), signers: [a1] }),
          await s.request({ command: Command.DOM_SET_ATTR, payload: thresholdPairs(2, 1), signers: [a0] }),
        ];
      }, true),
    ];
  });

  it(`${TOTAL.toLocaleString('en-US')} requests: each answered, signed, non-zero, and the state unchanged`, async () => {
    const seed = Math.floor(Math.random() * 0x7fffffff);
    const perTarget = Math.ceil(TOTAL / targets.length);
    const seen = new Map<number, number>();
    let sent = 0;
    // the three units are independent: fuzz them side by side
    await Promise.all(
      targets.map(async (t, ti) => {
        const mutated = fc
          .tuple(fc.nat(t.bases.length - 1), mutation)
          .map(([i, m]) => ({ req: applyMutation(t.bases[i], m), base: encode(t.bases[i]) }))
          .filter((x) => !bytesEqual(x.req, x.base) && stillStateChanging(x.req)) // a mutation that undoes itself is no mutation
          .map((x) => x.req);
        const families: fc.Arbitrary<Uint8Array>[] = [mutated, mutated, mutated, mutated, mutated, mutated, mutated, randomBytes];
        if (t.authenticated) families.push(derishRequest(t), derishRequest(t));
        const cases = fc.sample(fc.oneof(...families), { numRuns: perTarget, seed: seed + ti });
        for (let i = 0; i < cases.length; i += CHUNK) {
          const chunk = cases.slice(i, i + CHUNK);
          const answers = await Promise.all(chunk.map((req) => t.unit.handle(req)));
          const checked = await Promise.all(answers.map((raw) => t.s.check(raw))); // parseable, OA-signed (WebCrypto)
          for (const [j, r] of checked.entries()) {
            const where = `${t.name}, seed ${seed + ti}, case ${i + j}: ${hexOf(chunk[j]).slice(0, 400)}`;
            if ((i + j) % 97 === 0) {
              const si = decodeSignerInfo(r.response.oaSignerInfo);
              assert.isTrue(p521.verify(si.signature, r.response.responseBlock, t.s.oaPoint, { format: 'der', lowS: false }), `noble: ${where}`);
            }
            assert.notEqual(r.rv, 0, `succeeded: ${where}`);
            assert.isTrue(KNOWN_RCS.has(r.rv), `rv ${r.rv}: ${where}`);
            seen.set(r.rv, (seen.get(r.rv) ?? 0) + 1);
          }
          assert.deepEqual(t.faults.map(String), [], `simulator faults (${t.name}, seed ${seed + ti}, chunk at ${i})`);
          assert.equal(hexOf(await t.unit.exportState()), hexOf(t.saved), `state changed (${t.name}, seed ${seed + ti}, chunk at ${i})`);
          sent += chunk.length;
        }
      }),
    );
    assert.isAtLeast(sent, TOTAL);
    // the cases reached every stage of the pipeline, not just the parser
    for (const rc of [7, 33, 3, 163, 84, 193, 192, 208]) assert.isAbove(seen.get(rc) ?? 0, 0, `no answer ${rc} among ${JSON.stringify([...seen])}`);
  });
});
