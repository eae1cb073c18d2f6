/**
 * Drives a test world's units into model states with the unit client directly (not through the
 * engine), and reads a world back into a model state. Independent of src/ceremony/.
 */
import { fromHex, toHex } from '../../src/bytes/index.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { wrapPartForImporter } from '../../src/cryptounit/protocol/index.ts';
import { openSignatureKeyFile, type SoftAdminSigner } from '../../src/custodian/soft/index.ts';
import { BATCH, KEYS, type AState, type AUnit, type Cur, type Key, type New, type Op } from './model.ts';
import { c, KDF, type World } from './world.ts';

export interface Driver {
  clients: CryptoUnitClient[];
  signers: SoftAdminSigner[];
}

/** Connected clients for the world's current units, and the three admins' signers. */
export async function driver(w: World, signers?: SoftAdminSigner[]): Promise<Driver> {
  const clients = w.transports.map((t) => new CryptoUnitClient({ transport: t, crypto: c }));
  await Promise.all(clients.map((cl) => cl.connect()));
  const s = signers ?? (await Promise.all(w.admins.map((a) => openSignatureKeyFile(c, a.text, a.password, KDF))));
  return { clients, signers: s };
}

const partValues = (w: World, key: Key): Uint8Array[] => w.partFiles.filter((p) => p.key === key).map((p) => p.value);

/** Apply one model op to the world (through the clients and the store). */
export async function applyOp(w: World, d: Driver, op: Op): Promise<void> {
  const [s1, s2] = d.signers;
  const ks = w.store.keyStorage;
  const id = w.instance.id;
  switch (op.op) {
    case 'add-admin':
      for (const i of op.units) await d.clients[i].addAdmin(w.admins[op.admin - 1].certificate);
      return;
    case 'leave-imprint':
      for (const i of op.units) await d.clients[i].setThresholds(2, 2, [s1, s2]);
      return;
    case 'gen-importer':
      for (const i of op.units) await d.clients[i].generateImporter('P-256', [s1]);
      return;
    case 'import':
      for (const i of op.units) {
        const imp = await d.clients[i].importer();
        const envelopes: Uint8Array[] = [];
        for (const part of partValues(w, op.key)) envelopes.push(await wrapPartForImporter(c, imp!.spki, part));
        await d.clients[i].importParts(envelopes.map((envelope) => ({ envelope, signers: [s1] })));
      }
      return;
    case 'commit':
      for (const i of op.units) await d.clients[i].commit(fromHex(w.vps[op.key]), [s1, s2]);
      return;
    case 'finalize':
      for (const i of op.units) await d.clients[i].finalize(fromHex(w.vps[op.key]), [s1]);
      return;
    case 'clear-new':
      for (const i of op.units) await d.clients[i].clearNew([s1]);
      return;
    case 'keygen':
      for (let k = 0; k < KEYS; k++) {
        const blob = await d.clients[0].generateKey(c.getRandomValues(new Uint8Array(16)));
        await ks.add(id, { label: `key ${k + 1}`, blob });
      }
      return;
    case 'reencipher': {
      await ks.beginRotation(id, { fromVp: w.vps.A, toVp: w.vps.B });
      const states = await Promise.all(d.clients.map((cl) => cl.domainInfo()));
      const runner = states.findIndex((x) => toHex(x.currentVp) === w.vps.A && x.next === 'FULL_COMMITTED');
      for (let b = 0; b < op.batches; b++) {
        const pending = (await ks.rotation(id))!.pending.slice(0, BATCH);
        const recs = await Promise.all(pending.map((k) => ks.get(id, k)));
        await ks.stage(id, await d.clients[runner].reencrypt(recs.map((r) => r!.blob)));
      }
      return;
    }
    case 'promote':
      await ks.promote(id, w.vps.B);
      return;
  }
}

/** Read the world back into a model state (unit order = the world's). */
export async function readState(w: World, d: Driver): Promise<AState> {
  const name = (vp: Uint8Array): Key | 'E' | '?' => {
    const h = toHex(vp);
    if (/^0+$/.test(h)) return 'E';
    return (Object.keys(w.vps) as Key[]).find((k) => w.vps[k] === h) ?? '?';
  };
  const skis = w.admins.map((a) => a.ski);
  const u: AUnit[] = [];
  const read = async (cl: CryptoUnitClient): Promise<AUnit> => {
    const registers = await cl.domainInfo();
    const attributes = await cl.attributes();
    const have = (await cl.adminSkis()).map(toHex).sort();
    const importer = await cl.importer();
    const adm = have.length;
    if (have.join() !== skis.slice(0, adm).sort().join()) throw new Error(`admins are not a prefix of Admin 1..3: ${have.join(',')}`);
    const cur = registers.current === 'VALID' ? name(registers.currentVp) : 'E';
    const nk = name(registers.newVp);
    const nw = registers.next === 'EMPTY' ? 'E' : `${registers.next === 'FULL_COMMITTED' ? 'C' : 'U'}${nk}`;
    if (cur === '?' || nk === '?') throw new Error(`a register holds an unknown key: ${cur}/${nw}`);
    return { adm, auth: attributes.mode === 'authenticated', imp: importer !== null, cur: cur as Cur, nw: nw as New };
  };
  u.push(...(await Promise.all(d.clients.map(read))));
  const recs = await w.store.keyStorage.list(w.instance.id);
  const rot = await w.store.keyStorage.rotation(w.instance.id);
  const vpsOf = new Set(recs.map((r) => r.vp));
  if (vpsOf.size > 1) throw new Error('keys under several VPs');
  const kvHex = [...vpsOf][0];
  const kv = kvHex === undefined ? null : (Object.keys(w.vps) as Key[]).find((k) => w.vps[k] === kvHex) ?? null;
  return { u, keys: recs.length, kv: kv as 'A' | 'B' | null, staged: recs.filter((r) => r.nextVp === w.vps.B).length, rot: rot !== undefined };
}
