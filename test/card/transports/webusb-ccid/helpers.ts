/** Shared set-up for the CCID transport tests: a fake reader from a real dump, with a card. */
import { readSharedText } from '../../../harness.ts';
import { encodeCommand } from '../../../../src/card/apdu.ts';
import { openCcidReader, type CcidReader, type CcidReaderOptions } from '../../../../src/card/transports/webusb-ccid/index.ts';
import { FakeCcidDevice, type FakeCcidOptions } from '../../../fakes/ccid-device.ts';
import { loadReaderDump, type ReaderName } from '../../../fakes/ccid-readers.ts';
import { EchoCard, type EchoCardOptions } from '../../../fakes/echo-card.ts';
import type { LibccidDump } from '../../../fakes/ccid-descriptor-text.ts';

export const READERS: ReaderName[] = ['yubikey', 'nitrokey3', 'cherry', 'scr3310', 'spr532'];

const cache = new Map<ReaderName, LibccidDump>();
export async function dumpOf(name: ReaderName): Promise<LibccidDump> {
  let d = cache.get(name);
  if (!d) cache.set(name, (d = await loadReaderDump(name, readSharedText)));
  return d;
}

export interface Rig {
  card: EchoCard;
  dev: FakeCcidDevice;
  reader: CcidReader;
}

/** A fake reader `name` with an echo card (short-only behind the short-APDU reader), opened. */
export async function rig(
  name: ReaderName,
  opts: { card?: EchoCardOptions; device?: Partial<FakeCcidOptions>; reader?: CcidReaderOptions; noCard?: boolean } = {},
): Promise<Rig> {
  const dump = await dumpOf(name);
  const card = new EchoCard({ extended: name !== 'cherry', ...opts.card });
  const dev = new FakeCcidDevice({ dump, card: opts.noCard ? null : card.handle, ...opts.device });
  const reader = await openCcidReader(dev, opts.reader);
  return { card, dev, reader };
}

/** n bytes, byte i = (i * 7 + seed) mod 256 (an expectation computed apart from the card). */
export function pattern(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/** GENERATE's bytes, computed here: byte i = (i * 31 + 7) mod 256. */
export const generatedBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256);

export const echo = (data: Uint8Array, ne = data.length): Uint8Array => encodeCommand({ cla: 0x80, ins: 0xee, p1: 0, p2: 0, data, ne });

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
