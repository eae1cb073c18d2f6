/**
 * A rough strength hint for a new key file password: an estimate from length and character
 * variety, in words. It only guides; the custodian enforces the minimum (8 characters), and
 * the file's PBKDF2 (600,000 iterations) slows guessing further.
 */
export interface PasswordHint {
  level: 'empty' | 'too-short' | 'weak' | 'fair' | 'strong';
  words: string;
}

export const MIN_PASSWORD = 8;

export function passwordHint(pw: string): PasswordHint {
  const chars = [...pw];
  if (chars.length === 0) return { level: 'empty', words: `At least ${MIN_PASSWORD} characters; a passphrase of several words is best.` };
  if (chars.length < MIN_PASSWORD) return { level: 'too-short', words: `Too short: at least ${MIN_PASSWORD} characters.` };
  let pool = 0;
  if (/[a-z]/.test(pw)) pool += 26;
  if (/[A-Z]/.test(pw)) pool += 26;
  if (/[0-9]/.test(pw)) pool += 10;
  if (/[^A-Za-z0-9]/.test(pw)) pool += 33;
  const distinct = new Set(chars).size;
  // repeated characters add little: count the distinct ones fully and the rest at a quarter
  const effective = distinct + (chars.length - distinct) / 4;
  const bits = effective * Math.log2(Math.max(pool, 2));
  if (bits < 45) return { level: 'weak', words: 'Weak: easy to guess. Use a longer passphrase.' };
  if (bits < 70) return { level: 'fair', words: 'Fair. A longer passphrase would be stronger.' };
  return { level: 'strong', words: 'Strong.' };
}
