import { describe, it, assert, assertRejects, hexOf } from '../../harness.ts';
import { p521 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { SimulatedHost, SimulatedStateError } from '../../../src/cryptounit/simulated/index.ts';
import { OID_BASIC_CONSTRAINTS, parseCertificate, skiOf, verifyOaChain } from '../../../src/cryptounit/protocol/index.ts';
import { generateEcKeyPair, exportPublicPoint } from '../../../src/crypto/index.ts';

const c = globalThis.crypto;

async function editState(host: SimulatedHost, edit: (o: Record<string, unknown>) => void): Promise<Uint8Array> {
  const o = JSON.parse(new TextDecoder().decode(await host.exportState())) as Record<string, unknown>;
  edit(o);
  return new TextEncoder().encode(JSON.stringify(o));
}

describe('SimulatedHost', () => {
  it('holds a self-signed P-521 CA root (checked with @noble/curves)', async () => {
    const host = await SimulatedHost.create();
    const root = parseCertificate(host.rootCertificate);
    assert.equal(root.version, 2, 'X.509 v3');
    assert.equal(root.subjectKey.curve, 'P-521');
    assert.equal(root.signatureOid, '1.2.840.10045.4.3.4', 'ecdsa-with-SHA512');
    assert.equal(hexOf(root.issuerDer), hexOf(root.subjectDer));
    assert.isTrue(p521.verify(root.signature, root.tbs, root.subjectKey.point, { format: 'der', lowS: false }));
    assert.equal(hexOf(skiOf(root)!), hexOf(sha256(root.subjectKey.point)));
    // basicConstraints CA:true, critical: 30 03 01 01 FF
    const bc = root.extensions.get(OID_BASIC_CONSTRAINTS);
    assert.isTrue(bc?.critical);
    assert.equal(hexOf(bc!.value), '30030101ff');
  });

  it('hands out distinct 8-byte module serials and certifies OA keys under its root', async () => {
    const host = await SimulatedHost.create();
    const serials = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = host.nextModuleSerial();
      assert.equal(s.length, 8);
      serials.add(hexOf(s));
    }
    assert.equal(serials.size, 50);
    const kp = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const point = await exportPublicPoint(c, kp.publicKey);
    const cert = await host.certifyUnit(point, host.nextModuleSerial());
    const chain = await verifyOaChain(c, cert, host.rootCertificate);
    assert.equal(hexOf(chain.oaCertificate.subjectKey.point), hexOf(point));
    const oa = parseCertificate(cert);
    assert.isTrue(p521.verify(oa.signature, oa.tbs, parseCertificate(host.rootCertificate).subjectKey.point, { format: 'der', lowS: false }));
    // another host's root does not certify it
    const other = await SimulatedHost.create();
    await assertRejects(verifyOaChain(c, cert, other.rootCertificate), Error);
  });

  it('writes certificate dates from the injected clock', async () => {
    const t = Date.UTC(2031, 4, 6, 7, 8, 9);
    const host = await SimulatedHost.create({ clock: () => t + 123 });
    const root = parseCertificate(host.rootCertificate);
    // UTCTime 310506070809Z inside the TBS
    assert.include(hexOf(root.tbs), hexOf(new TextEncoder().encode('310506070809Z')));
  });

  it('export/restore keeps the root and continues the serial sequence', async () => {
    const host = await SimulatedHost.create();
    const a = host.nextModuleSerial();
    const saved = await host.exportState();
    const b = host.nextModuleSerial();
    const restored = await SimulatedHost.restore(saved);
    assert.equal(hexOf(restored.rootCertificate), hexOf(host.rootCertificate));
    const b2 = restored.nextModuleSerial();
    assert.equal(hexOf(b2), hexOf(b), 'the restored host continues where the saved one was');
    assert.notEqual(hexOf(b2), hexOf(a));
    assert.equal(hexOf(await restored.exportState()), hexOf(await (await SimulatedHost.restore(await restored.exportState())).exportState()));
    // the restored root key still signs under the same root
    const kp = await generateEcKeyPair(c, 'P-521', 'ECDSA');
    const cert = await restored.certifyUnit(await exportPublicPoint(c, kp.publicKey), b2);
    await verifyOaChain(c, cert, host.rootCertificate);
  });

  it('refuses damaged host state with a typed error naming the field', async () => {
    const host = await SimulatedHost.create();
    const other = await SimulatedHost.create();
    const otherState = JSON.parse(new TextDecoder().decode(await other.exportState())) as Record<string, unknown>;
    const cases: [string, Uint8Array][] = [
      ['(state)', new TextEncoder().encode('not json')],
      ['(state)', new TextEncoder().encode('[1,2]')],
      ['format', await editState(host, (o) => (o.format = 'webtke.simulated-unit'))],
      ['version', await editState(host, (o) => (o.version = 2))],
      ['serialPrefix', await editState(host, (o) => (o.serialPrefix = '0102'))],
      ['nextSequence', await editState(host, (o) => (o.nextSequence = 0))],
      ['nextSequence', await editState(host, (o) => delete o.nextSequence)],
      ['extra', await editState(host, (o) => (o.extra = 1))],
      ['rootPkcs8', await editState(host, (o) => (o.rootPkcs8 = '3000'))],
      ['rootCertificate', await editState(host, (o) => (o.rootCertificate = otherState.rootCertificate))],
      ['rootCertificate', await editState(host, (o) => (o.rootCertificate = '300a'))],
      ['rootCertificate', await editState(host, (o) => (o.rootCertificate = (o.rootCertificate as string).toUpperCase()))],
    ];
    for (const [field, bytes] of cases) {
      const e = await assertRejects(SimulatedHost.restore(bytes), SimulatedStateError, field);
      assert.equal(e.field, field, e.message);
    }
  });
});
