/**
 * A UnitTransport to a remote crypto unit over HTTP(S) (http-protocol.ts): each request is one
 * POST of the DER AdminRequest to the unit's URL, answered by its DER AdminResponse.
 *
 *   const guard = createConnectGuard({ fetch: globalThis.fetch.bind(globalThis), unitOrigins, buildOrigins });
 *   const t = new HttpUnitTransport({ url: 'https://units.example/units/unit-1', fetch: guard.fetch, guard,
 *                                     token: () => sessionToken });
 *
 * - `fetch` is passed in (the connect guard's fetch in the app; a platform fetch in Node).
 * - `guard`, when given, checks the URL before anything is sent; a refused URL never reaches
 *   `fetch`.
 * - Every request is `POST`, `application/octet-stream`, `redirect: 'error'` (a redirect could
 *   lead past the guard), `credentials: 'omit'` (no cookies; the only credential is the bearer
 *   token, set explicitly), `cache: 'no-store'`, `referrerPolicy: 'no-referrer'`, `mode: 'cors'`.
 * - The answer must be status 200, `application/octet-stream`, at most MAX_HTTP_BODY bytes, and
 *   not the result of a redirect; anything else fails, and its body is not read (or no further).
 *
 * Failures are HttpUnitTransportError, a UnitTransportError whose `http` says what went wrong:
 *
 *   | http           | when                                                    | failure        |
 *   |----------------|---------------------------------------------------------|----------------|
 *   | 'refused'      | the connect guard refused the URL (nothing sent)        | 'unknown-unit' |
 *   | 'bad-token'    | the token has characters a bearer token cannot have     | 'closed'       |
 *   | 'network'      | fetch failed: host down, TLS, CORS, a refused redirect  | 'dead'         |
 *   | 'timeout'      | no complete answer within timeoutMs                     | 'timeout'      |
 *   | 'aborted'      | the caller's signal fired                               | 'aborted'      |
 *   | 'status'       | a status other than 200 (`status` holds it)             | see statusFailure() |
 *   | 'redirect'     | the fetch followed or exposed a redirect anyway         | 'bad-message'  |
 *   | 'content-type' | the answer is not application/octet-stream              | 'bad-message'  |
 *   | 'too-large'    | the request or the answer exceeds MAX_HTTP_BODY         | 'bad-message'  |
 *
 * After 'network', 'timeout' and 'aborted' the unit may have run the command: the client
 * re-reads the counter before the next command (as after any transport failure).
 */
import { concat } from '../../bytes/index.ts';
import type { ConnectGuard, FetchLike } from '../../security/connect-guard.ts';
import { UnitTransportError, type UnitTransport, type UnitTransportFailure } from '../transport.ts';
import {
  BEARER_TOKEN_PATTERN, DEFAULT_HTTP_TIMEOUT_MS, MAX_HTTP_BODY, MAX_TOKEN_LENGTH, UNIT_CONTENT_TYPE, mediaType,
} from './http-protocol.ts';

export type HttpUnitFailure =
  | 'refused'
  | 'bad-token'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'status'
  | 'redirect'
  | 'content-type'
  | 'too-large';

/** A bearer token, or a function read on every request (the token is entered per session). */
export type TokenSource = string | (() => string | null | undefined);

