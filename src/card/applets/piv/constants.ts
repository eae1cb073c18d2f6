/**
 * PIV card application constants: NIST SP 800-73-4 (Parts 1 and 2), SP 800-78-4, and the
 * Yubico PIV extensions (YubiKey 4/5 firmware).
 */

/**
 * Application identifier (SP 800-73-4 Part 1 §2.2). The full AID carries the version
 * (A0 00 00 03 08 00 00 10 00 01 00); SELECT uses the AID without the version, as cards match
 * by right-truncated AID.
 */
export const PIV_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00);
/** The registered application provider identifier (NIST) the AID starts with. */
export const PIV_RID = Uint8Array.of(0xa0, 0x00, 0x00, 0x03, 0x08);

/**
 * Instructions (SP 800-73-4 Part 2 §3, Yubico PIV extensions).
 *
 *   | INS | command                              | source        |
 *   |-----|--------------------------------------|---------------|
 *   | A4  | SELECT                               | ISO 7816-4    |
 *   | 20  | VERIFY                               | SP 800-73-4   |
 *   | 24  | CHANGE REFERENCE DATA                | SP 800-73-4   |
 *   | 2C  | RESET RETRY COUNTER                  | SP 800-73-4   |
 *   | 87  | GENERAL AUTHENTICATE                 | SP 800-73-4   |
 *   | 47  | GENERATE ASYMMETRIC KEY PAIR         | SP 800-73-4   |
 *   | CB  | GET DATA                             | SP 800-73-4   |
 *   | DB  | PUT DATA                             | SP 800-73-4   |
 *   | 84  | GET CHALLENGE                        | ISO 7816-4 (not PIV; some cards) |
 *   | FD  | GET VERSION                          | Yubico        |
 *   | F8  | GET SERIAL                           | Yubico (5.0+) |
 *   | F9  | ATTEST                               | Yubico (4.3+) |
 *   | F7  | GET METADATA                         | Yubico (5.3+) |
 *   | FF  | SET MANAGEMENT KEY                   | Yubico        |
 *   | FB  | RESET (PIN and PUK both blocked)     | Yubico        |
 */
export const CLA_PIV = 0x00;
export const INS_SELECT = 0xa4;
export const INS_VERIFY = 0x20;
export const INS_CHANGE_REFERENCE_DATA = 0x24;
export const INS_RESET_RETRY_COUNTER = 0x2c;
export const INS_GENERAL_AUTHENTICATE = 0x87;
export const INS_GENERATE_ASYMMETRIC_KEY_PAIR = 0x47;
export const INS_GET_DATA = 0xcb;
export const INS_PUT_DATA = 0xdb;
export const INS_GET_CHALLENGE = 0x84;
export const INS_YK_GET_VERSION = 0xfd;
export const INS_YK_GET_SERIAL = 0xf8;
export const INS_YK_ATTEST = 0xf9;
export const INS_YK_GET_METADATA = 0xf7;
export const INS_YK_SET_MANAGEMENT_KEY = 0xff;
export const INS_YK_RESET = 0xfb;

/** SELECT by DF name (AID), first or only occurrence, FCI (here: APT) returned. */
export const SELECT_P1_BY_NAME = 0x04;
export const SELECT_P2_FIRST = 0x00;

/** GET DATA / PUT DATA: P1 P2 = 3F FF (the current application's data objects). */
export const DATA_P1 = 0x3f;
export const DATA_P2 = 0xff;

/**
 * Key references (SP 800-73-4 Part 1 Table 4b), as P2 of GENERAL AUTHENTICATE, GENERATE,
 * VERIFY, CHANGE REFERENCE DATA.
 *
 *   | ref     | key or secret                         | PIV access rule for use        |
 *   |---------|---------------------------------------|--------------------------------|
 *   | 80      | PIV Card Application PIN              | -                              |
 *   | 81      | PIN Unblocking Key (PUK)              | -                              |
 *   | 9A      | PIV Authentication key                | PIN                            |
 *   | 9B      | Card Management key (symmetric)       | -                              |
 *   | 9C      | Digital Signature key                 | PIN Always                     |
 *   | 9D      | Key Management key                    | PIN                            |
 *   | 9E      | Card Authentication key               | Always (no PIN)                |
 *   | 82..95  | Retired Key Management keys 1..20     | PIN                            |
 *   | F9      | Yubico attestation key                | - (signs attestations only)    |
 */
