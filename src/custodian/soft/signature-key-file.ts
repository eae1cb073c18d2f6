import { bytesEqual } from '../../bytes/index.ts';
import {
  CryptoFormatError, ecdsaSign, exportPkcs8, exportPublicPoint, generateEcKeyPair, isCurveName, wipe, type CurveName,
  type WebCrypto,
} from '../../crypto/index.ts';
import {
  buildAdminCertificate, checkAdminName, parseAdminCertificate, ProtocolDecodeError, type AdminCertificate,
} from '../../cryptounit/protocol/index.ts';
import { encodeBase64 } from './base64.ts';
import { CorruptFileError } from './errors.ts';
import { FILE_VERSION, SIGNATURE_KEY_FORMAT, checkFileKind } from './file-kind.ts';
import { checkExactKeys, parseJsonObject, readBase64, readString } from './json-fields.ts';
import { checkNewPassword, writeIterations, type KeyFileOptions } from './kdf.ts';
import {
  checkChecksum, checkIterations, checksumOf, cipherJson, fileText, kdfJson, readChecksum, readCipher, readKdf, seal,
  unseal, type CipherFields, type KdfFields,
} from './sealed.ts';
import { importSigningKey } from './signing-key.ts';
import { SoftAdminSigner, type SoftSignerOrigin } from './soft-signer.ts';

/**
 * The webtke signature key file (docs/key-files.md):
 *
 *   {
 *     "format": "webtke-signature-key", "version": 1,
 *     "name": <admin name, = certificate CN>, "curve": "P-256" | "P-384" | "P-521",
 *     "ski": <base64, 32 bytes>, "certificate": <base64 DER of the admin certificate>,
 *     "kdf": {...}, "cipher": {...}, "checksum": <base64>      -- see sealed.ts
 *   }
 *
 * The plaintext is the PKCS#8 PrivateKeyInfo of the admin key. Before any decryption the
 * certificate is fully checked (parseAdminCertificate) and name, curve and SKI must match
 * it, so damage to those fields is a CorruptFileError naming the field.
 */
export const DEFAULT_ADMIN_CURVE: CurveName = 'P-521';
const TOP_KEYS = ['format', 'version', 'name', 'curve', 'ski', 'certificate', 'kdf', 'cipher', 'checksum'] as const;
const MAX_CERTIFICATE_LENGTH = 4096;
/** PKCS#8 of an EC key: about 67 (P-256 without public key) to 241 (P-521 with it) bytes. */
const PKCS8_SIZE: [number, number] = [32, 1024];

/** A parsed signature key file: public facts checked, private key still encrypted. */
export interface SignatureKeyFile {
  name: string;
  curve: CurveName;
  ski: Uint8Array;
  certificate: AdminCertificate;
  kdf: KdfFields;
  cipher: CipherFields;
}

const headerOf = (name: string, curve: CurveName, ski: Uint8Array, certificate: Uint8Array): (string | number)[] => [
  SIGNATURE_KEY_FORMAT, FILE_VERSION, name, curve, encodeBase64(ski), encodeBase64(certificate),
];

/** The file text for a certificate and its sealed key. */
async function renderFile(c: WebCrypto, cert: AdminCertificate, kdf: KdfFields, cipher: CipherFields): Promise<string> {
  const checksum = await checksumOf(c, headerOf(cert.name, cert.curve, cert.ski, cert.der), kdf, cipher);
  return fileText({
    format: SIGNATURE_KEY_FORMAT,
    version: FILE_VERSION,
    name: cert.name,
    curve: cert.curve,
    ski: encodeBase64(cert.ski),
    certificate: encodeBase64(cert.der),
    kdf: kdfJson(kdf),
    cipher: cipherJson(cipher),
    checksum: encodeBase64(checksum),
  });
}

async function parseCertificateField(c: WebCrypto, der: Uint8Array): Promise<AdminCertificate> {
  try {
    return await parseAdminCertificate(c, der);
  } catch (e) {
    if (e instanceof ProtocolDecodeError || e instanceof CryptoFormatError) {
      throw new CorruptFileError('certificate', `not a valid admin certificate (${e.message})`);
    }
    throw e;
  }
}

/** Read and check everything that can be checked without the password. */
export async function parseSignatureKeyFile(c: WebCrypto, text: string, opts: KeyFileOptions = {}): Promise<SignatureKeyFile> {
  const o = parseJsonObject(text);
  checkFileKind(o, SIGNATURE_KEY_FORMAT, FILE_VERSION);
  checkExactKeys(o, TOP_KEYS);
  const name = readString(o, 'name');
  const curve = readString(o, 'curve');
  if (!isCurveName(curve)) throw new CorruptFileError('curve', 'must be "P-256", "P-384" or "P-521"');
  const ski = readBase64(o, 'ski', 32);
  const certDer = readBase64(o, 'certificate', [1, MAX_CERTIFICATE_LENGTH]);
  const kdf = readKdf(o);
  const cipher = readCipher(o, PKCS8_SIZE);
  const checksum = readChecksum(o);

  const certificate = await parseCertificateField(c, certDer);
  if (certificate.name !== name) throw new CorruptFileError('name', 'does not match the certificate\'s CN');
  if (certificate.curve !== curve) throw new CorruptFileError('curve', 'does not match the certificate\'s key');
  if (!bytesEqual(certificate.ski, ski)) throw new CorruptFileError('ski', 'does not match the certificate\'s key');
  await checkChecksum(c, headerOf(name, curve, ski, certDer), kdf, cipher, checksum);
  checkIterations(kdf, opts);
  return { name, curve, ski, certificate, kdf, cipher };
}

