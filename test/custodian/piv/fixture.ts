/** A PIV card custodian on a virtual PIV card, set up as an operator would: admin key, key-part key. */
import { readSharedText } from '../../harness.ts';
import { PivAdminSigner, PivCard, PivKeyPartHolder, createPivAdmin, initPivKeyPartKey } from '../../../src/custodian/piv/index.ts';
import type { PivEcCurve } from '../../../src/card/applets/piv/index.ts';
import { loadReaderDump, type ReaderName } from '../../fakes/ccid-readers.ts';
import { pivRig, type PivRig, type PivRigOptions } from '../../fakes/piv/rig.ts';

export const MK = '010203040506070801020304050607080102030405060708';
export const PIN = '123456';
export const c = globalThis.crypto;

export interface PivCustodian {
  rig: PivRig;
  card: PivCard;
  signer: PivAdminSigner;
  holder: PivKeyPartHolder;
}

export interface PivCustodianOptions extends Omit<PivRigOptions, 'reader'> {
  name?: string;
  curve?: PivEcCurve;
  reader?: ReaderName;
  /** skip the key-part key */
  noPartKey?: boolean;
}

export async function pivCustodian(o: PivCustodianOptions = {}): Promise<PivCustodian> {
  const rig = await pivRig({ ...o, reader: o.reader ? await loadReaderDump(o.reader, readSharedText) : undefined });
  const card = await PivCard.open(rig.channel, { crypto: c });
  await createPivAdmin(card, { name: o.name ?? 'Card Admin', curve: o.curve, managementKey: MK, pin: PIN });
  if (!o.noPartKey) await initPivKeyPartKey(card, { managementKey: MK, curve: o.curve });
  const signer = await PivAdminSigner.open(card, { pin: PIN });
  return { rig, card, signer, holder: new PivKeyPartHolder(card) };
}
