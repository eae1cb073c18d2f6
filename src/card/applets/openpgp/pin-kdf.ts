import { digest, wipe, type WebCrypto } from '../../../crypto/index.ts';
import { OpenPgpAlgorithmError } from './errors.ts';
import type { PinKdf } from './records/kdf.ts';

const UTF8 = new TextEncoder();

/**
 * The bytes a card with this KDF-DO compares for a typed password (VERIFY, RESET RETRY
 * COUNTER): the UTF-8 password itself, or the iterated and salted S2K of it (RFC 4880
 * §3.7.1.3): hash(first `count` bytes of salt ‖ password ‖ salt ‖ password ‖ ...).
 * `count` below the length of salt ‖ password is refused (no card sets one). The caller wipes
 * the result.
 */
export async function passwordBytes(c: WebCrypto | undefined, kdf: PinKdf, which: 'pw1' | 'rc' | 'pw3', password: string): Promise<Uint8Array> {
  const typed = UTF8.encode(password);
  if (kdf.kind === 'none') return typed;
  if (!c) {
    wipe(typed);
    throw new OpenPgpAlgorithmError('the card hashes PINs with its KDF-DO: open it with a WebCrypto (OpenPgpCard.open(..., { crypto }))');
  }
  const salt = kdf.salts[which];
  const unit = new Uint8Array(salt.length + typed.length);
  unit.set(salt);
  unit.set(typed, salt.length);
  wipe(typed);
  if (kdf.count < unit.length) {
    wipe(unit);
    throw new OpenPgpAlgorithmError(`the card's KDF count ${kdf.count} is shorter than salt and password`);
  }
  const stream = new Uint8Array(kdf.count);
  for (let at = 0; at < kdf.count; at += unit.length) stream.set(unit.subarray(0, Math.min(unit.length, kdf.count - at)), at);
  wipe(unit);
  try {
    return await digest(c, kdf.hash, stream);
  } finally {
    wipe(stream);
  }
}
