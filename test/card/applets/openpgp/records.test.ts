import { p256, p384 } from '@noble/curves/nist.js';
import { assert, assertBytes, assertThrows, bytesOf, describe, it } from '../../../harness.ts';
import {
  encodeEcAttributes, encodePw1Validity, manufacturerName, oidToString, OpenPgpDataError, parseAid,
  parseAlgorithmAttributes, parseAlgorithmInformation, parseApplicationRelatedData, parseCardCapabilities,
  parseEcPublicKey, parseExtendedCapabilities, parseExtendedLengthInfo, parseKdfDo, parseKeyInformation, parsePwStatus,
} from '../../../../src/card/applets/openpgp/index.ts';
import { ALGORITHM_INFORMATION, ECDH_P256, FRESH_6E, RESET_RETRY_COUNTER, SIGN_P384 } from './yubikey-5.4.3.ts';

describe('OpenPGP records: application related data (6E) of a real YubiKey 5', () => {
  it('a fresh card: AID, capabilities, RSA 2048 defaults, PW status, no keys', () => {
    const d = parseApplicationRelatedData(bytesOf(FRESH_6E));
    assert.equal(d.aid.id, '0006:23852774');
    assert.deepEqual(d.aid.version, { major: 3, minor: 4 });
    assert.equal(d.aid.manufacturer, 6);
    assert.equal(manufacturerName(d.aid.manufacturer), 'Yubico');
    assert.deepEqual(d.cardCapabilities, { commandChaining: true, extendedLength: true });
    assert.deepEqual(d.extendedLengthInfo, { maxCommand: 0x0bfe, maxResponse: 0x0bfe });
    // C0 = 7D 00 0BFE 0800 00FF 00 00
    const x = d.extendedCapabilities;
    assert.deepEqual(
      [x.secureMessaging, x.getChallenge, x.keyImport, x.pwStatusChangeable, x.privateDos, x.algorithmAttributesChangeable, x.aes, x.kdf],
      [false, true, true, true, true, true, false, true],
    );
    assert.equal(x.maxChallenge, 3070);
    assert.equal(x.maxCardholderCertificate, 2048);
    assert.equal(x.maxSpecialDo, 255);
    for (const slot of ['signature', 'decryption', 'authentication'] as const) {
      assert.deepInclude(d.algorithmAttributes[slot], { kind: 'rsa', modulusBits: 2048, exponentBits: 17, importFormat: 0 });
    }
    assert.deepEqual(d.pwStatus, {
      pw1ValidOnce: false,
      maxLength: { pw1: 127, rc: 127, pw3: 127 },
      pinBlockFormat2: { pw1: false, pw3: false },
      retries: { pw1: 3, rc: 0, pw3: 3 },
    });
    assert.deepEqual(d.keyInformation, { signature: 'absent', decryption: 'absent', authentication: 'absent' });
  });

  it('after generating an ECDSA P-384 signature key: C1 and DE say so', () => {
    const d = parseApplicationRelatedData(bytesOf(SIGN_P384.applicationRelated));
    assert.deepInclude(d.algorithmAttributes.signature, { kind: 'ecdsa', curve: 'P-384', oid: '1.3.132.0.34', importWithPublicKey: false });
    assert.equal(d.keyInformation?.signature, 'generated');
    assert.equal(d.keyInformation?.decryption, 'absent');
  });

  it('the contents of 6E without the 6E tag are accepted too; anything malformed is OpenPgpDataError', () => {
    const full = bytesOf(FRESH_6E);
    const inner = full.subarray(4); // 6E 82 01 37
    assert.equal(parseApplicationRelatedData(inner).aid.id, '0006:23852774');
    assertThrows(() => parseApplicationRelatedData(full.subarray(0, full.length - 1)), OpenPgpDataError);
    const noC4 = FRESH_6E.replace('c407017f7f7f030003', 'c507017f7f7f030003');
    assertThrows(() => parseApplicationRelatedData(bytesOf(noC4)), OpenPgpDataError, 'C4 missing');
  });
});

