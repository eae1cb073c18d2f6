/**
 * Numbers of the OpenPGP smart card application, version 3.4 ("Functional Specification of
 * the OpenPGP application on ISO Smart Card Operating Systems", A. Pietig, 2020). Section
 * numbers below refer to that document.
 */

/**
 * §4.2.1 Application identifier (16 bytes):
 *
 *   | bytes | meaning                                  |
 *   |-------|------------------------------------------|
 *   | 1-5   | RID D2 76 00 01 24 (FSF Europe)          |
 *   | 6     | PIX application 01 = OpenPGP             |
 *   | 7-8   | version, e.g. 03 04                      |
 *   | 9-10  | manufacturer id                          |
 *   | 11-14 | serial number, unique per manufacturer   |
 *   | 15-16 | RFU 00 00                                |
 *
 * SELECT uses the first six bytes.
 */
export const OPENPGP_AID_PREFIX: Uint8Array = Uint8Array.of(0xd2, 0x76, 0x00, 0x01, 0x24, 0x01);
export const AID_LENGTH = 16;

/** §7.1 Instructions used here (CLA 00; CLA 10 marks a piece of a command chain). */
export const CLA = 0x00;
export const INS_SELECT = 0xa4;
export const INS_GET_DATA = 0xca;
export const INS_PUT_DATA = 0xda;
export const INS_VERIFY = 0x20;
export const INS_RESET_RETRY_COUNTER = 0x2c;
export const INS_PSO = 0x2a;
export const INS_GENERATE_ASYMMETRIC_KEY_PAIR = 0x47;
export const INS_GET_CHALLENGE = 0x84;
export const INS_TERMINATE_DF = 0xe6;
export const INS_ACTIVATE_FILE = 0x44;

/** SELECT by DF name (P1 04), first or only occurrence, no FCI wanted (P2 00). */
export const SELECT_P1_BY_NAME = 0x04;
export const SELECT_P2_FIRST = 0x00;

/**
 * §7.2.2 VERIFY: P1 00 checks the password in the data field (or, with no data, asks for its
 * status); P1 FF with no data resets its security status. P2 names the password:
 *
 *   | P2 | password                                                 |
 *   |----|----------------------------------------------------------|
 *   | 81 | PW1, for PSO:COMPUTE DIGITAL SIGNATURE                   |
 *   | 82 | PW1, for other commands (PSO:DECIPHER, private DO 0101 write, ...) |
 *   | 83 | PW3, the admin password                                  |
 */
export const VERIFY_P1_CHECK = 0x00;
export const VERIFY_P1_RESET = 0xff;
export const PW1_SIGN = 0x81;
export const PW1_OTHER = 0x82;
export const PW3 = 0x83;
export type PasswordReference = typeof PW1_SIGN | typeof PW1_OTHER | typeof PW3;

/** §4.3 minimum password lengths (characters/bytes). */
export const PW1_MIN_LENGTH = 6;
export const PW3_MIN_LENGTH = 8;
export const RESETTING_CODE_MIN_LENGTH = 8;

/**
 * §7.2.4 RESET RETRY COUNTER (P2 = 81, PW1):
 *   P1 00: data = resetting code ‖ new PW1
 *   P1 02: data = new PW1, after PW3 was verified
 */
export const RRC_P1_WITH_RESETTING_CODE = 0x00;
export const RRC_P1_AFTER_PW3 = 0x02;

/** §7.2.10 PSO:COMPUTE DIGITAL SIGNATURE and §7.2.11 PSO:DECIPHER, as P1 P2. */
export const PSO_CDS_P1 = 0x9e;
export const PSO_CDS_P2 = 0x9a;
export const PSO_DECIPHER_P1 = 0x80;
export const PSO_DECIPHER_P2 = 0x86;

/** §7.2.14 GENERATE ASYMMETRIC KEY PAIR: P1 80 generates (PW3), P1 81 reads the public key (always). */
export const GENERATE_P1_GENERATE = 0x80;
export const GENERATE_P1_READ = 0x81;

