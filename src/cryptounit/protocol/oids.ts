/**
 * Object identifiers used by the protocol beyond the curve table in crypto/curves.ts.
 *
 *   | name                                  | OID                       | source     |
 *   |---------------------------------------|---------------------------|------------|
 *   | id-ecPublicKey                        | 1.2.840.10045.2.1         | RFC 5480   |
 *   | dhSinglePass-stdDH-sha256kdf-scheme   | 1.3.132.1.11.1            | RFC 5753   |
 *   | id-aes256-wrap                        | 2.16.840.1.101.3.4.1.45   | RFC 3565   |
 *   | subjectKeyIdentifier                  | 2.5.29.14                 | RFC 5280   |
 *   | basicConstraints                      | 2.5.29.19                 | RFC 5280   |
 *   | keyUsage                              | 2.5.29.15                 | RFC 5280   |
 *   | id-at-organizationalUnitName          | 2.5.4.11                  | X.520      |
 *   | id-at-commonName                      | 2.5.4.3                   | X.520      |
 *   | id-at-organizationName                | 2.5.4.10                  | X.520      |
 */
export { OID_EC_PUBLIC_KEY } from '../../crypto/curves.ts';
export const OID_DH_SINGLE_PASS_STD_DH_SHA256_KDF = '1.3.132.1.11.1';
export const OID_AES256_WRAP = '2.16.840.1.101.3.4.1.45';
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_KEY_USAGE = '2.5.29.15';
export const OID_OU = '2.5.4.11';
export const OID_CN = '2.5.4.3';
export const OID_O = '2.5.4.10';
