/**
 * Key storage of a simulated instance (DESIGN §3.8), driven through the units:
 *
 *   | operation  | how                                                                                   |
 *   |------------|---------------------------------------------------------------------------------------|
 *   | list       | every record with the VP it is under (and a staged VP), and which units can open it   |
 *   | generate   | GENERATE_KEY on the first unit, stored with its VP; refused (KeyCreationBlockedError) while a rotation is open, a new register is loaded anywhere, or the units' current keys differ |
 *   | test       | WRAP random bytes on one unit, UNWRAP them on every unit that holds the key's VP      |
 *   | reencipher | REENCRYPT in batches (≤ 1024 blobs each) on one unit with current = the keys' VP and the new register committed; each batch staged in the store beside the old blobs; progress through consent; resumable: a new run takes only records still unstaged |
 *   | promote    | after every unit is finalized: every record takes its staged blob (all or nothing)    |
 *   | abandon    | drop the staged blobs (the new register was cleared)                                  |
 *
 * REENCRYPT batches are journaled like commands (intent before, result after).
 */
import { bytesEqual, groupedHex, toHex } from '../bytes/index.ts';
import { randomBytes } from '../crypto/index.ts';
import { decodeKeyBlob, KeyStorageOp } from '../cryptounit/protocol/index.ts';
import { RotationError, type KeyRecord, type KeyStorage, type RotationStatus } from '../store/index.ts';
import type { EngineContext } from './context.ts';
import { analyzeDrift } from './drift.ts';
import { KeyCreationBlockedError, PreconditionError } from './errors.ts';
import { keyProgress } from './progress.ts';
import { describeFailure, normalizeVpHex, reachableUnits, unreachableUnits, type InstanceSnapshot, type ReachableUnit, type UnitFailure, type VpHex } from './snapshot.ts';
import { linkOf, type StepExecution } from './step-runner.ts';

export interface KeyView {
  keyId: string;
  label: string;
  created: number;
  /** the VP the stored blob is under */
  vp: VpHex;
  /** during a rotation: the VP of the staged copy */
  stagedVp?: VpHex;
  /** units whose current master key opens the stored blob */
  openableOn: string[];
}

export interface KeyTestResult {
  keyId: string;
  /** the unit that wrapped the test data */
  wrappedOn: string;
  /** every unit holding the key's VP: did it unwrap the same bytes? */
  unwrap: { unitId: string; ok: boolean; error?: UnitFailure }[];
}

export const KEY_ID_BYTES = 16;
const TEST_DATA_BYTES = 32;
const short = (vp: string): string => `${vp.slice(0, 8).toUpperCase()}…`;

export class KeyStorageService {
  private readonly ks: KeyStorage;

  constructor(private readonly ctx: EngineContext) {
    if (!ctx.keyStorage) throw new PreconditionError('key storage', 'no-key-storage', 'a remote instance keeps its key storage on its host');
    this.ks = ctx.keyStorage;
  }

  private get instanceId(): string {
    return this.ctx.instance.id;
  }

  /** Every record with its VP, and which units (of `snapshot`, or queried now) open it. */
  async list(snapshot?: InstanceSnapshot): Promise<KeyView[]> {
    const s = snapshot ?? (await this.ctx.refresh());
    const units = reachableUnits(s);
    return (await this.ks.list(this.instanceId)).map((r) => this.view(r, units));
  }

  private view(r: KeyRecord, units: readonly ReachableUnit[]): KeyView {
    const vp = normalizeVpHex(r.vp);
    return {
      keyId: r.keyId,
      label: r.label,
      created: r.created,
      vp,
      ...(r.nextVp ? { stagedVp: normalizeVpHex(r.nextVp) } : {}),
      openableOn: units.filter((u) => u.current.vp === vp).map((u) => u.unitId),
    };
  }

