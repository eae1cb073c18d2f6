import { HexError, fromHex } from '../../../bytes/index.ts';
import { MANAGEMENT_KEY_ALGORITHMS, type ManagementKeyAlgorithm, type ManagementKeyAlgorithmInfo } from './algorithms.ts';
import { aesDecryptBlock, aesEncryptBlock } from './cipher/aes.ts';
import { tdesDecryptBlock, tdesEncryptBlock } from './cipher/tdes.ts';
import { PivInputError } from './errors.ts';

/**
 * The card management key (key reference 9B): a symmetric key that authorises key
 * generation, PUT DATA and SET MANAGEMENT KEY. It is a secret: callers wipe() it when done,
 * and it is never logged (GENERAL AUTHENTICATE sends only ciphertexts and random values).
 */
export class ManagementKey {
  readonly #key: Uint8Array;
  #wiped = false;

  private constructor(
    readonly algorithm: ManagementKeyAlgorithmInfo,
    key: Uint8Array,
  ) {
    this.#key = key;
  }

  /** From raw bytes (copied); the length must fit the algorithm. */
  static fromBytes(algorithm: ManagementKeyAlgorithm, key: Uint8Array): ManagementKey {
    const info = MANAGEMENT_KEY_ALGORITHMS[algorithm];
    if (!info) throw new PivInputError(`unknown management key algorithm ${String(algorithm)}`);
    if (key.length !== info.keyLength) {
      throw new PivInputError(`a ${algorithm} management key is ${info.keyLength} bytes (${info.keyLength * 2} hex digits), got ${key.length}`);
    }
    return new ManagementKey(info, key.slice());
  }

  /**
   * From hex as a person types it (spaces and colons allowed). Without an algorithm the
   * length decides: 16 bytes AES-128, 32 bytes AES-256, 24 bytes 3DES (a 24-byte key may also
   * be AES-192: ask the card with GET METADATA, see PivSession.managementKeyAlgorithm).
   */
  static fromHex(hex: string, algorithm?: ManagementKeyAlgorithm): ManagementKey {
    let bytes: Uint8Array;
    try {
      bytes = fromHex(hex.trim(), { separators: true });
    } catch (e) {
      if (e instanceof HexError) throw new PivInputError(`the management key is not hex: ${e.message}`);
      throw e;
    }
    try {
      return ManagementKey.fromBytes(algorithm ?? guessAlgorithm(bytes.length), bytes);
    } finally {
      bytes.fill(0);
    }
  }

  get blockSize(): number {
    return this.algorithm.blockSize;
  }

  /** Encrypt one block (ECB). */
  encryptBlock(block: Uint8Array): Uint8Array {
    this.checkLive();
    return this.algorithm.name === '3DES' ? tdesEncryptBlock(this.#key, block) : aesEncryptBlock(this.#key, block);
  }

  /** Decrypt one block (ECB). */
  decryptBlock(block: Uint8Array): Uint8Array {
    this.checkLive();
    return this.algorithm.name === '3DES' ? tdesDecryptBlock(this.#key, block) : aesDecryptBlock(this.#key, block);
  }

  /** A copy of the key bytes, for SET MANAGEMENT KEY; the caller wipes it. */
  exportBytes(): Uint8Array {
    this.checkLive();
    return this.#key.slice();
  }

  /** The same key under another algorithm of the same length (3DES ⇄ AES-192). */
  withAlgorithm(algorithm: ManagementKeyAlgorithm): ManagementKey {
    this.checkLive();
    return ManagementKey.fromBytes(algorithm, this.#key);
  }

  /** Overwrite the key bytes; the object can no longer be used. */
  wipe(): void {
    this.#key.fill(0);
    this.#wiped = true;
  }

  private checkLive(): void {
    if (this.#wiped) throw new PivInputError('the management key was wiped');
  }
}

function guessAlgorithm(length: number): ManagementKeyAlgorithm {
  if (length === 16) return 'AES-128';
  if (length === 24) return '3DES';
  if (length === 32) return 'AES-256';
  throw new PivInputError(`a management key is 16, 24 or 32 bytes (32, 48 or 64 hex digits), got ${length}`);
}
