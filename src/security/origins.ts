/**
 * Crypto unit origins: the only places, besides the app's own origin, that webtke may connect to.
 *
 * An origin here is what `URL.prototype.origin` gives for an http: or https: URL: scheme, host
 * and a non-default port, nothing else ("https://unit-a.example:8443"). The same strings are
 * CSP source expressions, so one list feeds the Content-Security-Policy (connect-src) and the
 * run-time connect guard (connect-guard.ts).
 */

/** Why an origin string was refused. */
export type OriginProblem = 'not-a-url' | 'scheme' | 'credentials' | 'path' | 'wildcard';

export class UnitOriginError extends Error {
  override name = 'UnitOriginError';
  constructor(
    message: string,
    readonly input: string,
    readonly problem: OriginProblem,
  ) {
    super(message);
  }
}

const ALLOWED_SCHEMES = new Set(['https:', 'http:']);

/**
 * The canonical origin of one configured unit origin: "https://Unit.Example:443/" becomes
 * "https://unit.example". Refuses anything that is more or less than an origin (a path, a query,
 * credentials, a wildcard, another scheme), so nothing wider than the operator meant gets in.
 */
export function normalizeOrigin(input: string): string {
  const text = input.trim();
  if (text.includes('*')) throw new UnitOriginError(`"${input}": wildcards are not allowed; name each unit origin`, input, 'wildcard');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UnitOriginError(`"${input}" is not a URL; write an origin such as https://unit-a.example:8443`, input, 'not-a-url');
  }
  if (!ALLOWED_SCHEMES.has(url.protocol)) {
    throw new UnitOriginError(`"${input}": only https: (or http:) unit origins are allowed`, input, 'scheme');
  }
  if (url.username || url.password) throw new UnitOriginError(`"${input}": an origin carries no user name or password`, input, 'credentials');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || /[?#]/.test(text)) {
    throw new UnitOriginError(`"${input}": give only the origin (scheme, host, port), without a path, query or fragment`, input, 'path');
  }
  return url.origin;
}

/**
 * A list of unit origins from configuration text: separated by spaces, commas or new lines;
 * normalized, duplicates removed, order kept. Throws UnitOriginError on the first bad entry.
 */
export function parseUnitOrigins(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const part of text.split(/[\s,]+/)) {
    if (!part) continue;
    const o = normalizeOrigin(part);
    if (!out.includes(o)) out.push(o);
  }
  return out;
}
