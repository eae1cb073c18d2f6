/**
 * A virtual PIV card in a reader, ready for the client: behind MemoryTransport, or behind the
 * fake WebUSB CCID reader built from a real reader's descriptor dump (YubiKey 5 and Nitrokey 3:
 * extended APDU level; Cherry: short APDU level, the card then refusing extended APDUs;
 * SCR3310/SPR532: TPDU level, T=1 run by the host).
 */
import { CardChannel, type CardChannelOptions } from '../../../src/card/channel.ts';
import { TrafficLog } from '../../../src/card/processors/traffic-log.ts';
import type { CardTransport } from '../../../src/card/transport.ts';
import { MemoryTransport } from '../../../src/card/transports/memory/index.ts';
import { exchangeLevel, openCcidReader } from '../../../src/card/transports/webusb-ccid/index.ts';
import type { LibccidDump } from '../ccid-descriptor-text.ts';
import { FakeCcidDevice, type FakeCcidOptions } from '../ccid-device.ts';
import { VirtualPivCard, type VirtualPivCardOptions } from '../virtual-piv-card.ts';

export interface PivRig {
  card: VirtualPivCard;
  transport: CardTransport;
  /** the fake reader, when there is one */
  device?: FakeCcidDevice;
  memory?: MemoryTransport;
  log: TrafficLog;
  channel: CardChannel;
  /** take the card out of the reader */
  removeCard(): void;
}

export interface PivRigOptions {
  card?: Omit<VirtualPivCardOptions, 'crypto'>;
  /** a reader dump for the fake CCID reader; absent: MemoryTransport */
  reader?: LibccidDump;
  channel?: Omit<CardChannelOptions, 'log'>;
  /** more options for the fake reader (faults: the array may be added to later) */
  device?: Partial<FakeCcidOptions>;
  crypto?: Crypto;
}

export async function pivRig(opts: PivRigOptions = {}): Promise<PivRig> {
  const c = opts.crypto ?? globalThis.crypto;
  // Behind a short-APDU reader the card takes short APDUs only (as the echo-card rigs do).
  const shortOnly = opts.reader !== undefined && exchangeLevel(opts.reader.ccid.features) === 'short-apdu';
  const card = await VirtualPivCard.create({ crypto: c, extendedLength: !shortOnly, ...opts.card });
  const log = new TrafficLog();
  if (!opts.reader) {
    const memory = new MemoryTransport(card.handle, { atr: card.atr, name: 'Virtual PIV card' });
    return { card, transport: memory, memory, log, channel: new CardChannel(memory, { ...opts.channel, log }), removeCard: () => memory.removeCard() };
  }
  const device = new FakeCcidDevice({ dump: opts.reader, card: card.handle, ...opts.device });
  const transport = await openCcidReader(device);
  return { card, transport, device, log, channel: new CardChannel(transport, { ...opts.channel, log }), removeCard: () => device.removeCard() };
}
