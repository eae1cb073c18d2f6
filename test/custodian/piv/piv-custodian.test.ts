/**
 * The PIV card custodian beyond the conformance suite: PIN entry facts and typed PIN errors
 * (wrong, blocked, PUK blocked), card removal, one APDU per signature, PIN policy "always",
 * listing without the PIN, where records go, how the part is made (card ⊕ browser randomness,
 * checked independently), damaged and foreign objects, setup refusals, attestation.
 */
import { assert, assertBytes, assertRejects, describe, it } from '../../harness.ts';
import { CardChannel } from '../../../src/card/channel.ts';
import { ApduError } from '../../../src/card/errors.ts';
import { TrafficLog } from '../../../src/card/processors/traffic-log.ts';
import { CardRemovedError, TransportError } from '../../../src/card/transport-errors.ts';
import { MemoryTransport } from '../../../src/card/transports/memory/index.ts';
import { ManagementKey, ManagementKeyError, encodeCertificateObject } from '../../../src/card/applets/piv/index.ts';
import { parseCertificate, verifyCertificateSignature } from '../../../src/cryptounit/protocol/index.ts';
import { CustodianClosedError, UnknownPartError, WrongSecretError } from '../../../src/custodian/index.ts';
import {
  NotPivCardError, PivAdminSigner, PivCard, PivCardMismatchError, PivKeyPartHolder, PivPinBlockedError, PivPinRequiredError,
  PivRecordError, PivSlotEmptyError, PivSlotInUseError, PivStorageFullError, WrongPinError, createPivAdmin, encodeKeyPartKeyRecord,
  initPivKeyPartKey, type PinRequest,
} from '../../../src/custodian/piv/index.ts';
import { independentVp, newTestImporter, openEnvelopeIndependently } from '../conformance/independent-kari.ts';
import { DEFAULT_MGMT_KEY, VirtualPivCard } from '../../fakes/virtual-piv-card.ts';
import { MK, PIN, c, pivCustodian } from './fixture.ts';

const partOpts = { managementKey: MK, pin: PIN };
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('PIV custodian: PIN entry and PIN errors', () => {
  it('PIN entry shows the tries left (and in total, from GET METADATA); a wrong PIN is WrongPinError with retriesLeft', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    await p.rig.card.reset();
    const card = await PivCard.open(p.rig.channel, { crypto: c });
    assert.deepEqual(await card.pinInfo(), { verified: false, retriesLeft: 3, totalTries: 3, blocked: false });
    const e = await assertRejects(PivAdminSigner.open(card, { pin: '000000' }), WrongPinError);
    assert.instanceOf(e, WrongSecretError);
    assert.equal(e.retriesLeft, 2);
    assert.equal(e.pinError.sw, 0x63c2);
    assert.match(e.message, /2 tries left/);
    assert.deepEqual(await card.pinInfo(), { verified: false, retriesLeft: 2, totalTries: 3, blocked: false });
  });

  it('blocked: the error says the PUK unblocks it; with the PUK blocked too, that the application must be reset', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const card = p.card;
    const part = await p.holder.createPart({ description: 'before blocking', ...partOpts });
    await assertRejects(card.verifyPin('000000'), WrongPinError);
    await assertRejects(card.verifyPin('000000'), WrongPinError);
    const blocked = await assertRejects(card.verifyPin('000000'), PivPinBlockedError);
    assert.isFalse(blocked instanceof WrongSecretError, 'not "try again": the PIN cannot be tried any more');
    assert.equal(blocked.pukRetriesLeft, 3);
    assert.isFalse(blocked.pukBlocked);
    assert.match(blocked.message, /PUK/);
    assert.match(blocked.message, /RESET RETRY COUNTER/);
    await assertRejects(p.holder.wrapForImporter(part.id, newTestImporter('P-256').spki, PIN), PivPinBlockedError);
    await assertRejects(PivAdminSigner.open(card, { pin: PIN }), PivPinBlockedError);
    assert.deepEqual(await card.pinInfo(), { verified: false, retriesLeft: 0, totalTries: 3, blocked: true });
    for (let i = 0; i < 3; i++) await assertRejects(card.session.unblockPin('00000000', '111111'), ApduError);
    const both = await assertRejects(card.verifyPin(PIN), PivPinBlockedError);
    assert.isTrue(both.pukBlocked);
    assert.match(both.message, /reset/);
    assert.match(both.message, /erases/);
  });

  it('a standard card (no GET METADATA): retries from VERIFY, the blocked error still names the PUK and the reset', async () => {
    const p = await pivCustodian({ curve: 'P-256', card: { yubico: false } });
    const info = await p.card.pinInfo();
    assert.equal(info.retriesLeft, undefined, 'verified: the card says only that');
    assert.isTrue(info.verified);
    await p.card.logout();
    assert.deepEqual(await p.card.pinInfo(), { verified: false, retriesLeft: 3, totalTries: undefined, blocked: false });
    for (let i = 0; i < 2; i++) await assertRejects(p.card.verifyPin('000000'), WrongPinError);
    const e = await assertRejects(p.card.verifyPin('000000'), PivPinBlockedError);
    assert.isUndefined(e.pukRetriesLeft);
    assert.match(e.message, /PUK/);
    assert.match(e.message, /reset/);
  });
});

