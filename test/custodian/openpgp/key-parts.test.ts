import { assert, assertBytes, assertRejects, describe, it } from '../../harness.ts';
import { CardRemovedError } from '../../../src/card/transport-errors.ts';
import { PW3 } from '../../../src/card/applets/openpgp/index.ts';
import type { WebCrypto } from '../../../src/crypto/index.ts';
import { UnknownPartError } from '../../../src/custodian/errors.ts';
import {
  CardKeyMissingError, encodePartRecord, decodePartRecord, generateDecryptionKey, OpenPgpKeyPartHolder, PartIntegrityError,
  PartKeyMismatchError, PartRecordError, PartRecordTooLargeError, PartsWouldBeLostError, PartSlotOccupiedError,
} from '../../../src/custodian/openpgp/index.ts';
import { independentVp, newTestImporter, openEnvelopeIndependently } from '../conformance/independent-kari.ts';
import { ADMIN_PIN, c, insSince, PIN, provisionedCard, rig, WRONG_PIN } from './fixtures.ts';

/** A WebCrypto whose getRandomValues is recorded: each call's view and a copy of what it got. */
function recordingCrypto(): { crypto: WebCrypto; draws: { view: Uint8Array; value: Uint8Array }[] } {
  const draws: { view: Uint8Array; value: Uint8Array }[] = [];
  return {
    draws,
    crypto: {
      subtle: c.subtle,
      getRandomValues: <T extends ArrayBufferView | null>(a: T): T => {
        c.getRandomValues(a as unknown as Uint8Array);
        const view = a as unknown as Uint8Array;
        draws.push({ view, value: view.slice() });
        return a;
      },
    },
  };
}

const xor = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((x, i) => x ^ b[i]);

