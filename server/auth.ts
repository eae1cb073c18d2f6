/**
 * Bearer token check of the unit server (DESIGN §3.8: a remote host authenticates its callers).
 *
 * The token is compared in constant time: both sides are hashed with SHA-256 first, so the
 * comparison takes the same time whatever the length or content of the presented token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A checker for one configured token. */
export function bearerChecker(token: string): (headers: IncomingHttpHeaders) => boolean {
  const expected = digest(token);
  return (headers) => {
    const value = headers.authorization;
    if (typeof value !== 'string') return false;
    const m = /^Bearer +(\S+) *$/i.exec(value);
    // hash and compare even when the header has no token, so no path is measurably faster
    const presented = digest(m ? m[1] : '');
    return timingSafeEqual(presented, expected) && m !== null;
  };
}