describe('PIV custodian: signing', () => {
  it('one APDU per signature once the signer is open (PIN policy once)', async () => {
    const p = await pivCustodian({ curve: 'P-384' });
    assert.equal(p.signer.pinPolicy, 'once');
    p.rig.log.clear();
    for (let i = 0; i < 5; i++) await p.signer.sign(c.getRandomValues(new Uint8Array(200)));
    assert.lengthOf(p.rig.log.entries, 5);
    assert.isTrue(p.rig.log.entries.every((e) => e.ins === 0x87 && e.p1 === 0x14 && e.p2 === 0x9c && e.sw === 0x9000));
  });

  it('PIN policy "always" (reported by GET METADATA): the prompt is asked before every signature', async () => {
    const rigCard = await pivCustodian({ curve: 'P-256', noPartKey: true });
    // a second admin key made with policy always
    await createPivAdmin(rigCard.card, { name: 'Always', curve: 'P-256', managementKey: MK, pin: PIN, pinPolicy: 'always', replace: true });
    const asked: PinRequest[] = [];
    const signer = await PivAdminSigner.open(rigCard.card, { pin: PIN, askPin: async (r) => (asked.push(r), PIN) });
    assert.equal(signer.pinPolicy, 'always');
    await signer.sign(Uint8Array.of(1));
    await signer.sign(Uint8Array.of(2));
    assert.lengthOf(asked, 2);
    assert.equal(asked[0].retriesLeft, 3);
    const bare = await PivAdminSigner.open(rigCard.card, { pin: PIN });
    await assertRejects(bare.sign(Uint8Array.of(3)), PivPinRequiredError);
    const wrong = await PivAdminSigner.open(rigCard.card, { pin: PIN, askPin: async () => '999999' });
    const e = await assertRejects(wrong.sign(Uint8Array.of(4)), WrongPinError);
    assert.equal(e.retriesLeft, 2);
  });

  it('a standard card keeps 9C at "always": the first signature after open works, later ones ask for the PIN', async () => {
    const p = await pivCustodian({ curve: 'P-256', card: { yubico: false }, noPartKey: true });
    assert.isUndefined(p.signer.pinPolicy);
    await p.signer.sign(Uint8Array.of(1));
    await assertRejects(p.signer.sign(Uint8Array.of(2)), PivPinRequiredError);
    let n = 0;
    const s = await PivAdminSigner.open(p.card, { pin: PIN, askPin: async () => (n++, PIN) });
    await s.sign(Uint8Array.of(1));
    await s.sign(Uint8Array.of(2));
    p.rig.log.clear();
    await s.sign(Uint8Array.of(3));
    assert.equal(n, 2);
    assert.deepEqual(p.rig.log.entries.map((e) => e.ins), [0x20, 0x20, 0x87], 'once learned: PIN status, VERIFY, sign');
  });

  it('operations started together run one after another on the card (no TransportBusyError, no interleaving)', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const part = await p.holder.createPart({ description: 'concurrent', ...partOpts });
    const importer = newTestImporter('P-256');
    const [si1, parts, env, info, si2] = await Promise.all([
      p.signer.sign(Uint8Array.of(1)),
      p.holder.parts(),
      p.holder.wrapForImporter(part.id, importer.spki, PIN),
      p.card.pinInfo(),
      p.signer.sign(Uint8Array.of(2)),
    ]);
    assert.isAbove(si1.length, 0);
    assert.isAbove(si2.length, 0);
    assert.lengthOf(parts, 1);
    assertBytes(independentVp(openEnvelopeIndependently(importer, env).part!), part.vp);
    assert.isTrue(info.verified);
  });

  it('card removal: signing and wrapping fail with CardRemovedError', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const part = await p.holder.createPart({ description: 'before removal', ...partOpts });
    p.rig.removeCard();
    await assertRejects(p.signer.sign(Uint8Array.of(1)), CardRemovedError);
    await assertRejects(p.holder.wrapForImporter(part.id, newTestImporter('P-256').spki, PIN), CardRemovedError);
    await assertRejects(p.holder.parts(), CardRemovedError);
  });

  it('card removal in the middle of a signature behind a USB reader is a TransportError (CardRemovedError)', async () => {
    const faults: never[] = [];
    const p = await pivCustodian({ curve: 'P-256', reader: 'yubikey', device: { faults } });
    (faults as unknown[]).push({ kind: 'remove-card', at: p.rig.device!.stats.xfrBlocks + 1 });
    const e = await assertRejects(p.signer.sign(Uint8Array.of(1)), TransportError);
    assert.instanceOf(e, CardRemovedError);
    assert.deepEqual(p.rig.device!.unfiredFaults(), []);
    await p.rig.transport.close();
  });

  it('a reset card (re-inserted) asks for the PIN again through the prompt', async () => {
    const p = await pivCustodian({ curve: 'P-256', noPartKey: true });
    let asked = 0;
    const signer = await PivAdminSigner.open(p.card, { pin: PIN, askPin: async () => (asked++, PIN) });
    p.rig.card.reset();
    await p.card.session.reselect();
    await signer.sign(Uint8Array.of(1));
    assert.equal(asked, 1);
    signer.close();
    await assertRejects(signer.sign(Uint8Array.of(1)), CustodianClosedError);
  });

  it('a card whose 9C key is not the certificate\'s is refused (GET METADATA check)', async () => {
    const p = await pivCustodian({ curve: 'P-256', noPartKey: true });
    await p.card.session.authenticate(ManagementKey.fromHex(MK));
    await p.card.session.generateEcKey(0x9c, 'P-256', { pinPolicy: 'once' });
    await assertRejects(PivAdminSigner.open(p.card, { pin: PIN }), PivCardMismatchError);
  });

  it('the same on a card without metadata: the first signature does not verify and is refused', async () => {
    const p = await pivCustodian({ curve: 'P-256', card: { yubico: false }, noPartKey: true });
    await p.card.session.authenticate(ManagementKey.fromHex(MK));
    await p.card.session.generateEcKey(0x9c, 'P-256');
    const s = await PivAdminSigner.open(p.card, { pin: PIN });
    await assertRejects(s.sign(Uint8Array.of(1)), PivCardMismatchError);
  });

  it('attestation of the admin key: issued for the signer\'s key, signed by the attestation key', async () => {
    const p = await pivCustodian({ curve: 'P-384', noPartKey: true });
    const att = (await p.card.attestation(0x9c))!;
    const cert = parseCertificate(att.certificate);
    assertBytes(cert.subjectKey.point, p.signer.publicPoint);
    assert.isTrue(await verifyCertificateSignature(c, cert, parseCertificate(att.issuer!).subjectKey));
  });
});

