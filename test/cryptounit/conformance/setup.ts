/**
 * Shared setup for the protocol conformance suite: units in known states, reached only
 * through `handle`, and assertions on answers and on "nothing changed".
 */
import { assert, hexOf } from '../../harness.ts';
import { u32be } from '../../../src/bytes/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import {
  UnitSession, makeUnitAdmins, nobleVp, xorParts, type SessionOptions, type UnitAdmin, type UnitReply,
} from '../../fakes/unit-requests.ts';

export const c = globalThis.crypto;

export interface Fixture {
  unit: SimulatedCryptoUnit;
  s: UnitSession;
  /** simulator faults reported through onInternalError; every test expects none */
  internal: unknown[];
}

export async function freshUnit(opts: { host?: SimulatedHost; domainIndex?: number } & SessionOptions = {}): Promise<Fixture> {
  const internal: unknown[] = [];
  const unit = await SimulatedCryptoUnit.create({ host: opts.host, domainIndex: opts.domainIndex, onInternalError: (e) => internal.push(e) });
  const s = await UnitSession.open(unit, opts);
  return { unit, s, internal };
}

/** Admins shared by the suite (key generation is the slow part of a fixture). */
let pool: UnitAdmin[] | undefined;
export async function adminPool(): Promise<UnitAdmin[]> {
  pool ??= await makeUnitAdmins(9);
  return pool;
}

/** Imprint mode with `n` admins installed. */
export async function imprintUnit(n: number): Promise<Fixture & { admins: UnitAdmin[] }> {
  const f = await freshUnit();
  const admins = (await adminPool()).slice(0, n);
  await f.s.installAdmins(admins);
  return { ...f, admins };
}

/** Authenticated with `n` admins and the given thresholds. */
export async function authenticatedUnit(n: number, sign: number, revoke: number): Promise<Fixture & { admins: UnitAdmin[] }> {
  const f = await imprintUnit(n);
  await f.s.setThresholds(sign, revoke, f.admins.slice(0, sign));
  return f;
}

export const randomPart = (): Uint8Array => c.getRandomValues(new Uint8Array(32));

/**
 * Authenticated (n admins, thresholds sign/revoke) with a VALID current register holding
 * the XOR of `current` parts and, optionally, a new register loaded from `next` parts
 * (committed if asked).
 */
export async function unitWithRegisters(
  opts: { n?: number; sign?: number; revoke?: number; current?: Uint8Array[]; next?: Uint8Array[]; commitNext?: boolean } = {},
): Promise<Fixture & { admins: UnitAdmin[]; currentKey?: Uint8Array; nextKey?: Uint8Array }> {
  const n = opts.n ?? 3;
  const sign = opts.sign ?? 2;
  const f = await authenticatedUnit(n, sign, opts.revoke ?? 2);
  const signers = f.admins.slice(0, sign);
  let currentKey: Uint8Array | undefined;
  let nextKey: Uint8Array | undefined;
  if (opts.current) {
    const vp = await f.s.loadNew(opts.current, f.admins[0]);
    await f.s.commit(vp, signers);
    await f.s.finalize(vp, f.admins[0]);
    currentKey = xorParts(opts.current);
  }
  if (opts.next) {
    const vp = await f.s.loadNew(opts.next, f.admins[0]);
    if (opts.commitNext) await f.s.commit(vp, signers);
    nextKey = xorParts(opts.next);
  }
  return { ...f, currentKey, nextKey };
}

/** Assert an answer's rv and reason (an error answer's payload is exactly the reason). */
export function expectRc(r: UnitReply, rc: number, reason = 0, what = ''): void {
  assert.equal(`${r.rv}/${r.reason ?? 0}`, `${rc}/${reason}`, `${what} answered ${r.rv}/${r.reason}`);
  if (rc !== 0) assert.equal(hexOf(r.payload), hexOf(u32be(reason)), `${what} error payload is the reason`);
}

export function expectOk(r: UnitReply, what = ''): void {
  expectRc(r, 0, 0, what);
}

/** Run `fn` and assert the unit's saved state is byte-identical before and after. */
export async function assertUnchanged<T>(unit: SimulatedCryptoUnit, fn: () => Promise<T>): Promise<T> {
  const before = await unit.exportState();
  const out = await fn();
  const after = await unit.exportState();
  assert.equal(hexOf(after), hexOf(before), 'the unit state changed');
  return out;
}

export function assertNoInternal(f: Fixture): void {
  assert.deepEqual(f.internal.map((e) => String(e)), [], 'simulator faults');
}

export { nobleVp, xorParts };
