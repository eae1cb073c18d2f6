import type { HashName } from './curves.ts';
import { buf, type WebCrypto } from './webcrypto.ts';

export async function digest(c: WebCrypto, hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await c.subtle.digest(hash, buf(data)));
}
export const sha256 = (c: WebCrypto, data: Uint8Array): Promise<Uint8Array> => digest(c, 'SHA-256', data);
export const sha384 = (c: WebCrypto, data: Uint8Array): Promise<Uint8Array> => digest(c, 'SHA-384', data);
export const sha512 = (c: WebCrypto, data: Uint8Array): Promise<Uint8Array> => digest(c, 'SHA-512', data);
