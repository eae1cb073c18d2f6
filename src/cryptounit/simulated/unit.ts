import { randomBytes, subjectKeyIdentifier, type WebCrypto } from '../../crypto/index.ts';
import { DOMAIN_INSTANCE_LENGTH, MODULE_INSTANCE_LENGTH, OA_CURVE } from '../protocol/index.ts';
import type { Clock } from './clock.ts';
import { SimulatedHost } from './host.ts';
import { generateOwnKey } from './keys.ts';
import { exportUnitState, restoreUnitState } from './persist.ts';
import { processRequest } from './pipeline.ts';
import { signedResponse } from './respond.ts';
import { retire, type UnitIdentity, type UnitState } from './state.ts';

/**
 * A simulated crypto unit: one HSM domain speaking the protocol of DESIGN §3 behind a single
 * `handle(request) → response`. Requests are taken one at a time, in the order they arrive;
 * each either fails and changes nothing, or succeeds and commits its whole effect at once.
 * Malformed input of any kind gets a signed error response, never an exception.
 */
export interface SimulatedCryptoUnitOptions {
  /** the HSM host whose root certifies this unit; default a fresh host of its own */
  host?: SimulatedHost;
  /** u32, default 0 */
  domainIndex?: number;
  /** WebCrypto; default globalThis.crypto */
  crypto?: WebCrypto;
  /** for the certificates of a fresh host; default Date.now */
  clock?: Clock;
  /**
   * Called with any exception that is not a protocol error (a fault of the simulator
   * itself). The request is still answered, with rv 7. For tests and diagnostics.
   */
  onInternalError?: (error: unknown) => void;
}

export interface SimulatedRestoreOptions {
  /** the host the unit was created on (its root must certify the unit's OA key) */
  host: SimulatedHost;
  crypto?: WebCrypto;
  onInternalError?: (error: unknown) => void;
}

export class SimulatedCryptoUnit {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly c: WebCrypto,
    private readonly id: UnitIdentity,
    private state: UnitState,
    private readonly onInternalError: ((error: unknown) => void) | undefined,
  ) {}

  static async create(opts: SimulatedCryptoUnitOptions = {}): Promise<SimulatedCryptoUnit> {
    const c = opts.crypto ?? globalThis.crypto;
    const domainIndex = opts.domainIndex ?? 0;
    if (!Number.isInteger(domainIndex) || domainIndex < 0 || domainIndex > 0xffffffff) throw new RangeError('domainIndex is a u32');
    const host = opts.host ?? (await SimulatedHost.create({ crypto: c, clock: opts.clock }));
    const oa = await generateOwnKey(c, OA_CURVE, 'ECDSA');
    const moduleSerial = host.nextModuleSerial();
    const id: UnitIdentity = {
      domainIndex,
      moduleSerial,
      moduleInstance: randomBytes(c, MODULE_INSTANCE_LENGTH),
      oa,
      oaSki: await subjectKeyIdentifier(c, oa.publicPoint),
      oaCertificate: await host.certifyUnit(oa.publicPoint, moduleSerial),
      rootCertificate: host.rootCertificate,
    };
    const state: UnitState = {
      counter: 0n,
      domainInstance: randomBytes(c, DOMAIN_INSTANCE_LENGTH),
      admins: [],
      signThreshold: 0,
      revokeThreshold: 0,
      current: null,
      next: null,
      importer: null,
    };
    return new SimulatedCryptoUnit(c, id, state, opts.onInternalError);
  }

  /** Rebuild a unit from exportState(); damaged or foreign state is SimulatedStateError. */
  static async restore(saved: Uint8Array, opts: SimulatedRestoreOptions): Promise<SimulatedCryptoUnit> {
    const c = opts.crypto ?? globalThis.crypto;
    const { id, state } = await restoreUnitState(c, saved, opts.host.rootCertificate);
    return new SimulatedCryptoUnit(c, id, state, opts.onInternalError);
  }

  /** Answer one request (DER AdminRequest) with a DER AdminResponse signed by the OA key. */
  handle(request: Uint8Array): Promise<Uint8Array> {
    // a copy taken now: the caller may reuse its buffer while the request waits its turn
    const bytes: unknown = request instanceof Uint8Array ? request.slice() : request;
    return this.serialized(async () => {
      const before = this.state;
      const r = await processRequest(this.c, this.id, before, bytes);
      if (r.internal !== undefined) this.report(r.internal);
      if (r.state !== before) {
        this.state = r.state;
        retire(before, r.state);
      }
      return signedResponse(this.c, this.id, this.state, r.command, r.rv, r.payload);
    });
  }

  /**
   * The unit as bytes (versioned JSON), taken between requests. It holds the unit's
   * secrets: keep it as safely as the unit itself.
   */
  exportState(): Promise<Uint8Array> {
    return this.serialized(async () => exportUnitState(this.id, this.state));
  }

  private report(error: unknown): void {
    try {
      this.onInternalError?.(error);
    } catch {
      // a failing observer must not break the unit
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