export const KEY_PIN = 0x80;
export const KEY_PUK = 0x81;
export const KEY_AUTHENTICATION = 0x9a;
export const KEY_CARD_MANAGEMENT = 0x9b;
export const KEY_SIGNATURE = 0x9c;
export const KEY_KEY_MANAGEMENT = 0x9d;
export const KEY_CARD_AUTHENTICATION = 0x9e;
export const KEY_RETIRED_FIRST = 0x82;
export const KEY_RETIRED_LAST = 0x95;
export const KEY_YK_ATTESTATION = 0xf9;

/** Slots that hold an asymmetric private key. */
export type PivKeySlot = number;

export function isAsymmetricSlot(slot: number): boolean {
  return (
    slot === KEY_AUTHENTICATION ||
    slot === KEY_SIGNATURE ||
    slot === KEY_KEY_MANAGEMENT ||
    slot === KEY_CARD_AUTHENTICATION ||
    (slot >= KEY_RETIRED_FIRST && slot <= KEY_RETIRED_LAST)
  );
}

/** Key-establishment slots: where PIV allows ECDH (the key management key and the retired ones). */
export function isKeyEstablishmentSlot(slot: number): boolean {
  return slot === KEY_KEY_MANAGEMENT || (slot >= KEY_RETIRED_FIRST && slot <= KEY_RETIRED_LAST);
}

/**
 * Cryptographic mechanism identifiers (SP 800-78-4 Table 6-2), as P1 of GENERAL AUTHENTICATE
 * and in the AC template of GENERATE.
 *
 *   | id | algorithm                  | block / size |
 *   |----|----------------------------|--------------|
 *   | 03 | 3-key Triple DES (ECB)     | 8            |
 *   | 08 | AES-128 (ECB)              | 16           |
 *   | 0A | AES-192 (ECB)              | 16           |
 *   | 0C | AES-256 (ECB)              | 16           |
 *   | 07 | RSA 2048                   | -            |
 *   | 11 | ECC P-256                  | 32           |
 *   | 14 | ECC P-384                  | 48           |
 */
export const ALG_3DES = 0x03;
export const ALG_AES128 = 0x08;
export const ALG_AES192 = 0x0a;
export const ALG_AES256 = 0x0c;
export const ALG_RSA2048 = 0x07;
export const ALG_ECC_P256 = 0x11;
export const ALG_ECC_P384 = 0x14;
/** GET METADATA's algorithm for the PIN and PUK. */
export const ALG_YK_PIN = 0xff;

/**
 * Dynamic authentication template (SP 800-73-4 Part 2 Table 7), the data of GENERAL
 * AUTHENTICATE:
 *
 *   7C L {
 *     80 L witness        -- 80 00 asks the card for an encrypted witness
 *     81 L challenge      -- 81 00 asks the card for a challenge; with data: the digest to sign
 *     82 L response       -- 82 00 asks for the response (signature, shared secret, encrypted challenge)
 *     85 L exponentiation -- the other party's public point for ECDH
 *   }
 */
export const TAG_DYNAMIC_AUTH = 0x7c;
export const TAG_WITNESS = 0x80;
export const TAG_CHALLENGE = 0x81;
export const TAG_RESPONSE = 0x82;
export const TAG_EXPONENTIATION = 0x85;

/**
 * GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 Part 2 §3.3.2): data AC L { 80 01 alg } plus,
 * on YubiKeys, AA 01 pin-policy and AB 01 touch-policy inside the same template. The answer
 * is 7F49 L { 86 L point } for EC keys.
 */
export const TAG_CONTROL_REFERENCE = 0xac;
export const TAG_CRT_ALGORITHM = 0x80;
export const TAG_YK_PIN_POLICY = 0xaa;
export const TAG_YK_TOUCH_POLICY = 0xab;
export const TAG_PUBLIC_KEY = 0x7f49;
export const TAG_EC_POINT = 0x86;

/** GET/PUT DATA: 5C tag list, 53 data object wrapper (SP 800-73-4 Part 2 §3.1.2, §3.3.2). */
export const TAG_TAG_LIST = 0x5c;
export const TAG_DATA = 0x53;