/**
 * §7.2.14 control reference templates naming the key:
 *
 *   | CRT | key                        | attributes DO |
 *   |-----|----------------------------|---------------|
 *   | B6  | signature key              | C1            |
 *   | B8  | decryption key             | C2            |
 *   | A4  | authentication key         | C3            |
 */
export const CRT_SIGNATURE = 0xb6;
export const CRT_DECRYPTION = 0xb8;
export const CRT_AUTHENTICATION = 0xa4;

export type KeySlot = 'signature' | 'decryption' | 'authentication';
export const KEY_SLOTS: readonly KeySlot[] = ['signature', 'decryption', 'authentication'];
export const CRT_OF: Readonly<Record<KeySlot, number>> = {
  signature: CRT_SIGNATURE,
  decryption: CRT_DECRYPTION,
  authentication: CRT_AUTHENTICATION,
};

/** §4.4.1 data objects (tags as BER-TLV numbers). */
export const DO_AID = 0x4f;
export const DO_CARDHOLDER_RELATED = 0x65;
export const DO_APPLICATION_RELATED = 0x6e;
export const DO_HISTORICAL_BYTES = 0x5f52;
export const DO_GENERAL_FEATURE_MANAGEMENT = 0x7f74;
export const DO_EXTENDED_LENGTH_INFO = 0x7f66;
export const DO_DISCRETIONARY = 0x73;
export const DO_EXTENDED_CAPABILITIES = 0xc0;
export const DO_ALGORITHM_ATTRIBUTES_SIGNATURE = 0xc1;
export const DO_ALGORITHM_ATTRIBUTES_DECRYPTION = 0xc2;
export const DO_ALGORITHM_ATTRIBUTES_AUTHENTICATION = 0xc3;
export const DO_PW_STATUS = 0xc4;
export const DO_FINGERPRINTS = 0xc5;
export const DO_KEY_INFORMATION = 0xde;
export const DO_SECURITY_SUPPORT_TEMPLATE = 0x7a;
export const DO_SIGNATURE_COUNTER = 0x93;
export const DO_CARDHOLDER_CERTIFICATE = 0x7f21;
export const DO_RESETTING_CODE = 0xd3;
export const DO_KDF = 0xf9;
export const DO_ALGORITHM_INFORMATION = 0xfa;

export const ATTRIBUTES_DO_OF: Readonly<Record<KeySlot, number>> = {
  signature: DO_ALGORITHM_ATTRIBUTES_SIGNATURE,
  decryption: DO_ALGORITHM_ATTRIBUTES_DECRYPTION,
  authentication: DO_ALGORITHM_ATTRIBUTES_AUTHENTICATION,
};

/**
 * §4.4.1 private use data objects and their access conditions:
 *
 *   | DO   | GET DATA          | PUT DATA          |
 *   |------|-------------------|-------------------|
 *   | 0101 | always            | after PW1 (82)    |
 *   | 0102 | always            | after PW3         |
 *   | 0103 | after PW1 (82)    | after PW1 (82)    |
 *   | 0104 | after PW3         | after PW3         |
 *
 * Their maximum length is in the extended capabilities (C0, "max. length of special DOs").
 */
export const DO_PRIVATE_1 = 0x0101;
export const DO_PRIVATE_2 = 0x0102;
export const DO_PRIVATE_3 = 0x0103;
export const DO_PRIVATE_4 = 0x0104;
export type PrivateDo = typeof DO_PRIVATE_1 | typeof DO_PRIVATE_2 | typeof DO_PRIVATE_3 | typeof DO_PRIVATE_4;
export const PRIVATE_DOS: readonly PrivateDo[] = [DO_PRIVATE_1, DO_PRIVATE_2, DO_PRIVATE_3, DO_PRIVATE_4];

