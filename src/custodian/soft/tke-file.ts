import { bytesEqual, toHex } from '../../bytes/index.ts';
import {
  CryptoAuthError, CryptoFormatError, GCM_IV_LENGTH, GCM_TAG_LENGTH, SKI_LENGTH, aesGcmDecrypt, ecdsaSign,
  subjectKeyIdentifier, wipe, type WebCrypto,
} from '../../crypto/index.ts';
import { buildAdminCertificate, checkAdminName, parseAdminCertificate } from '../../cryptounit/protocol/index.ts';
import { CorruptFileError, LegacyRsaKeyError, WrongPasswordError } from './errors.ts';
import { parseJsonObject, readString, type JsonObject } from './json-fields.ts';
import { checkNewPassword, deriveAesKey, writeIterations, type KeyFileOptions } from './kdf.ts';
import { PemError, decodePem } from './pem.ts';
import { Sec1Error, ecPkcs8, parseSec1 } from './sec1.ts';
import { writeSignatureKeyFile } from './signature-key-file.ts';
import { importSigningKey } from './signing-key.ts';
import { SoftAdminSigner } from './soft-signer.ts';

/**
 * IBM TKE CLI signature key files (DESIGN §4), as the IBM TKE SDK reads them:
 *
 *   | field     | content                                                                |
 *   |-----------|------------------------------------------------------------------------|
 *   | keyType   | "p521ec" (absent in files of the older 2048-bit RSA keys)              |
 *   | ski       | 64 hex digits: SHA-256(04 ‖ X ‖ Y) of the P-521 public key             |
 *   | seaSalt   | hex: the PBKDF2 salt (the CLI draws 32 bytes)                          |
 *   | enckey    | hex: nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16), no additional data |
 *
 *   key       = PBKDF2-HMAC-SHA256(password as typed, UTF-8; salt; 4096 iterations; 32 bytes)
 *   plaintext = PEM "PRIVATE KEY" holding a SEC1 ECPrivateKey (DER) on P-521
 *
 * Nothing but the key is authenticated, so damage to `ski` shows after decryption (the key's
 * own SKI differs) and damage to `seaSalt` or `enckey` cannot be told from a wrong password.
 * 4096 iterations are weak: offer to re-save an imported key as a webtke file
 * (convertTkeSignatureKeyFile).
 */
export const TKE_KEY_TYPE_P521 = 'p521ec';
export const TKE_KDF_ITERATIONS = 4096;
export const TKE_CURVE = 'P-521' as const;
const FIELDS = ['keyType', 'ski', 'seaSalt', 'enckey'] as const;
const SALT_SIZE: [number, number] = [8, 64];
const MAX_ENCKEY_LENGTH = 4096;
/** The PEM labels accepted: IBM's, and the usual SEC1 one. */
const PEM_LABELS = ['PRIVATE KEY', 'EC PRIVATE KEY'] as const;

/** A parsed IBM file; the key still encrypted. */
export interface TkeSignatureKeyFile {
  ski: Uint8Array;
  salt: Uint8Array;
  /** nonce ‖ ciphertext ‖ tag */
  enckey: Uint8Array;
}

function readHex(o: JsonObject, key: string, size: [number, number]): Uint8Array {
  const text = readString(o, key);
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new CorruptFileError(key, 'must be hex digits');
  const n = text.length / 2;
  if (n < size[0] || n > size[1]) throw new CorruptFileError(key, size[0] === size[1] ? `must be ${size[0]} bytes` : `must be ${size[0]}..${size[1]} bytes`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Read the file's fields; no password needed. RSA files are refused here. */
export function parseTkeSignatureKeyFile(text: string): TkeSignatureKeyFile {
  const o = parseJsonObject(text);
  if (Object.prototype.hasOwnProperty.call(o, 'format')) {
    throw new CorruptFileError('format', 'this is a webtke key file, not an IBM TKE CLI file: open it instead of importing it');
  }
  for (const k of Object.keys(o)) {
    if (!(FIELDS as readonly string[]).includes(k)) throw new CorruptFileError(k, 'unknown field');
  }
  for (const k of FIELDS.slice(1)) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) throw new CorruptFileError(k, 'missing field');
  }
  if (!Object.prototype.hasOwnProperty.call(o, 'keyType')) throw new LegacyRsaKeyError();
  const keyType = readString(o, 'keyType');
  if (/rsa/i.test(keyType)) throw new LegacyRsaKeyError();
  if (keyType !== TKE_KEY_TYPE_P521) throw new CorruptFileError('keyType', `unknown key type "${keyType.slice(0, 20)}" (expected "${TKE_KEY_TYPE_P521}")`);
  const ski = readHex(o, 'ski', [SKI_LENGTH, SKI_LENGTH]);
  const salt = readHex(o, 'seaSalt', SALT_SIZE);
  const enckey = readHex(o, 'enckey', [GCM_IV_LENGTH + 1 + GCM_TAG_LENGTH, MAX_ENCKEY_LENGTH]);
  return { ski, salt, enckey };
}

/** The decrypted key as PKCS#8 (the caller wipes it) with its public point. */
interface DecryptedTkeKey {
  pkcs8: Uint8Array;
  publicPoint: Uint8Array;
}

