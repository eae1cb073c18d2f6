import { sha256 } from '@noble/hashes/sha2.js';
import { after, assert, assertBytes, assertRejects, before, describe, it } from '../../harness.ts';
import type { CurveName } from '../../../src/crypto/index.ts';
import { parseAdminCertificate } from '../../../src/cryptounit/protocol/index.ts';
import {
  CustodianClosedError, InvalidImporterKeyError, UnknownPartError, WrongSecretError, formatKeyPartListing,
  type AdminSigner, type KeyPartHolder, type KeyPartInfo,
} from '../../../src/custodian/index.ts';
import { OID_TLV, children, readOnly, sameBytes, tlv } from './independent-der.ts';
import { NOBLE, independentVp, newTestImporter, openEnvelopeIndependently, type TestCurve } from './independent-kari.ts';

/**
 * The custodian conformance suite. Every custodian (software files, PIV, OpenPGP cards) runs
 * it through its own factory; each check is made by an implementation independent of the
 * custodian's (noble signatures with lowS: false, hand-written KARI unwrap).
 */
export interface CustodianFixture {
  signer: AdminSigner;
  /** what the signer was created with */
  expected: { name: string; curve: CurveName };
  holder: KeyPartHolder;
  /** the secret (password, PIN) that opens the custodian's parts and signer */
  secret: string;
  wrongSecret: string;
  /** true where the custodian counts tries (cards): WrongSecretError.retriesLeft is then a number */
  countsRetries: boolean;
  /**
   * Create a part on the custodian and return its info; with `value` (32 bytes) a typed part
   * (`tke mk-add --value`), or undefined when the custodian cannot take typed values.
   */
  createPart(description: string, value?: Uint8Array): Promise<KeyPartInfo | undefined>;
  /** open the signer again with a secret */
  reopenSigner(secret: string): Promise<AdminSigner>;
  dispose?(): Promise<void>;
}

const c = globalThis.crypto;
const ALGS: Record<CurveName, { digest: Uint8Array; signature: Uint8Array }> = {
  'P-256': { digest: OID_TLV.sha256, signature: OID_TLV.ecdsaWithSha256 },
  'P-384': { digest: OID_TLV.sha384, signature: OID_TLV.ecdsaWithSha384 },
  'P-521': { digest: OID_TLV.sha512, signature: OID_TLV.ecdsaWithSha512 },
};
const IMPORTER_CURVES: TestCurve[] = ['P-256', 'P-384', 'P-521'];
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Take a SignerInfo apart by hand and check every fixed element; returns sid and signature. */
function readSignerInfo(der: Uint8Array, curve: CurveName): { sid: Uint8Array; signature: Uint8Array } {
  const top = readOnly(der);
  assert.equal(top.tag, 0x30, 'SignerInfo is a SEQUENCE');
  const items = children(top.content);
  assert.lengthOf(items, 5, 'SignerInfo has 5 elements (no signed attributes)');
  assertBytes(items[0].raw, Uint8Array.of(0x02, 0x01, 0x03), 'version 3');
  assert.equal(items[1].tag, 0x80, 'sid is [0] IMPLICIT subjectKeyIdentifier');
  assertBytes(items[2].raw, tlv(0x30, ALGS[curve].digest), `digestAlgorithm of ${curve}, parameters absent`);
  assertBytes(items[3].raw, tlv(0x30, ALGS[curve].signature), `signatureAlgorithm of ${curve}, parameters absent`);
  assert.equal(items[4].tag, 0x04, 'signature is an OCTET STRING');
  return { sid: items[1].content.slice(), signature: items[4].content.slice() };
}

