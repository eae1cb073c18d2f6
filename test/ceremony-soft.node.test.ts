import { createHash, randomBytes } from 'node:crypto';
import { describe, it, assert, assertBytes, assertRejects } from './harness.ts';
import {
  CryptoUnitClient, MemoryUnitTransport, SimulatedCryptoUnit, SimulatedHost, UnitError, type UnitState,
} from '../src/cryptounit/index.ts';
import type { AdminSigner, KeyPartHolder } from '../src/custodian/index.ts';
import {
  SoftKeyPartHolder, createKeyPart, createSignatureKey, openSignatureKeyFile,
} from '../src/custodian/soft/index.ts';
import { newTestImporter, openEnvelopeIndependently } from './custodian/conformance/independent-kari.ts';

/**
 * The software card end to end (issue 3): two simulated units on one host, driven only through
 * the unit client, with three software administrators and software key part files.
 *
 * imprint → 3 admins, thresholds 2/2 (leaves imprint mode) → importer per unit → 3 parts
 * loaded → commit and set immediate (current VP = VP(p1 ⊕ p2 ⊕ p3), computed here) → 50 keys
 * → rotation with 2 new parts: commit, REENCRYPT every blob, set immediate, every key still
 * unwraps → zeroize both units.
 *
 * The key files use a test-only PBKDF2 count; the production count is covered in
 * test/custodian/soft/.
 */
const c = globalThis.crypto;
const TEST = { insecureIterationsForTests: 2000 };
const KEYS = 50;

