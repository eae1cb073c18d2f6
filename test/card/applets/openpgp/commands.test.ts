import { p384 } from '@noble/curves/nist.js';
import { assert, assertBytes, assertRejects, assertThrows, bytesOf, describe, hexOf, it } from '../../../harness.ts';
import { encodeCommand, type Command } from '../../../../src/card/apdu.ts';
import { ApduError } from '../../../../src/card/errors.ts';
import { MemoryTransport } from '../../../../src/card/transports/memory/index.ts';
import {
  buildActivateFile, buildComputeDigitalSignature, buildEcdhDecipher, buildGenerateKeyPair, buildGetChallenge, buildGetData,
  buildPutData, buildResetRetryCounterAfterPw3, buildResetRetryCounterWithCode, buildResetSecurityStatus, buildSelect,
  buildTerminateDf, buildVerify, buildVerifyStatus, encodeEcAttributes, OpenPgpCard, OpenPgpDataError, parseChallenge,
  parseEcdhResult, parseEcdsaSignature, parseEcPublicKey, PW1_OTHER, PW1_SIGN, PW3,
} from '../../../../src/card/applets/openpgp/index.ts';
import { CardPinError } from '../../../../src/custodian/openpgp/index.ts';
import { verifyCardPassword } from '../../../../src/custodian/openpgp/pin.ts';
import { TranscriptCard, type TranscriptStep } from '../../../fakes/transcript-card.ts';
import { ECDH_P256, FRESH_6E, PRIVATE_DO, RESET_RETRY_COUNTER, SELECT, SIGN_P384, VERIFY_PW3 } from './yubikey-5.4.3.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const apdu = (cmd: Command): string => hexOf(encodeCommand(cmd));
const noLe = (cmd: Command): Command => ({ ...cmd, ne: undefined });

describe('OpenPGP commands: the bytes a YubiKey 5 accepted', () => {
  it('SELECT, VERIFY 81/82/83, and the VERIFY status / reset forms', () => {
    assert.equal(apdu(buildSelect()), `${SELECT}00`, 'SELECT by the 6-byte AID prefix, Le 00');
    assert.equal(apdu(buildVerify(PW1_SIGN, utf8('123456'))), SIGN_P384.verifyPw1);
    assert.equal(apdu(buildVerify(PW1_OTHER, utf8('123456'))), ECDH_P256.verifyPw1Other);
    assert.equal(apdu(buildVerify(PW3, utf8('12345678'))), VERIFY_PW3);
    assert.equal(apdu(buildVerifyStatus(PW1_SIGN)), '00200081');
    assert.equal(apdu(buildResetSecurityStatus(PW1_OTHER)), '0020ff82');
    assertThrows(() => buildVerify(PW3, new Uint8Array(0)), RangeError);
  });

  it('PUT DATA: algorithm attributes, resetting code, private DO; GET DATA with the Le a YubiKey client used', () => {
    assert.equal(apdu(buildPutData(0xc1, encodeEcAttributes('ecdsa', 'P-384'))), SIGN_P384.putAttributes);
    assert.equal(apdu(buildPutData(0xc2, encodeEcAttributes('ecdh', 'P-256'))), ECDH_P256.putAttributes);
    assert.equal(apdu(buildPutData(0xd3, utf8('my reset code'))), RESET_RETRY_COUNTER.putResettingCode);
    assert.equal(apdu(buildPutData(0x0101, bytesOf('cafebabe'))), PRIVATE_DO.put);
    assert.equal(apdu(buildGetData(0x0101, 0x0bfe)), PRIVATE_DO.get);
    assert.equal(apdu(buildGetData(0x6e, 256)), '00ca006e00', 'short form');
    assert.equal(apdu(buildGetData(0x7f21)), '00ca7f21000000', 'by default Le asks for everything (extended 0000)');
    assert.equal(apdu(buildPutData(0x7f21, new Uint8Array(300))).slice(0, 14), '00da7f2100012c', 'a certificate goes extended (or chained, by the channel)');
    assertThrows(() => buildGetData(0x5fc109), RangeError);
  });

  it('RESET RETRY COUNTER with the resetting code, and after PW3', () => {
    assert.equal(apdu(buildResetRetryCounterWithCode(utf8('my reset code'), utf8('123456'))), RESET_RETRY_COUNTER.resetWithCode);
    assert.equal(apdu(buildResetRetryCounterAfterPw3(utf8('654321'))), '002c028106363534333231');
  });

  it('GENERATE, PSO:CDS, PSO:DECIPHER, GET CHALLENGE, TERMINATE DF, ACTIVATE FILE', () => {
    assert.equal(apdu(buildGenerateKeyPair('signature', 'generate')), '0047800002b60000');
    assert.equal(apdu(buildGenerateKeyPair('decryption', 'read')), '0047810002b80000');
    assert.equal(apdu(buildGenerateKeyPair('authentication', 'generate')), '0047800002a40000');
    const first = SIGN_P384.signatures[0];
    const cds = buildComputeDigitalSignature(bytesOf(first.hash), 'P-384');
    assert.equal(apdu(noLe(cds)), `002a9e9a20${first.hash}`, 'the hash as the data field');
    assert.equal(cds.ne, 96, 'Le = r ‖ s of P-384');
    assertThrows(() => buildComputeDigitalSignature(new Uint8Array(65), 'P-521'), RangeError);
    // PSO:DECIPHER: the exact data field a YubiKey took, A6 { 7F49 { 86 point } }
    const sent = bytesOf(ECDH_P256.decipherApdu);
    const point = sent.subarray(5 + 7);
    assert.lengthOf(point, 65);
    assert.equal(apdu(noLe(buildEcdhDecipher(point, 'P-256'))), ECDH_P256.decipherApdu);
    assertThrows(() => buildEcdhDecipher(point, 'P-384'), Error, 'a point of another curve is refused before it is sent');
    assert.equal(apdu(buildGetChallenge(32)), '0084000020');
    assert.equal(apdu(buildTerminateDf()), '00e60000');
    assert.equal(apdu(buildActivateFile()), '00440000');
  });
});