export function runCustodianConformance(name: string, factory: () => Promise<CustodianFixture>): void {
  describe(`custodian conformance: ${name}`, () => {
    let f: CustodianFixture;
    let point: Uint8Array;
    let typed: { info: KeyPartInfo; value: Uint8Array } | undefined;
    let random: KeyPartInfo;

    before(async () => {
      f = await factory();
      point = (await parseAdminCertificate(c, f.signer.certificate)).publicPoint;
    });
    after(async () => {
      await f?.dispose?.();
    });

    it('identity: name, curve, and SKI = SHA-256 of the certificate\'s point', async () => {
      assert.equal(f.signer.name, f.expected.name);
      assert.equal(f.signer.curve, f.expected.curve);
      assert.equal(point.length, { 'P-256': 65, 'P-384': 97, 'P-521': 133 }[f.expected.curve]);
      assertBytes(f.signer.ski, sha256(point), 'SKI is SHA-256(04 ‖ X ‖ Y)');
    });

    it('certificate: passes every unit check (parseAdminCertificate) and names the signer', async () => {
      const cert = await parseAdminCertificate(c, f.signer.certificate);
      assert.equal(cert.name, f.expected.name);
      assert.equal(cert.curve, f.expected.curve);
      assertBytes(cert.ski, f.signer.ski);
      // the certificate's self-signature verifies under noble as well
      const certTop = children(readOnly(f.signer.certificate).content);
      const sigBits = certTop[2].content;
      assert.equal(sigBits[0], 0, 'no unused bits');
      assert.isTrue(
        NOBLE[f.expected.curve].verify(sigBits.subarray(1), certTop[0].raw, point, { format: 'der', lowS: false }),
        'self-signature verifies under noble',
      );
    });

    it('signing: SignerInfo v3 with the SKI and the curve\'s algorithms, verified by noble', async () => {
      const noble = NOBLE[f.expected.curve];
      for (let i = 0; i < 3; i++) {
        const block = c.getRandomValues(new Uint8Array(60 + i * 37));
        const si = await f.signer.sign(block);
        const { sid, signature } = readSignerInfo(si, f.expected.curve);
        assertBytes(sid, f.signer.ski, 'sid = SKI');
        assert.isTrue(noble.verify(signature, block, point, { format: 'der', lowS: false }), 'signature verifies under noble');
        const other = block.slice();
        other[0] ^= 1;
        assert.isFalse(noble.verify(signature, other, point, { format: 'der', lowS: false }), 'and not over other bytes');
      }
    });

    it('part creation and listing: a random part and (where supported) a typed one, VPs in grouped hex', async () => {
      random = (await f.createPart('conformance random part'))!;
      assert.isDefined(random);
      assert.equal(random.description, 'conformance random part');
      assert.lengthOf(random.vp, 32);
      assert.isTrue(random.vp.subarray(28).every((b) => b === 0), 'last 4 VP bytes are zero');
      const value = c.getRandomValues(new Uint8Array(32));
      const info = await f.createPart('conformance typed part', value);
      if (info) {
        typed = { info, value };
        assertBytes(info.vp, independentVp(value), 'typed part VP = SHA-256(01 ‖ part), last 4 zero');
      }
      const listed = await f.holder.parts();
      const ids = listed.map((p) => p.id);
      assert.include(ids, random.id);
      if (typed) assert.include(ids, typed.info.id);
      const mine = listed.find((p) => p.id === random.id)!;
      assertBytes(mine.vp, random.vp);
      const text = formatKeyPartListing([mine]);
      const grouped = hex(random.vp).toUpperCase().match(/.{4}/g)!.join(' ');
      assert.include(text, grouped, 'the listing shows the VP as uppercase hex in groups of 2 bytes');
      assert.include(text, 'conformance random part');
    });

    for (const curve of IMPORTER_CURVES) {
      it(`wrapForImporter (${curve} importer): the envelope unwraps, independently, to the part`, async () => {
        const importer = newTestImporter(curve);
        const target = typed ?? { info: random, value: undefined };
        const env = await f.holder.wrapForImporter(target.info.id, importer.spki, f.secret);
        const opened = openEnvelopeIndependently(importer, env);
        assertBytes(opened.recipientSki, importer.ski, 'rKeyId = SHA-256 of the importer point');
        assert.lengthOf(opened.ukm, 40);
        assert.lengthOf(opened.encryptedKey, 40);
        assert.isDefined(opened.part, 'the AES key unwrap integrity check passes');
        assertBytes(independentVp(opened.part!), target.info.vp, 'the unwrapped part has the listed VP');
        if (target.value) assertBytes(opened.part!, target.value, 'the unwrapped part is the typed value');
        // another importer key cannot open it
        const stranger = newTestImporter(curve);
        assert.isUndefined(openEnvelopeIndependently(stranger, env).part);
      });
    }

    it('wrapForImporters: one secret entry, one envelope per unit, fresh ephemeral key and ukm each', async () => {
      const units = [newTestImporter('P-521'), newTestImporter('P-256'), newTestImporter('P-521')];
      const envs = await f.holder.wrapForImporters(random.id, units.map((u) => u.spki), f.secret);
      assert.lengthOf(envs, 3);
      const opened = envs.map((e, i) => openEnvelopeIndependently(units[i], e));
      for (const o of opened) assertBytes(independentVp(o.part!), random.vp);
      assertBytes(opened[0].part!, opened[1].part!);
      assert.isFalse(sameBytes(opened[0].ukm, opened[2].ukm), 'fresh ukm per envelope');
      assert.isFalse(sameBytes(opened[0].ephemeralPoint, opened[2].ephemeralPoint), 'fresh ephemeral key per envelope');
    });

    it('a wrong secret is a WrongSecretError (retriesLeft where counted), and the right one still works', async () => {
      const importer = newTestImporter('P-521');
      const e = await assertRejects(f.holder.wrapForImporter(random.id, importer.spki, f.wrongSecret), WrongSecretError);
      if (f.countsRetries) assert.isNumber(e.retriesLeft);
      else assert.isUndefined(e.retriesLeft);
      const e2 = await assertRejects(f.reopenSigner(f.wrongSecret), WrongSecretError);
      if (f.countsRetries) assert.isNumber(e2.retriesLeft);
      const env = await f.holder.wrapForImporter(random.id, importer.spki, f.secret);
      assertBytes(independentVp(openEnvelopeIndependently(importer, env).part!), random.vp);
      const again = await f.reopenSigner(f.secret);
      assertBytes(again.ski, f.signer.ski);
      again.close();
    });

    it('unknown parts and unusable importer keys are typed errors', async () => {
      const importer = newTestImporter('P-256');
      await assertRejects(f.holder.wrapForImporter('no-such-part', importer.spki, f.secret), UnknownPartError);
      await assertRejects(f.holder.wrapForImporter(random.id, Uint8Array.of(0x30, 0x00), f.secret), InvalidImporterKeyError);
      const offCurve = importer.point.slice();
      offCurve[offCurve.length - 1] ^= 1; // (x, y+δ) is not on the curve
      const bad = tlv(0x30, tlv(0x30, OID_TLV.ecPublicKey, OID_TLV['P-256']), tlv(0x03, Uint8Array.of(0), offCurve));
      await assertRejects(f.holder.wrapForImporter(random.id, bad, f.secret), InvalidImporterKeyError);
    });

    it('nothing readable on the objects holds the part or the private key', async () => {
      const seen = JSON.stringify([f.holder, f.signer, await f.holder.parts()], (_k, v: unknown) =>
        v instanceof Uint8Array ? hex(v) : v,
      );
      if (typed) assert.notInclude(seen, hex(typed.value), 'the typed part value is not on the holder');
      const names = new Set<string>();
      for (let o: object | null = f.holder; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
        for (const k of Object.getOwnPropertyNames(o)) names.add(k);
      }
      for (const n of names) assert.notMatch(n, /^(get|export|reveal|read)(Clear)?(Part|Key|Secret)/i, `no method like ${n}`);
    });

    it('close(): the signer stops signing', async () => {
      const s = await f.reopenSigner(f.secret);
      s.close();
      await assertRejects(s.sign(Uint8Array.of(1, 2, 3)), CustodianClosedError);
      s.close(); // idempotent
    });
  });
}
