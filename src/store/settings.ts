import { inTransaction, type StoreContext } from './context.ts';
import { InvalidRecordError } from './errors.ts';
import { STORES } from './schema.ts';
import { assertNoSecrets } from './secret-guard.ts';

/**
 * Non-secret preferences (theme, last opened instance, transcript options …), one record per
 * setting name. Values are JSON-like data; names and nested keys go through the secret guard,
 * so a setting can never be called "lastPin" or hold { password }.
 *
 *   | field   | type                                                   |
 *   |---------|--------------------------------------------------------|
 *   | key     | setting name: a letter, then letters, digits, _ . - (≤ 64) |
 *   | value   | string, finite number, boolean, null, arrays and plain objects of these |
 *   | updated | ms since 1970                                          |
 */
export type SettingValue = string | number | boolean | null | SettingValue[] | { [key: string]: SettingValue };

export interface SettingRecord {
  key: string;
  value: SettingValue;
  updated: number;
}

export interface Settings {
  get(key: string): Promise<SettingValue | undefined>;
  set(key: string, value: SettingValue): Promise<void>;
  remove(key: string): Promise<void>;
  /** All settings as one object. */
  all(): Promise<Record<string, SettingValue>>;
}

const KEY_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_DEPTH = 8;
const MAX_STRING = 10_000;

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY_RE.test(key)) throw new InvalidRecordError('key', 'a setting name is a letter, then letters, digits, _ . - (at most 64)');
  return key;
}

function checkValue(v: unknown, path: string, depth: number): SettingValue {
  if (depth > MAX_DEPTH) throw new InvalidRecordError(path, `nested deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (v.length > MAX_STRING) throw new InvalidRecordError(path, `text longer than ${MAX_STRING}`);
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InvalidRecordError(path, 'numbers must be finite');
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => checkValue(x, `${path}[${i}]`, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, SettingValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = checkValue(x, `${path}.${k}`, depth + 1);
    return out;
  }
  throw new InvalidRecordError(path, 'settings hold text, numbers, booleans, null, lists and plain objects');
}

export function settings(ctx: StoreContext): Settings {
  return {
    async get(key) {
      return (await ctx.db().get(STORES.settings, checkKey(key)))?.value;
    },

    async set(key, value) {
      const k = checkKey(key);
      assertNoSecrets({ [k]: value });
      const rec: SettingRecord = { key: k, value: checkValue(value, k, 0), updated: ctx.now() };
      await inTransaction(ctx, [STORES.settings], 'readwrite', async (tx) => {
        await tx.store.put(rec);
      });
    },

    async remove(key) {
      const k = checkKey(key);
      await inTransaction(ctx, [STORES.settings], 'readwrite', async (tx) => {
        await tx.store.delete(k);
      });
    },

    async all() {
      const out: Record<string, SettingValue> = {};
      for (const r of await ctx.db().getAll(STORES.settings)) out[r.key] = r.value;
      return out;
    },
  };
}
