/**
 * Attestation as a YubiKey does it (Yubico PIV attestation): a per-card attestation key in
 * slot F9 with a certificate in data object 5FFF01, and ATTEST <slot> issuing an X.509
 * certificate for a key generated on the card, signed by the F9 key, with Yubico's
 * extensions:
 *
 *   | OID                      | value                                   |
 *   |--------------------------|-----------------------------------------|
 *   | 1.3.6.1.4.1.41482.3.3    | firmware version: 3 bytes               |
 *   | 1.3.6.1.4.1.41482.3.7    | serial number: DER INTEGER              |
 *   | 1.3.6.1.4.1.41482.3.8    | PIN policy, touch policy: 2 bytes       |
 *   | 1.3.6.1.4.1.41482.3.9    | form factor: 1 byte                     |
 *
 * The real F9 certificate is issued by Yubico's CA; the virtual one is self-signed.
 */
import { buildCertificate } from '../../../src/cryptounit/protocol/index.ts';
import type { WebCrypto } from '../../../src/crypto/index.ts';
import { OID_CN, OID_O } from '../../../src/cryptounit/protocol/oids.ts';
import { signMessage, type VirtualEcKey } from './ec.ts';

export const OID_YK_FIRMWARE = '1.3.6.1.4.1.41482.3.3';
export const OID_YK_SERIAL = '1.3.6.1.4.1.41482.3.7';
export const OID_YK_POLICY = '1.3.6.1.4.1.41482.3.8';
export const OID_YK_FORM_FACTOR = '1.3.6.1.4.1.41482.3.9';
export const ATTESTATION_ISSUER_CN = 'Virtual PIV Attestation';
/** Form factor 0x01: USB-A keychain. */
const FORM_FACTOR = 0x01;

function serialInteger(serial: number): Uint8Array {
  const bytes = [(serial >>> 24) & 0xff, (serial >>> 16) & 0xff, (serial >>> 8) & 0xff, serial & 0xff];
  while (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) bytes.shift();
  if (bytes[0] & 0x80) bytes.unshift(0);
  return Uint8Array.from([0x02, bytes.length, ...bytes]);
}

function positiveSerial(c: WebCrypto): Uint8Array {
  const s = new Uint8Array(16);
  c.getRandomValues(s);
  s[0] = (s[0] & 0x7f) | 0x01;
  return s;
}

const YEAR_MS = 365.25 * 86400e3;

/** The attestation key's self-signed certificate (object 5FFF01's certificate). */
export function attestationRootCertificate(c: WebCrypto, f9: VirtualEcKey): Promise<Uint8Array> {
  const dn = [
    { type: OID_O, value: 'webtke test' },
    { type: OID_CN, value: ATTESTATION_ISSUER_CN },
  ];
  const notBefore = new Date(Date.UTC(2024, 0, 1));
  return buildCertificate(
    {
      serial: positiveSerial(c),
      issuer: dn,
      subject: dn,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 20 * YEAR_MS),
      subjectKey: { curve: f9.curve, point: f9.point },
      signerCurve: f9.curve,
      extensions: [],
    },
    async (tbs) => signMessage(c, f9, tbs),
  );
}

export interface AttestedKey {
  slot: number;
  key: VirtualEcKey;
  pinPolicy: number;
  touchPolicy: number;
}

/** ATTEST: a certificate for `k` signed by the F9 key. */
export function attestationCertificate(
  c: WebCrypto,
  f9: VirtualEcKey,
  k: AttestedKey,
  firmware: readonly [number, number, number],
  serial: number,
): Promise<Uint8Array> {
  const issuer = [
    { type: OID_O, value: 'webtke test' },
    { type: OID_CN, value: ATTESTATION_ISSUER_CN },
  ];
  const subject = [{ type: OID_CN, value: `YubiKey PIV Attestation ${k.slot.toString(16)}` }];
  const notBefore = new Date(Date.UTC(2024, 0, 1));
  return buildCertificate(
    {
      serial: positiveSerial(c),
      issuer,
      subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 20 * YEAR_MS),
      subjectKey: { curve: k.key.curve, point: k.key.point },
      signerCurve: f9.curve,
      extensions: [
        { oid: OID_YK_FIRMWARE, critical: false, value: Uint8Array.from(firmware) },
        { oid: OID_YK_SERIAL, critical: false, value: serialInteger(serial) },
        { oid: OID_YK_POLICY, critical: false, value: Uint8Array.of(k.pinPolicy, k.touchPolicy) },
        { oid: OID_YK_FORM_FACTOR, critical: false, value: Uint8Array.of(FORM_FACTOR) },
      ],
    },
    async (tbs) => signMessage(c, f9, tbs),
  );
}
