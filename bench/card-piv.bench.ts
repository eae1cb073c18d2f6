/**
 * PIV admin signatures on the bus: once the card session is open (PIV selected, PIN verified,
 * signer open), what one AdminSigner.sign() costs on the virtual PIV card, for each CCID
 * exchange level (fake readers built from real descriptor dumps) and in memory:
 *
 *   APDUs            command APDUs the card receives per signature (goal: 1)
 *   APDU bytes       command + response APDU bytes per signature
 *   USB transfers    bulk-OUT + bulk-IN transfers per signature (T=1 adds its own blocks)
 *   USB bytes        bytes on the bus per signature, CCID headers and T=1 framing included
 *   ms               median host-side time of one signature (the virtual card signs with
 *                    @noble/curves in the same process, so this is CPU, not card, time)
 *
 * For comparison, the same with the PIV default PIN policy "always" on 9C (a standard PIV
 * card without the Yubico policy tag), where each signature needs the PIN again.
 */
import { readFile } from 'node:fs/promises';
import { PivAdminSigner, PivCard, createPivAdmin } from '../src/custodian/piv/index.ts';
import { loadReaderDump, type ReaderName } from '../test/fakes/ccid-readers.ts';
import { pivRig, type PivRig } from '../test/fakes/piv/rig.ts';
import { fmt, line, median, timeRuns, type Bench } from './util.ts';

const readShared = (path: string): Promise<string> => readFile(new URL(`../../shared/${path}`, import.meta.url), 'utf8');
const c = globalThis.crypto;
const MK = '010203040506070801020304050607080102030405060708';
const PIN = '123456';
const SIGNATURES = 20;

const PLACES: [ReaderName | null, string][] = [
  [null, 'memory transport'],
  ['yubikey', 'extended APDU, YubiKey 5'],
  ['nitrokey3', 'extended APDU, Nitrokey 3'],
  ['cherry', 'short APDU, Cherry ST'],
  ['scr3310', 'TPDU T=1, SCR3310'],
  ['spr532', 'TPDU T=1, SPR532'],
];

interface Counts {
  apdus: number;
  apduBytes: number;
  transfers: number;
  usbBytes: number;
}

function snapshot(rig: PivRig): Counts {
  const entries = rig.log.entries;
  const apduBytes = entries.reduce((n, e) => n + 4 + e.nc + (e.nc ? (e.extended ? 3 : 1) : 0) + (e.ne === undefined ? 0 : e.extended ? 2 : 1) + e.nr + 2, 0);
  const s = rig.device?.stats;
  return { apdus: entries.length, apduBytes, transfers: s ? s.transfersOut + s.transfersIn : 0, usbBytes: s ? s.bytesOut + s.bytesIn : 0 };
}

async function measure(reader: ReaderName | null, curve: 'P-256' | 'P-384', yubico: boolean): Promise<{ per: Counts; ms: number; prompts: number }> {
  const rig = await pivRig({ reader: reader ? await loadReaderDump(reader, readShared) : undefined, card: { yubico } });
  try {
    const card = await PivCard.open(rig.channel, { crypto: c });
    await createPivAdmin(card, { name: 'Bench Admin', curve, managementKey: MK, pin: PIN });
    let prompts = 0;
    const signer = await PivAdminSigner.open(card, { pin: PIN, askPin: async () => (prompts++, PIN) });
    // warm-up: on a PIN-always card the first signature follows the open's VERIFY and the
    // second teaches the signer the policy, so the steady state starts with the third
    await signer.sign(Uint8Array.of(0));
    await signer.sign(Uint8Array.of(0));
    prompts = 0;
    rig.log.clear();
    const base = { ...(rig.device?.stats ?? { transfersOut: 0, transfersIn: 0, bytesOut: 0, bytesIn: 0 }) };
    const block = c.getRandomValues(new Uint8Array(180)); // about the size of a DOM_SET_ATTR AdminBlock
    for (let i = 0; i < SIGNATURES; i++) await signer.sign(block);
    const after = snapshot(rig);
    const per: Counts = {
      apdus: after.apdus / SIGNATURES,
      apduBytes: after.apduBytes / SIGNATURES,
      transfers: (after.transfers - (base.transfersOut + base.transfersIn)) / SIGNATURES,
      usbBytes: (after.usbBytes - (base.bytesOut + base.bytesIn)) / SIGNATURES,
    };
    const ms = median(await timeRuns(() => signer.sign(block), 7, 1));
    return { per, ms, prompts: prompts / SIGNATURES };
  } finally {
    await rig.transport.close();
  }
}

export const bench: Bench = {
  title: 'PIV card: APDUs and bus bytes per admin signature, session open',
  async run() {
    for (const curve of ['P-256', 'P-384'] as const) {
      console.log(`  ${curve} admin key in 9C, PIN policy once (webtke's choice on YubiKeys):`);
      for (const [reader, label] of PLACES) {
        const r = await measure(reader, curve, true);
        const usb = reader ? `${fmt(r.per.transfers, 1)} transfers, ${fmt(r.per.usbBytes, 0)} B on USB` : 'no USB';
        line(`${label}`, `${fmt(r.per.apdus, 2)} APDU`, `${fmt(r.per.apduBytes, 0)} APDU bytes, ${usb}, ${fmt(r.ms, 1)} ms`);
        if (r.per.apdus !== 1) console.log(`    !! goal missed: ${r.per.apdus} APDUs per signature`);
      }
    }
    console.log('  P-256, PIV default policy "always" on 9C (standard card, PIN before each signature):');
    for (const [reader, label] of [PLACES[0], PLACES[4]]) {
      const r = await measure(reader, 'P-256', false);
      const usb = reader ? `${fmt(r.per.transfers, 1)} transfers, ${fmt(r.per.usbBytes, 0)} B on USB` : 'no USB';
      line(`${label}`, `${fmt(r.per.apdus, 2)} APDU`, `${fmt(r.per.apduBytes, 0)} APDU bytes, ${usb}, ${fmt(r.prompts, 0)} PIN prompt each`);
    }
  },
};