/** Who may read and write each private DO (the table above). */
export const PRIVATE_DO_ACCESS: Readonly<Record<PrivateDo, { read: 'always' | PasswordReference; write: PasswordReference }>> = {
  [DO_PRIVATE_1]: { read: 'always', write: PW1_OTHER },
  [DO_PRIVATE_2]: { read: 'always', write: PW3 },
  [DO_PRIVATE_3]: { read: PW1_OTHER, write: PW1_OTHER },
  [DO_PRIVATE_4]: { read: PW3, write: PW3 },
};

/**
 * §4.4.3.9 algorithm attributes, first byte (algorithm id):
 *
 *   | id | algorithm                                   | rest of the DO                    |
 *   |----|---------------------------------------------|-----------------------------------|
 *   | 01 | RSA                                         | n bits (2), e bits (2), format (1) |
 *   | 12 | ECDH (decryption key)                       | curve OID [, FF = import with public key] |
 *   | 13 | ECDSA (signature and authentication keys)   | curve OID [, FF]                  |
 *   | 16 | EdDSA                                       | curve OID [, FF]                  |
 *
 * The OID is written without its tag and length (its DER contents only).
 */
export const ALG_RSA = 0x01;
export const ALG_ECDH = 0x12;
export const ALG_ECDSA = 0x13;
export const ALG_EDDSA = 0x16;
export const ALG_IMPORT_WITH_PUBLIC_KEY = 0xff;

/** §4.4.3.10 curve OIDs, DER contents (tag 06 and length left out). */
export const CURVE_OID_BYTES = {
  'P-256': Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  'P-384': Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x22),
  'P-521': Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x23),
} as const;

/** §7.2.14 public key template and its EC public point. */
export const DO_PUBLIC_KEY = 0x7f49;
export const DO_EC_PUBLIC_POINT = 0x86;
/** §7.2.11 cipher DO of PSO:DECIPHER for ECDH: A6 { 7F49 { 86 point } }. */
export const DO_CIPHER = 0xa6;

/**
 * §4.4.3.7 extended capabilities (C0), first byte:
 *
 *   | bit | meaning                                   |
 *   |-----|-------------------------------------------|
 *   | 8   | secure messaging supported                |
 *   | 7   | GET CHALLENGE supported                   |
 *   | 6   | key import supported                      |
 *   | 5   | PW status (C4) changeable                 |
 *   | 4   | private use DOs supported                 |
 *   | 3   | algorithm attributes changeable           |
 *   | 2   | PSO:DEC/ENC with AES supported            |
 *   | 1   | KDF-DO (F9) supported                     |
 */
export const EXT_CAP_SECURE_MESSAGING = 0x80;
export const EXT_CAP_GET_CHALLENGE = 0x40;
export const EXT_CAP_KEY_IMPORT = 0x20;
export const EXT_CAP_PW_STATUS_CHANGEABLE = 0x10;
export const EXT_CAP_PRIVATE_DOS = 0x08;
export const EXT_CAP_ALGORITHM_ATTRIBUTES_CHANGEABLE = 0x04;
export const EXT_CAP_AES = 0x02;
export const EXT_CAP_KDF = 0x01;

/** §4.4.3.8 PW status bytes (C4), byte 1: 00 = PW1 (81) valid for one PSO:CDS only, 01 = for several. */
export const PW1_VALID_ONCE = 0x00;
export const PW1_VALID_SEVERAL = 0x01;

/**
 * §6 card capabilities in the historical bytes: compact-TLV tag 7, length 3 ("73"); its third
 * byte: b8 command chaining, b7 extended Lc and Le, b6 extended length information (7F66).
 */
export const COMPACT_TAG_CARD_CAPABILITIES = 0x7;
export const CARD_CAP_COMMAND_CHAINING = 0x80;
export const CARD_CAP_EXTENDED_LENGTH = 0x40;

/** Status words the OpenPGP application gives that clients react to (§7.4). */
export const SW_TERMINATED = 0x6285;
export const SW_REFERENCED_DATA_NOT_FOUND = 0x6a88;
export const SW_FILE_NOT_FOUND = 0x6a82;
export const SW_INCORRECT_DATA = 0x6a80;
