/**
 * CORS of the unit server: only the configured browser origins (--allow-origin) may call the
 * units, and none by default.
 *
 * - A request with an Origin header that is not configured gets 403 and no CORS header. The
 *   unit is not called. (A browser sends Origin on every cross-origin request, so this also
 *   stops a page elsewhere from driving the units, not merely from reading their answers.)
 * - A request without Origin (curl, a Node client) is not a browser's and passes to the token
 *   check.
 * - The preflight (OPTIONS with Access-Control-Request-Method) of a configured origin gets 204,
 *   the route's method, the headers webtke sends (Authorization, Content-Type), a max age, and
 *   Access-Control-Allow-Private-Network when the browser asks for it (a public page calling a
 *   unit host on a private address).
 * - Every answer to a configured origin names it in Access-Control-Allow-Origin (never '*'),
 *   with `Vary: Origin`; credentials (cookies) are never allowed.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { CORS_MAX_AGE_SECONDS, CORS_REQUEST_HEADERS } from '../src/cryptounit/transports/http-protocol.ts';

export type OriginVerdict = { kind: 'none' } | { kind: 'allowed'; origin: string } | { kind: 'refused'; origin: string };

export function originVerdict(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): OriginVerdict {
  const origin = headers.origin;
  if (origin === undefined) return { kind: 'none' };
  return allowed.has(origin) ? { kind: 'allowed', origin } : { kind: 'refused', origin };
}

/** Headers on every answer to an allowed origin. */
export function corsHeaders(origin: string): OutgoingHttpHeaders {
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/** Headers of an accepted preflight for a route that takes `method`. */
export function preflightHeaders(origin: string, method: string, headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    ...corsHeaders(origin),
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'Access-Control-Allow-Methods': method,
    'Access-Control-Allow-Headers': CORS_REQUEST_HEADERS.join(', '),
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
  };
  if (headers['access-control-request-private-network'] === 'true') out['Access-Control-Allow-Private-Network'] = 'true';
  return out;
}

/** Whether every header a preflight asks for is one the units accept. */
export function requestedHeadersAllowed(headers: IncomingHttpHeaders): boolean {
  const asked = headers['access-control-request-headers'];
  if (asked === undefined || asked.trim() === '') return true;
  return asked
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .every((h) => h === '' || (CORS_REQUEST_HEADERS as readonly string[]).includes(h));
}