describe('OpenPGP records: the parts', () => {
  it('AID: D2 76 00 01 24 01, BCD version, manufacturer, serial; other prefixes are refused', () => {
    const aid = parseAid(bytesOf('d276000124010304000f1234abcd0000'));
    assert.deepEqual(aid.version, { major: 3, minor: 4 });
    assert.equal(aid.id, '000F:1234ABCD');
    assert.equal(manufacturerName(0x000f), 'Nitrokey');
    assert.equal(manufacturerName(0x1234), 'manufacturer 1234');
    assertThrows(() => parseAid(bytesOf('d276000124020304000f1234abcd0000')), OpenPgpDataError);
    assertThrows(() => parseAid(bytesOf('d276000124010304000f1234abcd00')), OpenPgpDataError);
  });

  it('PW status C4: validity byte, lengths with the format-2 bit, counters; strict length', () => {
    const after = parsePwStatus(bytesOf(RESET_RETRY_COUNTER.pwStatusAfterWrong));
    assert.deepEqual(after.retries, { pw1: 2, rc: 3, pw3: 3 });
    const once = parsePwStatus(bytesOf('0020088a000001'));
    assert.isTrue(once.pw1ValidOnce);
    assert.deepEqual(once.maxLength, { pw1: 32, rc: 8, pw3: 10 });
    assert.deepEqual(once.pinBlockFormat2, { pw1: false, pw3: true });
    assert.deepEqual(once.retries, { pw1: 0, rc: 0, pw3: 1 });
    assertThrows(() => parsePwStatus(bytesOf('017f7f7f0300')), OpenPgpDataError);
    assertThrows(() => parsePwStatus(bytesOf('027f7f7f030003')), OpenPgpDataError, 'validity byte 02');
    assertBytes(encodePw1Validity(true), Uint8Array.of(0));
    assertBytes(encodePw1Validity(false), Uint8Array.of(1));
  });

  it('extended capabilities C0: version 3 reads the special DO limit, version 2 gets 254', () => {
    const v3 = parseExtendedCapabilities(bytesOf('08000000040001000000'), 3);
    assert.isFalse(v3.getChallenge);
    assert.equal(v3.maxChallenge, 0, 'no GET CHALLENGE: its maximum does not count');
    assert.isTrue(v3.privateDos);
    assert.equal(v3.maxSpecialDo, 256);
    assert.equal(parseExtendedCapabilities(bytesOf('7c0000ff080008000800'), 2).maxSpecialDo, 254);
    assertThrows(() => parseExtendedCapabilities(bytesOf('7c0000ff0800080008'), 3), OpenPgpDataError);
  });

  it('historical bytes: card capabilities found in either category; absent or proprietary → undefined', () => {
    assert.deepEqual(parseCardCapabilities(bytesOf('00730000e0059000')), { commandChaining: true, extendedLength: true });
    assert.deepEqual(parseCardCapabilities(bytesOf('80310073000080')), { commandChaining: true, extendedLength: false });
    assert.isUndefined(parseCardCapabilities(bytesOf('00310080059000')));
    assert.isUndefined(parseCardCapabilities(bytesOf('4142')));
    assertThrows(() => parseCardCapabilities(bytesOf('007300059000')), OpenPgpDataError, 'a 73 of length 0');
  });

  it('extended length info 7F66 and key information DE', () => {
    assert.deepEqual(parseExtendedLengthInfo(bytesOf('02020bfe02020800')), { maxCommand: 3070, maxResponse: 2048 });
    assertThrows(() => parseExtendedLengthInfo(bytesOf('02020bfe')), OpenPgpDataError);
    assertThrows(() => parseExtendedLengthInfo(bytesOf('0202 0bfe 0201 08'.replace(/ /g, ''))), OpenPgpDataError);
    assert.deepEqual(parseKeyInformation(bytesOf('0101020203008102')), { signature: 'generated', decryption: 'imported', authentication: 'absent' });
    assertThrows(() => parseKeyInformation(bytesOf('0103')), OpenPgpDataError);
  });

  it('algorithm attributes: the encodings a YubiKey takes, OIDs dotted, import flag, other curves kept', () => {
    assertBytes(encodeEcAttributes('ecdsa', 'P-384'), bytesOf(SIGN_P384.putAttributes.slice(10)));
    assertBytes(encodeEcAttributes('ecdh', 'P-256'), bytesOf(ECDH_P256.putAttributes.slice(10)));
    assert.deepInclude(parseAlgorithmAttributes(bytesOf('132b81040023ff')), { kind: 'ecdsa', curve: 'P-521', importWithPublicKey: true });
    assert.deepInclude(parseAlgorithmAttributes(bytesOf('162b06010401da470f01')), { kind: 'eddsa', curve: null, oid: '1.3.6.1.4.1.11591.15.1' });
    assert.deepInclude(parseAlgorithmAttributes(bytesOf('42')), { kind: 'unknown', algorithmId: 0x42 });
    assertThrows(() => parseAlgorithmAttributes(bytesOf('01080000')), OpenPgpDataError, 'RSA of 4 bytes');
    assertThrows(() => parseAlgorithmAttributes(bytesOf('132b81')), OpenPgpDataError, 'cut-off OID');
    assert.equal(parseAlgorithmAttributes(bytesOf('132b8104')).kind, 'ecdsa', '1.3.132.4 is a whole OID, just not a known curve');
    assert.equal(oidToString(bytesOf('2a8648ce3d030107'), 'x'), '1.2.840.10045.3.1.7');
    assert.equal(oidToString(bytesOf('8837'), 'x'), '2.999');
  });

  it('algorithm information FA of a YubiKey 5: ECDSA/ECDH on the three NIST curves for each key', () => {
    // The YubiKey announces 482 bytes (FA 82 01 E2) and sends 480: its contents are taken.
    const raw = bytesOf(ALGORITHM_INFORMATION);
    assert.equal((raw[2] << 8) | raw[3], raw.length - 4 + 2);
    const info = parseAlgorithmInformation(raw);
    const names = (list: readonly { kind: string; curve?: unknown }[]): string[] => list.map((a) => `${a.kind}:${'curve' in a ? a.curve : ''}`);
    for (const curve of ['P-256', 'P-384', 'P-521']) {
      assert.include(names(info.signature), `ecdsa:${curve}`);
      assert.include(names(info.decryption), `ecdh:${curve}`);
      assert.include(names(info.authentication), `ecdsa:${curve}`);
    }
    assert.lengthOf(info.signature, 12, '3 RSA sizes, P-256/384/521 and secp256k1, 3 brainpool curves, 2 Bernstein curves');
    assert.notInclude(names(info.decryption), 'ecdsa:P-256');
    // a correct length parses the same; damage inside is still refused
    const fixed = raw.slice();
    fixed[3] -= 2;
    assert.deepEqual(parseAlgorithmInformation(fixed), info);
    assertThrows(() => parseAlgorithmInformation(raw.subarray(0, raw.length - 3)), OpenPgpDataError, 'a cut-off entry');
    const under = raw.slice();
    under[3] -= 4;
    assertThrows(() => parseAlgorithmInformation(under), OpenPgpDataError, 'a length that undershoots');
  });

  it('public key template 7F49 / 86: the YubiKey points lie on their curves (noble)', () => {
    const sig = parseEcPublicKey(bytesOf(SIGN_P384.generateAnswer), 'P-384');
    assert.isTrue(p384.utils.isValidPublicKey(sig, false));
    const dec = parseEcPublicKey(bytesOf(ECDH_P256.generateAnswer), 'P-256');
    assert.isTrue(p256.utils.isValidPublicKey(dec, false));
    assertThrows(() => parseEcPublicKey(bytesOf(ECDH_P256.generateAnswer), 'P-384'), OpenPgpDataError, 'wrong curve size');
    assertThrows(() => parseEcPublicKey(bytesOf('7f49038101ff'), 'P-256'), OpenPgpDataError, 'no 86');
    assertThrows(() => parseEcPublicKey(bytesOf('7f490386010486020000'), 'P-256'), OpenPgpDataError);
  });
});

