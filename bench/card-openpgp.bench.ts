/**
 * OpenPGP admin signatures on the bus: once the card session is open (application selected,
 * PW1 (81) verified, signer open), what one AdminSigner.sign() costs on the virtual OpenPGP
 * card, in memory and behind fake CCID readers at each exchange level (built from real
 * descriptor dumps):
 *
 *   APDUs          command APDUs the card receives per signature (goal: 1)
 *   APDU bytes     command + response APDU bytes at the card per signature
 *   USB transfers  bulk-OUT + bulk-IN transfers per signature (T=1 adds its own blocks)
 *   USB bytes      bytes on the bus per signature, CCID headers and T=1 framing included
 *   ms             median host-side time of one signature (the virtual card signs with
 *                  @noble/curves in this process: CPU time, not a real card's)
 *
 * Two PIN policies: "session" (C4 byte 1 = 01, PW1 valid for several signatures, the
 * custodian's default) and "per-signature" (C4 byte 1 = 00: the card forgets PW1 after each
 * signature, so each one needs the PIN again: GET DATA C4 for the prompt's tries left, VERIFY,
 * PSO:CDS).
 */
import { readFile } from 'node:fs/promises';
import { OpenPgpCard } from '../src/card/applets/openpgp/index.ts';
import type { CardTransport } from '../src/card/transport.ts';
import { MemoryTransport } from '../src/card/transports/memory/index.ts';
import { openCcidReader } from '../src/card/transports/webusb-ccid/index.ts';
import type { CurveName } from '../src/crypto/index.ts';
import { generateAdminKey } from '../src/custodian/openpgp/index.ts';
import { parseLibccidDump } from '../test/fakes/ccid-descriptor-text.ts';
import { FakeCcidDevice } from '../test/fakes/ccid-device.ts';
import { VirtualOpenPgpCard } from '../test/fakes/virtual-openpgp-card.ts';
import { fmt, line, median, timeRuns, type Bench } from './util.ts';

const c = globalThis.crypto;
const PIN = '123456';
const SIGNATURES = 20;

interface Place {
  label: string;
  dump?: string;
  /** the card's own limits: a short-only card behind the short-APDU and TPDU readers */
  extendedLength: boolean;
}
const PLACES: Place[] = [
  { label: 'memory transport', extendedLength: true },
  { label: 'extended APDU, YubiKey 4/5 CCID', dump: 'Yubico_Yubikey_4_CCID.txt', extendedLength: true },
  { label: 'short APDU, Nitrokey Start', dump: 'Nitrokey_Start.txt', extendedLength: false },
  { label: 'TPDU T=1, Nitrokey Pro', dump: 'Nitrokey_Pro.txt', extendedLength: false },
];

interface Result {
  apdus: number;
  apduBytes: number;
  transfers: number;
  usbBytes: number;
  prompts: number;
  ms: number;
}

async function measure(place: Place, curve: CurveName, policy: 'session' | 'per-signature'): Promise<Result> {
  const vcard = new VirtualOpenPgpCard({ extendedLength: place.extendedLength });
  let transport: CardTransport;
  let device: FakeCcidDevice | undefined;
  if (place.dump) {
    const text = await readFile(new URL(`../../shared/vectors/ccid-readers/${place.dump}`, import.meta.url), 'utf8');
    device = new FakeCcidDevice({ dump: parseLibccidDump(text, place.dump), card: vcard.handle });
    transport = await openCcidReader(device);
  } else {
    transport = new MemoryTransport(vcard.handle);
  }
  try {
    const card = await OpenPgpCard.open(transport);
    let prompts = 0;
    const signer = await generateAdminKey(card, c, {
      name: 'Bench Admin',
      curve,
      adminPin: '12345678',
      pin: PIN,
      pinPolicy: policy,
      signer: { pin: async () => (prompts++, PIN) },
    });
    const block = c.getRandomValues(new Uint8Array(180)); // about the size of a DOM_SET_ATTR AdminBlock
    await signer.sign(block); // warm-up: opens the session (a PIN entry under "per-signature")
    prompts = 0;
    const t0 = { ...vcard.traffic };
    const u0 = { ...(device?.stats ?? { transfersOut: 0, transfersIn: 0, bytesOut: 0, bytesIn: 0 }) };
    for (let i = 0; i < SIGNATURES; i++) await signer.sign(block);
    const u1 = device?.stats ?? { transfersOut: 0, transfersIn: 0, bytesOut: 0, bytesIn: 0 };
    const per = (n: number): number => n / SIGNATURES;
    const result = {
      apdus: per(vcard.traffic.apdus - t0.apdus),
      apduBytes: per(vcard.traffic.bytesIn - t0.bytesIn + vcard.traffic.bytesOut - t0.bytesOut),
      transfers: per(u1.transfersOut + u1.transfersIn - u0.transfersOut - u0.transfersIn),
      usbBytes: per(u1.bytesOut + u1.bytesIn - u0.bytesOut - u0.bytesIn),
      prompts: per(prompts),
      ms: 0,
    };
    result.ms = median(await timeRuns(() => signer.sign(block), 7, 1));
    signer.close();
    card.close();
    return result;
  } finally {
    await transport.close();
  }
}

function print(label: string, r: Result): void {
  const usb = r.transfers ? `, USB ${fmt(r.transfers, 1)} transfers / ${fmt(r.usbBytes)} B` : '';
  line(label, `${fmt(r.apdus, 1)} APDU`, `${fmt(r.apduBytes)} B at the card${usb}, ${fmt(r.ms, 1)} ms${r.prompts ? `, ${fmt(r.prompts, 1)} PIN prompt` : ''}`);
}

export const bench: Bench = {
  title: 'OpenPGP card: APDUs and bus bytes per admin signature, session open',
  async run() {
    for (const policy of ['session', 'per-signature'] as const) {
      console.log(`  PIN policy "${policy}" (C4 byte 1 = ${policy === 'session' ? '01: PW1 valid for several signatures' : '00: PW1 valid for one signature'}), P-384:`);
      for (const place of PLACES) print(`    ${place.label}`, await measure(place, 'P-384', policy));
    }
    console.log('  by curve, PIN policy "session", extended-APDU reader:');
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) print(`    ${curve}`, await measure(PLACES[1], curve, 'session'));
  },
};