describe('OpenPGP answers: parsing what the card returns', () => {
  it('PSO:CDS: the YubiKey\'s raw r ‖ s become DER signatures that noble verifies over the hash sent', () => {
    const pub = parseEcPublicKey(bytesOf(SIGN_P384.generateAnswer), 'P-384');
    for (const s of SIGN_P384.signatures) {
      const der = parseEcdsaSignature(bytesOf(s.answer), 'P-384');
      assert.equal(der[0], 0x30);
      assert.isTrue(p384.verify(der, bytesOf(s.hash), pub, { prehash: false, lowS: false, format: 'der' }), `hash of ${s.hash.length / 2} bytes`);
      const other = bytesOf(s.hash);
      other[0] ^= 1;
      assert.isFalse(p384.verify(der, other, pub, { prehash: false, lowS: false, format: 'der' }));
    }
    assertThrows(() => parseEcdsaSignature(bytesOf(SIGN_P384.signatures[0].answer), 'P-256'), OpenPgpDataError, '96 bytes are not a P-256 signature');
    assertThrows(() => parseEcdsaSignature(new Uint8Array(96), 'P-384'), OpenPgpDataError, 'r = s = 0');
  });

  it('PSO:DECIPHER: X alone or the whole point, always X at full size; the card\'s answer is wiped', () => {
    const x = bytesOf(ECDH_P256.decipherAnswer);
    const answer = x.slice();
    const z = parseEcdhResult(answer, 'P-256');
    assertBytes(z, x);
    assert.isTrue(answer.every((b) => b === 0), 'the answer buffer is wiped');
    const point = new Uint8Array(65);
    point[0] = 4;
    point.set(x, 1);
    point.fill(7, 33);
    assertBytes(parseEcdhResult(point, 'P-256'), x);
    assertThrows(() => parseEcdhResult(new Uint8Array(33), 'P-256'), OpenPgpDataError, 'a compressed point is not an answer');
    const badPrefix = point.slice();
    badPrefix[0] = 5;
    assertThrows(() => parseEcdhResult(badPrefix, 'P-256'), OpenPgpDataError);
    assertThrows(() => parseEcdhResult(x.slice(), 'P-384'), OpenPgpDataError);
  });

  it('GET CHALLENGE: exactly the bytes asked for', () => {
    assertBytes(parseChallenge(new Uint8Array(32).fill(1), 32), new Uint8Array(32).fill(1));
    assertThrows(() => parseChallenge(new Uint8Array(31), 32), OpenPgpDataError);
  });
});

/** A 6E answer of more than 256 bytes as a short-APDU card gives it: 256 bytes and 61 xx, then GET RESPONSE. */
function shortGetData6e(hex: string): TranscriptStep[] {
  const all = bytesOf(hex);
  const rest = all.length - 256;
  return [
    { command: '00ca006e00', response: `${hexOf(all.subarray(0, 256))}61${rest.toString(16).padStart(2, '0')}` },
    { command: `00c00000${rest.toString(16).padStart(2, '0')}`, response: `${hexOf(all.subarray(256))}9000` },
  ];
}

