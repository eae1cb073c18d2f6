/**
 * Software custodian: what a user waits for (opening a key file at the production PBKDF2
 * count, wrapping a part) and how fast an opened software key signs, per curve. The cost of
 * 600,000 iterations is shown against IBM's 4096 measured in the same run.
 */
import { CURVE_NAMES, pbkdf2Sha256, type WebCrypto } from '../src/crypto/index.ts';
import { SoftKeyPartHolder, createKeyPart, createSignatureKey, openSignatureKeyFile } from '../src/custodian/soft/index.ts';
import { fmt, line, median, rate, timeRuns, type Bench } from './util.ts';

const c = globalThis.crypto;
const PASSWORD = 'benchmark password';

/** One PBKDF2-SHA256 derivation of 32 bytes, as the key files run it. */
const pbkdf2Sha256Bench = (c: WebCrypto, iterations: number): Promise<Uint8Array> =>
  pbkdf2Sha256(c, new TextEncoder().encode(PASSWORD), new Uint8Array(16), iterations, 32);

export const bench: Bench = {
  title: 'software custodian (key files, signing)',
  async run() {
    const pbkdf600 = median(await timeRuns(() => pbkdf2Sha256Bench(c, 600_000), 5));
    const pbkdf4096 = median(await timeRuns(() => pbkdf2Sha256Bench(c, 4096), 9));
    line('PBKDF2-SHA256, 600,000 iterations (webtke files)', `${fmt(pbkdf600, 1)} ms`);
    line('PBKDF2-SHA256, 4096 iterations (IBM TKE CLI files)', `${fmt(pbkdf4096, 2)} ms`, `600k takes ×${fmt(pbkdf600 / pbkdf4096, 0)} the time`);

    for (const curve of CURVE_NAMES) {
      const { text, signer } = await createSignatureKey(c, { name: `Bench ${curve}`, curve, password: PASSWORD });
      const open = median(await timeRuns(() => openSignatureKeyFile(c, text, PASSWORD), 3));
      line(`open a ${curve} signature key file`, `${fmt(open, 1)} ms`);
      const block = c.getRandomValues(new Uint8Array(200));
      const n = 50;
      const ms = median(await timeRuns(async () => {
        for (let i = 0; i < n; i++) await signer.sign(block);
      }, 3));
      line(`${curve} SignerInfo signatures`, `${fmt(rate(n, ms), 0)} /s`);
    }

    const { text } = await createKeyPart(c, { description: 'bench part', password: PASSWORD });
    const holder = new SoftKeyPartHolder(c);
    const info = await holder.addFile(text);
    const importer = (await c.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-521' }, true, ['deriveBits'])) as CryptoKeyPair;
    const spki = new Uint8Array(await c.subtle.exportKey('spki', importer.publicKey));
    const wrap = median(await timeRuns(() => holder.wrapForImporter(info.id, spki, PASSWORD), 3));
    line('wrap a part for a P-521 importer (incl. PBKDF2)', `${fmt(wrap, 1)} ms`);
  },
};
