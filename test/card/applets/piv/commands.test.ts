/**
 * PIV command builders and parsers, byte for byte against APDUs assembled by hand from
 * SP 800-73-4 Part 2 and the Yubico PIV APDU pages (quoted in each case), and the parsers'
 * strictness on malformed answers.
 */
import { assert, assertBytes, assertThrows, bytesOf, describe, it } from '../../../harness.ts';
import { encodeCommand } from '../../../../src/card/apdu.ts';
import {
  ManagementKey, PivInputError, PivResponseError, buildAttest, buildChangeReference, buildGenerate, buildGetChallenge,
  buildGetData, buildGetMetadata, buildGetSerial, buildGetVersion, buildKeyAgreement, buildMutualAuthenticate, buildPutData,
  buildResetRetryCounter, buildSelect, buildSetManagementKey, buildSign, buildVerify, buildVerifyReset, buildVerifyStatus,
  buildWitnessRequest, encodeCertificateObject, encodePin, parseApplicationProperties, parseCertificateObject, parseGetData,
  parseGeneratedPublicKey, parseMetadata, parseMutualResponse, parseSerial, parseSharedSecret, parseSignature, parseVersion,
  parseWitness, pinStatusOf, versionAtLeast,
} from '../../../../src/card/applets/piv/index.ts';
import { parseFlatTlv } from '../../../../src/card/applets/piv/flat-tlv.ts';
import { TlvError } from '../../../../src/card/tlv.ts';

