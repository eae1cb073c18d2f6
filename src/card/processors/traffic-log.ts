import { toHex } from '../../bytes/index.ts';
import { parseCommand } from '../apdu.ts';
import type { Exchange } from './exchange.ts';

/**
 * A traffic log: every APDU that passes, with its response and timing, for diagnostics.
 *
 * It never keeps a secret. The data field of these commands is always redacted (ISO/IEC 7816-4
 * §11.5): VERIFY (INS 20, 21), CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C); and a
 * caller marks key material per command with `sensitive`: 'command' (the command data),
 * 'response' (the response data) or 'both'. A redacted field keeps only its length.
 * The mark covers every APDU sent for that command (chain pieces, GET RESPONSE).
 */
export type Sensitivity = 'command' | 'response' | 'both';

/** INS codes whose command data is always redacted. */
export const REDACTED_INS: ReadonlySet<number> = new Set([0x20, 0x21, 0x24, 0x2c]);
export const DEFAULT_LOG_LIMIT = 1000;

export interface TrafficEntry {
  /** Running number of the APDU in this log. */
  readonly n: number;
  /** Clock time the APDU was sent, ms. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data length (Nc). */
  readonly nc: number;
  /** Ne, or undefined without an Le field. */
  readonly ne: number | undefined;
  readonly extended: boolean;
  /** The command data, or null when redacted. */
  readonly commandData: Uint8Array | null;
  /** Response data length; 0 when the exchange failed. */
  readonly nr: number;
  /** The response data, or null when redacted or when the exchange failed. */
  readonly responseData: Uint8Array | null;
  /** Status word, or undefined when the exchange failed. */
  readonly sw: number | undefined;
  /** "Name: message" of the error when the exchange failed. */
  readonly error?: string;
}

export interface TrafficLogOptions {
  /** Clock in ms. Default performance.now(). */
  now?: () => number;
  /** Entries kept (oldest dropped first). Default 1000. */
  limit?: number;
}

const h2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

export class TrafficLog {
  private readonly list: TrafficEntry[] = [];
  private count = 0;
  private scope: Sensitivity | undefined;
  private readonly now: () => number;
  private readonly limit: number;

  constructor(opts: TrafficLogOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.limit = opts.limit ?? DEFAULT_LOG_LIMIT;
  }

  /** The entries kept, oldest first. */
  get entries(): readonly TrafficEntry[] {
    return this.list;
  }

  clear(): void {
    this.list.length = 0;
  }

  /** Run `fn` with every APDU it sends marked `sensitive` (nested marks combine). */
  async within<T>(sensitive: Sensitivity | undefined, fn: () => Promise<T>): Promise<T> {
    const prev = this.scope;
    this.scope = combine(prev, sensitive);
    try {
      return await fn();
    } finally {
      this.scope = prev;
    }
  }

  /** Processor: log every APDU passing through `exchange`. */
  wrap(exchange: Exchange): Exchange {
    return async (apdu, signal) => {
      const startedAt = this.now();
      const scope = this.scope;
      let head: Omit<TrafficEntry, 'n' | 'startedAt' | 'durationMs' | 'nr' | 'responseData' | 'sw' | 'error'>;
      try {
        const c = parseCommand(apdu);
        const hide = scope === 'command' || scope === 'both' || REDACTED_INS.has(c.ins);
        head = { cla: c.cla, ins: c.ins, p1: c.p1, p2: c.p2, nc: c.data.length, ne: c.ne, extended: c.extended, commandData: hide ? null : c.data };
        if (hide) c.data.fill(0);
      } catch {
        // Not a well-formed APDU: keep the header only.
        head = { cla: apdu[0] ?? 0, ins: apdu[1] ?? 0, p1: apdu[2] ?? 0, p2: apdu[3] ?? 0, nc: Math.max(0, apdu.length - 4), ne: undefined, extended: false, commandData: null };
      }
      try {
        const r = await exchange(apdu, signal);
        const hideResponse = scope === 'response' || scope === 'both';
        const nr = Math.max(0, r.length - 2);
        this.push({
          ...head,
          n: 0,
          startedAt,
          durationMs: this.now() - startedAt,
          nr,
          responseData: hideResponse || r.length < 2 ? null : r.slice(0, nr),
          sw: r.length >= 2 ? (r[r.length - 2] << 8) | r[r.length - 1] : undefined,
        });
        return r;
      } catch (e) {
        const err = e as Error;
        this.push({ ...head, n: 0, startedAt, durationMs: this.now() - startedAt, nr: 0, responseData: null, sw: undefined, error: `${err?.name}: ${err?.message}` });
        throw e;
      }
    };
  }

  /** One line per entry, for a diagnostics view or a bug report. */
  format(): string {
    return this.list.map(formatEntry).join('\n');
  }

  private push(e: TrafficEntry): void {
    this.list.push({ ...e, n: ++this.count });
    while (this.list.length > this.limit) this.list.shift();
  }
}

function combine(a: Sensitivity | undefined, b: Sensitivity | undefined): Sensitivity | undefined {
  if (!a) return b;
  if (!b || a === b) return a;
  return 'both';
}

/** "#3 00 A4 04 00 Lc=9 a000000308 Le=256 -> 9000 [5] 0102030405 (3.2 ms)" */
export function formatEntry(e: TrafficEntry): string {
  const cmd = [h2(e.cla), h2(e.ins), h2(e.p1), h2(e.p2)].join(' ');
  const data = e.nc === 0 ? '' : ` Lc=${e.nc} ${e.commandData ? toHex(e.commandData) : `<${e.nc} bytes redacted>`}`;
  const le = e.ne === undefined ? '' : ` Le=${e.ne}`;
  const resp =
    e.error !== undefined
      ? `failed: ${e.error}`
      : `${h2((e.sw ?? 0) >> 8)}${h2((e.sw ?? 0) & 0xff)}${e.nr === 0 ? '' : ` [${e.nr}] ${e.responseData ? toHex(e.responseData) : '<redacted>'}`}`;
  return `#${e.n} ${cmd}${e.extended ? ' (ext)' : ''}${data}${le} -> ${resp} (${e.durationMs.toFixed(1)} ms)`;
}
