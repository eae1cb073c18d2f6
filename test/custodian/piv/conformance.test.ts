/**
 * The custodian conformance suite (test/custodian/conformance) against the PIV card custodian
 * on a virtual PIV card: P-256 and P-384 admin keys, in memory and behind fake CCID readers
 * (YubiKey 5 at extended-APDU level, SCR3310 at TPDU level).
 */
import { runCustodianConformance } from '../conformance/conformance.ts';
import { PivAdminSigner } from '../../../src/custodian/piv/index.ts';
import type { ReaderName } from '../../fakes/ccid-readers.ts';
import { MK, PIN, pivCustodian } from './fixture.ts';

const CASES: { curve: 'P-256' | 'P-384'; reader?: ReaderName }[] = [
  { curve: 'P-256' },
  { curve: 'P-384', reader: 'yubikey' },
  { curve: 'P-384', reader: 'scr3310' },
];

for (const k of CASES) {
  runCustodianConformance(`PIV card, ${k.curve} admin key, ${k.reader ?? 'memory'} transport`, async () => {
    const name = `PIV ${k.curve}`;
    const p = await pivCustodian({ name, curve: k.curve, reader: k.reader });
    return {
      signer: p.signer,
      expected: { name, curve: k.curve },
      holder: p.holder,
      secret: PIN,
      wrongSecret: '654321',
      countsRetries: true,
      async createPart(description, value) {
        if (value) return undefined; // a card generates its parts; typed values are not taken
        return p.holder.createPart({ description, managementKey: MK, pin: PIN });
      },
      reopenSigner: (secret) => PivAdminSigner.open(p.card, { pin: secret }),
      dispose: () => p.rig.transport.close(),
    };
  });
}