describe('OpenPGP custodian: making a key part', () => {
  it('the part is the card\'s GET CHALLENGE XOR the browser\'s random bytes; the browser\'s buffer is wiped', async () => {
    const cardDraws: Uint8Array[] = [];
    const p = await provisionedCard({
      card: {
        random: (n) => {
          const r = c.getRandomValues(new Uint8Array(n));
          cardDraws.push(r.slice());
          return r;
        },
      },
    });
    const rec = recordingCrypto();
    const holder = new OpenPgpKeyPartHolder(p.card, rec.crypto);
    const at = p.vcard.received.length;
    cardDraws.length = 0;
    const part = await holder.createPart({ description: 'part A', pin: PIN });
    assert.isTrue(part.cardRandomness);
    const fromBrowser = rec.draws[0];
    const fromCard = cardDraws[0];
    assert.lengthOf(fromBrowser.value, 32);
    assert.lengthOf(fromCard, 32);
    assertBytes(part.vp, independentVp(xor(fromBrowser.value, fromCard)), 'VP of browser XOR card');
    assert.notDeepEqual(Array.from(part.vp), Array.from(independentVp(fromBrowser.value)));
    assert.isTrue(fromBrowser.view.every((b) => b === 0), 'the clear part buffer was wiped');
    const ins = insSince(p.vcard, at);
    assert.include(ins, 0x84, 'GET CHALLENGE');
    assert.isBelow(ins.indexOf(0x20), ins.indexOf(0x84), 'the PIN is checked before the part is made');
    assert.isBelow(ins.indexOf(0x84), ins.indexOf(0xda), 'made, then stored');
    assert.include(ins, 0x2a, 'and opened once through the card to prove it loads');
    assert.isFalse(p.vcard.isVerified(0x82), 'PW1 (82) forgotten afterwards');
    await p.dispose();
  });

  it('a card without GET CHALLENGE: browser randomness alone, and it says so', async () => {
    const p = await provisionedCard({ card: { maxChallenge: 0 } });
    const rec = recordingCrypto();
    const part = await new OpenPgpKeyPartHolder(p.card, rec.crypto).createPart({ description: 'no challenge', pin: PIN });
    assert.isFalse(part.cardRandomness);
    assertBytes(part.vp, independentVp(rec.draws[0].value));
    await p.dispose();
  });

  it('the record on the card: readable without the PIN, the envelope rebuilt is one the card\'s key opens', async () => {
    const p = await provisionedCard();
    const created = await p.holder.createPart({ description: 'Custodian 1, part for MK 2025', pin: PIN });
    const raw = p.vcard.privateDo(0x0101);
    assert.equal(raw[0], 0xe1);
    assert.isAtMost(raw.length, 255);
    const r = decodePartRecord(raw);
    assert.equal(r.description, 'Custodian 1, part for MK 2025');
    assertBytes(r.vp, created.vp);
    assertBytes(encodePartRecord(r), raw, 'decode/encode round trip');

    await p.card.select();
    const at = p.vcard.received.length;
    const listed = await new OpenPgpKeyPartHolder(p.card, c).parts();
    assert.deepEqual(listed.map((x) => [x.id, x.description, x.slot, x.curve]), [[created.id, created.description, 0x0101, 'P-256']]);
    assertBytes(listed[0].vp, created.vp);
    assert.notInclude(insSince(p.vcard, at), 0x20, 'listing needs no PIN');
    assert.match(created.id, /^openpgp:FFFF:[0-9A-F]{8}:0101$/);
    await p.dispose();
  });

  it('wrapForImporters: one VERIFY and one PSO:DECIPHER for every unit; the card forgets PW1 (82) after', async () => {
    const p = await provisionedCard();
    const part = await p.holder.createPart({ description: 'part B', pin: PIN });
    const units = [newTestImporter('P-521'), newTestImporter('P-256'), newTestImporter('P-384')];
    const at = p.vcard.received.length;
    const envs = await p.holder.wrapForImporters(part.id, units.map((u) => u.spki), PIN);
    const ins = insSince(p.vcard, at);
    assert.equal(ins.filter((x) => x === 0x20).length, 2, 'VERIFY 82 and VERIFY FF 82');
    assert.equal(ins.filter((x) => x === 0x2a).length, 1, 'one PSO:DECIPHER');
    assert.isFalse(p.vcard.isVerified(0x82));
    const values = envs.map((e, i) => openEnvelopeIndependently(units[i], e).part!);
    for (const v of values) assertBytes(independentVp(v), part.vp);
    await p.dispose();
  });

  it('a wrong PIN on wrap costs one try and opens nothing; the right one works', async () => {
    const p = await provisionedCard();
    const part = await p.holder.createPart({ description: 'part C', pin: PIN });
    const u = newTestImporter('P-256');
    const at = p.vcard.received.length;
    const e = await assertRejects(p.holder.wrapForImporter(part.id, u.spki, WRONG_PIN), Error);
    assert.equal((e as { retriesLeft?: number }).retriesLeft, 2);
    assert.notInclude(insSince(p.vcard, at), 0x2a, 'no PSO:DECIPHER');
    assertBytes(independentVp(openEnvelopeIndependently(u, await p.holder.wrapForImporter(part.id, u.spki, PIN)).part!), part.vp);
    await p.dispose();
  });

  it('two parts on one card: 0101 with the PIN, 0102 with the admin PIN', async () => {
    const p = await provisionedCard();
    const a = await p.holder.createPart({ description: 'first', pin: PIN });
    await assertRejects(p.holder.createPart({ description: 'second', pin: PIN, slot: 0x0102 }), RangeError, 'the admin PIN is needed');
    const b = await p.holder.createPart({ description: 'second', pin: PIN, slot: 0x0102, adminPin: ADMIN_PIN });
    assert.isFalse(p.vcard.isVerified(0x83), 'the admin PIN is forgotten after');
    assert.deepEqual((await p.holder.parts()).map((x) => x.description), ['first', 'second']);
    const u = newTestImporter('P-521');
    for (const x of [a, b]) assertBytes(independentVp(openEnvelopeIndependently(u, await p.holder.wrapForImporter(x.id, u.spki, PIN)).part!), x.vp);
    assert.notDeepEqual(Array.from(a.vp), Array.from(b.vp));
    await p.dispose();
  });
});