  /** Why a key cannot be created in this state, or null. */
  static creationBlock(s: InstanceSnapshot): KeyCreationBlockedError | null {
    if (unreachableUnits(s).length) return new KeyCreationBlockedError('unreachable', 'some units do not answer: reconnect first');
    const units = reachableUnits(s);
    if (s.storage?.rotation) return new KeyCreationBlockedError('rotation-open', 'a key storage rotation is open: finish it (or abandon it) before creating keys');
    if (units.some((u) => u.next.state !== 'EMPTY')) return new KeyCreationBlockedError('new-register-loaded', 'a new master key is loaded on some unit: finish or clear the rotation before creating keys');
    const currents = new Set(units.map((u) => u.current.vp));
    if (currents.has(null)) return new KeyCreationBlockedError('no-master-key', 'not every unit has a current master key');
    if (currents.size !== 1 || analyzeDrift(s).findings.length) return new KeyCreationBlockedError('units-differ', 'the units differ: follow the next safe action first');
    return null;
  }

  /** GENERATE_KEY on the first unit; the record names the VP it is under. */
  async generate(label: string, snapshot?: InstanceSnapshot): Promise<KeyView> {
    const s = snapshot ?? (await this.ctx.refresh());
    const block = KeyStorageService.creationBlock(s);
    if (block) throw block;
    const units = reachableUnits(s);
    const unit = units[0];
    const keyId = randomBytes(this.ctx.crypto, KEY_ID_BYTES);
    const blob = await linkOf(this.ctx, unit.unitId).client.generateKey(keyId);
    const vp = normalizeVpHex(toHex(decodeKeyBlob(blob).vp));
    if (vp !== unit.current.vp) throw new KeyCreationBlockedError('units-differ', `the unit made a blob under ${short(vp)}, not its current ${short(unit.current.vp!)}`);
    let rec: KeyRecord;
    try {
      rec = await this.ks.add(this.instanceId, { label, blob });
    } catch (e) {
      if (e instanceof RotationError && e.problem === 'rotation-open') throw new KeyCreationBlockedError('rotation-open', e.message);
      throw e;
    }
    await this.ctx.journal.note(`key "${label}" generated under ${groupedHex(decodeKeyBlob(blob).vp)}`, { keyId: rec.keyId, vp, label }, unit.unitId);
    return this.view(rec, units);
  }

  /** WRAP random data with the key on one unit, UNWRAP it on every unit holding the key's VP. */
  async test(keyId: string, snapshot?: InstanceSnapshot): Promise<KeyTestResult> {
    const rec = await this.ks.get(this.instanceId, keyId);
    if (!rec) throw new PreconditionError('test key', 'state', `no key ${keyId}`);
    const s = snapshot ?? (await this.ctx.refresh());
    const vp = normalizeVpHex(rec.vp);
    const holders = reachableUnits(s).filter((u) => u.current.vp === vp);
    if (holders.length === 0) throw new PreconditionError('test key', 'state', `no reachable unit has the master key ${short(vp)} this key is under`);
    const data = randomBytes(this.ctx.crypto, TEST_DATA_BYTES);
    const wrapped = await linkOf(this.ctx, holders[0].unitId).client.wrap(rec.blob, data);
    const unwrap: KeyTestResult['unwrap'] = [];
    for (const u of holders) {
      try {
        const back = await linkOf(this.ctx, u.unitId).client.unwrap(rec.blob, wrapped);
        unwrap.push({ unitId: u.unitId, ok: bytesEqual(back, data) });
      } catch (e) {
        unwrap.push({ unitId: u.unitId, ok: false, error: describeFailure(e) });
      }
    }
    return { keyId: rec.keyId, wrappedOn: holders[0].unitId, unwrap };
  }