const apdu = (c: Parameters<typeof encodeCommand>[0]): Uint8Array => encodeCommand(c);
const seq = (n: number, start = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe('PIV commands: byte-exact APDUs', () => {
  it('SELECT: 00 A4 04 00 09 A0 00 00 03 08 00 00 10 00 00', () => {
    assertBytes(apdu(buildSelect()), bytesOf('00A4040009 A00000030800001000 00'));
  });

  it('VERIFY: PIN padded with FF to 8; status and reset forms carry no data', () => {
    const pin = encodePin('123456');
    assertBytes(pin, bytesOf('313233343536FFFF'));
    assertBytes(apdu(buildVerify(pin)), bytesOf('0020008008 313233343536FFFF'));
    assertBytes(apdu(buildVerifyStatus()), bytesOf('00200080'));
    assertBytes(apdu(buildVerifyReset()), bytesOf('0020FF80'));
    assertBytes(encodePin('abcdefgh'), bytesOf('6162636465666768'));
  });

  it('PIN and PUK shapes: 6..8 printable ASCII characters', () => {
    assertThrows(() => encodePin('12345'), PivInputError);
    assertThrows(() => encodePin('123456789'), PivInputError);
    assertThrows(() => encodePin('12345\u00e9'), PivInputError, 'é is 2 bytes and not ASCII');
    assertThrows(() => encodePin('1234\n6'), PivInputError);
  });

  it('CHANGE REFERENCE DATA and RESET RETRY COUNTER: old ‖ new, PUK ‖ new PIN', () => {
    assertBytes(apdu(buildChangeReference(0x81, encodePin('12345678'), encodePin('87654321'))), bytesOf('0024008110 3132333435363738 3837363534333231'));
    assertBytes(apdu(buildResetRetryCounter(encodePin('12345678'), encodePin('654321'))), bytesOf('002C008010 3132333435363738 363534333231FFFF'));
  });

  it('GENERAL AUTHENTICATE, management key: witness request 7C 02 80 00 and the mutual step', () => {
    assertBytes(apdu(buildWitnessRequest(0x03)), bytesOf('0087039B04 7C028000 00'));
    const w = seq(8);
    const ch = seq(8, 0x11);
    assertBytes(apdu(buildMutualAuthenticate(0x03, w, ch)), bytesOf(`0087039B16 7C14 8008 0102030405060708 8108 1112131415161718 00`));
    assertBytes(apdu(buildWitnessRequest(0x0a)), bytesOf('00870A9B04 7C028000 00'));
  });

  it('GENERAL AUTHENTICATE, sign (Yubico: 7C len1 82 00 81 len2 digest)', () => {
    const d = seq(32);
    assertBytes(apdu(buildSign(0x9c, 'P-256', d)), bytesOf(`0087119C26 7C24 8200 8120 ${hex(d)} 00`));
    const d384 = seq(48);
    assertBytes(apdu(buildSign(0x9c, 'P-384', d384)), bytesOf(`0087149C36 7C34 8200 8130 ${hex(d384)} 00`));
    assertThrows(() => buildSign(0x9c, 'P-384', seq(32)), PivInputError, 'a P-384 key signs a 48-byte digest');
  });

  it('GENERAL AUTHENTICATE, key agreement (Yubico: 7C len1 82 00 85 len2 04 X Y)', () => {
    const p = new Uint8Array(65);
    p[0] = 4;
    p.set(seq(64), 1);
    assertBytes(apdu(buildKeyAgreement(0x9d, 'P-256', p)), bytesOf(`0087119D47 7C45 8200 8541 ${hex(p)} 00`));
    assertThrows(() => buildKeyAgreement(0x9d, 'P-256', p.subarray(0, 33)), PivInputError, 'compressed points are not sent');
  });

  it('GENERATE (Yubico example: P-256, PIN once, touch always = 00 47 00 9C 0B AC 09 80 01 11 AA 01 02 AB 01 02)', () => {
    assertBytes(apdu(buildGenerate(0x9c, 'P-256', { pinPolicy: 'once', touchPolicy: 'always' })), bytesOf('0047009C0B AC09 800111 AA0102 AB0102 00'));
    assertBytes(apdu(buildGenerate(0x9d, 'P-384')), bytesOf('0047009D05 AC03 800114 00'));
    assertThrows(() => buildGenerate(0x9b, 'P-256'), PivInputError, '9B is the symmetric management key');
  });

  it('GET DATA / PUT DATA: 5C tag list, 53 wrapper, 7E as itself', () => {
    assertBytes(apdu(buildGetData(0x5fc10a)), bytesOf('00CB3FFF05 5C035FC10A 00'));
    assertBytes(apdu(buildGetData(0x7e)), bytesOf('00CB3FFF03 5C017E 00'));
    assertBytes(apdu(buildPutData(0x5fc120, bytesOf('C00100'))), bytesOf('00DB3FFF0A 5C035FC120 5303C00100'));
    const big = apdu(buildPutData(0x5fc10d, new Uint8Array(300)));
    assertBytes(big.subarray(0, 16), bytesOf('00DB3FFF 00 0135 5C035FC10D 5382012C'), 'long content: extended Lc, 53 82 01 2C');
    assertThrows(() => buildPutData(0x5fc10d, new Uint8Array(3053)), PivInputError);
  });

  it('Yubico: GET VERSION, GET SERIAL, GET METADATA, ATTEST, SET MANAGEMENT KEY (doc example 00 FF FF FF 1B 03 9B 18 …)', () => {
    assertBytes(apdu(buildGetVersion()), bytesOf('00FD000000'));
    assertBytes(apdu(buildGetSerial()), bytesOf('00F8000000'));
    assertBytes(apdu(buildGetMetadata(0x9b)), bytesOf('00F7009B00'));
    assertBytes(apdu(buildAttest(0x9c)), bytesOf('00F99C0000'));
    const key = bytesOf('0102030405060708 0807060504030201 0807060504030201');
    assertBytes(apdu(buildSetManagementKey('3DES', key)), bytesOf(`00FFFFFF1B 039B18 ${hex(key)}`));
    assertBytes(apdu(buildSetManagementKey('AES-128', key.subarray(0, 16), true)), bytesOf(`00FFFFFE13 089B10 ${hex(key.subarray(0, 16))}`));
    assertBytes(apdu(buildGetChallenge(32)), bytesOf('0084000020'));
  });
});

describe('PIV answers: parsing and strictness', () => {
  it('SELECT answer as a YubiKey gives it (61 11 4F 06 … 79 07 4F 05 A0 00 00 03 08)', () => {
    const apt = parseApplicationProperties(bytesOf('6111 4F06000010000100 79074F05A000000308'));
    assertBytes(apt.aid, bytesOf('000010000100'));
    assertBytes(apt.authority!, bytesOf('A000000308'));
    assert.lengthOf(parseApplicationProperties(new Uint8Array(0)).aid, 0, 'an empty FCI is allowed');
    assertThrows(() => parseApplicationProperties(bytesOf('6F03 840100')), PivResponseError, 'another template');
    assertThrows(() => parseApplicationProperties(bytesOf('6111 4F06000010000100 79074F05A0000003')), PivResponseError, 'cut off');
  });

  it('PIN status words: 9000 verified, 63Cx tries, 63C0 and 6983 blocked', () => {
    assert.deepEqual(pinStatusOf(0x9000), { verified: true, retriesLeft: undefined, blocked: false });
    assert.deepEqual(pinStatusOf(0x63c2), { verified: false, retriesLeft: 2, blocked: false });
    assert.deepEqual(pinStatusOf(0x63c0), { verified: false, retriesLeft: 0, blocked: true });
    assert.deepEqual(pinStatusOf(0x6983), { verified: false, retriesLeft: 0, blocked: true });
    assert.isUndefined(pinStatusOf(0x6a88));
  });

  it('witness, mutual response, signature, shared secret: exactly the expected item and size', () => {
    assertBytes(parseWitness(bytesOf('7C0A 8008 0102030405060708'), 8), seq(8));
    assertThrows(() => parseWitness(bytesOf('7C0A 8108 0102030405060708'), 8), PivResponseError, 'tag 81 instead of 80');
    assertThrows(() => parseWitness(bytesOf('7C12 8010 0102030405060708 0102030405060708'), 8), PivResponseError, '16 bytes for 3DES');
    assertBytes(parseMutualResponse(bytesOf('7C0A 8208 0102030405060708'), 8), seq(8));
    assertThrows(() => parseMutualResponse(bytesOf('7C0A 8208 0102030405060708 00'), 8), PivResponseError, 'trailing byte');
    const sig = bytesOf('3006 020101 020102');
    assertBytes(parseSignature(bytesOf('7C0A 8208 3006020101020102'), 'P-256'), sig);
    assertThrows(() => parseSignature(bytesOf('7C0A 8208 3006020181020102'), 'P-256'), PivResponseError, 'negative r is not DER ECDSA');
    assertThrows(() => parseSignature(bytesOf('7C0C 820A 3006020101020102 9000'), 'P-256'), PivResponseError, 'junk after the signature');
    assertBytes(parseSharedSecret(bytesOf(`7C22 8220 ${hex(seq(32))}`), 'P-256'), seq(32));
    assertThrows(() => parseSharedSecret(bytesOf(`7C22 8220 ${hex(seq(32))}`), 'P-384'), PivResponseError, '32 bytes for P-384');
  });

  it('generated public key: 7F49 { 86 point } of the curve', () => {
    const p = new Uint8Array(65);
    p[0] = 4;
    p.set(seq(64), 1);
    assertBytes(parseGeneratedPublicKey(bytesOf(`7F4943 8641 ${hex(p)}`), 'P-256'), p);
    assertThrows(() => parseGeneratedPublicKey(bytesOf(`7F4943 8641 ${hex(p)}`), 'P-384'), PivResponseError);
    assertThrows(() => parseGeneratedPublicKey(bytesOf(`7F4944 8641 ${hex(p)} 00`), 'P-256'), PivResponseError);
  });

  it('GET DATA answer: one 53 object (7E for discovery)', () => {
    assertBytes(parseGetData(bytesOf('5303 010203'), 0x5fc10a), bytesOf('010203'));
    assertBytes(parseGetData(bytesOf('7E03 4F0100'), 0x7e), bytesOf('4F0100'));
    assertThrows(() => parseGetData(bytesOf('5303 010203 00'), 0x5fc10a), PivResponseError);
    assertThrows(() => parseGetData(bytesOf('5403 010203'), 0x5fc10a), PivResponseError);
    assertThrows(() => parseGetData(bytesOf('538103 010203'), 0x5fc10a), PivResponseError, 'non-minimal length');
  });

  it('certificate object: 70 cert 71 00 FE 00 written; compressed, duplicated or foreign elements refused', () => {
    const cert = bytesOf('3003 020101');
    assertBytes(encodeCertificateObject(cert), bytesOf('7005 3003020101 710100 FE00'));
    assertBytes(parseCertificateObject(bytesOf('710100 7005 3003020101 FE00')), cert, 'any order');
    assertThrows(() => parseCertificateObject(bytesOf('7005 3003020101 710101 FE00')), PivResponseError, 'gzip-compressed');
    assertThrows(() => parseCertificateObject(bytesOf('7005 3003020101 7005 3003020101')), PivResponseError, 'twice');
    assertThrows(() => parseCertificateObject(bytesOf('710100 FE00')), PivResponseError, 'no certificate');
    assertThrows(() => parseCertificateObject(bytesOf('7005 3003020101 720100')), PivResponseError, 'unknown element');
  });

  it('flat TLV: one level, strict lengths and tags', () => {
    assert.deepEqual(parseFlatTlv(bytesOf('AA0102 5FC1 0A01 FF')).map((t) => t.tag), [0xaa, 0x5fc10a]);
    assertThrows(() => parseFlatTlv(bytesOf('70810100')), TlvError, 'non-minimal length');
    assertThrows(() => parseFlatTlv(bytesOf('7080 00 00')), TlvError, 'indefinite length');
    assertThrows(() => parseFlatTlv(bytesOf('7003 0102')), TlvError, 'cut off');
    assertThrows(() => parseFlatTlv(bytesOf('00 01 02')), TlvError, 'padding where a tag should be');
    assertThrows(() => parseFlatTlv(bytesOf('1F0101 00')), TlvError, 'non-minimal tag');
  });

  it('GET METADATA: PIN, management key and key slot answers; duplicates and bad sizes refused', () => {
    const pin = parseMetadata(bytesOf('0101FF 050101 06020302'));
    assert.equal(pin.algorithm, 0xff);
    assert.isTrue(pin.isDefault);
    assert.deepEqual(pin.retries, { total: 3, remaining: 2 });
    const mgmt = parseMetadata(bytesOf('01010A 02020001 050100'));
    assert.equal(mgmt.managementAlgorithm, 'AES-192');
    assert.isFalse(mgmt.isDefault);
    const p = new Uint8Array(65);
    p[0] = 4;
    const key = parseMetadata(bytesOf(`010111 02020201 030101 0443 8641 ${hex(p)}`));
    assert.equal(key.curve, 'P-256');
    assert.equal(key.pinPolicy, 'once');
    assert.equal(key.touchPolicy, 'never');
    assert.equal(key.origin, 'generated');
    assertBytes(key.publicPoint!, p);
    assertThrows(() => parseMetadata(bytesOf('0101FF 0101FF')), PivResponseError, 'algorithm twice');
    assertThrows(() => parseMetadata(bytesOf('0101FF 0603030302')), PivResponseError, 'retries of 3 bytes');
    assertThrows(() => parseMetadata(bytesOf('0101FF 06020304')), PivResponseError, 'more left than in total');
    assertThrows(() => parseMetadata(bytesOf('050101')), PivResponseError, 'no algorithm');
    assert.equal(parseMetadata(bytesOf('0101FF 07010A')).algorithm, 0xff, 'unknown elements of newer firmware are skipped');
  });

  it('version and serial', () => {
    assert.deepEqual(parseVersion(bytesOf('050704')), { major: 5, minor: 7, patch: 4 });
    assert.equal(parseSerial(bytesOf('00AE17CB')), 11409355, 'Yubico SDK example: 00AE17CB = 11409355');
    assertThrows(() => parseVersion(bytesOf('0507')), PivResponseError);
    assertThrows(() => parseSerial(bytesOf('AE17CB')), PivResponseError);
    assert.isTrue(versionAtLeast({ major: 5, minor: 7, patch: 0 }, 5, 3));
    assert.isFalse(versionAtLeast({ major: 5, minor: 2, patch: 9 }, 5, 3));
    assert.isTrue(versionAtLeast({ major: 5, minor: 3, patch: 0 }, 5, 3, 0));
  });
});

describe('ManagementKey', () => {
  it('hex with separators; the length picks the algorithm unless given; wrong lengths refused', () => {
    assert.equal(ManagementKey.fromHex('010203040506070801020304050607080102030405060708').algorithm.name, '3DES');
    assert.equal(ManagementKey.fromHex('01:02:03:04 05060708 01020304 05060708').algorithm.name, 'AES-128');
    assert.equal(ManagementKey.fromHex('00'.repeat(32)).algorithm.name, 'AES-256');
    assert.equal(ManagementKey.fromHex('00'.repeat(24), 'AES-192').algorithm.name, 'AES-192');
    assertThrows(() => ManagementKey.fromHex('00'.repeat(20)), PivInputError);
    assertThrows(() => ManagementKey.fromHex('00'.repeat(16), '3DES'), PivInputError);
    assertThrows(() => ManagementKey.fromHex('xyz'), PivInputError);
  });

  it('encrypts one block with its cipher; after wipe() it refuses', () => {
    const k = ManagementKey.fromHex('0123456789ABCDEF'.repeat(3));
    assertBytes(k.encryptBlock(bytesOf('4E6F772069732074')), bytesOf('3FA40E8A984D4815'));
    const aes = ManagementKey.fromHex('000102030405060708090a0b0c0d0e0f1011121314151617', 'AES-192');
    assertBytes(aes.decryptBlock(bytesOf('dda97ca4864cdfe06eaf70a0ec0d7191')), bytesOf('00112233445566778899aabbccddeeff'));
    k.wipe();
    assertThrows(() => k.encryptBlock(new Uint8Array(8)), PivInputError);
  });
});

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
