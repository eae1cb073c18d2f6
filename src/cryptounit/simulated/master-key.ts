import { constantTimeEqual } from '../../bytes/index.ts';
import {
  AES256_KEY_LENGTH, VP_COMPARED_LENGTH, importAesGcmKey, verificationPattern, wipe, type WebCrypto,
} from '../../crypto/index.ts';

/**
 * A master key as a register holds it (DESIGN §3.6): the 32 key bytes, their verification
 * pattern, and the AES-256-GCM CryptoKey imported once on first use (the key-storage hot
 * path reuses it for every blob). A MasterKey never changes; registers move whole objects.
 */
export class MasterKey {
  private gcmKey?: Promise<CryptoKey>;

  private constructor(
    private readonly raw: Uint8Array,
    /** VP (32 bytes, last 4 zero) */
    readonly vp: Uint8Array,
  ) {}

  /** Take a copy of `key`; the caller still owns and wipes its buffer. */
  static async of(c: WebCrypto, key: Uint8Array): Promise<MasterKey> {
    if (key.length !== AES256_KEY_LENGTH) throw new RangeError('a master key is 32 bytes');
    return new MasterKey(key.slice(), await verificationPattern(c, key));
  }

  /** The VP as key blobs carry it: its first 28 bytes. */
  get blobVp(): Uint8Array {
    return this.vp.subarray(0, VP_COMPARED_LENGTH);
  }

  /** Does a blob's 28-byte VP name this key? */
  isNamedBy(blobVp: Uint8Array): boolean {
    return constantTimeEqual(blobVp, this.blobVp);
  }

  aesKey(c: WebCrypto): Promise<CryptoKey> {
    if (!this.gcmKey) {
      const pending = importAesGcmKey(c, this.raw);
      this.gcmKey = pending;
      // a failed import is not remembered: the next use tries again
      pending.catch(() => {
        if (this.gcmKey === pending) this.gcmKey = undefined;
      });
    }
    return this.gcmKey;
  }

  /** A copy of the key bytes, for saving the unit's state; the caller wipes it. */
  keyBytes(): Uint8Array {
    return this.raw.slice();
  }

  /** Overwrite the key bytes once no register holds this key any more. */
  wipe(): void {
    wipe(this.raw);
  }
}
