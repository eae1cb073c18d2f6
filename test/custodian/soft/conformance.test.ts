import { runCustodianConformance } from '../conformance/conformance.ts';
import { CURVE_NAMES } from '../../../src/crypto/index.ts';
import {
  SoftKeyPartHolder, createKeyPart, createSignatureKey, openSignatureKeyFile,
} from '../../../src/custodian/soft/index.ts';

const c = globalThis.crypto;
/** Test-only KDF count; the production 600,000 is exercised in signature-key-file.test.ts. */
const TEST = { insecureIterationsForTests: 1000 };
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

for (const curve of CURVE_NAMES) {
  runCustodianConformance(`software files, ${curve} admin key`, async () => {
    const password = `pw for ${curve} files`;
    const name = `Conformance ${curve}`;
    const { text, signer } = await createSignatureKey(c, { name, curve, password }, TEST);
    const holder = new SoftKeyPartHolder(c, TEST);
    return {
      signer,
      expected: { name, curve },
      holder,
      secret: password,
      wrongSecret: `${password}!`,
      countsRetries: false,
      async createPart(description, value) {
        const { text: partText } = await createKeyPart(
          c,
          { description, password, value: value === undefined ? undefined : hex(value) },
          TEST,
        );
        return holder.addFile(partText);
      },
      reopenSigner: (secret) => openSignatureKeyFile(c, text, secret, TEST),
    };
  });
}
