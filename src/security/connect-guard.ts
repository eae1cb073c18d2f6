/**
 * The connect guard: the one `fetch` the remote-unit transport may use. It refuses every URL whose
 * origin is not a configured crypto unit, before any byte leaves the browser.
 *
 * Two lists decide:
 *   - the configured units (run time: the instance's unit endpoints, read on every call, so
 *     adding or removing a unit takes effect at once);
 *   - the origins this build's Content-Security-Policy allows in connect-src (build time:
 *     WEBTKE_UNIT_ORIGINS, see docs/builds.md), or 'any' where no policy limits them (dev server,
 *     tests). A configured unit outside the build's policy is refused with a reason that says so,
 *     instead of the browser's bare CSP error.
 *
 * Every request goes out with `redirect: 'error'` (a redirect to another origin would escape the
 * check), `credentials: 'omit'` and `referrerPolicy: 'no-referrer'` unless the caller asks for
 * other credentials/referrer settings.
 */
import { normalizeOrigin } from './origins.ts';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export type ConnectRefusal = 'bad-url' | 'not-a-unit' | 'outside-build-policy';

export class ConnectRefusedError extends Error {
  override name = 'ConnectRefusedError';
  constructor(
    message: string,
    readonly url: string,
    readonly reason: ConnectRefusal,
    /** The origin that was refused ('' when the URL did not parse). */
    readonly origin: string,
  ) {
    super(message);
  }
}

export interface ConnectGuardOptions {
  /** The platform fetch (passed in; main.ts gives `globalThis.fetch.bind(globalThis)`). */
  fetch: FetchLike;
  /** Origins (or URLs) of the configured units, read on every request. */
  unitOrigins: () => Iterable<string>;
  /** What this build's CSP allows in connect-src besides 'self'; 'any' when unrestricted. */
  buildOrigins: readonly string[] | 'any';
}

export interface ConnectGuard {
  /** The guarded fetch: rejects with ConnectRefusedError, and never calls `fetch`, when refused. */
  fetch: FetchLike;
  /** Why `url` would be refused, or null when it is allowed. */
  check(url: string | URL): ConnectRefusedError | null;
}

/** Canonical origins of a list of configured origins or URLs; entries that do not parse are skipped. */
function originsOf(list: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const item of list) {
    if (URL.canParse(item)) out.add(new URL(item).origin); // a malformed entry allows nothing
  }
  return out;
}

export function createConnectGuard(opts: ConnectGuardOptions): ConnectGuard {
  const build = opts.buildOrigins === 'any' ? 'any' : new Set(opts.buildOrigins.map((o) => normalizeOrigin(o)));

  const check = (input: string | URL): ConnectRefusedError | null => {
    const text = String(input);
    const url = URL.canParse(text) ? new URL(text) : null;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
      return new ConnectRefusedError(
        `refused to connect to "${text}": not an absolute http(s) URL without credentials`, text, 'bad-url', '');
    }
    const origin = url.origin;
    if (!originsOf(opts.unitOrigins()).has(origin)) {
      return new ConnectRefusedError(
        `refused to connect to ${origin}: it is not a configured crypto unit`, text, 'not-a-unit', origin);
    }
    if (build !== 'any' && !build.has(origin)) {
      const allowed = build.size ? [...build].join(', ') : 'none';
      return new ConnectRefusedError(
        `refused to connect to ${origin}: this build's Content-Security-Policy allows only these unit origins: ${allowed}. ` +
          'Rebuild with WEBTKE_UNIT_ORIGINS including it (docs/builds.md).',
        text, 'outside-build-policy', origin);
    }
    return null;
  };

  const guarded: FetchLike = async (input, init) => {
    const refusal = check(input);
    if (refusal) throw refusal;
    return opts.fetch(input, {
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      ...init,
      redirect: 'error',
    });
  };

  return { fetch: guarded, check };
}