/** FRESH_6E with C2 set to ECDH P-256, as the YubiKey answered after PUT DATA C2 (lengths +3). */
const ECDH_6E = FRESH_6E.replace('6e820137', '6e82013a').replace('73820110', '73820113').replace('c206010800001100', 'c209122a8648ce3d030107');

describe('OpenPGP session against replayed YubiKey 5 answers (transcript card)', () => {
  it('open: SELECT, 6E over GET RESPONSE, then extended APDUs; a wrong PIN answered 69 82 reads C4 for the tries left', async () => {
    const t = new TranscriptCard([
      { command: `${SELECT}00`, response: '9000' },
      ...shortGetData6e(FRESH_6E),
      { command: '00ca00f9000000', response: '8101009000' }, // C0 says KDF-DO: the YubiKey's F9, KDF off
      { command: '00ca00c4000000', response: '017f7f7f0300039000' },
      { command: '0020008106363534333231', response: '6982' },
      { command: '00ca00c4000000', response: `${RESET_RETRY_COUNTER.pwStatusAfterWrong}9000` },
    ]);
    const card = await OpenPgpCard.open(new MemoryTransport(t.handle));
    assert.isTrue(card.extendedLength, 'the YubiKey says it takes extended Lc/Le');
    assert.equal(card.pinKdf.kind, 'none');
    const e = await assertRejects(verifyCardPassword(card, PW1_SIGN, '654321'), CardPinError);
    assert.equal(e.retriesLeft, 2);
    assert.equal(e.password, 'PW1');
    assert.instanceOf(e.cause, ApduError);
    assert.equal(e.cause.sw, 0x6982);
    assert.isFalse(card.isVerified(PW1_SIGN));
    t.assertDone();
  });

  it('sign: VERIFY 81 once, then one PSO:CDS APDU per signature, answers as the YubiKey gave them', async () => {
    const steps: TranscriptStep[] = [
      { command: `${SELECT}00`, response: '9000' },
      ...shortGetData6e(SIGN_P384.applicationRelated),
      { command: '00ca00f900', response: '8101009000' },
    ];
    steps.push({ command: SIGN_P384.verifyPw1, response: '9000' });
    for (const s of SIGN_P384.signatures) {
      steps.push({ command: `002a9e9a${(s.hash.length / 2).toString(16)}${s.hash}60`, response: `${s.answer}9000` });
    }
    const t = new TranscriptCard(steps);
    const card = await OpenPgpCard.open(new MemoryTransport(t.handle), { extendedLength: false });
    await card.verify(PW1_SIGN, '123456');
    const pub = parseEcPublicKey(bytesOf(SIGN_P384.generateAnswer), 'P-384');
    for (const s of SIGN_P384.signatures) {
      const der = await card.signHash(bytesOf(s.hash));
      assert.isTrue(p384.verify(der, bytesOf(s.hash), pub, { prehash: false, lowS: false, format: 'der' }));
      assert.isTrue(card.isVerified(PW1_SIGN), 'C4 says PW1 stays valid for several signatures');
    }
    t.assertDone();
  });

  it('ECDH: VERIFY 82 and PSO:DECIPHER with the bytes the YubiKey took; Z is its answer', async () => {
    const t = new TranscriptCard([
      { command: `${SELECT}00`, response: '9000' },
      ...shortGetData6e(ECDH_6E),
      { command: '00ca00f900', response: '8101009000' },
      { command: ECDH_P256.verifyPw1Other, response: '9000' },
      { command: `${ECDH_P256.decipherApdu}00`, response: `${ECDH_P256.decipherAnswer}9000` },
      { command: `${ECDH_P256.decipherApdu}00`, response: '6982' },
    ]);
    const card = await OpenPgpCard.open(new MemoryTransport(t.handle), { extendedLength: false });
    assert.equal(card.ecAlgorithm('decryption', 'ecdh'), 'P-256');
    await card.verify(PW1_OTHER, '123456');
    const point = bytesOf(ECDH_P256.decipherApdu).subarray(12);
    assertBytes(await card.ecdh(point), bytesOf(ECDH_P256.decipherAnswer));
    const e = await assertRejects(card.ecdh(point), ApduError);
    assert.equal(e.sw, 0x6982);
    t.assertDone();
  });
});