const xor = (...parts: Uint8Array[]): Uint8Array => parts.reduce((a, b) => a.map((x, i) => x ^ b[i]), new Uint8Array(32));
/** VP = SHA-256(01 ‖ key), last 4 bytes zero, by node:crypto. */
function vpOf(key: Uint8Array): Uint8Array {
  const h = new Uint8Array(createHash('sha256').update(Uint8Array.of(1)).update(key).digest());
  h.fill(0, 28);
  return h;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** What must agree across units of one instance (DESIGN §5 drift check). */
function comparable(s: UnitState): unknown {
  return {
    admins: s.admins.map((a) => hex(a.ski)),
    attributes: s.attributes,
    current: hex(s.registers.currentVp),
    next: hex(s.registers.newVp),
    registers: [s.registers.current, s.registers.next, s.registers.flags],
    importer: s.importer !== null,
  };
}

interface Custodian {
  name: string;
  password: string;
  holder: KeyPartHolder;
  partId: string;
  /** the clear part, known to the test only to compute the expected VP */
  value: Uint8Array;
}

/** A custodian with one part file: typed from test bytes, or random and learned through an independent unwrap. */
async function custodian(name: string, mode: 'typed' | 'random'): Promise<Custodian> {
  const password = `${name}'s part password`;
  const value: Uint8Array | undefined = mode === 'typed' ? new Uint8Array(randomBytes(32)) : undefined;
  const { text } = await createKeyPart(c, { description: `${name}'s part`, password, value: value && hex(value) }, TEST);
  const holder = new SoftKeyPartHolder(c, TEST);
  const info = await holder.addFile(text);
  let known: Uint8Array | undefined = value;
  if (!known) {
    const probe = newTestImporter('P-256');
    known = openEnvelopeIndependently(probe, await holder.wrapForImporter(info.id, probe.spki, password)).part!;
  }
  assertBytes(info.vp, vpOf(known), `${name}'s file shows the VP of its part`);
  return { name, password, holder, partId: info.id, value: known! };
}

describe('ceremony with software custodians on two simulated units (client only)', () => {
  it('imprint → 2/2 → load 3 parts → set immediate → 50 keys → rotate with 2 parts → zeroize', async () => {
    // ---- units and clients -----------------------------------------------------------------
    const host = await SimulatedHost.create({ crypto: c });
    const units = [await SimulatedCryptoUnit.create({ host, crypto: c }), await SimulatedCryptoUnit.create({ host, crypto: c })];
    const clients = units.map((u, i) => new CryptoUnitClient({ transport: new MemoryUnitTransport((r) => u.handle(r), { unitId: `unit ${i + 1}` }), crypto: c }));
    for (const cl of clients) await cl.connect();
    assert.equal(clients[0].pinnedRoot, clients[1].pinnedRoot, 'one host root');
    const states = async (): Promise<UnitState[]> => Promise.all(clients.map((cl) => cl.state()));
    const noDrift = async (when: string): Promise<UnitState[]> => {
      const s = await states();
      assert.deepEqual(comparable(s[1]), comparable(s[0]), `units agree ${when}`);
      return s;
    };

    // ---- three software administrators, saved to files and opened again ----------------------
    const adminSpecs = [
      { name: 'Alice', curve: 'P-521' as const },
      { name: 'Bob', curve: 'P-384' as const },
      { name: 'Carol', curve: 'P-256' as const },
    ];
    const admins: AdminSigner[] = [];
    for (const a of adminSpecs) {
      const password = `${a.name} signs carefully`;
      const { text } = await createSignatureKey(c, { ...a, password }, TEST);
      admins.push(await openSignatureKeyFile(c, text, password, TEST));
    }
    const [alice, bob, carol] = admins;

    let s = await noDrift('at the start');
    assert.equal(s[0].attributes.mode, 'imprint');
    for (const cl of clients) for (const a of admins) await cl.addAdmin(a.certificate);
    for (const cl of clients) await cl.setThresholds(2, 2, [alice, bob]);
    s = await noDrift('after leaving imprint mode');
    assert.deepEqual(s[0].attributes, { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
    assert.deepEqual(s[0].admins.map((x) => x.name), ['Alice', 'Bob', 'Carol']);
    // one signature is no longer enough for a two-signature command
    const e = await assertRejects(clients[0].commit(new Uint8Array(32), [alice]), UnitError);
    assert.include([102, 208], e.rc);

    // ---- first master key: three custodians, one part each ------------------------------------
    const first = [await custodian('Dave', 'typed'), await custodian('Erin', 'typed'), await custodian('Frank', 'random')];
    const mk1Vp = vpOf(xor(...first.map((p) => p.value)));

    const load = async (parts: Custodian[], signersOf: AdminSigner[]): Promise<Uint8Array> => {
      const importers = [await clients[0].generateImporter('P-521', [carol]), await clients[1].generateImporter('P-256', [alice])];
      // each custodian enters the password once and wraps for both units
      const envelopes = await Promise.all(parts.map((p) => p.holder.wrapForImporters(p.partId, importers.map((i) => i.spki), p.password)));
      const vps: Uint8Array[] = [];
      for (let u = 0; u < clients.length; u++) {
        vps.push(await clients[u].importParts(parts.map((_, k) => ({ envelope: envelopes[k][u], signers: [signersOf[k]] }))));
      }
      assertBytes(vps[1], vps[0], 'both units loaded the same new register');
      return vps[0];
    };

    const loaded1 = await load(first, [alice, bob, carol]);
    assertBytes(loaded1, mk1Vp, 'new register VP = VP(p1 ⊕ p2 ⊕ p3) computed here');
    s = await noDrift('after loading');
    assert.equal(s[0].registers.next, 'FULL_UNCOMMITTED');
    assert.isNull(s[0].importer, 'the importer key is single-use');

    for (const cl of clients) await cl.commit(mk1Vp, [bob, carol]);
    // the first time there is nothing to re-encipher
    for (const cl of clients) await cl.finalize(mk1Vp, [alice]);
    s = await noDrift('after set immediate');
    for (const st of s) {
      assertBytes(st.registers.currentVp, mk1Vp, 'current VP = VP(p1 ⊕ p2 ⊕ p3)');
      assert.equal(st.registers.current, 'VALID');
      assert.equal(st.registers.next, 'EMPTY');
    }

    // ---- 50 keys, made on both units, each with a message wrapped under it -------------------
    const keys: { blob: Uint8Array; message: Uint8Array; sealed: Uint8Array }[] = [];
    for (let i = 0; i < KEYS; i++) {
      const cl = clients[i % 2];
      const blob = await cl.generateKey(new Uint8Array(randomBytes(16)));
      const message = new Uint8Array(randomBytes(1 + i));
      keys.push({ blob, message, sealed: await cl.wrap(blob, message) });
    }
    for (const k of keys) assertBytes(await clients[1].unwrap(k.blob, k.sealed), k.message, 'the other unit opens it too');

    // ---- rotation: two new parts ------------------------------------------------------------
    const second = [await custodian('Grace', 'random'), await custodian('Heidi', 'typed')];
    const mk2Vp = vpOf(xor(...second.map((p) => p.value)));
    assert.notEqual(hex(mk2Vp), hex(mk1Vp));
    const loaded2 = await load(second, [carol, carol]);
    assertBytes(loaded2, mk2Vp, 'new register VP = VP(p4 ⊕ p5)');
    for (const cl of clients) await cl.commit(mk2Vp, [alice, carol]);
    s = await noDrift('after commit');
    assert.equal(s[0].registers.next, 'FULL_COMMITTED');
    assertBytes(s[0].registers.currentVp, mk1Vp);

    // REENCRYPT every blob (half on each unit); old and new blobs both kept until set immediate
    const rotated: Uint8Array[] = [
      ...(await clients[0].reencrypt(keys.slice(0, KEYS / 2).map((k) => k.blob))),
      ...(await clients[1].reencrypt(keys.slice(KEYS / 2).map((k) => k.blob))),
    ];
    assert.lengthOf(rotated, KEYS);
    for (const cl of clients) await cl.finalize(mk2Vp, [bob]);
    s = await noDrift('after the second set immediate');
    for (const st of s) assertBytes(st.registers.currentVp, mk2Vp);

    for (let i = 0; i < KEYS; i++) {
      for (const cl of clients) assertBytes(await cl.unwrap(rotated[i], keys[i].sealed), keys[i].message, `key ${i} still unwraps`);
    }
    // the old blobs are gone with the old register (EP11 keeps no old register)
    const old = await assertRejects(clients[0].unwrap(keys[0].blob, keys[0].sealed), UnitError);
    assert.equal(old.rc, 32);

    // ---- zeroize ----------------------------------------------------------------------------
    for (const cl of clients) await cl.zeroize([carol]);
    s = await noDrift('after zeroize');
    for (const st of s) {
      assert.deepEqual(st.attributes, { signThreshold: 0, revokeThreshold: 0, mode: 'imprint' });
      assert.lengthOf(st.admins, 0);
      assert.isTrue(st.registers.currentVp.every((b) => b === 0) && st.registers.newVp.every((b) => b === 0));
      assert.equal(st.registers.current, 'EMPTY');
      assert.equal(st.registers.next, 'EMPTY');
      assert.isNull(st.importer);
    }
    await assertRejects(clients[0].unwrap(rotated[0], keys[0].sealed), UnitError);
  });
});
