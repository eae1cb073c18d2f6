import { assert, assertBytes, assertThrows, bytesOf, describe, hexOf, it } from '../../harness.ts';
import { encodeTlv } from '../../../src/card/tlv.ts';
import { CURVES, exportPublicPoint, generateEcKeyPair, subjectKeyIdentifier, type CurveName } from '../../../src/crypto/index.ts';
import { decodeKeyAgreeRecipientInfo, encodeEcSpki, encodeKeyAgreeRecipientInfo, wrapPartForImporter } from '../../../src/cryptounit/protocol/index.ts';
import {
  decodePartRecord, encodePartRecord, maxDescriptionBytes, PartDescriptionError, PartRecordFormatError, recordLength,
  type PartRecord,
} from '../../../src/custodian/openpgp/index.ts';

const c = globalThis.crypto;

function sample(curve: CurveName, description = 'a part'): PartRecord {
  const vp = new Uint8Array(32).fill(0xab);
  vp.fill(0, 28);
  const eph = new Uint8Array(CURVES[curve].pointLength).fill(0x11);
  eph[0] = 4;
  return {
    description,
    vp,
    curve,
    recipientKeyId: bytesOf('0102030405060708'),
    ephemeralPoint: eph,
    ukm: new Uint8Array(40).fill(0x22),
    encryptedKey: new Uint8Array(40).fill(0x33),
  };
}

