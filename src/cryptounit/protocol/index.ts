/**
 * The crypto unit protocol (DESIGN §3): a pure codec over asn1js/pkijs plus the crypto of
 * signatures, part envelopes and certificates. Imports only crypto/ and bytes/.
 */
export * from './errors.ts';
export * from './codes.ts';
export * from './return-codes.ts';
export * from './fields.ts';
export * from './oids.ts';
export { checkStrictDer, splitDerSequence } from './der/strict.ts';
export * from './admin-block.ts';
export * from './admin-request.ts';
export * from './signer-info.ts';
export * from './response-block.ts';
export * from './admin-response.ts';
export * from './spki.ts';
export * from './shared-info.ts';
export * from './key-agree-recipient-info.ts';
export * from './part-envelope.ts';
export * from './key-blob.ts';
export * from './attributes.ts';
export * from './domain-info.ts';
export { encodeNameDer, type NameAttribute } from './certificates/name.ts';
export { buildCertificate, parseCertificate, skiOf, verifyCertificateSignature, type TbsSigner, type ParsedCertificate } from './certificates/x509.ts';
export * from './certificates/admin-certificate.ts';
export * from './certificates/oa-certificates.ts';
