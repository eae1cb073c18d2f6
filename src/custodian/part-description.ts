/**
 * Key part descriptions, as every custodian takes them: 1–128 characters, not only spaces,
 * no control or line-separator characters. Cards may allow fewer bytes on top of this.
 */
export const MAX_DESCRIPTION_LENGTH = 128;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A description that breaks the rules above. */
export class KeyPartDescriptionError extends RangeError {
  override name = 'KeyPartDescriptionError';
}

/** Returns the description unchanged, or throws KeyPartDescriptionError. */
export function checkPartDescription(description: string): string {
  if (typeof description !== 'string') throw new KeyPartDescriptionError('a key part description must be text');
  const len = [...description].length;
  if (description.trim().length === 0 || len > MAX_DESCRIPTION_LENGTH) {
    throw new KeyPartDescriptionError(`a key part description has 1–${MAX_DESCRIPTION_LENGTH} characters`);
  }
  if (CONTROL.test(description)) throw new KeyPartDescriptionError('a key part description may not contain control characters');
  return description;
}
