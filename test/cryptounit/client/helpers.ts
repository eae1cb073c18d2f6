/** Shared pieces of the client tests. */
import type { UnitTransport } from '../../../src/cryptounit/transport.ts';

/**
 * A transport that passes requests to `target` and records every exchange; a test can make it
 * answer the next request with bytes of its choosing (a replay, a tampered response), or
 * switch it to another unit.
 */
export class Switchboard implements UnitTransport {
  /** answer the next request with these bytes instead of asking the unit */
  nextAnswer: Uint8Array | undefined;
  /** change the unit's real answer to the next request */
  nextRewrite: ((response: Uint8Array) => Uint8Array) | undefined;
  readonly log: { request: Uint8Array; response: Uint8Array }[] = [];

  constructor(public target: UnitTransport) {}

  async send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    let response: Uint8Array;
    if (this.nextAnswer) {
      response = this.nextAnswer;
      this.nextAnswer = undefined;
    } else {
      response = await this.target.send(request, signal);
      const rewrite = this.nextRewrite;
      this.nextRewrite = undefined;
      if (rewrite) response = rewrite(response);
    }
    this.log.push({ request: request.slice(), response: response.slice() });
    return response;
  }

  get last(): { request: Uint8Array; response: Uint8Array } {
    return this.log[this.log.length - 1];
  }
}

/** "SHA256:" + unpadded base64 of `digest`, computed here by hand (independent of the client). */
export function sshFingerprint(digest: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let bits = '';
  for (const b of digest) bits += b.toString(2).padStart(8, '0');
  while (bits.length % 6) bits += '0';
  let s = '';
  for (let i = 0; i < bits.length; i += 6) s += A[parseInt(bits.slice(i, i + 6), 2)];
  return `SHA256:${s}`;
}