describe('PIV custodian: setup', () => {
  it('the admin certificate sits in 5FC10A as 70/71/FE; an existing admin key is not replaced unless asked', async () => {
    const p = await pivCustodian({ curve: 'P-256', noPartKey: true });
    assertBytes(p.rig.card.object(0x5fc10a)!, encodeCertificateObject(p.signer.certificate));
    await assertRejects(createPivAdmin(p.card, { name: 'Other', managementKey: MK, pin: PIN }), PivSlotInUseError);
  });

  it('a wrong management key is ManagementKeyError; an AES-192 card is detected through GET METADATA', async () => {
    const rigged = await pivCustodian({ curve: 'P-256', card: { managementKey: { algorithm: 'AES-192', key: DEFAULT_MGMT_KEY } } });
    assert.equal(rigged.rig.card.managementAlgorithm, 'AES-192', 'set up with the default bytes as AES-192');
    await assertRejects(rigged.holder.createPart({ description: 'x', managementKey: 'ff'.repeat(24), pin: PIN }), ManagementKeyError);
    // without metadata the algorithm must be named
    const std = await VirtualPivCard.create({ crypto: c, yubico: false, managementKey: { algorithm: 'AES-192', key: DEFAULT_MGMT_KEY } });
    const card = await PivCard.open(new MemoryTransport(std.handle), { crypto: c });
    await assertRejects(createPivAdmin(card, { name: 'A', managementKey: MK, pin: PIN }), ManagementKeyError);
    await createPivAdmin(card, { name: 'A', curve: 'P-256', managementKey: ManagementKey.fromHex(MK, 'AES-192'), pin: PIN });
  });

  it('no admin certificate, no key-part key: typed errors that say what to do', async () => {
    const std = await VirtualPivCard.create({ crypto: c });
    const card = await PivCard.open(new MemoryTransport(std.handle), { crypto: c });
    const e = await assertRejects(PivAdminSigner.open(card, { pin: PIN }), PivSlotEmptyError);
    assert.equal(e.slot, '9C');
    const h = new PivKeyPartHolder(card);
    const e2 = await assertRejects(h.createPart({ description: 'x', ...partOpts }), PivSlotEmptyError);
    assert.equal(e2.slot, '9D');
    assert.deepEqual(await h.parts(), []);
  });

  it('a card without PIV is NotPivCardError', async () => {
    const notPiv = async (): Promise<Uint8Array> => Uint8Array.of(0x6a, 0x82);
    await assertRejects(PivCard.open(new MemoryTransport(notPiv), { crypto: c }), NotPivCardError);
  });

  it('the key-part key is not replaced while parts are stored under it', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    await p.holder.createPart({ description: 'keep me', ...partOpts });
    await assertRejects(initPivKeyPartKey(p.card, { managementKey: MK }), PivSlotInUseError);
  });
});

