import { CorruptFileError } from './errors.ts';
import { readInteger, type JsonObject } from './json-fields.ts';

/** The `format` values of webtke key files. */
export const SIGNATURE_KEY_FORMAT = 'webtke-signature-key';
export const KEY_PART_FORMAT = 'webtke-key-part';
export const FILE_VERSION = 1;

const KIND_NAMES: Record<string, string> = {
  [SIGNATURE_KEY_FORMAT]: 'a webtke signature key file',
  [KEY_PART_FORMAT]: 'a webtke key part file',
};

/**
 * Check `format` and `version` first, so a file of another kind is named as such instead of
 * failing on its first unexpected field.
 */
export function checkFileKind(o: JsonObject, format: string, version: number): void {
  if (!Object.prototype.hasOwnProperty.call(o, 'format')) {
    if (Object.prototype.hasOwnProperty.call(o, 'keyType') || Object.prototype.hasOwnProperty.call(o, 'enckey')) {
      throw new CorruptFileError('format', `this looks like an IBM TKE CLI signature key file, not ${KIND_NAMES[format]}: import it instead`);
    }
    throw new CorruptFileError('format', 'missing field');
  }
  const f = o.format;
  if (typeof f !== 'string') throw new CorruptFileError('format', 'must be a string');
  if (f !== format) {
    const other = KIND_NAMES[f];
    throw new CorruptFileError('format', other ? `this is ${other}, not ${KIND_NAMES[format]}` : `unknown file format "${f.slice(0, 40)}"`);
  }
  if (!Object.prototype.hasOwnProperty.call(o, 'version')) throw new CorruptFileError('version', 'missing field');
  const v = readInteger(o, 'version', 0, Number.MAX_SAFE_INTEGER);
  if (v !== version) throw new CorruptFileError('version', `version ${v} is not supported (this webtke reads version ${version})`);
}
