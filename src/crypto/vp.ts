import { concat } from '../bytes/index.ts';
import { sha256 } from './sha.ts';
import { wipe } from './wipe.ts';
import type { WebCrypto } from './webcrypto.ts';

/**
 * Verification pattern (DESIGN §3.6): VP(key) = SHA-256(0x01 ‖ key) with the last 4 bytes set
 * to zero. 32 bytes; compared on the first 28. An empty register's VP is 32 zero bytes.
 */
export const VP_LENGTH = 32;
export const VP_COMPARED_LENGTH = 28;
const VP_DOMAIN_BYTE = 0x01;

export async function verificationPattern(c: WebCrypto, key: Uint8Array): Promise<Uint8Array> {
  const input = concat(Uint8Array.of(VP_DOMAIN_BYTE), key);
  try {
    const h = await sha256(c, input);
    h.fill(0, VP_COMPARED_LENGTH);
    return h;
  } finally {
    wipe(input);
  }
}

/** Compare two VPs on their first 28 bytes (both must be 32 bytes). */
export function vpEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== VP_LENGTH || b.length !== VP_LENGTH) return false;
  let d = 0;
  for (let i = 0; i < VP_COMPARED_LENGTH; i++) d |= a[i] ^ b[i];
  return d === 0;
}
