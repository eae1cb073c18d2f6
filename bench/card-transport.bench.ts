/**
 * Card transport efficiency on the wire: for each CCID exchange level (on the fake reader built
 * from the real descriptor dump), the USB round trips (a bulk-OUT transfer and the bulk-IN
 * reply) and bytes on the bus for 255- and 4,000-byte APDUs, command data and response data,
 * against the minimum the reader's message size allows:
 *
 *   P = dwMaxCCIDMessageLength - 10 (one message's payload)
 *   A = command APDU bytes, R = response APDU bytes
 *   minimum round trips = ceil(A / P) + ceil(R / P) - 1   (the last command piece's reply carries the first response piece)
 *   minimum bytes       = A + R + 10 × 2 × minimum round trips   (one header each way per round trip)
 *
 * At TPDU level T=1 adds its own floor: a block carries at most IFSC (to the card) or IFSD (from
 * it) bytes and each chained block is acknowledged, so ceil(A / IFSC) + ceil(R / IFSD) - 1 round
 * trips; that figure is printed as well.
 *
 * Counts are exact (taken on the fake device); the ms column is the median host-side time of
 * one exchange against the fake (CPU cost of the stack, no USB latency).
 */
import { readFile } from 'node:fs/promises';
import { encodeCommand, type Command } from '../src/card/apdu.ts';
import { openCcidReader, type CcidReader } from '../src/card/transports/webusb-ccid/index.ts';
import { FakeCcidDevice } from '../test/fakes/ccid-device.ts';
import { loadReaderDump, type ReaderName } from '../test/fakes/ccid-readers.ts';
import { EchoCard } from '../test/fakes/echo-card.ts';
import { fmt, line, median, timeRuns, type Bench } from './util.ts';

const readShared = (path: string): Promise<string> => readFile(new URL(`../../shared/${path}`, import.meta.url), 'utf8');

const LEVELS: [ReaderName, string][] = [
  ['yubikey', 'extended APDU, YubiKey 5 (3072)'],
  ['nitrokey3', 'extended APDU, Nitrokey 3 (3072, no interrupt EP)'],
  ['cherry', 'short APDU, Cherry ST (271)'],
  ['scr3310', 'TPDU T=1, SCR3310 (271, IFSD 252)'],
  ['spr532', 'TPDU T=1, SPR532 (270, IFSD 254)'],
];

const data = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 5 + 1) & 0xff);

interface Case {
  label: string;
  cmd: Command;
  /** Response APDU bytes. */
  r: number;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const n of [255, 4000]) {
    out.push({ label: `command data ${fmt(n)}`, cmd: { cla: 0x80, ins: 0xda, p1: 0, p2: 0, data: data(n) }, r: 2 });
    out.push({ label: `response data ${fmt(n)}`, cmd: { cla: 0x80, ins: 0xca, p1: 0, p2: 0, ne: n }, r: n + 2 });
  }
  return out;
}

async function open(name: ReaderName): Promise<{ reader: CcidReader; dev: FakeCcidDevice }> {
  const dump = await loadReaderDump(name, readShared);
  const card = new EchoCard({ extended: name !== 'cherry' });
  const dev = new FakeCcidDevice({ dump, card: card.handle });
  return { reader: await openCcidReader(dev), dev };
}

export const bench: Bench = {
  title: 'Card transport: USB round trips and bus bytes per exchange level (fake CCID readers from real descriptors)',
  async run() {
    for (const [name, title] of LEVELS) {
      console.log(`\n  ${title}`);
      const { reader, dev } = await open(name);
      const P = dev.maxMessage - 10;
      for (const c of cases()) {
        const apdu = encodeCommand(c.cmd);
        // The record the response cases read back.
        if (c.cmd.ins === 0xca) await reader.transmit(encodeCommand({ cla: 0x80, ins: 0xda, p1: 0, p2: 0, data: data(c.cmd.ne!) }));
        const before = { ...dev.stats };
        const resp = await reader.transmit(apdu);
        if (resp.length !== c.r || resp[resp.length - 2] !== 0x90) throw new Error(`${name} ${c.label}: bad response`);
        const trips = dev.stats.transfersOut - before.transfersOut;
        const bytes = dev.stats.bytesOut - before.bytesOut + (dev.stats.bytesIn - before.bytesIn);
        const minTrips = Math.ceil(apdu.length / P) + Math.ceil(c.r / P) - 1;
        const minBytes = apdu.length + c.r + 20 * minTrips;
        const ms = median(await timeRuns(() => reader.transmit(apdu), 5, 1));
        const t1 = reader.t1Session;
        const t1Min = t1 ? `, T=1 min ${Math.ceil(apdu.length / t1.currentIfsc) + Math.ceil(c.r / t1.currentIfsd) - 1}` : '';
        line(
          `${c.label} (A ${fmt(apdu.length)} B, R ${fmt(c.r)} B)`,
          `${trips} trips ${fmt(bytes)} B`,
          `min ${minTrips} / ${fmt(minBytes)} B${t1Min}, ×${fmt(trips / minTrips, 2)} trips ×${fmt(bytes / minBytes, 3)} bytes, ${fmt(ms, 2)} ms`,
        );
      }
      await reader.close();
    }
  },
};
