import { inTransaction, type StoreContext } from './context.ts';
import { NotFoundError } from './errors.ts';
import { checkId, checkKeys, checkObject, checkString, newId, normalizeVp } from './fields.ts';
import { INDEXES, STORES } from './schema.ts';
import { assertNoSecrets } from './secret-guard.ts';

/**
 * Key part metadata: what the workstation may remember about a master key part so people can
 * find and compare it (DESIGN §3.6, §4). **Never the part**: the part stays in its file or on
 * its card; this record only says which one, what it is for, and its VP.
 *
 *   | field       | type                                                                  |
 *   |-------------|-----------------------------------------------------------------------|
 *   | id          | 16-byte hex, made by the store                                        |
 *   | description | 1–200 characters, as the custodian named it                           |
 *   | vp          | 64 hex digits: the part's verification pattern (last 4 bytes zero)    |
 *   | holder      | 1–200 characters: who or what holds it ("file parts-alice.json", "PIV card 1234") |
 *   | created     | ms since 1970                                                         |
 */
export interface KeyPartRecord {
  id: string;
  description: string;
  vp: string;
  holder: string;
  created: number;
}

export interface NewKeyPart {
  description: string;
  /** 64 hex digits (or the 56-digit compared form) */
  vp: string;
  holder: string;
}

export interface KeyPartRepository {
  add(input: NewKeyPart): Promise<KeyPartRecord>;
  get(id: string): Promise<KeyPartRecord | undefined>;
  /** All part records, oldest first. */
  list(): Promise<KeyPartRecord[]>;
  /** Records with this VP (the same part seen twice, or parts to compare). */
  findByVp(vp: string): Promise<KeyPartRecord[]>;
  update(id: string, patch: { description?: string; holder?: string }): Promise<KeyPartRecord>;
  remove(id: string): Promise<void>;
}

const MAX_TEXT = 200;

export function keyPartRepository(ctx: StoreContext): KeyPartRepository {
  return {
    async add(input) {
      assertNoSecrets(input);
      const o = checkObject(input, 'key part');
      checkKeys(o, '', ['description', 'vp', 'holder']);
      const rec: KeyPartRecord = {
        id: newId(ctx.crypto),
        description: checkString(o.description, 'description', { max: MAX_TEXT }),
        vp: normalizeVp(o.vp, 'vp'),
        holder: checkString(o.holder, 'holder', { max: MAX_TEXT }),
        created: ctx.now(),
      };
      await inTransaction(ctx, [STORES.keyParts], 'readwrite', async (tx) => {
        await tx.store.add(rec);
      });
      return rec;
    },

    get: async (id) => ctx.db().get(STORES.keyParts, checkId(id, 'id')),

    async list() {
      const all = await ctx.db().getAll(STORES.keyParts);
      return all.sort((a, b) => a.created - b.created || a.description.localeCompare(b.description));
    },

    findByVp: async (vp) => ctx.db().getAllFromIndex(STORES.keyParts, INDEXES.keyPartsByVp, normalizeVp(vp, 'vp')),

    async update(id, patch) {
      assertNoSecrets(patch);
      const key = checkId(id, 'id');
      const p = checkObject(patch, 'patch');
      checkKeys(p, '', ['description', 'holder']);
      const description = p.description === undefined ? undefined : checkString(p.description, 'description', { max: MAX_TEXT });
      const holder = p.holder === undefined ? undefined : checkString(p.holder, 'holder', { max: MAX_TEXT });
      return inTransaction(ctx, [STORES.keyParts], 'readwrite', async (tx) => {
        const rec = await tx.store.get(key);
        if (!rec) throw new NotFoundError('key part', key);
        if (description !== undefined) rec.description = description;
        if (holder !== undefined) rec.holder = holder;
        await tx.store.put(rec);
        return rec;
      });
    },

    async remove(id) {
      const key = checkId(id, 'id');
      await inTransaction(ctx, [STORES.keyParts], 'readwrite', async (tx) => {
        if (!(await tx.store.get(key))) throw new NotFoundError('key part', key);
        await tx.store.delete(key);
      });
    },
  };
}