describe('OpenPGP custodian: what does not fit or does not match', () => {
  it('a record too large for the private DO: the error names the longest description that fits; nothing is spent', async () => {
    const p = await provisionedCard({ partCurve: 'P-384' });
    const at = p.vcard.received.length;
    const e = await assertRejects(p.holder.createPart({ description: 'x'.repeat(30), pin: PIN }), PartRecordTooLargeError);
    // by hand: 80 01 01 (3) + 81 1E desc (32) + 82 1C vp (30) + 83 08 id (10) + 84 61 point (99)
    // + 85 28 ukm (42) + 86 28 key (42) = 258 inside, E1 82 01 02 in front: 262
    assert.deepEqual([e.max, e.maxDescriptionBytes, e.length], [255, 24, 262]);
    assert.notInclude(insSince(p.vcard, at), 0x20, 'no PIN try');
    assert.equal(await p.holder.maxDescriptionBytes(), 24);
    await p.holder.createPart({ description: 'x'.repeat(24), pin: PIN });
    await p.dispose();

    const q = await provisionedCard({ partCurve: 'P-521' });
    const e2 = await assertRejects(q.holder.createPart({ description: 'x', pin: PIN }), PartRecordTooLargeError);
    assert.equal(e2.maxDescriptionBytes, 0);
    assert.match(e2.message, /P-256 decryption key/);
    await q.dispose();
  });

  it('an occupied slot is not overwritten unless asked; foreign data is left alone by the listing', async () => {
    const p = await provisionedCard();
    await p.holder.createPart({ description: 'keep me', pin: PIN });
    const e = await assertRejects(p.holder.createPart({ description: 'new', pin: PIN }), PartSlotOccupiedError);
    assert.equal(e.existingDescription, 'keep me');
    await p.holder.createPart({ description: 'new', pin: PIN, replace: true });
    assert.deepEqual((await p.holder.parts()).map((x) => x.description), ['new']);

    p.vcard.setPrivateDo(0x0101, Uint8Array.of(0x41, 0x42, 0x43));
    assert.isEmpty(await p.holder.parts(), 'not a webtke record: not a part');
    const e2 = await assertRejects(p.holder.createPart({ description: 'n', pin: PIN }), PartSlotOccupiedError);
    assert.isUndefined(e2.existingDescription);
    await p.dispose();
  });

  it('damage: a broken record fails the listing; a changed VP or wrapped key fails the wrap, with typed errors', async () => {
    const p = await provisionedCard();
    const part = await p.holder.createPart({ description: 'fragile', pin: PIN });
    const good = p.vcard.privateDo(0x0101);
    const u = newTestImporter('P-256');

    p.vcard.setPrivateDo(0x0101, good.subarray(0, good.length - 1));
    await assertRejects(p.holder.parts(), PartRecordError);

    const r = decodePartRecord(good);
    const otherVp = r.vp.slice();
    otherVp[0] ^= 1;
    p.vcard.setPrivateDo(0x0101, encodePartRecord({ ...r, vp: otherVp }));
    await assertRejects(p.holder.wrapForImporter(part.id, u.spki, PIN), PartIntegrityError);

    const otherKey = r.encryptedKey.slice();
    otherKey[5] ^= 1;
    p.vcard.setPrivateDo(0x0101, encodePartRecord({ ...r, encryptedKey: otherKey }));
    await assertRejects(p.holder.wrapForImporter(part.id, u.spki, PIN), PartRecordError);

    p.vcard.setPrivateDo(0x0101, good);
    assertBytes(independentVp(openEnvelopeIndependently(u, await p.holder.wrapForImporter(part.id, u.spki, PIN)).part!), part.vp);
    await p.dispose();
  });

  it('a new decryption key is refused while parts need the old one; forced, the old parts are reported unreadable before any PIN', async () => {
    const p = await provisionedCard();
    const part = await p.holder.createPart({ description: 'old key', pin: PIN });
    const e = await assertRejects(generateDecryptionKey(p.card, { adminPin: ADMIN_PIN }), PartsWouldBeLostError);
    assert.deepEqual(e.partIds, [part.id]);
    await generateDecryptionKey(p.card, { adminPin: ADMIN_PIN, allowLosingParts: true });
    const at = p.vcard.received.length;
    await assertRejects(p.holder.wrapForImporter(part.id, newTestImporter('P-256').spki, PIN), PartKeyMismatchError);
    assert.notInclude(insSince(p.vcard, at), 0x20);
    await p.dispose();
  });

  it('no decryption key, unknown part ids, and a card pulled during a wrap', async () => {
    const r = await rig();
    const holder = new OpenPgpKeyPartHolder(r.card, c);
    await assertRejects(holder.createPart({ description: 'x', pin: PIN }), CardKeyMissingError);
    await r.card.verify(PW3, ADMIN_PIN);
    await r.card.setEcAlgorithm('decryption', 'ecdh', 'P-256');
    await assertRejects(holder.createPart({ description: 'x', pin: PIN }), CardKeyMissingError, 'ECDH set, but no key generated');
    await r.dispose();

    const p = await provisionedCard();
    const part = await p.holder.createPart({ description: 'y', pin: PIN });
    const u = newTestImporter('P-256');
    await assertRejects(p.holder.wrapForImporter(part.id.replace(/:0101$/, ':0103'), u.spki, PIN), UnknownPartError);
    await assertRejects(p.holder.wrapForImporter('openpgp:0006:23852774:0101', u.spki, PIN), UnknownPartError, 'another card');
    await assertRejects(p.holder.wrapForImporter(part.id.replace(/:0101$/, ':0102'), u.spki, PIN), UnknownPartError, 'empty slot');
    p.remove();
    await assertRejects(p.holder.wrapForImporter(part.id, u.spki, PIN), CardRemovedError);
    p.insert();
    assertBytes(independentVp(openEnvelopeIndependently(u, await p.holder.wrapForImporter(part.id, u.spki, PIN)).part!), part.vp);
    await p.dispose();
  });
});
