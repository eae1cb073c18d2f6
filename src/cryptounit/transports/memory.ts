/**
 * A UnitTransport over an in-process unit: any `handle(request) → response` function, such as
 * `SimulatedCryptoUnit.handle`. Bytes are copied both ways, so neither side can change the
 * other's buffers after the fact (as with a real wire).
 *
 * An aborted exchange rejects at once; the unit call it abandoned still runs to its end (a
 * unit cannot be interrupted), so the command may have taken effect.
 */
import { throwIfUnitAborted, UnitTransportError, type UnitHandler, type UnitTransport } from '../transport.ts';

export interface MemoryUnitTransportOptions {
  /** a name for errors and logs */
  unitId?: string;
}

export class MemoryUnitTransport implements UnitTransport {
  private handler: UnitHandler | null;
  readonly unitId: string | undefined;

  constructor(handle: UnitHandler, opts: MemoryUnitTransportOptions = {}) {
    this.handler = handle;
    this.unitId = opts.unitId;
  }

  async send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const handle = this.handler;
    if (!handle) throw new UnitTransportError('closed', 'The in-memory unit connection is closed.', this.unitId);
    throwIfUnitAborted(signal, this.unitId);
    const call = (async () => {
      try {
        return await handle(request.slice());
      } catch (e) {
        throw new UnitTransportError('unit-failed', `The unit threw instead of answering: ${(e as Error)?.message ?? e}`, this.unitId);
      }
    })();
    let response: Uint8Array;
    if (signal) {
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new UnitTransportError('aborted', 'The unit exchange was cancelled.', this.unitId));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      call.catch(() => {});
      try {
        response = await Promise.race([call, aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort!);
      }
    } else {
      response = await call;
    }
    if (!(response instanceof Uint8Array)) {
      throw new UnitTransportError('bad-message', 'The unit answered with something other than bytes.', this.unitId);
    }
    return response.slice();
  }

  /** Later sends fail with UnitTransportError('closed'). */
  close(): void {
    this.handler = null;
  }
}