/**
 * X.509 certificate container (SP 800-73-4 Part 1 Table 10-15 and Appendix A):
 *
 *   53 L { 70 L certificate (DER), 71 01 CertInfo (00 = not compressed), FE 00 (error detection code, LRC) }
 */
export const TAG_CERTIFICATE = 0x70;
export const TAG_CERT_INFO = 0x71;
export const TAG_ERROR_DETECTION = 0xfe;
export const CERT_INFO_UNCOMPRESSED = 0x00;

/**
 * Application property template returned by SELECT (SP 800-73-4 Part 2 Table 3):
 *
 *   61 L { 4F L AID (PIX part), 79 L { 4F L authority AID }, [50 label], [5F50 URL], [AC algorithms] }
 */
export const TAG_APT = 0x61;
export const TAG_AID = 0x4f;
export const TAG_ALLOCATION_AUTHORITY = 0x79;
export const TAG_LABEL = 0x50;
export const TAG_URL = 0x5f50;
export const TAG_ALGORITHMS = 0xac;

/**
 * Data objects (SP 800-73-4 Part 1 Table 3) with their read access rule. Every write (PUT
 * DATA) needs the card management key (9B).
 *
 *   | tag      | container                                       | read       |
 *   |----------|-------------------------------------------------|------------|
 *   | 5FC107   | Card Capability Container                       | always     |
 *   | 5FC102   | Card Holder Unique Identifier (CHUID)           | always     |
 *   | 5FC105   | X.509 certificate for PIV Authentication (9A)   | always     |
 *   | 5FC103   | Cardholder fingerprints                         | PIN        |
 *   | 5FC106   | Security object                                 | always     |
 *   | 5FC108   | Cardholder facial image                         | PIN        |
 *   | 5FC101   | X.509 certificate for Card Authentication (9E)  | always     |
 *   | 5FC10A   | X.509 certificate for Digital Signature (9C)    | always     |
 *   | 5FC10B   | X.509 certificate for Key Management (9D)       | always     |
 *   | 5FC109   | Printed information                             | PIN        |
 *   | 7E       | Discovery object                                | always     |
 *   | 5FC10C   | Key history object                              | always     |
 *   | 5FC10D.. | Retired X.509 certificates for Key Management   | always     |
 *   | ..5FC120 |   1..20 (keys 82..95)                           |            |
 *   | 5FC121   | Cardholder iris images                          | PIN        |
 *   | 7F61     | Biometric information templates group template  | always     |
 *   | 5FC122   | Secure messaging certificate signer             | always     |
 *   | 5FC123   | Pairing code reference data container           | PIN        |
 *   | 5FFF01   | Yubico: attestation key (F9) certificate        | always     |
 */
export const OBJ_CAPABILITY_CONTAINER = 0x5fc107;
export const OBJ_CHUID = 0x5fc102;
export const OBJ_CERT_AUTHENTICATION = 0x5fc105;
export const OBJ_FINGERPRINTS = 0x5fc103;
export const OBJ_SECURITY_OBJECT = 0x5fc106;
export const OBJ_FACIAL_IMAGE = 0x5fc108;
export const OBJ_CERT_CARD_AUTHENTICATION = 0x5fc101;
export const OBJ_CERT_SIGNATURE = 0x5fc10a;
export const OBJ_CERT_KEY_MANAGEMENT = 0x5fc10b;
export const OBJ_PRINTED_INFORMATION = 0x5fc109;
export const OBJ_DISCOVERY = 0x7e;
export const OBJ_KEY_HISTORY = 0x5fc10c;
export const OBJ_RETIRED_CERT_FIRST = 0x5fc10d;
export const OBJ_RETIRED_CERT_LAST = 0x5fc120;
export const OBJ_IRIS_IMAGES = 0x5fc121;
export const OBJ_BIOMETRIC_GROUP = 0x7f61;
export const OBJ_SM_CERT_SIGNER = 0x5fc122;
export const OBJ_PAIRING_CODE = 0x5fc123;
export const OBJ_YK_ATTESTATION_CERT = 0x5fff01;