export interface HttpUnitTransportOptions {
  /** the unit's URL, e.g. https://units.example:8443/units/unit-1 */
  url: string;
  /** the fetch to use (passed in; in the app, the connect guard's fetch) */
  fetch: FetchLike;
  /** checked before every request; a refused URL is never fetched */
  guard?: Pick<ConnectGuard, 'check'>;
  /** bearer token for the unit host (a transport credential, not a ceremony secret) */
  token?: TokenSource;
  /** time limit of one exchange, request and whole answer, in ms (default 30 s) */
  timeoutMs?: number;
  /** a name for errors (the instance's unit id) */
  unitId?: string;
  /** timers, passed in for tests (default the global setTimeout/clearTimeout) */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

/** The base failure a non-200 status maps to. */
export function statusFailure(status: number): UnitTransportFailure {
  if (status === 404) return 'unknown-unit';
  if (status === 401 || status === 403) return 'closed';
  if (status >= 500 && status <= 599) return 'unit-failed';
  return 'bad-message';
}

function statusRemedy(status: number): string {
  switch (status) {
    case 401:
      return 'The unit host did not accept the access token. Enter the token its operator gave you (Settings) and try again; nothing was sent to the unit.';
    case 403:
      return 'The unit host does not accept requests from this app\'s origin. Ask its operator to allow it (--allow-origin); nothing was sent to the unit.';
    case 404:
      return 'No unit answers at this URL. Check the unit\'s URL in the instance configuration (GET /units on the host lists its units).';
    case 413:
      return 'The request was too large for the unit host; nothing was sent to the unit.';
    case 503:
      return 'The unit host is busy or has stopped this unit after a failure. Wait and refresh the unit; if it stays unavailable, ask the host\'s operator.';
    default:
      if (status >= 500) return 'The unit host failed. Refresh the unit state before repeating the step: the command may have run. Ask the host\'s operator for its log.';
      return 'The unit host answered in a way webtke does not expect. Check the unit\'s URL and the host version.';
  }
}

const REMEDIES: Record<Exclude<HttpUnitFailure, 'status'>, string> = {
  refused: 'webtke connects only to configured crypto units that this build allows. Check the unit\'s URL in the instance configuration, and that the build lists its origin (WEBTKE_UNIT_ORIGINS).',
  'bad-token': 'Enter the access token again exactly as the host\'s operator gave it (letters, digits and - . _ ~ + / =).',
  network: 'The unit host could not be reached (down, wrong address, certificate, CORS or a redirect). Check the host and the URL, then refresh the unit: the command may have run.',
  timeout: 'The unit did not answer in time. Refresh the unit state before repeating the step: the command may have run.',
  aborted: 'Repeat the step when ready. Refresh the unit first: a command may still have run.',
  redirect: 'The unit host answered with a redirect, which webtke never follows. Configure the unit\'s final URL.',
  'content-type': 'The URL answered with something other than a crypto unit response. Check the unit\'s URL.',
  'too-large': 'The exchange exceeded the size a unit request or response can have. Check the unit\'s URL.',
};

const BASE_FAILURE: Record<Exclude<HttpUnitFailure, 'status'>, UnitTransportFailure> = {
  refused: 'unknown-unit',
  'bad-token': 'closed',
  network: 'dead',
  timeout: 'timeout',
  aborted: 'aborted',
  redirect: 'bad-message',
  'content-type': 'bad-message',
  'too-large': 'bad-message',
};

/** A remote unit exchange that did not complete; `http` says why, `status` is the HTTP status. */
export class HttpUnitTransportError extends UnitTransportError {
  override name = 'HttpUnitTransportError';
  override readonly remedy: string;
  override readonly cause: unknown;
  constructor(
    readonly http: HttpUnitFailure,
    message: string,
    /** the unit URL the exchange was for */
    readonly url: string,
    unitId?: string,
    /** the HTTP status, for http = 'status' */
    readonly status?: number,
    cause?: unknown,
  ) {
    super(http === 'status' ? statusFailure(status ?? 0) : BASE_FAILURE[http], message, unitId);
    this.remedy = http === 'status' ? statusRemedy(status ?? 0) : REMEDIES[http];
    this.cause = cause;
  }
}

function checkUnitUrl(text: string): string {
  if (typeof text !== 'string' || !URL.canParse(text)) throw new RangeError(`"${text}" is not an absolute URL`);
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError('a unit URL is http: or https:');
  if (url.username || url.password) throw new RangeError('a unit URL carries no user name or password (use the token)');
  if (url.hash || text.includes('#')) throw new RangeError('a unit URL has no #fragment');
  return url.href;
}

interface Stopper {
  /** settles (rejects) when the exchange is stopped */
  stopped: Promise<never>;
  /** why it stopped, once it has */
  reason(): 'timeout' | 'aborted' | undefined;
  done(): void;
}

export class HttpUnitTransport implements UnitTransport {
  readonly url: string;
  readonly unitId: string | undefined;
  private readonly fetchFn: FetchLike;
  private readonly guard: Pick<ConnectGuard, 'check'> | undefined;
  private readonly token: TokenSource | undefined;
  private readonly timeoutMs: number;
  private readonly timers: NonNullable<HttpUnitTransportOptions['timers']>;