describe('PIV custodian: key parts', () => {
  it('the part is card randomness (GET CHALLENGE) XOR browser randomness, opened independently', async () => {
    const draws: Uint8Array[] = [];
    const recording = {
      subtle: c.subtle,
      getRandomValues<T extends ArrayBufferView | null>(a: T): T {
        c.getRandomValues(a as unknown as Uint8Array);
        if (a instanceof Uint8Array) draws.push(a.slice());
        return a;
      },
    } as Crypto;
    const p = await pivCustodian({ curve: 'P-384', card: { getChallenge: true } });
    const card = await PivCard.open(p.rig.channel, { crypto: recording });
    const holder = new PivKeyPartHolder(card);
    const log = p.rig.log;
    log.clear();
    draws.length = 0;
    const info = await holder.createPart({ description: 'xor check', ...partOpts });
    const challenge = log.entries.find((e) => e.ins === 0x84)!;
    assert.isDefined(challenge, 'GET CHALLENGE was used');
    const browser = draws.filter((d) => d.length === 32);
    assert.lengthOf(browser, 1, 'one 32-byte draw from the browser');
    // the clear browser draw was wiped after use: the recording kept its own copy
    const expected = challenge.responseData!.map((b, i) => b ^ browser[0][i]);
    const importer = newTestImporter('P-256');
    const opened = openEnvelopeIndependently(importer, await holder.wrapForImporter(info.id, importer.spki, PIN));
    assertBytes(opened.part!, expected);
    assertBytes(independentVp(expected), info.vp);
  });

  it('without GET CHALLENGE the card randomness comes from management-key witnesses', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    p.rig.log.clear();
    await p.holder.createPart({ description: 'witness random', ...partOpts });
    const e = p.rig.log.entries;
    assert.isTrue(e.some((x) => x.ins === 0x84 && x.sw === 0x6d00), 'GET CHALLENGE was tried and is not there');
    assert.isAtLeast(e.filter((x) => x.ins === 0x87 && x.p2 === 0x9b).length, 6, '4 witnesses for randomness + the authentication');
  });

  it('listing reads the records without the PIN; records fill 5FC11F downwards; the clear part is never on the card', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const a = await p.holder.createPart({ description: 'Part A — for unit 1', ...partOpts });
    const b = await p.holder.createPart({ description: 'Part B', ...partOpts });
    assert.isDefined(p.rig.card.object(0x5fc11f));
    assert.isDefined(p.rig.card.object(0x5fc11e));
    assert.isUndefined(p.rig.card.object(0x5fc11d));
    p.rig.card.reset();
    const card = await PivCard.open(p.rig.channel, { crypto: c });
    p.rig.log.clear();
    const parts = await new PivKeyPartHolder(card).parts();
    assert.deepEqual(parts.map((x) => x.description), ['Part A — for unit 1', 'Part B']);
    assert.deepEqual(parts.map((x) => x.id), [a.id, b.id]);
    assert.isFalse(p.rig.card.isPinVerified);
    assert.isFalse(p.rig.log.entries.some((x) => x.ins === 0x20), 'no VERIFY');
    // the part itself appears nowhere on the card
    const importer = newTestImporter('P-256');
    const part = openEnvelopeIndependently(importer, await p.holder.wrapForImporter(a.id, importer.spki, PIN)).part!;
    for (let tag = 0x5fc10d; tag <= 0x5fc120; tag++) {
      const o = p.rig.card.object(tag);
      if (o) assert.notInclude(hex(o), hex(part));
    }
  });

  it('a foreign certificate in a part object is skipped, kept and not overwritten; damaged records are reported', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const foreign = encodeCertificateObject(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01));
    p.rig.card.setObject(0x5fc11f, foreign);
    const a = await p.holder.createPart({ description: 'goes to 5FC11E', ...partOpts });
    assertBytes(p.rig.card.object(0x5fc11f)!, foreign);
    assert.isDefined(p.rig.card.object(0x5fc11e));
    // damage: a non-zero byte in the VP's last four
    const rec = p.rig.card.object(0x5fc11e)!;
    const vpAt = hex(rec).indexOf(hex(a.vp)) / 2;
    rec[vpAt + 31] = 1;
    p.rig.card.setObject(0x5fc11e, rec);
    assert.deepEqual(await p.holder.parts(), []);
    assert.deepEqual(p.holder.damagedRecords.map((d) => d.object), ['5FC11E']);
    await assertRejects(p.holder.wrapForImporter(a.id, newTestImporter('P-256').spki, PIN), PivRecordError);
    const b = await p.holder.createPart({ description: 'skips the damaged one', ...partOpts });
    assert.isDefined(b);
    assert.isDefined(p.rig.card.object(0x5fc11d));
  });

  it('a changed envelope does not open: PivRecordError; an unknown id: UnknownPartError', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const a = await p.holder.createPart({ description: 'tamper', ...partOpts });
    const rec = p.rig.card.object(0x5fc11f)!;
    rec[rec.length - 3] ^= 0x01; // inside encryptedKey, the last element of the record
    p.rig.card.setObject(0x5fc11f, rec);
    const e = await assertRejects(p.holder.wrapForImporter(a.id, newTestImporter('P-256').spki, PIN), PivRecordError);
    assert.equal(e.object, '5FC11F');
    await assertRejects(p.holder.wrapForImporter('00'.repeat(16), newTestImporter('P-256').spki, PIN), UnknownPartError);
  });

  it('a key-part key record that names another key: refused with metadata, and never leaves a part behind without', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const other = (await c.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair;
    const point = new Uint8Array(await c.subtle.exportKey('raw', other.publicKey));
    p.rig.card.setObject(0x5fc120, encodeKeyPartKeyRecord({ curve: 'P-256', point }));
    await assertRejects(p.holder.createPart({ description: 'x', ...partOpts }), PivCardMismatchError);
    const std = await pivCustodian({ curve: 'P-256', card: { yubico: false } });
    std.rig.card.setObject(0x5fc120, encodeKeyPartKeyRecord({ curve: 'P-256', point }));
    await assertRejects(std.holder.createPart({ description: 'x', ...partOpts }), PivRecordError);
    assert.isUndefined(std.rig.card.object(0x5fc11f), 'the record that did not open was taken off the card');
  });

  it('full card: 19 part objects, then PivStorageFullError', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    for (let tag = 0x5fc10d; tag <= 0x5fc11f; tag++) p.rig.card.setObject(tag, Uint8Array.of(0x70, 0x00));
    const e = await assertRejects(p.holder.createPart({ description: 'no room', ...partOpts }), PivStorageFullError);
    assert.equal(e.capacity, 19);
  });

  it('a wrong PIN at creation leaves a stored part and costs a try; the part is listed', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    const e = await assertRejects(p.holder.createPart({ description: 'checked later', managementKey: MK, pin: '000000' }), WrongPinError);
    assert.equal(e.retriesLeft, 2);
    const listed = await p.holder.parts();
    assert.lengthOf(listed, 1, 'the part was stored before the PIN check');
    const importer = newTestImporter('P-384');
    const part = openEnvelopeIndependently(importer, await p.holder.wrapForImporter(listed[0].id, importer.spki, PIN)).part!;
    assertBytes(independentVp(part), listed[0].vp);
  });

  it('descriptions: 1–128 characters without control characters', async () => {
    const p = await pivCustodian({ curve: 'P-256' });
    await assertRejects(p.holder.createPart({ description: ' ', ...partOpts }), RangeError);
    await assertRejects(p.holder.createPart({ description: 'x'.repeat(129), ...partOpts }), RangeError);
    await assertRejects(p.holder.createPart({ description: 'a\nb', ...partOpts }), RangeError);
    const long = await p.holder.createPart({ description: 'ü'.repeat(128), ...partOpts });
    assert.equal((await p.holder.parts())[0].description, long.description);
  });
});

