/**
 * The crypto unit protocol over HTTP (DESIGN §1, §2: a remote unit speaks the same bytes as a
 * simulated one). One request is one HTTP exchange; the bodies are the DER AdminRequest and the
 * DER AdminResponse, untouched. The unit host (server/unit-server.ts) and the client transport
 * (http.ts) share these constants.
 *
 *   | method  | path          | request body                  | 200 response body                        |
 *   |---------|---------------|-------------------------------|------------------------------------------|
 *   | POST    | /units/<id>   | AdminRequest (octet-stream)   | AdminResponse (octet-stream)             |
 *   | GET     | /units        | none                          | UnitListing (application/json)           |
 *   | OPTIONS | either        | none (CORS preflight)         | 204, CORS headers for configured origins |
 *
 * Every AdminRequest that reaches a unit gets status 200 and a signed AdminResponse, errors of
 * the unit (rv ≠ 0) included. Other statuses mean the request never reached the unit or the unit
 * could not answer:
 *
 *   | status | meaning                                                                      |
 *   |--------|------------------------------------------------------------------------------|
 *   | 200    | the unit's AdminResponse                                                     |
 *   | 204    | CORS preflight accepted                                                      |
 *   | 400    | request line not understood                                                  |
 *   | 401    | bearer token missing or wrong (with `WWW-Authenticate: Bearer`)              |
 *   | 403    | the request's Origin is not one the host allows                              |
 *   | 404    | no such unit / path                                                          |
 *   | 405    | method not allowed on this path (with `Allow`)                               |
 *   | 413    | body larger than MAX_HTTP_BODY                                               |
 *   | 415    | request body is not application/octet-stream                                 |
 *   | 500    | the unit failed to answer or its state could not be saved (the unit stops)   |
 *   | 503    | the unit is stopped after a failure, or too many requests wait for it        |
 */
import { MAX_REQUEST_LENGTH } from '../protocol/index.ts';

/** Content type of both bodies. Any other type is refused (415 at the host, an error at the client). */
export const UNIT_CONTENT_TYPE = 'application/octet-stream';
/** Content type of the unit listing. */
export const UNIT_LISTING_CONTENT_TYPE = 'application/json';

/** Path of the unit listing; a unit lives at `${UNITS_PATH}/<id>`. */
export const UNITS_PATH = '/units';

/** A unit id as it appears in a path: letters, digits, '.', '_', '-'; 1–64 characters. */
export const UNIT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The path of one unit. */
export function unitPath(id: string): string {
  if (!UNIT_ID_PATTERN.test(id)) throw new RangeError(`"${id}" is not a unit id (letters, digits, ".", "_", "-"; at most 64)`);
  return `${UNITS_PATH}/${id}`;
}

/**
 * What a body may exceed MAX_REQUEST_LENGTH by. A request up to MAX_REQUEST_LENGTH + margin still
 * reaches the unit, which answers an over-long one with its own signed rv 33 (as it does in a
 * worker); the largest response (a 1 MiB request's worth of payload, plus the response block and
 * the OA signature) fits in the same bound.
 */
export const HTTP_BODY_MARGIN = 64 * 1024;
/** Largest body either side sends or accepts. */
export const MAX_HTTP_BODY = MAX_REQUEST_LENGTH + HTTP_BODY_MARGIN;

/** A client's default time limit for one exchange (the same as the worker transport's). */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/**
 * A bearer token (RFC 6750 §2.1, b64token): letters, digits and `-._~+/`, then optional `=`
 * padding. Nothing else can appear in the header, so nothing else is accepted.
 */
export const BEARER_TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Longest token accepted (header lines are short). */
export const MAX_TOKEN_LENGTH = 512;
/** The shortest token a host accepts for itself (a guessable token protects nothing). */
export const MIN_HOST_TOKEN_LENGTH = 16;
/** The realm named in `WWW-Authenticate`. */
export const BEARER_REALM = 'webtke-units';

/** Request headers a browser may send cross-origin (the preflight allows exactly these). */
export const CORS_REQUEST_HEADERS = ['authorization', 'content-type'] as const;
/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** GET /units answers `{ "units": [{ "id": "unit-1", "label": "Simulated unit 1" }, …] }`. */
export interface UnitListing {
  units: Array<{ id: string; label: string }>;
}

/** The media type of a Content-Type value: parameters dropped, trimmed, lower case ('' when absent). */
export function mediaType(contentType: string | null | undefined): string {
  if (!contentType) return '';
  return contentType.split(';', 1)[0].trim().toLowerCase();
}
