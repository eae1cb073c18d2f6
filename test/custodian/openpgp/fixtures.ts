/**
 * Test fixtures for the OpenPGP card custodian: a virtual OpenPGP card behind the memory
 * transport or a fake WebUSB CCID reader (built from a real reader's descriptor dump, at that
 * reader's exchange level), opened as an OpenPgpCard.
 */
import { readShared } from '../../harness.ts';
import { OpenPgpCard, type OpenPgpCardOptions } from '../../../src/card/applets/openpgp/index.ts';
import type { CardTransport } from '../../../src/card/transport.ts';
import { MemoryTransport } from '../../../src/card/transports/memory/index.ts';
import { openCcidReader } from '../../../src/card/transports/webusb-ccid/index.ts';
import type { CurveName } from '../../../src/crypto/index.ts';
import {
  generateAdminKey, generateDecryptionKey, OpenPgpAdminSigner, OpenPgpKeyPartHolder, type PinSource,
} from '../../../src/custodian/openpgp/index.ts';
import { parseLibccidDump } from '../../fakes/ccid-descriptor-text.ts';
import { FakeCcidDevice } from '../../fakes/ccid-device.ts';
import { VirtualOpenPgpCard, type VirtualOpenPgpCardOptions } from '../../fakes/virtual-openpgp-card.ts';

export const c = globalThis.crypto;
export const PIN = '123456';
export const ADMIN_PIN = '12345678';
export const WRONG_PIN = '654321';

/** Readers with an OpenPGP device behind them, one per CCID exchange level. */
export const READERS = {
  /** extended APDU level (YubiKey 4/5 CCID interface) */
  'extended-apdu': 'Yubico_Yubikey_4_CCID.txt',
  /** short APDU level (Nitrokey Start) */
  'short-apdu': 'Nitrokey_Start.txt',
  /** TPDU level: the host runs T=1 (Nitrokey Pro) */
  tpdu: 'Nitrokey_Pro.txt',
} as const;
export type ReaderLevel = keyof typeof READERS;

export interface Rig {
  vcard: VirtualOpenPgpCard;
  transport: CardTransport;
  /** present for CCID rigs */
  device?: FakeCcidDevice;
  /** for memory rigs */
  memory?: MemoryTransport;
  card: OpenPgpCard;
  /** pull the card (and put it back, power-cycled) */
  remove(): void;
  insert(card?: VirtualOpenPgpCard): void;
  dispose(): Promise<void>;
}

export async function openTransport(
  vcard: VirtualOpenPgpCard,
  via: 'memory' | ReaderLevel,
): Promise<{ transport: CardTransport; device?: FakeCcidDevice; memory?: MemoryTransport }> {
  if (via === 'memory') {
    const memory = new MemoryTransport(vcard.handle, { name: 'virtual OpenPGP card' });
    return { transport: memory, memory };
  }
  const file = READERS[via];
  const dump = parseLibccidDump(new TextDecoder().decode(await readShared(`vectors/ccid-readers/${file}`)), file);
  const device = new FakeCcidDevice({ dump, card: vcard.handle });
  return { transport: await openCcidReader(device), device };
}

export async function rig(opts: { via?: 'memory' | ReaderLevel; card?: VirtualOpenPgpCardOptions; open?: OpenPgpCardOptions } = {}): Promise<Rig> {
  let vcard = new VirtualOpenPgpCard(opts.card);
  const { transport, device, memory } = await openTransport(vcard, opts.via ?? 'memory');
  const card = await OpenPgpCard.open(transport, { crypto: c, ...opts.open });
  return {
    get vcard() {
      return vcard;
    },
    transport,
    device,
    memory,
    card,
    remove() {
      if (memory) memory.removeCard();
      else device!.removeCard();
    },
    insert(other) {
      if (other) vcard = other;
      vcard.reset();
      if (memory) memory.insertCard(vcard.handle);
      else device!.insertCard(vcard.handle);
    },
    async dispose() {
      card.close();
      await transport.close();
    },
  };
}

export interface ProvisionedCard extends Rig {
  signer: OpenPgpAdminSigner;
  holder: OpenPgpKeyPartHolder;
}

/** A card with an admin key (and certificate) and a decryption key, as a custodian sets it up. */
export async function provisionedCard(opts: {
  via?: 'memory' | ReaderLevel;
  card?: VirtualOpenPgpCardOptions;
  name?: string;
  adminCurve?: CurveName;
  partCurve?: CurveName;
  pinPolicy?: 'session' | 'per-signature';
  pin?: PinSource;
} = {}): Promise<ProvisionedCard> {
  const r = await rig(opts);
  const signer = await generateAdminKey(r.card, c, {
    name: opts.name ?? 'Card Admin',
    curve: opts.adminCurve,
    adminPin: ADMIN_PIN,
    pin: PIN,
    pinPolicy: opts.pinPolicy,
    signer: { pin: opts.pin ?? (async () => PIN) },
  });
  await generateDecryptionKey(r.card, { adminPin: ADMIN_PIN, curve: opts.partCurve });
  return Object.assign(r, { signer, holder: new OpenPgpKeyPartHolder(r.card, c) });
}

/** Instruction bytes of the APDUs the card received since `from` (GET RESPONSE included). */
export const insSince = (vcard: VirtualOpenPgpCard, from: number): number[] => vcard.received.slice(from).map((a) => a[1]);