describe('OpenPGP key part record', () => {
  it('layout: E1 { 80 version, 81 description, 82 VP[0..28), 83 key id, 84 point, 85 ukm, 86 wrapped key }, byte for byte', () => {
    const der = encodePartRecord(sample('P-256', 'AB'));
    // inside: 3 + 4 + 30 + 10 + 67 + 42 + 42 = 198 = C6
    const expected =
      'e181c6' + '800101' + '81024142' + '821c' + 'ab'.repeat(28) + '83080102030405060708' + '8441' + '04' + '11'.repeat(64) +
      '8528' + '22'.repeat(40) + '8628' + '33'.repeat(40);
    assert.equal(hexOf(der), expected);
    assert.equal(der.length, recordLength('P-256', 2));
  });

  it('sizes: what fits a 255-byte private DO (YubiKey) for each decryption key curve', () => {
    assert.deepEqual([recordLength('P-256', 1), recordLength('P-384', 1), recordLength('P-521', 1)], [200, 232, 270], 'a P-521 point needs a two-byte length (84 81 85)');
    assert.equal(maxDescriptionBytes('P-256', 255), 56);
    assert.equal(recordLength('P-256', 56), 255);
    assert.equal(recordLength('P-256', 57), 256);
    assert.equal(maxDescriptionBytes('P-384', 255), 24);
    assert.equal(maxDescriptionBytes('P-521', 255), 0);
    assert.equal(maxDescriptionBytes('P-521', 512), 64, 'the description limit itself');
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      for (const n of [1, 20, 64]) assert.equal(encodePartRecord(sample(curve, 'x'.repeat(n))).length, recordLength(curve, n));
    }
  });

  it('round trip, and the rebuilt envelope is byte for byte what wrapPartForImporter made', async () => {
    const kp = await generateEcKeyPair(c, 'P-384', 'ECDH');
    const point = await exportPublicPoint(c, kp.publicKey);
    const ski = await subjectKeyIdentifier(c, point);
    const envelope = await wrapPartForImporter(c, encodeEcSpki('P-384', point), c.getRandomValues(new Uint8Array(32)));
    const k = decodeKeyAgreeRecipientInfo(envelope);
    const r: PartRecord = { ...sample('P-384', 'Ünïcödé ✓'), recipientKeyId: ski.slice(0, 8), ephemeralPoint: k.originatorPoint, ukm: k.ukm, encryptedKey: k.encryptedKey };
    const back = decodePartRecord(encodePartRecord(r));
    assert.equal(back.description, 'Ünïcödé ✓');
    assert.equal(back.curve, 'P-384');
    assertBytes(back.vp, r.vp);
    const rebuilt = encodeKeyAgreeRecipientInfo({ originatorPoint: back.ephemeralPoint, ukm: back.ukm, recipientSki: ski, encryptedKey: back.encryptedKey });
    assertBytes(rebuilt, envelope);
  });

  it('strict decoding: order, presence, sizes, version, UTF-8, trailing bytes', () => {
    const r = sample('P-256');
    const f = {
      version: { tag: 0x80, value: Uint8Array.of(1) },
      description: { tag: 0x81, value: new TextEncoder().encode(r.description) },
      vp: { tag: 0x82, value: r.vp.subarray(0, 28) },
      keyId: { tag: 0x83, value: r.recipientKeyId },
      point: { tag: 0x84, value: r.ephemeralPoint },
      ukm: { tag: 0x85, value: r.ukm },
      key: { tag: 0x86, value: r.encryptedKey },
    };
    const build = (o: Partial<Record<keyof typeof f, { tag: number; value: Uint8Array } | null>> = {}, outer = 0xe1): Uint8Array =>
      encodeTlv({ tag: outer, children: (Object.keys(f) as (keyof typeof f)[]).map((k) => (k in o ? o[k] : f[k])).filter((x) => x !== null) as { tag: number; value: Uint8Array }[] });
    assertBytes(build(), encodePartRecord(r), 'the builder makes the real thing');
    const bad = (bytes: Uint8Array, why: string): void => {
      assertThrows(() => decodePartRecord(bytes), PartRecordFormatError, why);
    };
    const good = build();
    bad(Uint8Array.of(...good, 0), 'trailing byte');
    bad(good.subarray(0, good.length - 1), 'cut off');
    bad(build({ version: { tag: 0x80, value: Uint8Array.of(2) } }), 'version 2');
    bad(build({}, 0xe2), 'another outer tag');
    bad(build({ description: null }), 'no description');
    bad(build({ description: { tag: 0x81, value: Uint8Array.of(0xff, 0x41) } }), 'not UTF-8');
    bad(build({ description: { tag: 0x81, value: Uint8Array.of(0x41, 0x0a) } }), 'a control character');
    bad(build({ vp: { tag: 0x82, value: r.vp.subarray(0, 27) } }), 'VP of 27 bytes');
    bad(build({ keyId: { tag: 0x83, value: r.recipientKeyId.subarray(0, 7) } }), 'key id of 7 bytes');
    bad(build({ point: { tag: 0x84, value: Uint8Array.of(2, ...r.ephemeralPoint.subarray(1)) } }), 'not 04 ‖ X ‖ Y');
    bad(build({ point: { tag: 0x84, value: r.ephemeralPoint.subarray(0, 64) } }), 'no curve has 64-byte points');
    bad(build({ ukm: { tag: 0x85, value: r.ukm.subarray(0, 39) } }), 'ukm of 39');
    bad(build({ vp: f.keyId, keyId: f.vp }), 'fields out of order');
    bad(encodeTlv({ tag: 0xe1, children: [...Object.values(f), { tag: 0x87, value: Uint8Array.of(0) }] }), 'an extra field');
    assert.equal(decodePartRecord(good).description, 'a part');
  });

  it('descriptions: 1–64 UTF-8 bytes, not blank, no control characters; VPs end in 4 zero bytes', () => {
    assertThrows(() => encodePartRecord(sample('P-256', '')), PartDescriptionError);
    assertThrows(() => encodePartRecord(sample('P-256', '   ')), PartDescriptionError);
    assertThrows(() => encodePartRecord(sample('P-256', 'tab\there')), PartDescriptionError);
    assertThrows(() => encodePartRecord(sample('P-256', 'é'.repeat(33))), PartDescriptionError, '66 bytes');
    encodePartRecord(sample('P-256', 'é'.repeat(32)));
    const r = sample('P-256');
    r.vp[31] = 1;
    assertThrows(() => encodePartRecord(r), RangeError);
  });
});
