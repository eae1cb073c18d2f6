/**
 * Overwrite secret buffers with zeros. JavaScript gives no guarantee that no other copy
 * exists, so callers also keep secrets in as few buffers as possible, for as short as
 * possible, and never in strings.
 */
export function wipe(...buffers: (Uint8Array | undefined | null)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** Run `fn` with `secret`, then wipe it whatever happens. */
export async function withWiped<T>(secret: Uint8Array, fn: (s: Uint8Array) => Promise<T> | T): Promise<T> {
  try {
    return await fn(secret);
  } finally {
    wipe(secret);
  }
}
