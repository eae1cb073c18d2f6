/**
 * The probe worker (see worker-probe.ts): answers one ProbeRequest with SHA-256(LABEL || nonce)
 * and its own location. A module worker: it imports the digest code like the unit worker imports
 * the simulated unit.
 */
import { probeDigest, type ProbeReply, type ProbeRequest } from './worker-probe.ts';

const scope = globalThis as unknown as {
  addEventListener(type: 'message', fn: (ev: MessageEvent) => void): void;
  postMessage(message: unknown): void;
  location: { href: string };
};

scope.addEventListener('message', (ev) => {
  const req = ev.data as Partial<ProbeRequest> | null;
  if (!req || req.type !== 'webtke-probe' || !(req.nonce instanceof Uint8Array)) return;
  void probeDigest(crypto.subtle, req.nonce).then((digestHex) => {
    scope.postMessage({ type: 'webtke-probe-reply', digestHex, location: scope.location.href } satisfies ProbeReply);
  });
});
