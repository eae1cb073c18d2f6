/**
 * What the two ceremony benchmarks (ceremony.bench.ts in Node and Chromium, ceremony-browser.bench.ts
 * with the simulation worker) share: a transport that counts unit exchanges, and a consent that
 * lends already opened signers (so PBKDF2 stays outside the timing) and counts admin signatures.
 */
import { toHex } from '../src/bytes/index.ts';
import type { Consent } from '../src/ceremony/index.ts';
import type { UnitTransport } from '../src/cryptounit/transport.ts';
import type { AdminSigner } from '../src/custodian/index.ts';
import type { SoftAdminSigner } from '../src/custodian/soft/index.ts';

export class CountingTransport implements UnitTransport {
  count = 0;
  constructor(private readonly inner: UnitTransport) {}
  send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    this.count++;
    return this.inner.send(request, signal);
  }
}

/** A loan of an open signer: the engine closes the loan after each step, the key stays open. */
function lend(s: SoftAdminSigner, counter: { n: number }): AdminSigner {
  let closed = false;
  return {
    name: s.name,
    certificate: s.certificate,
    ski: s.ski,
    curve: s.curve,
    sign(block) {
      if (closed) return Promise.reject(new Error('the loan is closed'));
      counter.n++;
      return s.sign(block);
    },
    close() {
      closed = true;
    },
  };
}

/**
 * The consent of a bench run: the first `required` of `admins` among the candidates sign (each
 * signature counted in `signatures`), parts are wrapped with `secretOf(partId)`, every
 * confirmation is yes.
 */
export function benchConsent(admins: readonly SoftAdminSigner[], signatures: { n: number }, secretOf: (partId: string) => string): Consent {
  return {
    async chooseSigners(r) {
      return admins.filter((a) => r.candidates.some((x) => x.ski === toHex(a.ski))).slice(0, r.required).map((a) => lend(a, signatures));
    },
    async wrapParts(r) {
      const out: Uint8Array[][] = [];
      for (const p of r.parts) out.push(await p.holder.wrapForImporters(p.partId, r.importers.map((i) => i.spki), secretOf(p.partId)));
      return out;
    },
    async confirm() {
      return true;
    },
    progress() {},
  };
}