  constructor(opts: HttpUnitTransportOptions) {
    this.url = checkUnitUrl(opts.url);
    if (typeof opts.fetch !== 'function') throw new TypeError('fetch must be passed in');
    this.fetchFn = opts.fetch;
    this.guard = opts.guard;
    this.token = opts.token;
    this.unitId = opts.unitId;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    if (!(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) throw new RangeError('timeoutMs must be a positive number');
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
  }

  private fail(http: HttpUnitFailure, message: string, status?: number, cause?: unknown): HttpUnitTransportError {
    return new HttpUnitTransportError(http, message, this.url, this.unitId, status, cause);
  }

  async send(request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (signal?.aborted) throw this.fail('aborted', 'The unit exchange was cancelled.');
    if (!(request instanceof Uint8Array)) throw new TypeError('a unit request is a Uint8Array');
    if (request.length > MAX_HTTP_BODY) {
      throw this.fail('too-large', `A request of ${request.length} bytes is larger than a unit takes (${MAX_HTTP_BODY}).`);
    }
    const refusal = this.guard?.check(this.url);
    if (refusal) throw this.fail('refused', refusal.message, undefined, refusal);
    const headers: Record<string, string> = { 'Content-Type': UNIT_CONTENT_TYPE, Accept: UNIT_CONTENT_TYPE };
    const token = typeof this.token === 'function' ? this.token() : this.token;
    if (token !== undefined && token !== null && token !== '') {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !BEARER_TOKEN_PATTERN.test(token)) {
        throw this.fail('bad-token', 'The access token for the unit host is not a valid bearer token.');
      }
      headers.Authorization = `Bearer ${token}`;
    }

    const controller = new AbortController();
    const stop = this.stopper(controller, signal);
    const exchange = this.exchange(request.slice(), headers, controller.signal, stop);
    exchange.catch(() => {}); // when the stopper wins, the exchange's own failure is nobody's business
    try {
      return await Promise.race([exchange, stop.stopped]);
    } finally {
      stop.done();
    }
  }

  /** Timeout and caller abort, both ending in controller.abort() (which ends a real fetch). */
  private stopper(controller: AbortController, signal: AbortSignal | undefined): Stopper {
    let why: 'timeout' | 'aborted' | undefined;
    let reject!: (e: Error) => void;
    const stopped = new Promise<never>((_, r) => {
      reject = r;
    });
    stopped.catch(() => {});
    const stopNow = (w: 'timeout' | 'aborted'): void => {
      if (why) return;
      why = w;
      reject(
        w === 'timeout'
          ? this.fail('timeout', `The unit did not answer within ${this.timeoutMs} ms.`)
          : this.fail('aborted', 'The unit exchange was cancelled.'),
      );
      controller.abort();
    };
    const timer = this.timers.setTimeout(() => stopNow('timeout'), this.timeoutMs);
    const onAbort = (): void => stopNow('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    return {
      stopped,
      reason: () => why,
      done: () => {
        this.timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      },
    };
  }

  private async exchange(body: Uint8Array, headers: Record<string, string>, signal: AbortSignal, stop: Stopper): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        body: body as Uint8Array<ArrayBuffer>,
        headers,
        redirect: 'error',
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        mode: 'cors',
        signal,
      });
    } catch (e) {
      if (stop.reason()) throw e; // the stopper has already answered
      throw this.fail('network', `The unit host could not be reached: ${(e as Error)?.message ?? e}.`, undefined, e);
    }
    const discard = (): void => {
      res.body?.cancel().catch(() => {});
    };
    if (res.type === 'opaqueredirect' || res.redirected || (res.status >= 300 && res.status <= 399)) {
      discard();
      throw this.fail('redirect', 'The unit host answered with a redirect; webtke never follows one.', res.status || undefined);
    }
    if (res.status !== 200) {
      discard();
      throw this.fail('status', `The unit host answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`, res.status);
    }
    const type = mediaType(res.headers.get('Content-Type'));
    if (type !== UNIT_CONTENT_TYPE) {
      discard();
      throw this.fail('content-type', `The unit host answered "${type || 'no content type'}", not ${UNIT_CONTENT_TYPE}.`, res.status);
    }
    const declared = res.headers.get('Content-Length');
    if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > MAX_HTTP_BODY) {
      discard();
      throw this.fail('too-large', `The unit host announced ${declared.trim()} bytes; a unit response has at most ${MAX_HTTP_BODY}.`, res.status);
    }
    return this.readCapped(res, signal);
  }

  /** The whole body, refusing more than MAX_HTTP_BODY bytes; cancels the stream when stopped. */
  private async readCapped(res: Response, signal: AbortSignal): Promise<Uint8Array> {
    if (!res.body) return new Uint8Array(0);
    const reader = res.body.getReader();
    const onAbort = (): void => {
      reader.cancel().catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (e) {
          throw this.fail('network', `The unit's answer broke off: ${(e as Error)?.message ?? e}.`, res.status, e);
        }
        if (step.done) break;
        total += step.value.length;
        if (total > MAX_HTTP_BODY) {
          reader.cancel().catch(() => {});
          throw this.fail('too-large', `The unit's answer exceeds ${MAX_HTTP_BODY} bytes.`, res.status);
        }
        chunks.push(step.value);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return concat(...chunks);
  }
}
