import { describe, it, assert, bytesOf, hexOf, assertThrows } from '../../harness.ts';
import {
  encodeAdminBlock, decodeAdminBlock, encodeAdminRequest, decodeAdminRequest, encodeSignerInfo, decodeSignerInfo,
  encodeResponseBlock, decodeResponseBlock, encodeAdminResponse, decodeAdminResponse, encodeEccCmsSharedInfo,
  encodeKeyAgreeRecipientInfo, decodeKeyAgreeRecipientInfo, encodeKeyBlob, decodeKeyBlob, encodeBlobWithData,
  decodeBlobWithData, encodeEcSpki, decodeEcSpki, encodeAttributePairs, decodeAttributePairs, encodeDomainInfo,
  decodeDomainInfo, counterField, DerError, FieldLengthError, SignerInfoError, EnvelopeError, signerInfoCurve,
  checkSignerInfoForCurve, Command, Query, MAX_WRAP_DATA,
} from '../../../src/cryptounit/protocol/index.ts';

/** Hex helpers for hand-assembled DER: tlv('04', 'abcd') → "0402abcd" (short or long form by hand). */
function tlv(tag: string, valueHex: string): string {
  const n = valueHex.length / 2;
  const len = n < 0x80 ? n.toString(16).padStart(2, '0') : n < 0x100 ? '81' + n.toString(16).padStart(2, '0') : '82' + n.toString(16).padStart(4, '0');
  return tag + len + valueHex;
}
const rep = (byte: string, n: number): string => byte.repeat(n);

