/**
 * Conformance, DESIGN §3.2 (identities) and §3.1 (every answer signed): the OA chain, module
 * serials, instances, the domain index, and the OA signature on every answer.
 */
import { describe, it, assert, hexOf } from '../../harness.ts';
import { p521 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { u32be } from '../../../src/bytes/index.ts';
import { Command, Query, decodeSignerInfo, encodeAdminResponse, parseCertificate, skiOf, verifyOaChain, OID_BASIC_CONSTRAINTS } from '../../../src/cryptounit/protocol/index.ts';
import { SimulatedHost } from '../../../src/cryptounit/simulated/index.ts';
import { UnitSession, UnitProtocolError } from '../../fakes/unit-requests.ts';
import { c, expectOk, expectRc, freshUnit, imprintUnit, assertNoInternal, assertUnchanged } from './setup.ts';

describe('conformance §3.2: outbound authentication', () => {
  it('DEVICE_CERT 0 is the OA certificate issued by DEVICE_CERT 1, a self-signed P-521 CA (checked with @noble/curves)', async () => {
    const f = await freshUnit();
    const oa = parseCertificate((await f.s.query(Query.DEVICE_CERT, u32be(0))).payload);
    const root = parseCertificate((await f.s.query(Query.DEVICE_CERT, u32be(1))).payload);
    for (const cert of [oa, root]) {
      assert.equal(cert.version, 2, 'X.509 v3');
      assert.equal(cert.subjectKey.curve, 'P-521');
      assert.equal(cert.signatureOid, '1.2.840.10045.4.3.4', 'ECDSA-SHA512');
      assert.equal(hexOf(skiOf(cert)!), hexOf(sha256(cert.subjectKey.point)), 'subjectKeyIdentifier');
    }
    assert.isTrue(p521.verify(root.signature, root.tbs, root.subjectKey.point, { format: 'der', lowS: false }), 'root self-signed');
    assert.isTrue(p521.verify(oa.signature, oa.tbs, root.subjectKey.point, { format: 'der', lowS: false }), 'OA issued by root');
    assert.isFalse(p521.verify(oa.signature, oa.tbs, oa.subjectKey.point, { format: 'der', lowS: false }), 'OA not self-signed');
    assert.equal(hexOf(oa.issuerDer), hexOf(root.subjectDer));
    assert.equal(hexOf(root.extensions.get(OID_BASIC_CONSTRAINTS)!.value), '30030101ff', 'root is CA:true');
    await verifyOaChain(c, oa.der, root.der); // the protocol's own chain check agrees
    assert.equal(hexOf(oa.subjectKey.point), hexOf(f.s.oaPoint), 'answers are signed by the certified key');
    assertNoInternal(f);
  });

  it('DEVICE_CERT past the end is 96, a payload that is not 4 bytes is 33', async () => {
    const f = await freshUnit();
    await assertUnchanged(f.unit, async () => {
      for (const i of [2, 3, 0xffffffff]) expectRc(await f.s.query(Query.DEVICE_CERT, u32be(i)), 96, 0, `index ${i}`);
      for (const n of [0, 3, 5, 8]) expectRc(await f.s.query(Query.DEVICE_CERT, new Uint8Array(n)), 33, 0, `${n} bytes`);
    });
  });

  it('every answer, errors included, carries one SignerInfo by the OA key over the ResponseBlock', async () => {
    const f = await freshUnit();
    const answers = [
      await f.s.query(Query.DOM_ATTRS),
      await f.s.send(new Uint8Array([0x30, 0x00])),
      await f.s.query(0x00010099),
      await f.s.run({ command: Command.GEN_IMPORTER, payload: u32be(3) }),
    ];
    assert.deepEqual(answers.map((a) => a.rv), [0, 7, 84, 179]);
    for (const a of answers) {
      // the session already verified each; verify once more here, independently
      assert.isTrue(p521.verify(decodeSignerInfo(a.response.oaSignerInfo).signature, a.response.responseBlock, f.s.oaPoint, { format: 'der', lowS: false }));
      // and a changed ResponseBlock (last payload byte) or signature would not pass
      const rb = a.response.responseBlock.slice();
      rb[rb.length - 1] ^= 0x01;
      const forged = encodeAdminResponse({ domainIndex: a.response.domainIndex, rv: a.response.rv, responseBlock: rb, oaSignerInfo: a.response.oaSignerInfo });
      const badSig = a.raw.slice();
      badSig[badSig.length - 20] ^= 0x01;
      for (const tampered of [forged, badSig]) {
        let refused = false;
        try {
          await f.s.check(tampered);
        } catch {
          refused = true;
        }
        assert.isTrue(refused, 'a tampered answer is refused');
      }
    }
    assertNoInternal(f);
  });

  it('units of one host get distinct module serials and share its root; a unit without a host gets its own root', async () => {
    const host = await SimulatedHost.create();
    const sessions: UnitSession[] = [];
    for (let i = 0; i < 3; i++) sessions.push((await freshUnit({ host })).s);
    assert.equal(new Set(sessions.map((s) => hexOf(s.moduleSerial))).size, 3, 'distinct serials');
    assert.equal(new Set(sessions.map((s) => hexOf(s.rootCertificate))).size, 1, 'one root');
    assert.equal(hexOf(sessions[0].rootCertificate), hexOf(host.rootCertificate));
    assert.equal(new Set(sessions.map((s) => hexOf(s.oaPoint))).size, 3, 'distinct OA keys');
    assert.equal(new Set(sessions.map((s) => hexOf(s.moduleInstance))).size, 3, 'random module instances');
    for (const s of sessions) assert.equal(s.moduleInstance.length, 8);
    const alone = (await freshUnit()).s;
    assert.notEqual(hexOf(alone.rootCertificate), hexOf(host.rootCertificate));
  });

  it('the domain index comes from create() and is in every answer; a request for another index is 3/0', async () => {
    const f = await freshUnit({ domainIndex: 0x0102 });
    assert.equal(f.s.domainIndex, 0x0102);
    const r = await f.s.query(Query.DOM_ATTRS);
    assert.equal(r.response.domainIndex, 0x0102);
    assert.equal(hexOf(r.block.domain.subarray(0, 4)), '00000102');
    const wrong = await f.s.send(
      await f.s.request({ command: Query.DOM_ATTRS, domainIndex: 0 }),
    );
    expectRc(wrong, 3, 0);
    assert.equal(wrong.response.domainIndex, 0x0102);
  });

  it('zeroize keeps the OA key, module identity and counter, and draws a new, different domain instance', async () => {
    const f = await imprintUnit(1);
    const before = { oa: hexOf(f.s.oaPoint), serial: hexOf(f.s.moduleSerial), inst: hexOf(f.s.moduleInstance), dom: hexOf(f.s.domainInstance) };
    const counter = f.s.counter;
    const r = await f.s.run({ command: Command.DOM_ZEROIZE });
    expectOk(r);
    assert.equal(hexOf(r.block.domain.subarray(4)), hexOf(f.s.domainInstance), 'the answer shows the new domain instance');
    assert.notEqual(hexOf(f.s.domainInstance), before.dom);
    assert.equal(f.s.counter, counter + 1n);
    const again = await UnitSession.open(f.unit);
    assert.equal(hexOf(again.oaPoint), before.oa);
    assert.equal(hexOf(again.moduleSerial), before.serial);
    assert.equal(hexOf(again.moduleInstance), before.inst);
    assert.equal(hexOf(again.rootCertificate), hexOf(f.s.rootCertificate));
    assertNoInternal(f);
  });

  it('the test driver refuses an answer signed by another key', async () => {
    const a = await freshUnit();
    const b = await freshUnit();
    const raw = await b.unit.handle(a.s.queryRequest(Query.DOM_ATTRS));
    let err: unknown;
    try {
      await a.s.check(raw);
    } catch (e) {
      err = e;
    }
    assert.instanceOf(err, UnitProtocolError);
  });
});