  /**
   * Re-encipher every record not yet staged under the unit's committed new key, in batches.
   * Opens (or resumes) the store's rotation from the unit's current VP to its new VP.
   */
  async reencipher(exec: StepExecution, unit: ReachableUnit): Promise<RotationStatus> {
    const info = exec.info;
    const from = unit.current.vp;
    const to = unit.next.vp;
    if (!from || unit.next.state !== 'FULL_COMMITTED' || !to) {
      throw new PreconditionError(info.title, 'state', `${unit.label} needs a current master key and a committed new one to re-encipher`, [unit.unitId]);
    }
    let status: RotationStatus;
    try {
      status = await this.ks.beginRotation(this.instanceId, { fromVp: from, toVp: to });
    } catch (e) {
      if (e instanceof RotationError) throw new PreconditionError(info.title, 'state', e.message, [unit.unitId]);
      throw e;
    }
    await this.ctx.journal.note(`key storage rotation ${status.staged ? 'resumed' : 'open'}: ${status.staged} of ${status.total} staged`, { fromVp: normalizeVpHex(from), toVp: normalizeVpHex(to) });
    const client = linkOf(this.ctx, unit.unitId).client;
    const size = this.ctx.reencryptBatchSize;
    const pending = [...status.pending];
    const batches = Math.ceil(pending.length / size);
    this.ctx.consent.progress({ step: info, done: status.staged, total: status.total });
    for (let b = 0; b < batches; b++) {
      const ids = pending.slice(b * size, (b + 1) * size);
      const records = await Promise.all(ids.map((id) => this.ks.get(this.instanceId, id)));
      const blobs = records.filter((r): r is KeyRecord => r !== undefined).map((r) => r.blob);
      if (blobs.length === 0) continue;
      await exec.submit({
        unit,
        command: KeyStorageOp.REENCRYPT,
        description: `Re-encipher ${blobs.length} key blob(s) from ${short(from)} to ${short(to)} (batch ${b + 1} of ${batches}).`,
        fields: { batch: `${b + 1}/${batches}`, keys: String(blobs.length), fromVp: normalizeVpHex(from), toVp: normalizeVpHex(to) },
        registerEffect: false,
        send: async () => {
          const out = await client.reencrypt(blobs);
          status = await this.ks.stage(this.instanceId, out);
          return new Uint8Array(0);
        },
        resultText: () => `${blobs.length} blob(s) re-enciphered and staged (${status.staged} of ${status.total})`,
      });
      this.ctx.consent.progress({ step: info, done: status.staged, total: status.total });
    }
    return status;
  }

  /** After every unit is finalized to the rotation's new VP: the staged blobs become the stored ones. */
  async promote(snapshot: InstanceSnapshot): Promise<number> {
    const rot = snapshot.storage?.rotation;
    if (!rot) throw new PreconditionError('finish rotation', 'state', 'no rotation is open');
    const units = reachableUnits(snapshot);
    if (unreachableUnits(snapshot).length || units.some((u) => u.current.vp !== rot.toVp)) {
      throw new PreconditionError('finish rotation', 'state', `not every unit has ${short(rot.toVp)} as its current master key yet`);
    }
    const p = keyProgress(snapshot);
    if (p.storage.keys !== rot.staged) throw new PreconditionError('finish rotation', 'state', `${p.storage.keys - rot.staged} key(s) are not staged`);
    const n = await this.ks.promote(this.instanceId, rot.toVp);
    await this.ctx.journal.note(`key storage rotation finished: ${n} key(s) now stored under ${short(rot.toVp)}; the old blobs were dropped`, { fromVp: rot.fromVp, toVp: rot.toVp });
    return n;
  }

  /** Drop the staged blobs of an open rotation (its new key is gone). */
  async abandon(reason: string): Promise<void> {
    const rot = await this.ks.rotation(this.instanceId);
    if (!rot) return;
    await this.ks.abandonRotation(this.instanceId);
    await this.ctx.journal.note(`key storage rotation toward ${short(rot.toVp)} abandoned: ${reason}; ${rot.staged} staged blob(s) dropped, the keys stay under ${short(rot.fromVp)}`, { fromVp: normalizeVpHex(rot.fromVp), toVp: normalizeVpHex(rot.toVp) });
  }
}