/** Decrypt a parsed file's key into a signer (non-extractable key). */
export async function unlockSignatureKeyFile(c: WebCrypto, file: SignatureKeyFile, password: string): Promise<SoftAdminSigner> {
  const cert = file.certificate;
  const pkcs8 = await unseal(c, password, file.kdf, file.cipher, headerOf(file.name, file.curve, file.ski, cert.der));
  try {
    const key = await importSigningKey(c, file.curve, pkcs8, cert.publicPoint);
    return new SoftAdminSigner(c, cert, key, 'webtke-file');
  } catch (e) {
    if (e instanceof CryptoFormatError) throw new CorruptFileError('cipher.ciphertext', e.message);
    throw e;
  } finally {
    wipe(pkcs8);
  }
}

/** Open a webtke signature key file with its password. */
export async function openSignatureKeyFile(
  c: WebCrypto,
  text: string,
  password: string,
  opts: KeyFileOptions = {},
): Promise<SoftAdminSigner> {
  return unlockSignatureKeyFile(c, await parseSignatureKeyFile(c, text, opts), password);
}

/** What writing a signature key file needs; `pkcs8` stays the caller's to wipe. */
export interface SignatureKeyMaterial {
  name: string;
  curve: CurveName;
  /** PKCS#8 of the private key */
  pkcs8: Uint8Array;
  publicPoint: Uint8Array;
  /** the same private key, non-extractable, already checked against publicPoint */
  privateKey: CryptoKey;
}

/**
 * Build the admin certificate and the encrypted file for a key. Returns the file text and an
 * opened signer. Shared by key generation and by re-saving imported IBM keys.
 */
export async function writeSignatureKeyFile(
  c: WebCrypto,
  k: SignatureKeyMaterial,
  password: string,
  opts: KeyFileOptions = {},
  origin: SoftSignerOrigin = 'webtke-file',
): Promise<{ text: string; signer: SoftAdminSigner }> {
  const name = checkAdminName(k.name);
  checkNewPassword(password);
  const iterations = writeIterations(opts);
  const certDer = await buildAdminCertificate(c, {
    name,
    curve: k.curve,
    publicPoint: k.publicPoint,
    sign: (tbs) => ecdsaSign(c, k.curve, k.privateKey, tbs),
  });
  const cert = await parseAdminCertificate(c, certDer);
  const { kdf, cipher } = await seal(c, password, k.pkcs8, iterations, headerOf(cert.name, cert.curve, cert.ski, cert.der));
  const text = await renderFile(c, cert, kdf, cipher);
  return { text, signer: new SoftAdminSigner(c, cert, k.privateKey, origin) };
}

export interface NewSignatureKey {
  /** administrator name, 1–30 characters (the certificate CN) */
  name: string;
  /** P-521 unless asked */
  curve?: CurveName;
  /** at least 8 characters */
  password: string;
}

/**
 * Generate an admin key and its self-signed certificate, and write it as a webtke signature
 * key file. Returns the file text (for the user to save) and the opened signer.
 */
export async function createSignatureKey(
  c: WebCrypto,
  req: NewSignatureKey,
  opts: KeyFileOptions = {},
): Promise<{ text: string; signer: SoftAdminSigner }> {
  const name = checkAdminName(req.name);
  const curve = req.curve ?? DEFAULT_ADMIN_CURVE;
  if (!isCurveName(curve)) throw new RangeError('curve must be P-256, P-384 or P-521');
  checkNewPassword(req.password);
  writeIterations(opts);
  // Extractable only long enough to export the PKCS#8 once; the signer gets a non-extractable copy.
  const pair = await generateEcKeyPair(c, curve, 'ECDSA', true);
  const pkcs8 = await exportPkcs8(c, pair.privateKey);
  try {
    const publicPoint = await exportPublicPoint(c, pair.publicKey);
    const privateKey = await importSigningKey(c, curve, pkcs8, publicPoint);
    return await writeSignatureKeyFile(c, { name, curve, pkcs8, publicPoint, privateKey }, req.password, opts);
  } finally {
    wipe(pkcs8);
  }
}

/** Re-encrypt a signature key file under a new password (same key and certificate). */
export async function changeSignatureKeyPassword(
  c: WebCrypto,
  text: string,
  oldPassword: string,
  newPassword: string,
  opts: KeyFileOptions = {},
): Promise<string> {
  checkNewPassword(newPassword);
  const file = await parseSignatureKeyFile(c, text, opts);
  const header = headerOf(file.name, file.curve, file.ski, file.certificate.der);
  const pkcs8 = await unseal(c, oldPassword, file.kdf, file.cipher, header);
  try {
    await importSigningKey(c, file.curve, pkcs8, file.certificate.publicPoint).catch((e: unknown) => {
      throw e instanceof CryptoFormatError ? new CorruptFileError('cipher.ciphertext', e.message) : e;
    });
    const { kdf, cipher } = await seal(c, newPassword, pkcs8, writeIterations(opts), header);
    return await renderFile(c, file.certificate, kdf, cipher);
  } finally {
    wipe(pkcs8);
  }
}
