/**
 * Opening an administrator's key for signing, from what the person chose: a key file (webtke
 * signature key file, or an IBM TKE CLI file imported on the fly) with its password, or a card
 * with its PIN. The password or PIN goes straight into the custodian call; nothing keeps it.
 */
import type { CardSession } from './cards.ts';
import type { WebCrypto } from '../crypto/index.ts';
import type { AdminSigner } from '../custodian/index.ts';
import type { PinSource } from '../custodian/openpgp/index.ts';
import type { PinPrompt } from '../custodian/piv/index.ts';
import { loadCardRuntime } from './load-card-runtime.ts';
import { importTkeSignatureKey, openSignatureKeyFile, type KeyFileOptions, type SoftAdminSigner } from '../custodian/soft/index.ts';

/** Which kind of key file a text is, from its fields alone (no password needed). */
export function keyFileKind(text: string): 'webtke-signature-key' | 'webtke-key-part' | 'ibm-tke' | 'unknown' {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return 'unknown';
  }
  if (typeof o !== 'object' || o === null) return 'unknown';
  const r = o as Record<string, unknown>;
  if (r.format === 'webtke-signature-key') return 'webtke-signature-key';
  if (r.format === 'webtke-key-part') return 'webtke-key-part';
  if ('enckey' in r && 'seaSalt' in r) return 'ibm-tke';
  return 'unknown';
}

/** Open a signature key file (webtke, or IBM TKE imported) with its password. */
export function openKeyFile(c: WebCrypto, text: string, password: string, opts: KeyFileOptions = {}, name?: string): Promise<SoftAdminSigner> {
  if (keyFileKind(text) === 'ibm-tke') return importTkeSignatureKey(c, text, password, name ? { name } : {});
  return openSignatureKeyFile(c, text, password, opts);
}

/**
 * Open a card's admin signer with its PIN. `askPin` is asked when the card wants the PIN again
 * before a signature (PIN policy "always").
 */
export async function openCardSigner(c: WebCrypto, card: CardSession, pin: string, askPin: (retriesLeft: number | undefined) => Promise<string>): Promise<AdminSigner> {
  const { PivAdminSigner, OpenPgpAdminSigner } = await loadCardRuntime();
  if (card.piv) {
    const prompt: PinPrompt = (req) => askPin(req.retriesLeft);
    return PivAdminSigner.open(card.piv, { pin, askPin: prompt });
  }
  const source: PinSource = (req) => askPin(req.retriesLeft);
  const signer = await OpenPgpAdminSigner.open(card.openpgp!, c, { pin: source });
  try {
    await signer.unlock(pin);
  } catch (e) {
    signer.close();
    throw e;
  }
  return signer;
}