describe('protocol codec: byte-exact encodings (assembled by hand)', () => {
  it('AdminBlock', () => {
    const der = encodeAdminBlock({
      command: Command.COMMIT_WK,
      domain: bytesOf('0000000711223344'),
      module: bytesOf(rep('aa', 8) + rep('bb', 8)),
      counter: counterField(258n),
      payload: bytesOf('cafe'),
    });
    // 6 (command) + 10 (domain) + 18 (module) + 18 (counter) + 4 (payload) = 56 = 0x38
    const expected = '3038' + '04040000000d' + '04080000000711223344' + '0410' + rep('aa', 8) + rep('bb', 8) +
      '0410' + rep('00', 14) + '0102' + '0402cafe';
    assert.equal(hexOf(der), expected);
    const back = decodeAdminBlock(der);
    assert.equal(back.command, 0x0d);
    assert.equal(hexOf(back.counter), rep('00', 14) + '0102');
    assert.equal(hexOf(back.payload), 'cafe');
  });

  it('AdminRequest with two concatenated SignerInfos', () => {
    const block = encodeAdminBlock({ command: 2, domain: new Uint8Array(8), module: new Uint8Array(16), counter: counterField(1n), payload: new Uint8Array(0) });
    const si1 = bytesOf('3003020103');
    const si2 = bytesOf('3003020104');
    const der = encodeAdminRequest({ domainIndex: 5, adminBlock: block, signerInfos: [si1, si2] });
    const expected = tlv('30', '040400010029' + '040400000005' + tlv('04', hexOf(block)) + tlv('04', '30030201033003020104'));
    assert.equal(hexOf(der), expected);
    const r = decodeAdminRequest(der);
    assert.equal(r.function, 0x00010029);
    assert.equal(r.domainIndex, 5);
    assert.deepEqual(r.signerInfos.map(hexOf), ['3003020103', '3003020104']);
  });

  it('SignerInfo v3 per curve, parameters omitted', () => {
    const ski = rep('5a', 32);
    const sig = '3006020101020102';
    const digest = { 'P-256': '608648016503040201', 'P-384': '608648016503040202', 'P-521': '608648016503040203' } as const;
    const sigAlg = { 'P-256': '2a8648ce3d040302', 'P-384': '2a8648ce3d040303', 'P-521': '2a8648ce3d040304' } as const;
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const der = encodeSignerInfo(bytesOf(ski), curve, bytesOf(sig));
      const expected = tlv('30', '020103' + tlv('80', ski) + tlv('30', tlv('06', digest[curve])) + tlv('30', tlv('06', sigAlg[curve])) + tlv('04', sig));
      assert.equal(hexOf(der), expected, curve);
      const si = decodeSignerInfo(der);
      assert.equal(signerInfoCurve(si), curve);
      checkSignerInfoForCurve(si, curve);
    }
  });

  it('SignerInfo decoding accepts NULL parameters and refuses wrong insides with SignerInfoError', () => {
    const ski = rep('11', 32);
    const withNull = tlv('30', '020103' + tlv('80', ski) + tlv('30', tlv('06', '608648016503040203') + '0500') +
      tlv('30', tlv('06', '2a8648ce3d040304') + '0500') + tlv('04', '3006020101020102'));
    assert.equal(signerInfoCurve(decodeSignerInfo(bytesOf(withNull))), 'P-521');
    const bad = [
      tlv('30', '020101' + tlv('80', ski) + tlv('30', tlv('06', '608648016503040203')) + tlv('30', tlv('06', '2a8648ce3d040304')) + tlv('04', '00')), // version 1
      tlv('30', '020103' + tlv('80', rep('11', 31)) + tlv('30', tlv('06', '608648016503040203')) + tlv('30', tlv('06', '2a8648ce3d040304')) + tlv('04', '00')), // short SKI
      tlv('30', '020103' + tlv('80', ski) + tlv('30', tlv('06', '608648016503040203') + '0401ff') + tlv('30', tlv('06', '2a8648ce3d040304')) + tlv('04', '00')), // odd params
      tlv('30', '020103' + tlv('80', ski) + tlv('30', tlv('06', '608648016503040203')) + tlv('04', '00')), // missing algorithm
      tlv('31', '020103'), // not a SEQUENCE
    ];
    for (const h of bad) assertThrows(() => decodeSignerInfo(bytesOf(h)), SignerInfoError, h.slice(0, 20));
    // algorithm pair of another curve than the signer's, and a signature too large for the curve
    const p256 = decodeSignerInfo(encodeSignerInfo(bytesOf(ski), 'P-256', bytesOf('3006020101020102')));
    assertThrows(() => checkSignerInfoForCurve(p256, 'P-521'), SignerInfoError);
    const big = decodeSignerInfo(encodeSignerInfo(bytesOf(ski), 'P-256', bytesOf('3026022101' + rep('00', 32) + '020101')));
    assertThrows(() => checkSignerInfoForCurve(big, 'P-256'), SignerInfoError);
  });

  it('ResponseBlock and AdminResponse', () => {
    const rb = encodeResponseBlock({
      command: Query.DOMAIN_INFO, domain: bytesOf('0000000001020304'), module: bytesOf(rep('01', 16)),
      counter: counterField(3n), rv: 0, payload: bytesOf('00'),
    });
    const expected = tlv('30', '040400010030' + '04080000000001020304' + tlv('04', rep('01', 16)) + tlv('04', rep('00', 15) + '03') + '040400000000' + '040100');
    assert.equal(hexOf(rb), expected);
    assert.equal(decodeResponseBlock(rb).command, Query.DOMAIN_INFO);
    const si = '3003020103';
    const ar = encodeAdminResponse({ domainIndex: 0, rv: 163, responseBlock: rb, oaSignerInfo: bytesOf(si) });
    assert.equal(hexOf(ar), tlv('30', '040400010029' + '040400000000' + '0404000000a3' + tlv('04', hexOf(rb)) + tlv('04', si)));
    const d = decodeAdminResponse(ar);
    assert.equal(d.rv, 163);
    assert.equal(hexOf(d.oaSignerInfo), si);
    // two OA SignerInfos, or none, are refused
    assertThrows(() => decodeAdminResponse(encodeAdminResponse({ domainIndex: 0, rv: 0, responseBlock: rb, oaSignerInfo: bytesOf(si + si) })), DerError);
    assertThrows(() => decodeAdminResponse(encodeAdminResponse({ domainIndex: 0, rv: 0, responseBlock: rb, oaSignerInfo: new Uint8Array(0) })), DerError);
  });

  it('ECC-CMS-SharedInfo', () => {
    const ukm = rep('07', 40);
    const expected = tlv('30', tlv('30', tlv('06', '60864801650304012d')) + tlv('a0', tlv('04', ukm)) + tlv('a2', tlv('04', '00000100')));
    assert.equal(hexOf(encodeEccCmsSharedInfo(bytesOf(ukm))), expected);
  });

  it('KeyAgreeRecipientInfo (bare, originatorKey parameters absent)', () => {
    const point = '04' + rep('21', 32) + rep('22', 32);
    const ukm = rep('33', 40);
    const ski = rep('44', 32);
    const ek = rep('55', 40);
    const der = encodeKeyAgreeRecipientInfo({ originatorPoint: bytesOf(point), ukm: bytesOf(ukm), recipientSki: bytesOf(ski), encryptedKey: bytesOf(ek) });
    const expected = tlv('30',
      '020103' +
      tlv('a0', tlv('a1', tlv('30', tlv('06', '2a8648ce3d0201')) + tlv('03', '00' + point))) +
      tlv('a1', tlv('04', ukm)) +
      tlv('30', tlv('06', '2b8104010b01') + tlv('30', tlv('06', '60864801650304012d'))) +
      tlv('30', tlv('30', tlv('a0', tlv('04', ski)) + tlv('04', ek))));
    assert.equal(hexOf(der), expected);
    const k = decodeKeyAgreeRecipientInfo(der);
    assert.equal(hexOf(k.originatorPoint), point);
    assert.deepEqual(k.originatorParams, { kind: 'absent' });
    assert.equal(hexOf(k.recipientSki), ski);
    assert.equal(hexOf(k.encryptedKey), ek);

    // NULL and curve-OID originator parameters are read; aes256-wrap NULL parameters and two recipients are refused
    const rebuild = (origin: string, kea: string, reks: string): string =>
      tlv('30', '020103' + tlv('a0', tlv('a1', origin + tlv('03', '00' + point))) + tlv('a1', tlv('04', ukm)) + kea + reks);
    const kea = tlv('30', tlv('06', '2b8104010b01') + tlv('30', tlv('06', '60864801650304012d')));
    const reks = tlv('30', tlv('30', tlv('a0', tlv('04', ski)) + tlv('04', ek)));
    assert.equal(rebuild(tlv('30', tlv('06', '2a8648ce3d0201')), kea, reks), expected);
    assert.deepEqual(decodeKeyAgreeRecipientInfo(bytesOf(rebuild(tlv('30', tlv('06', '2a8648ce3d0201') + '0500'), kea, reks))).originatorParams, { kind: 'null' });
    assert.deepEqual(decodeKeyAgreeRecipientInfo(bytesOf(rebuild(tlv('30', tlv('06', '2a8648ce3d0201') + tlv('06', '2a8648ce3d030107')), kea, reks))).originatorParams, { kind: 'curve', oid: '1.2.840.10045.3.1.7' });
    const keaNull = tlv('30', tlv('06', '2b8104010b01') + tlv('30', tlv('06', '60864801650304012d') + '0500'));
    assertThrows(() => decodeKeyAgreeRecipientInfo(bytesOf(rebuild(tlv('30', tlv('06', '2a8648ce3d0201')), keaNull, reks))), EnvelopeError);
    const twoReks = tlv('30', tlv('30', tlv('a0', tlv('04', ski)) + tlv('04', ek)).repeat(2));
    assertThrows(() => decodeKeyAgreeRecipientInfo(bytesOf(rebuild(tlv('30', tlv('06', '2a8648ce3d0201')), kea, twoReks))), EnvelopeError);
    const withDate = tlv('30', tlv('30', tlv('a0', tlv('04', ski) + tlv('18', '32303236313132383030303030305a')) + tlv('04', ek)));
    assertThrows(() => decodeKeyAgreeRecipientInfo(bytesOf(rebuild(tlv('30', tlv('06', '2a8648ce3d0201')), kea, withDate))), EnvelopeError);
    assertThrows(() => decodeKeyAgreeRecipientInfo(bytesOf(expected + '00')), EnvelopeError);
  });

  it('KeyBlob and WRAP payloads', () => {
    const blob = { keyId: bytesOf(rep('01', 16)), vp: bytesOf(rep('02', 28)), iv: bytesOf(rep('03', 12)), sealed: bytesOf(rep('04', 48)) };
    const der = encodeKeyBlob(blob);
    assert.equal(hexOf(der), tlv('30', tlv('04', rep('01', 16)) + tlv('04', rep('02', 28)) + tlv('04', rep('03', 12)) + tlv('04', rep('04', 48))));
    assert.equal(hexOf(decodeKeyBlob(der).sealed), rep('04', 48));
    assertThrows(() => decodeKeyBlob(encodeKeyBlob({ ...blob, vp: bytesOf(rep('02', 32)) })), FieldLengthError);
    const p = encodeBlobWithData({ blob, data: bytesOf('abcdef') });
    assert.equal(hexOf(decodeBlobWithData(p, MAX_WRAP_DATA).data), 'abcdef');
    const big = encodeBlobWithData({ blob, data: new Uint8Array(MAX_WRAP_DATA + 1) });
    assertThrows(() => decodeBlobWithData(big, MAX_WRAP_DATA), FieldLengthError);
  });

  it('SPKI (RFC 5480), attribute pairs, DOMAIN_INFO', () => {
    const point = '04' + rep('09', 66) + rep('0a', 66);
    const spki = encodeEcSpki('P-521', bytesOf(point));
    assert.equal(hexOf(spki), tlv('30', tlv('30', tlv('06', '2a8648ce3d0201') + tlv('06', '2b81040023')) + tlv('03', '00' + point)));
    assert.equal(decodeEcSpki(spki).curve, 'P-521');
    const compressed = tlv('30', tlv('30', tlv('06', '2a8648ce3d0201') + tlv('06', '2b81040023')) + tlv('03', '0002' + rep('09', 66)));
    assertThrows(() => decodeEcSpki(bytesOf(compressed)), DerError);
    const noCurve = tlv('30', tlv('30', tlv('06', '2a8648ce3d0201')) + tlv('03', '00' + point));
    assertThrows(() => decodeEcSpki(bytesOf(noCurve)), DerError);

    assert.equal(hexOf(encodeAttributePairs([{ index: 1, value: 2 }, { index: 2, value: 1 }])), '00000001000000020000000200000001');
    assert.deepEqual(decodeAttributePairs(bytesOf('0000000400000001')), [{ index: 4, value: 1 }]);
    assert.isUndefined(decodeAttributePairs(bytesOf('000000040000')));

    const info = decodeDomainInfo(encodeDomainInfo(bytesOf(rep('01', 32)), bytesOf(rep('02', 32)), 0x0e));
    assert.equal(info.current, 'VALID');
    assert.equal(info.next, 'FULL_COMMITTED');
    assert.equal(decodeDomainInfo(encodeDomainInfo(new Uint8Array(32), new Uint8Array(32), 0x04)).next, 'FULL_UNCOMMITTED');
    assert.equal(decodeDomainInfo(encodeDomainInfo(new Uint8Array(32), new Uint8Array(32), 0)).current, 'EMPTY');
    assertThrows(() => decodeDomainInfo(new Uint8Array(64)), FieldLengthError);
  });
});

