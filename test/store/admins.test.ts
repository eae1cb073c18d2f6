import { describe, it, beforeEach, afterEach, assert, assertBytes, assertRejects } from '../harness.ts';
import { parseCertificate } from '../../src/cryptounit/protocol/index.ts';
import { AlreadyExistsError, InvalidRecordError, NotFoundError, SecretFieldError, type WebtkeStore } from '../../src/store/index.ts';
import { adminCertificate, c, hex, rawAll, setup, T0, type Harness } from './helpers.ts';

/** SKI = SHA-256 of the certificate's public point, computed here with WebCrypto. */
async function skiOfCert(der: Uint8Array): Promise<string> {
  const point = parseCertificate(der).subjectKey.point;
  return hex(new Uint8Array(await c.subtle.digest('SHA-256', point as Uint8Array<ArrayBuffer>)));
}

describe('store: admin directory', () => {
  let h: Harness;
  let s: WebtkeStore;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
  });
  afterEach(async () => h.done());

  it('adds certificates keyed by SKI, with name and curve read from the certificate', async () => {
    const alice = await adminCertificate('Alice', 'P-521');
    const bob = await adminCertificate('Bob   ', 'P-256'); // IBM pads names with spaces
    const a = await s.admins.add(alice, { kind: 'card', card: 'piv', serial: '12345678' });
    h.time.now = T0 + 1;
    const b = await s.admins.add(bob, { kind: 'software', fileName: 'bob.webtke-key' });
    assert.equal(a.ski, await skiOfCert(alice));
    assert.equal(a.name, 'Alice');
    assert.equal(a.curve, 'P-521');
    assert.equal(b.name, 'Bob');
    assert.equal(b.added, T0 + 1);
    const back = (await s.admins.get(a.ski))!;
    assertBytes(back.certificate, alice);
    assert.deepEqual(back.location, { kind: 'card', card: 'piv', serial: '12345678' });
    assert.deepEqual((await s.admins.list()).map((x) => x.name), ['Alice', 'Bob']);
    assert.deepEqual((await s.admins.findByName('Bob')).map((x) => x.ski), [b.ski]);
    assert.equal((await s.admins.get(a.ski.toUpperCase()))?.ski, a.ski, 'SKI lookup accepts upper-case hex');
  });

  it('refuses a duplicate SKI, a broken certificate and a bad location; nothing is written', async () => {
    const cert = await adminCertificate('Carol');
    await s.admins.add(cert, { kind: 'ibm-import', fileName: 'carol.json' });
    await assertRejects(s.admins.add(cert, { kind: 'unit' }), AlreadyExistsError);
    const broken = cert.slice();
    broken[broken.length - 5] ^= 0x01; // inside the signature
    const e = await assertRejects(s.admins.add(broken, { kind: 'unit' }), InvalidRecordError);
    assert.equal(e.field, 'certificate');
    await assertRejects(s.admins.add(await adminCertificate('Dan'), { kind: 'card', card: 'yubi', serial: '1' } as never), InvalidRecordError);
    await assertRejects(s.admins.add(await adminCertificate('Dan'), { kind: 'software', fileName: '' }), InvalidRecordError);
    assert.lengthOf(await rawAll(h, 'admins'), 1);
    assert.equal((await s.admins.list())[0].location.kind, 'ibm-import');
  });

  it('moves and removes admins', async () => {
    const rec = await s.admins.add(await adminCertificate('Erin'), { kind: 'unit' });
    const moved = await s.admins.setLocation(rec.ski, { kind: 'card', card: 'openpgp', serial: 'D276000124010304' });
    assert.deepEqual((await s.admins.get(rec.ski))!.location, moved.location);
    await s.admins.remove(rec.ski);
    assert.isUndefined(await s.admins.get(rec.ski));
    await assertRejects(s.admins.remove(rec.ski), NotFoundError);
    await assertRejects(s.admins.setLocation(rec.ski, { kind: 'unit' }), NotFoundError);
    await assertRejects(s.admins.get('xyz'), InvalidRecordError);
  });

  it('refuses a location that names a secret', async () => {
    const e = await assertRejects(
      s.admins.add(await adminCertificate('Fay'), { kind: 'card', card: 'piv', serial: '1', pin: '123456' } as never),
      SecretFieldError,
    );
    assert.equal(e.path, 'pin');
    assert.deepEqual(await rawAll(h, 'admins'), []);
  });
});

describe('store: key part metadata', () => {
  let h: Harness;
  let s: WebtkeStore;
  beforeEach(async () => {
    h = await setup();
    s = h.store;
  });
  afterEach(async () => h.done());

  it('adds, finds by VP, updates and removes part records', async () => {
    const vp = 'AB'.repeat(28) + '00000000';
    const p1 = await s.keyParts.add({ description: 'MK 2025 part 1', vp, holder: 'file alice-part.webtke' });
    h.time.now = T0 + 1;
    const p2 = await s.keyParts.add({ description: 'MK 2025 part 2', vp: 'cd'.repeat(28), holder: 'PIV card 4711' });
    assert.equal(p1.vp, vp.toLowerCase());
    assert.equal(p2.vp, 'cd'.repeat(28) + '00000000', 'the 28-byte form is completed with 4 zero bytes');
    assert.deepEqual(await s.keyParts.get(p1.id), p1);
    assert.deepEqual((await s.keyParts.list()).map((p) => p.id), [p1.id, p2.id]);
    assert.deepEqual((await s.keyParts.findByVp(vp)).map((p) => p.id), [p1.id]);
    await s.keyParts.update(p2.id, { holder: 'PIV card 4712' });
    assert.equal((await s.keyParts.get(p2.id))!.holder, 'PIV card 4712');
    await s.keyParts.remove(p1.id);
    assert.deepEqual((await s.keyParts.list()).map((p) => p.id), [p2.id]);
    await assertRejects(s.keyParts.remove(p1.id), NotFoundError);
  });

  it('has no place for the part: a part, its bytes or a password are refused, and a VP must look like one', async () => {
    const part = c.getRandomValues(new Uint8Array(32));
    for (const extra of [{ part }, { partBytes: part }, { keyPart: hex(part) }, { password: 'x' }]) {
      await assertRejects(s.keyParts.add({ description: 'd', vp: '00'.repeat(32), holder: 'h', ...extra } as never), SecretFieldError, Object.keys(extra)[0]);
    }
    await assertRejects(s.keyParts.add({ description: 'd', vp: '11'.repeat(32), holder: 'h' }), InvalidRecordError, 'last 4 bytes not zero');
    await assertRejects(s.keyParts.add({ description: 'd', vp: '11'.repeat(20), holder: 'h' }), InvalidRecordError, 'short');
    await assertRejects(s.keyParts.add({ description: 'd', vp: '00'.repeat(32), holder: 'h', note: 'n' } as never), InvalidRecordError);
    await assertRejects(s.keyParts.update('00'.repeat(16), { description: 'x', pin: '1' } as never), SecretFieldError);
    assert.deepEqual(await rawAll(h, 'keyParts'), []);
  });
});
