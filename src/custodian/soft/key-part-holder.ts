import { checkImporterSpki } from '../importer-key.ts';
import { wipe, type WebCrypto } from '../../crypto/index.ts';
import { wrapPartForImporter } from '../../cryptounit/protocol/index.ts';
import { UnknownPartError } from '../errors.ts';
import type { KeyPartHolder, KeyPartInfo } from '../types.ts';
import { DuplicatePartError } from './errors.ts';
import type { KeyFileOptions } from './kdf.ts';
import { keyPartInfo, parseKeyPartFile, unsealKeyPart, type KeyPartFile } from './key-part-file.ts';

/**
 * The software custodian's key parts: the key part files the user has loaded, kept only in
 * their encrypted form. A wrap takes the file's password, decrypts the part, wraps it to each
 * importer key (wrapPartForImporter) and wipes the clear part in a `finally`, so the clear
 * part exists only inside one wrapForImporter(s) call.
 */
export class SoftKeyPartHolder implements KeyPartHolder {
  readonly #c: WebCrypto;
  readonly #opts: KeyFileOptions;
  readonly #files = new Map<string, KeyPartFile>();

  constructor(c: WebCrypto, opts: KeyFileOptions = {}) {
    this.#c = c;
    this.#opts = { ...opts };
  }

  /** Load a key part file (no password needed); returns its public info. */
  async addFile(text: string): Promise<KeyPartInfo> {
    const file = await parseKeyPartFile(this.#c, text, this.#opts);
    if (this.#files.has(file.id)) throw new DuplicatePartError(file.id);
    this.#files.set(file.id, file);
    return keyPartInfo(file);
  }

  /** Forget a loaded file; true if it was there. */
  remove(partId: string): boolean {
    return this.#files.delete(partId);
  }

  async parts(): Promise<readonly KeyPartInfo[]> {
    return [...this.#files.values()].map(keyPartInfo);
  }

  async wrapForImporter(partId: string, importerSpki: Uint8Array, password: string): Promise<Uint8Array> {
    const [envelope] = await this.wrapForImporters(partId, [importerSpki], password);
    return envelope;
  }

  async wrapForImporters(partId: string, importerSpkis: readonly Uint8Array[], password: string): Promise<Uint8Array[]> {
    const file = this.#files.get(partId);
    if (!file) throw new UnknownPartError(partId);
    if (importerSpkis.length === 0) throw new RangeError('name at least one importer key');
    // Every importer key is checked before the part is decrypted.
    for (const spki of importerSpkis) await checkImporterSpki(this.#c, spki);
    const part = await unsealKeyPart(this.#c, file, password);
    try {
      const envelopes: Uint8Array[] = [];
      for (const spki of importerSpkis) envelopes.push(await wrapPartForImporter(this.#c, spki, part));
      return envelopes;
    } finally {
      wipe(part);
    }
  }
}


export { checkImporterSpki };