async function decryptTkeKey(c: WebCrypto, file: TkeSignatureKeyFile, password: string): Promise<DecryptedTkeKey> {
  // IBM's CLI hashes the password bytes as typed: no Unicode normalization here.
  const pw = new TextEncoder().encode(password);
  let aes: CryptoKey;
  try {
    aes = await deriveAesKey(c, pw, file.salt, TKE_KDF_ITERATIONS);
  } finally {
    wipe(pw);
  }
  let pem: Uint8Array;
  try {
    pem = await aesGcmDecrypt(c, aes, file.enckey.subarray(0, GCM_IV_LENGTH), file.enckey.subarray(GCM_IV_LENGTH));
  } catch (e) {
    if (e instanceof CryptoAuthError) throw new WrongPasswordError('wrong password, or the file\'s seaSalt or enckey is damaged');
    throw e;
  }
  let sec1: Uint8Array | undefined;
  try {
    sec1 = decodePem(pem, PEM_LABELS).der;
    const k = parseSec1(sec1);
    if (k.curve !== undefined && k.curve !== TKE_CURVE) throw new Sec1Error(`the key is on ${k.curve}, not ${TKE_CURVE}`);
    if (!k.publicPoint) throw new Sec1Error('the key does not carry its public key');
    const publicPoint = k.publicPoint.slice();
    return { pkcs8: ecPkcs8(TKE_CURVE, k.d, publicPoint), publicPoint };
  } catch (e) {
    if (e instanceof PemError || e instanceof Sec1Error) throw new CorruptFileError('enckey', `the decrypted key is not a P-521 SEC1 key: ${e.message}`);
    throw e;
  } finally {
    wipe(pem, sec1);
  }
}

/** Decrypt, import as non-extractable, and check the key against the file's SKI. */
async function unlockTkeKey(
  c: WebCrypto,
  text: string,
  password: string,
): Promise<{ pkcs8: Uint8Array; publicPoint: Uint8Array; privateKey: CryptoKey; ski: Uint8Array }> {
  const file = parseTkeSignatureKeyFile(text);
  const { pkcs8, publicPoint } = await decryptTkeKey(c, file, password);
  try {
    let privateKey: CryptoKey;
    try {
      privateKey = await importSigningKey(c, TKE_CURVE, pkcs8, publicPoint);
    } catch (e) {
      if (e instanceof CryptoFormatError) throw new CorruptFileError('enckey', e.message);
      throw e;
    }
    const ski = await subjectKeyIdentifier(c, publicPoint);
    if (!bytesEqual(ski, file.ski)) {
      throw new CorruptFileError('ski', `the key's SKI is ${toHex(ski)}, the file says ${toHex(file.ski)}`);
    }
    return { pkcs8, publicPoint, privateKey, ski };
  } catch (e) {
    wipe(pkcs8);
    throw e;
  }
}

/** The name given to an imported key when none is chosen: the IBM file carries none. */
export const defaultTkeAdminName = (ski: Uint8Array): string => `IBM TKE ${toHex(ski.subarray(0, 4)).toUpperCase()}`;

export interface TkeImportOptions {
  /** administrator name for the certificate webtke builds (IBM files carry none) */
  name?: string;
}

/**
 * Import an IBM TKE CLI signature key file. The key is kept non-extractable in memory; webtke
 * builds a self-signed admin certificate for it (the unit knows admins by SKI, so it signs
 * for the same administrator as IBM's certificate). The signer's origin is 'ibm-tke-file':
 * offer convertTkeSignatureKeyFile.
 */
export async function importTkeSignatureKey(
  c: WebCrypto,
  text: string,
  password: string,
  opts: TkeImportOptions = {},
): Promise<SoftAdminSigner> {
  const k = await unlockTkeKey(c, text, password);
  try {
    const name = checkAdminName(opts.name ?? defaultTkeAdminName(k.ski));
    const certDer = await buildAdminCertificate(c, {
      name,
      curve: TKE_CURVE,
      publicPoint: k.publicPoint,
      sign: (tbs) => ecdsaSign(c, TKE_CURVE, k.privateKey, tbs),
    });
    return new SoftAdminSigner(c, await parseAdminCertificate(c, certDer), k.privateKey, 'ibm-tke-file');
  } finally {
    wipe(k.pkcs8);
  }
}

export interface TkeConvertRequest {
  /** administrator name for the certificate (default: "IBM TKE <first SKI bytes>") */
  name?: string;
  /** password of the new webtke file, at least 8 characters */
  newPassword: string;
}

/**
 * Re-save an IBM TKE CLI signature key file as a webtke signature key file (600,000 PBKDF2
 * iterations instead of 4096). Returns the new file's text and an opened signer.
 */
export async function convertTkeSignatureKeyFile(
  c: WebCrypto,
  text: string,
  password: string,
  req: TkeConvertRequest,
  opts: KeyFileOptions = {},
): Promise<{ text: string; signer: SoftAdminSigner }> {
  checkNewPassword(req.newPassword);
  writeIterations(opts);
  const k = await unlockTkeKey(c, text, password);
  try {
    const name = req.name ?? defaultTkeAdminName(k.ski);
    return await writeSignatureKeyFile(
      c,
      { name, curve: TKE_CURVE, pkcs8: k.pkcs8, publicPoint: k.publicPoint, privateKey: k.privateKey },
      req.newPassword,
      opts,
    );
  } finally {
    wipe(k.pkcs8);
  }
}
