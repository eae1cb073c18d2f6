import { SecretFieldError } from './errors.ts';

/**
 * The defensive "no secrets" check every repository runs before it writes (issue 6: "The
 * client app never persists a secret, password or PIN anywhere").
 *
 * The API types have no field for a secret; this guard catches the day someone spreads an
 * object that has one into a record. It walks the record (plain objects and arrays, to any
 * depth) and refuses any property whose name, split into words (camelCase, snake_case,
 * kebab-case, dots), says secret:
 *
 *   | rule                                  | refused examples                          | allowed examples           |
 *   |---------------------------------------|-------------------------------------------|----------------------------|
 *   | a word in SECRET_WORDS                | password, userPIN, pin_code, passphrase,  | pinnedRoot (word "pinned"),|
 *   |                                       | secretKey, sharedSecret, pkcs8Der, puk    | spin, opinion              |
 *   | private/priv followed by key          | privateKey, private_key, privKeyDer       | privateNote                |
 *   | master followed by key                | masterKey, master_key_bytes, masterKeyVp  | masterName                 |
 *   | "part" as the last word, or followed  | part, keyPart, partBytes, part_raw,       | partId, partVp, parts      |
 *   | by bytes/raw/value/clear/plain/data/  | clearPart, partHex                        | partDescription            |
 *   | der/hex/key                           |                                           |                            |
 *
 * "masterKeyVp" is refused on purpose: a VP field is called `vp`, `vpBefore`, `nextVp`.
 * Map keys of `fields`-style records and setting names are property names too.
 */
export const SECRET_WORDS: ReadonlySet<string> = new Set([
  'password', 'passwords', 'passwd', 'pwd', 'passphrase', 'passphrases', 'passcode',
  'pin', 'pins', 'puk', 'secret', 'secrets', 'pkcs8', 'seckey',
]);
const PART_FOLLOWERS = new Set(['bytes', 'raw', 'value', 'clear', 'plain', 'data', 'der', 'hex', 'key']);

/** Split a property name into lowercase words: "userPINCode" → ["user", "pin", "code"]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.$]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** True when a property with this name would hold a secret. */
export function isSecretName(name: string): boolean {
  const w = nameWords(name);
  for (let i = 0; i < w.length; i++) {
    const next = w[i + 1];
    if (SECRET_WORDS.has(w[i])) return true;
    if ((w[i] === 'private' || w[i] === 'priv' || w[i] === 'master') && next === 'key') return true;
    if (w[i] === 'part' && (next === undefined || PART_FOLLOWERS.has(next))) return true;
  }
  return false;
}

/**
 * Throw SecretFieldError if `record` (or anything inside it) has a secret-named property.
 * Byte arrays, CryptoKeys and other non-plain objects are leaves: their own properties are
 * not names a caller chose.
 */
export function assertNoSecrets(record: unknown, path = ''): void {
  if (Array.isArray(record)) {
    record.forEach((v, i) => assertNoSecrets(v, `${path}[${i}]`));
    return;
  }
  if (!isPlainObject(record)) return;
  for (const key of Object.keys(record)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (isSecretName(key)) throw new SecretFieldError(here);
    assertNoSecrets((record as Record<string, unknown>)[key], here);
  }
}

function isPlainObject(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
