/**
 * The platform's WebCrypto, passed in to every function of this layer (DESIGN §2: platform
 * objects are passed in). Browsers and Node 20 both provide one as `globalThis.crypto`; only
 * the composition roots (app entry, worker entry, server, tests) read that global.
 */
export type WebCrypto = Pick<Crypto, 'subtle' | 'getRandomValues'>;

/** Fresh random bytes from the given WebCrypto. */
export function randomBytes(c: WebCrypto, n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues is limited to 65536 bytes per call
  for (let o = 0; o < n; o += 65536) c.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** WebCrypto wants BufferSource; give it an exact-length ArrayBuffer-backed view. */
export function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return (bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes)) as Uint8Array<ArrayBuffer>;
}