describe('OpenPGP records: KDF-DO (F9)', () => {
  it('a YubiKey with the KDF off answers 81 01 00; an iterated salted S2K DO is read with its salts', () => {
    assert.deepEqual(parseKdfDo(bytesOf('810100')), { kind: 'none' });
    assert.deepEqual(parseKdfDo(new Uint8Array(0)), { kind: 'none' });
    const full = '810103' + '82010a' + '830400780000' + '84081111111111111111' + '86083333333333333333';
    for (const hex of [full, `f9${(full.length / 2).toString(16)}${full}`]) {
      const k = parseKdfDo(bytesOf(hex));
      assert.equal(k.kind, 'iterated-salted-s2k');
      if (k.kind !== 'iterated-salted-s2k') return;
      assert.equal(k.hash, 'SHA-512');
      assert.equal(k.count, 0x780000);
      assertBytes(k.salts.pw1, bytesOf('1111111111111111'));
      assertBytes(k.salts.rc, k.salts.pw1, 'no RC salt: PW1\'s');
      assertBytes(k.salts.pw3, bytesOf('3333333333333333'));
    }
    assertThrows(() => parseKdfDo(bytesOf('810102')), OpenPgpDataError, 'unknown algorithm');
    assertThrows(() => parseKdfDo(bytesOf('810103820108')), OpenPgpDataError, 'no count');
    assertThrows(() => parseKdfDo(bytesOf('81010382010983040000ffff840811111111111111')), OpenPgpDataError, 'hash 09, short salt');
    assertThrows(() => parseKdfDo(bytesOf('8101038201088304000000008408' + '11'.repeat(8))), OpenPgpDataError, 'count 0');
  });
});