describe('protocol codec: strictness', () => {
  const good = () => encodeAdminBlock({ command: 2, domain: new Uint8Array(8), module: new Uint8Array(16), counter: counterField(1n), payload: bytesOf('01') });

  it('refuses BER forms of an AdminBlock with DerError (rc 7)', () => {
    const g = hexOf(good());
    const body = g.slice(4);
    const variants: [string, string][] = [
      ['long-form outer length', '3081' + g.slice(2)],
      ['two-byte length', '308200' + g.slice(2)],
      ['indefinite length', '3080' + body + '0000'],
      ['trailing byte', g + '00'],
      ['constructed OCTET STRING', g.replace('040101', '2403040101').replace(/^30(..)/, (_, l) => '30' + (parseInt(l, 16) + 2).toString(16))],
      ['long-form inner length', g.replace('040101', '04810101').replace(/^30(..)/, (_, l) => '30' + (parseInt(l, 16) + 1).toString(16))],
      ['truncated', g.slice(0, -2)],
      ['SET instead of SEQUENCE', '31' + g.slice(2)],
      ['empty', ''],
    ];
    for (const [what, hex] of variants) {
      const e = assertThrows(() => decodeAdminBlock(bytesOf(hex)), DerError, what);
      assert.equal(e.rc, 7, what);
    }
  });

  it('refuses non-minimal INTEGERs, bad BOOLEANs, unsorted SETs (via SignerInfo / generic checker)', async () => {
    const { checkStrictDer } = await import('../../../src/cryptounit/protocol/index.ts');
    for (const h of ['02020001', '0202ff80', '010101', '050000', '030101', '030207ff', '3106020102020101', '1f0100', '1f800100']) {
      assertThrows(() => checkStrictDer(bytesOf(h)), DerError, h);
    }
    for (const h of ['020100', '020200ff', '0201ff', '0101ff', '0500', '030100', '03020780', '3106020101020102']) checkStrictDer(bytesOf(h));
  });

  it('refuses OBJECT IDENTIFIERs that are empty, padded with 0x80 or cut off (asn1js reads them all), and always-primitive types in constructed form', async () => {
    const { checkStrictDer } = await import('../../../src/cryptounit/protocol/index.ts');
    // 2.5.4.3 with a padded subidentifier, an empty OID, a last octet that continues, the same as RELATIVE-OID
    for (const h of ['060455800403', '0600', '0601ff', '06035584', '0d028001', '0d00']) assertThrows(() => checkStrictDer(bytesOf(h)), DerError, h);
    for (const h of ['0603550403', '06028101', '060100', '0d0100', '06092a864886f70d01010b']) checkStrictDer(bytesOf(h));
    // types that are always primitive, in constructed form: INTEGER, NULL, OBJECT IDENTIFIER, BOOLEAN, ENUMERATED
    for (const h of ['2203020103', '2500', '2603060155', '2103010101', '2a03020103']) assertThrows(() => checkStrictDer(bytesOf(h)), DerError, h);
    // types that are always constructed, in primitive form: SEQUENCE, SET, EXTERNAL, EMBEDDED PDV
    for (const h of ['1000', '1003020101', '1100', '0800', '0b00']) assertThrows(() => checkStrictDer(bytesOf(h)), DerError, h);
    // in a SignerInfo: sha512 written with a padded first subidentifier is malformed (193), not sha512
    const ski = rep('11', 32);
    const padded = tlv('30', '020103' + tlv('80', ski) + tlv('30', tlv('06', '80608648016503040203')) + tlv('30', tlv('06', '2a8648ce3d040304')) + tlv('04', '3006020101020102'));
    assertThrows(() => decodeSignerInfo(bytesOf(padded)), SignerInfoError);
  });

  it('an ENUMERATED is not an INTEGER (asn1js makes Enumerated a subclass of Integer)', () => {
    const ski = rep('11', 32);
    const si = (version: string) => tlv('30', version + tlv('80', ski) + tlv('30', tlv('06', '608648016503040203')) + tlv('30', tlv('06', '2a8648ce3d040304')) + tlv('04', '3006020101020102'));
    assert.equal(signerInfoCurve(decodeSignerInfo(bytesOf(si('020103')))), 'P-521');
    assertThrows(() => decodeSignerInfo(bytesOf(si('0a0103'))), SignerInfoError);
    const point = '04' + rep('21', 32) + rep('22', 32);
    const kari = (version: string) => tlv('30', version + tlv('a0', tlv('a1', tlv('30', tlv('06', '2a8648ce3d0201')) + tlv('03', '00' + point))) +
      tlv('a1', tlv('04', rep('33', 40))) + tlv('30', tlv('06', '2b8104010b01') + tlv('30', tlv('06', '60864801650304012d'))) +
      tlv('30', tlv('30', tlv('a0', tlv('04', rep('44', 32))) + tlv('04', rep('55', 40)))));
    decodeKeyAgreeRecipientInfo(bytesOf(kari('020103')));
    assertThrows(() => decodeKeyAgreeRecipientInfo(bytesOf(kari('0a0103'))), EnvelopeError);
  });

  it('contents asn1js cannot convert are a DerError, not an exception of asn1js', () => {
    // a KeyBlob whose first element is a GeneralizedTime of zeros: strict DER, but no time
    const der = bytesOf(tlv('30', tlv('18', rep('00', 14)) + tlv('04', rep('02', 28)) + tlv('04', rep('03', 12)) + tlv('04', rep('04', 48))));
    assert.equal(assertThrows(() => decodeKeyBlob(der), DerError).rc, 7);
    // the same KeyBlob with its SEQUENCE tag in primitive form (0x10): not a SEQUENCE
    const primitive = encodeKeyBlob({ keyId: new Uint8Array(16), vp: new Uint8Array(28), iv: new Uint8Array(12), sealed: new Uint8Array(48) });
    primitive[0] = 0x10;
    assert.equal(assertThrows(() => decodeKeyBlob(primitive), DerError).rc, 7);
  });

  it('field sizes: exact for state-changing commands, up to the size for queries (rc 33)', () => {
    const mk = (command: number, domain: number, module: number, counter: number) =>
      encodeAdminBlock({ command, domain: new Uint8Array(domain), module: new Uint8Array(module), counter: new Uint8Array(counter), payload: new Uint8Array(0) });
    assert.equal(decodeAdminBlock(mk(Query.DOMAIN_INFO, 0, 0, 0)).domain.length, 0);
    assert.equal(decodeAdminBlock(mk(Query.DOMAIN_INFO, 8, 16, 16)).counter.length, 16);
    for (const [d, m, c] of [[9, 16, 16], [8, 17, 16], [8, 16, 17]]) {
      assert.equal(assertThrows(() => decodeAdminBlock(mk(Query.DOMAIN_INFO, d, m, c)), FieldLengthError).rc, 33);
    }
    for (const [d, m, c] of [[7, 16, 16], [8, 15, 16], [8, 16, 15], [0, 0, 0]]) {
      assert.equal(assertThrows(() => decodeAdminBlock(mk(Command.DOM_ZEROIZE, d, m, c)), FieldLengthError).rc, 33);
    }
    const shortCommand = bytesOf('3007' + '0403000002' + '0400');
    assertThrows(() => decodeAdminBlock(shortCommand), DerError); // 4 of 5 fields: structure error first
    const threeByteCommand = bytesOf(tlv('30', '0403000002' + '0408' + rep('00', 8) + tlv('04', rep('00', 16)) + tlv('04', rep('00', 16)) + '0400'));
    assertThrows(() => decodeAdminBlock(threeByteCommand), FieldLengthError);
  });

  it('AdminRequest: 33 for bad function/domainIndex sizes, 7 for broken SignerInfo framing', () => {
    const block = good();
    const fn3 = bytesOf(tlv('30', '0403000100' + '040400000000' + tlv('04', hexOf(block)) + '0400'));
    assert.equal(assertThrows(() => decodeAdminRequest(fn3), FieldLengthError).rc, 33);
    const badFraming = bytesOf(tlv('30', '040400010029' + '040400000000' + tlv('04', hexOf(block)) + tlv('04', '300502')));
    assert.equal(assertThrows(() => decodeAdminRequest(badFraming), DerError).rc, 7);
    const berSignerInfo = bytesOf(tlv('30', '040400010029' + '040400000000' + tlv('04', hexOf(block)) + tlv('04', '3081030201' + '03')));
    assert.equal(assertThrows(() => decodeAdminRequest(berSignerInfo), DerError).rc, 7);
  });
});
