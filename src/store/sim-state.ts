import { aesGcmDecrypt, aesGcmEncrypt, CryptoAuthError, GCM_IV_LENGTH, randomBytes } from '../crypto/index.ts';
import { inTransaction, isConstraintError, type StoreContext } from './context.ts';
import { InvalidRecordError, NotFoundError, SimStateError } from './errors.ts';
import { checkBytes, newId } from './fields.ts';
import type { InstanceRecord } from './instances.ts';
import { INDEXES, STORES } from './schema.ts';

/**
 * Simulated unit state that survives a reload (issue 6). A simulated unit's exported state
 * holds its registers, so it is a secret: it is stored only encrypted, with AES-256-GCM under
 * a non-extractable WebCrypto key that is itself stored in IndexedDB as a CryptoKey (the
 * browser keeps the key material; script can use the key but never read it).
 *
 *   | store    | record                                                                  |
 *   |----------|-------------------------------------------------------------------------|
 *   | simKeys  | { instanceId, keyId (16-byte hex), key: CryptoKey AES-GCM 256, non-extractable, created } |
 *   | simState | { instanceId, slot, keyId, iv (12), ciphertext (ct ‖ tag 16), saved }   |
 *
 * - One key per instance, generated on the first save; reset(instanceId) deletes the
 *   instance's state rows and its key together.
 * - slot is HOST_SLOT for the instance's SimulatedHost, or a unit id of the instance.
 * - AAD = UTF-8("webtke sim-state v1" ‖ 0x00 ‖ instanceId ‖ 0x00 ‖ slot): a row moved to
 *   another instance or slot does not decrypt.
 * - A row names the keyId it was sealed under; a save whose key was replaced by a concurrent
 *   reset while it encrypted is refused ('key-changed') instead of writing an orphan row.
 */
export const HOST_SLOT = 'host';
export const SIM_STATE_AAD_LABEL = 'webtke sim-state v1';
/** Largest state accepted (the simulated unit's export is a few KiB). */
export const MAX_SIM_STATE = 8 * 1024 * 1024;

export interface SimKeyRecord {
  instanceId: string;
  keyId: string;
  key: CryptoKey;
  created: number;
}

export interface SimStateRow {
  instanceId: string;
  slot: string;
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  saved: number;
}

export interface SimStateStore {
  /** Encrypt and store the state of one slot (replacing what was there). */
  save(instanceId: string, slot: string, state: Uint8Array): Promise<void>;
  /** Decrypt the state of one slot; undefined when none was saved. SimStateError if it cannot be opened. */
  load(instanceId: string, slot: string): Promise<Uint8Array | undefined>;
  /** The slots with saved state. */
  slots(instanceId: string): Promise<string[]>;
  /** Delete the instance's saved state and its state key. */
  reset(instanceId: string): Promise<void>;
}

const encoder = new TextEncoder();

/** The AES-GCM additional data that binds a row to its instance and slot. */
export const simStateAad = (instanceId: string, slot: string): Uint8Array =>
  encoder.encode(`${SIM_STATE_AAD_LABEL}\u0000${instanceId}\u0000${slot}`);

function checkSlot(inst: InstanceRecord, slot: string): void {
  if (slot !== HOST_SLOT && !inst.units.some((u) => u.id === slot)) {
    throw new InvalidRecordError('slot', `must be "${HOST_SLOT}" or a unit id of the instance`);
  }
}

export function simStateStore(ctx: StoreContext): SimStateStore {
  /** The instance's key, made on first use (outside any transaction: WebCrypto is async). */
  async function keyFor(instanceId: string): Promise<SimKeyRecord> {
    const existing = await ctx.db().get(STORES.simKeys, instanceId);
    if (existing) return existing;
    const key = await ctx.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const rec: SimKeyRecord = { instanceId, keyId: newId(ctx.crypto), key, created: ctx.now() };
    try {
      await inTransaction(ctx, [STORES.simKeys], 'readwrite', async (tx) => {
        await tx.store.add(rec);
      });
      return rec;
    } catch (e) {
      if (!isConstraintError(e)) throw e;
      // another save made the key first: use that one
      const won = await ctx.db().get(STORES.simKeys, instanceId);
      if (!won) throw e;
      return won;
    }
  }

  return {
    async save(instanceId, slot, state) {
      const plain = checkBytes(state, 'state', MAX_SIM_STATE);
      try {
        // the slot and instance are checked again in the write transaction; this early check
        // keeps a bad call from making a key
        const inst = await ctx.db().get(STORES.instances, instanceId);
        if (!inst) throw new NotFoundError('instance', instanceId);
        if (inst.kind !== 'simulated') throw new InvalidRecordError('instanceId', 'only a simulated instance has unit state');
        checkSlot(inst, slot);
        const k = await keyFor(instanceId);
        const iv = randomBytes(ctx.crypto, GCM_IV_LENGTH);
        const ciphertext = await aesGcmEncrypt(ctx.crypto, k.key, iv, plain, simStateAad(instanceId, slot));
        const row: SimStateRow = { instanceId, slot, keyId: k.keyId, iv, ciphertext, saved: ctx.now() };
        await inTransaction(ctx, [STORES.instances, STORES.simKeys, STORES.simState], 'readwrite', async (tx) => {
          const i = await tx.objectStore(STORES.instances).get(instanceId);
          if (!i) throw new NotFoundError('instance', instanceId);
          checkSlot(i, slot);
          const current = await tx.objectStore(STORES.simKeys).get(instanceId);
          if (current?.keyId !== k.keyId) {
            throw new SimStateError(instanceId, slot, 'key-changed', 'the state key was reset while saving; save again');
          }
          await tx.objectStore(STORES.simState).put(row);
        });
      } finally {
        plain.fill(0);
      }
    },

    async load(instanceId, slot) {
      const tx = ctx.db().transaction([STORES.simState, STORES.simKeys]);
      const row = await tx.objectStore(STORES.simState).get([instanceId, slot]);
      const k = await tx.objectStore(STORES.simKeys).get(instanceId);
      if (!row) return undefined;
      if (!k) throw new SimStateError(instanceId, slot, 'missing-key', 'the state key is gone (reset?); this state cannot be opened');
      if (k.keyId !== row.keyId) throw new SimStateError(instanceId, slot, 'auth-failed', 'the state was sealed under another key');
      try {
        return await aesGcmDecrypt(ctx.crypto, k.key, row.iv, row.ciphertext, simStateAad(instanceId, slot));
      } catch (e) {
        if (e instanceof CryptoAuthError) throw new SimStateError(instanceId, slot, 'auth-failed', 'the saved state does not decrypt: wrong key, or it was changed or moved');
        throw e;
      }
    },

    async slots(instanceId) {
      const rows = await ctx.db().getAllFromIndex(STORES.simState, INDEXES.simStateByInstance, instanceId);
      return rows.map((r) => r.slot).sort();
    },

    async reset(instanceId) {
      await inTransaction(ctx, [STORES.simState, STORES.simKeys], 'readwrite', async (tx) => {
        await tx.objectStore(STORES.simState).delete(IDBKeyRange.bound([instanceId], [instanceId, []]));
        await tx.objectStore(STORES.simKeys).delete(instanceId);
      });
    },
  };
}