describe('PIV custodian: traffic log', () => {
  it('the PIN, management key answers and shared secrets never appear in the traffic log', async () => {
    const log = new TrafficLog();
    const vc = await VirtualPivCard.create({ crypto: c });
    const card = await PivCard.open(new CardChannel(new MemoryTransport(vc.handle), { log }), { crypto: c });
    await createPivAdmin(card, { name: 'Logged', curve: 'P-256', managementKey: MK, pin: PIN });
    await initPivKeyPartKey(card, { managementKey: MK, curve: 'P-256' });
    const h = new PivKeyPartHolder(card);
    const info = await h.createPart({ description: 'logged', ...partOpts });
    const importer = newTestImporter('P-256');
    const part = openEnvelopeIndependently(importer, await h.wrapForImporter(info.id, importer.spki, PIN)).part!;
    const text = log.format();
    assert.notInclude(text, hex(new TextEncoder().encode(PIN)), 'PIN bytes');
    assert.notInclude(text, hex(part), 'the part');
    const ecdh = log.entries.filter((e) => e.ins === 0x87 && e.p2 === 0x9d);
    assert.isAtLeast(ecdh.length, 2);
    assert.isTrue(ecdh.every((e) => e.responseData === null), 'ECDH answers (shared secrets) are redacted');
    const mutual = log.entries.filter((e) => e.ins === 0x87 && e.p2 === 0x9b && e.nc > 4);
    assert.isTrue(mutual.every((e) => e.commandData === null), 'the decrypted witness is redacted');
  });
});