/** The certificate object of a key slot (SP 800-73-4 Part 1 Table 4b / Table 3). */
export function certificateObjectOf(slot: number): number {
  switch (slot) {
    case KEY_AUTHENTICATION:
      return OBJ_CERT_AUTHENTICATION;
    case KEY_SIGNATURE:
      return OBJ_CERT_SIGNATURE;
    case KEY_KEY_MANAGEMENT:
      return OBJ_CERT_KEY_MANAGEMENT;
    case KEY_CARD_AUTHENTICATION:
      return OBJ_CERT_CARD_AUTHENTICATION;
    default:
      if (slot >= KEY_RETIRED_FIRST && slot <= KEY_RETIRED_LAST) return OBJ_RETIRED_CERT_FIRST + (slot - KEY_RETIRED_FIRST);
      throw new RangeError(`slot ${slot.toString(16)} has no certificate object`);
  }
}

/**
 * Yubico PIN and touch policies (GENERATE tags AA/AB, GET METADATA tag 02).
 *
 *   | value | PIN policy                    | touch policy |
 *   |-------|-------------------------------|--------------|
 *   | 00    | default (of the slot)         | default      |
 *   | 01    | never                         | never        |
 *   | 02    | once per session              | always       |
 *   | 03    | always (before each use)      | cached       |
 */
export const PIN_POLICY_DEFAULT = 0x00;
export const PIN_POLICY_NEVER = 0x01;
export const PIN_POLICY_ONCE = 0x02;
export const PIN_POLICY_ALWAYS = 0x03;
export const TOUCH_POLICY_DEFAULT = 0x00;
export const TOUCH_POLICY_NEVER = 0x01;
export const TOUCH_POLICY_ALWAYS = 0x02;
export const TOUCH_POLICY_CACHED = 0x03;

export type PinPolicyName = 'default' | 'never' | 'once' | 'always';
export type TouchPolicyName = 'default' | 'never' | 'always' | 'cached';

/**
 * GET METADATA (Yubico 5.3+): 00 F7 00 <slot>, answered by a list of TLVs:
 *
 *   | tag | element              | value                                             | slots               |
 *   |-----|----------------------|---------------------------------------------------|---------------------|
 *   | 01  | algorithm            | 1 byte (FF for PIN/PUK)                           | all                 |
 *   | 02  | policy               | PIN policy, touch policy                          | keys, 9B            |
 *   | 03  | origin               | 01 generated, 02 imported                         | keys                |
 *   | 04  | public key           | 86 L point (EC)                                   | keys                |
 *   | 05  | default value        | 01 default, 00 changed                            | 80, 81, 9B          |
 *   | 06  | retries              | total, remaining                                  | 80, 81              |
 */
export const TAG_MD_ALGORITHM = 0x01;
export const TAG_MD_POLICY = 0x02;
export const TAG_MD_ORIGIN = 0x03;
export const TAG_MD_PUBLIC_KEY = 0x04;
export const TAG_MD_DEFAULT = 0x05;
export const TAG_MD_RETRIES = 0x06;
export const ORIGIN_GENERATED = 0x01;
export const ORIGIN_IMPORTED = 0x02;

/**
 * PIN and PUK (SP 800-73-4 Part 2 §2.4.3): 6 to 8 bytes, padded to 8 with FF. PIV PINs are
 * digits; YubiKeys take any printable ASCII, and so does this client.
 */
export const PIN_MIN_LENGTH = 6;
export const PIN_MAX_LENGTH = 8;
export const PIN_PAD_BYTE = 0xff;
/** VERIFY P1: 00 verify (or, without data, read the status), FF reset the verified state. */
export const VERIFY_P1_VERIFY = 0x00;
export const VERIFY_P1_RESET = 0xff;

/** The YubiKey default PIN, PUK and management key (documented factory values). */
export const YK_DEFAULT_PIN = '123456';
export const YK_DEFAULT_PUK = '12345678';
export const YK_DEFAULT_MANAGEMENT_KEY_HEX = '010203040506070801020304050607080102030405060708';

/** SET MANAGEMENT KEY P2: touch not required / required. */
export const YK_SET_MGMT_P1 = 0xff;
export const YK_SET_MGMT_NO_TOUCH = 0xff;
export const YK_SET_MGMT_TOUCH = 0xfe;

/**
 * The largest data object a YubiKey 5 stores (yubico-piv-tool's YKPIV_OBJ_MAX_SIZE: 3052
 * bytes of content inside the 53 wrapper). Records this client writes stay far below it.
 */
export const YK_MAX_OBJECT_SIZE = 3052;
