/**
 * The webtke unit server (Node only): simulated crypto units behind the HTTP protocol of
 * src/cryptounit/transports/http-protocol.ts, so a team can run webtke against "remote" units.
 *
 *   npx tsx server/unit-server.ts --units 2 --port 8787 --state-dir ./units --allow-origin http://127.0.0.1:5173
 *
 * (options: server/args.ts; operator's guide: docs/remote-units.md)
 *
 * - Listens on 127.0.0.1 by default. Plain HTTP: for other hosts, put a TLS proxy in front.
 * - POST /units/<id> → that unit's `handle(bytes)`; GET /units → the ids and labels.
 * - Each unit takes one request at a time, in arrival order (a queue, at most `queueLimit`
 *   waiting; more get 503). Bodies are capped at MAX_HTTP_BODY (413).
 * - With a token, every request but the CORS preflight needs `Authorization: Bearer <token>`
 *   (401 otherwise), compared in constant time (auth.ts). CORS for configured origins only (cors.ts).
 * - With a state directory, the host and every unit are restored at start, and a unit's
 *   exported state is written (atomically, state-dir.ts) after every request that changed it,
 *   before the answer is sent. If the state cannot be written, the request gets 500 and the
 *   unit stops (503) until the server is restarted, so the files never fall behind what a
 *   client was told.
 * - Prints the host root fingerprint at start, for operators to compare with the one webtke
 *   pins. Logs one line per request: time, method, path, status, duration. Never bodies,
 *   headers or tokens.
 *
 * The units are simulations: their keys live in this process and in the state files. This is
 * not an HSM (docs/remote-units.md, "Security").
 */
import { createHash, webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { WebCrypto } from '../src/crypto/index.ts';
import { parseCertificate, spkiFingerprint } from '../src/cryptounit/protocol/index.ts';
import { SimulatedCryptoUnit, SimulatedHost } from '../src/cryptounit/simulated/index.ts';
import {
  BEARER_REALM, MAX_HTTP_BODY, UNIT_CONTENT_TYPE, UNIT_LISTING_CONTENT_TYPE, UNITS_PATH, mediaType, unitPath,
  type UnitListing,
} from '../src/cryptounit/transports/http-protocol.ts';
import { ArgsError, DEFAULT_HOST, MAX_UNITS, parseArgs, USAGE, type ServerArgs } from './args.ts';
import { bearerChecker } from './auth.ts';
import { corsHeaders, originVerdict, preflightHeaders, requestedHeadersAllowed } from './cors.ts';
import { HOST_FILE, StateDir, StateDirError } from './state-dir.ts';

export interface UnitServerOptions {
  /** how many units, 1–16; ids unit-1 … unit-N */
  units: number;
  /** TCP port; 0 = any free port */
  port: number;
  /** listen address (default 127.0.0.1) */
  host?: string;
  /** keep the host and the units here (restored at start) */
  stateDir?: string;
  /** require this bearer token */
  token?: string;
  /** browser origins allowed by CORS (canonical origins, see src/security/origins.ts) */
  allowOrigins?: readonly string[];
  /** where request lines and notices go (default console.log) */
  log?: (line: string) => void;
  /** WebCrypto (default node:crypto's webcrypto) */
  crypto?: WebCrypto;
  /** most requests waiting for one unit (default 32) */
  queueLimit?: number;
}

export interface ServedUnitInfo {
  id: string;
  label: string;
  /** absolute URL of the unit */
  url: string;
  /** restored from the state directory (false: created now) */
  restored: boolean;
}

export interface RunningUnitServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  /** "SHA256:…" of the host root's SubjectPublicKeyInfo, as webtke shows and pins it */
  readonly rootFingerprint: string;
  readonly units: readonly ServedUnitInfo[];
  /** whether the host was restored from the state directory */
  readonly hostRestored: boolean;
  /** stop listening, let waiting requests finish, release the state directory */
  close(): Promise<void>;
}

interface ServedUnit {
  id: string;
  label: string;
  unit: SimulatedCryptoUnit;
  file: string;
  /** settles when the last queued request is done */
  tail: Promise<void>;
  /** requests admitted and not yet answered */
  waiting: number;
  /** why the unit stopped serving, once it has */
  stopped?: string;
  /** SHA-256 of the last state written (so unchanged state is not rewritten) */
  savedDigest?: string;
}

const DEFAULT_QUEUE_LIMIT = 32;
const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const digestHex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const unitFile = (id: string): string => `${id}.json`;
const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

class BodyTooLarge extends Error {}

/** The request body, refusing more than `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (c: Buffer): void => {
      total += c.length;
      if (total > max) {
        cleanup();
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(new Uint8Array(Buffer.concat(chunks, total)));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onAborted = (): void => onError(new Error('the client went away'));
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** A path fit for a log line: the path only (no query), printable, at most 200 characters. */
function logPath(rawUrl: string | undefined): string {
  const path = (rawUrl ?? '').split('?', 1)[0];
  const clean = path.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean || '-';
}

export async function startUnitServer(opts: UnitServerOptions): Promise<RunningUnitServer> {
  const c = opts.crypto ?? (webcrypto as unknown as WebCrypto);
  const log = opts.log ?? ((line: string) => console.log(line));
  const listenHost = opts.host ?? DEFAULT_HOST;
  const queueLimit = opts.queueLimit ?? DEFAULT_QUEUE_LIMIT;
  if (!Number.isInteger(opts.units) || opts.units < 1 || opts.units > MAX_UNITS) throw new RangeError(`units must be 1–${MAX_UNITS}`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new RangeError('port must be 0–65535');
  if (!Number.isInteger(queueLimit) || queueLimit < 1) throw new RangeError('queueLimit must be at least 1');
  const allowed = new Set(opts.allowOrigins ?? []);
  const checkToken = opts.token !== undefined ? bearerChecker(opts.token) : undefined;

  const dir = opts.stateDir !== undefined ? await StateDir.open(opts.stateDir) : undefined;
  const units = new Map<string, ServedUnit>();
  let host: SimulatedHost;
  let hostRestored = false;
  const restoredIds = new Set<string>();
  let server: Server;
  try {
    // ---- the host and its units, restored or created ---------------------------------------
    const savedHost = dir ? await dir.read(HOST_FILE) : null;
    const savedUnitFiles = dir ? (await dir.list()).filter((n) => /^unit-\d+\.json$/.test(n)) : [];
    if (savedHost) {
      host = await SimulatedHost.restore(savedHost, { crypto: c });
      savedHost.fill(0);
      hostRestored = true;
    } else {
      if (savedUnitFiles.length > 0) {
        throw new StateDirError(`holds unit state (${savedUnitFiles.join(', ')}) but no ${HOST_FILE}: the units cannot be restored without their host`, dir!.path);
      }
      host = await SimulatedHost.create({ crypto: c });
      await dir?.write(HOST_FILE, await host.exportState());
    }
    for (let i = 1; i <= opts.units; i++) {
      const id = `unit-${i}`;
      const file = unitFile(id);
      const saved = dir ? await dir.read(file) : null;
      let unit: SimulatedCryptoUnit;
      let savedDigest: string | undefined;
      if (saved) {
        unit = await SimulatedCryptoUnit.restore(saved, { host, crypto: c });
        savedDigest = digestHex(saved);
        saved.fill(0);
        restoredIds.add(id);
      } else {
        unit = await SimulatedCryptoUnit.create({ host, crypto: c });
        // the host's serial counter first: a crash between the two writes skips a serial, never repeats one
        await dir?.write(HOST_FILE, await host.exportState());
      }
      const u: ServedUnit = { id, label: `Simulated unit ${i}`, unit, file, tail: Promise.resolve(), waiting: 0, savedDigest };
      if (dir) await persist(u);
      units.set(id, u);
    }
    const extra = savedUnitFiles.filter((n) => !units.has(n.slice(0, -'.json'.length)));
    if (extra.length) log(`note: ${extra.join(', ')} in the state directory ${extra.length === 1 ? 'is' : 'are'} not served (--units ${opts.units}); left untouched`);

    server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, (req, res) => {
      void route(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, listenHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await dir?.close();
    throw e;
  }

  const rootFingerprint = await spkiFingerprint(c, parseCertificate(host.rootCertificate, 'root certificate').spkiDer);
  const port = (server.address() as AddressInfo).port;
  const base = `http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`;

  /** Write the unit's state if it differs from what was written last. */
  async function persist(u: ServedUnit): Promise<void> {
    if (!dir) return;
    const bytes = await u.unit.exportState();
    try {
      const d = digestHex(bytes);
      if (d === u.savedDigest) return;
      await dir.write(u.file, bytes);
      u.savedDigest = d;
    } finally {
      bytes.fill(0);
    }
  }

  // ---- requests --------------------------------------------------------------------------

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? '-';
    const path = logPath(req.url);
    res.once('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      log(`${new Date().toISOString()} ${method} ${path} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    });
    try {
      await handle(req, res);
    } catch (e) {
      // a fault of the server itself; the message names no body or token
      log(`error: ${method} ${path}: ${(e as Error)?.message ?? e}`);
      if (!res.headersSent) reply(res, 500, 'internal error', {});
      else res.destroy();
    }
  }

  function reply(res: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders, close = false): void {
    const body = Buffer.from(`${status} ${text}\n`, 'utf8');
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      ...headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(body.length),
      ...(close ? { Connection: 'close' } : {}),
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '', 'http://unit-server.invalid').pathname;
    } catch {
      return reply(res, 400, 'bad request target', {}, true);
    }
    // the route and the one method it takes
    let target: { kind: 'listing' } | { kind: 'unit'; unit: ServedUnit | undefined } | null = null;
    if (pathname === UNITS_PATH) target = { kind: 'listing' };
    else if (pathname.startsWith(`${UNITS_PATH}/`)) target = { kind: 'unit', unit: units.get(pathname.slice(UNITS_PATH.length + 1)) };
    const routeMethod = target?.kind === 'listing' ? 'GET' : 'POST';

    const verdict = originVerdict(req.headers, allowed);
    if (verdict.kind === 'refused') return reply(res, 403, 'origin not allowed', {}, true);
    const cors = verdict.kind === 'allowed' ? corsHeaders(verdict.origin) : {};

    if (req.method === 'OPTIONS') {
      if (!target || (target.kind === 'unit' && !target.unit)) return reply(res, 404, 'no such unit', cors);
      if (verdict.kind !== 'allowed') {
        res.writeHead(204, { ...SECURITY_HEADERS, Allow: `${routeMethod}, OPTIONS` });
        return void res.end();
      }
      const asked = req.headers['access-control-request-method'];
      if (asked !== routeMethod || !requestedHeadersAllowed(req.headers)) return reply(res, 403, 'preflight not allowed', cors);
      res.writeHead(204, { ...SECURITY_HEADERS, ...preflightHeaders(verdict.origin, routeMethod, req.headers) });
      return void res.end();
    }

    if (checkToken && !checkToken(req.headers)) {
      return reply(res, 401, 'the bearer token is missing or wrong', { ...cors, 'WWW-Authenticate': `Bearer realm="${BEARER_REALM}"` }, true);
    }
    if (!target || (target.kind === 'unit' && !target.unit)) return reply(res, 404, 'no such unit', cors, true);
    if (req.method !== routeMethod) return reply(res, 405, 'method not allowed', { ...cors, Allow: `${routeMethod}, OPTIONS` }, true);

    if (target.kind === 'listing') {
      const listing: UnitListing = { units: [...units.values()].map((u) => ({ id: u.id, label: u.label })) };
      const body = Buffer.from(JSON.stringify(listing), 'utf8');
      res.writeHead(200, { ...SECURITY_HEADERS, ...cors, 'Content-Type': `${UNIT_LISTING_CONTENT_TYPE}; charset=utf-8`, 'Content-Length': String(body.length) });
      return void res.end(body);
    }

    const u = target.unit!;
    if (u.stopped) return reply(res, 503, `unit stopped: ${u.stopped}; restart the server`, cors, true);
    if (mediaType(req.headers['content-type']) !== UNIT_CONTENT_TYPE) return reply(res, 415, `the body must be ${UNIT_CONTENT_TYPE}`, cors, true);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_HTTP_BODY) return reply(res, 413, `a body has at most ${MAX_HTTP_BODY} bytes`, cors, true);
    if (u.waiting >= queueLimit) return reply(res, 503, 'too many requests wait for this unit', { ...cors, 'Retry-After': '1' }, true);

    u.waiting++;
    let answer: Uint8Array | undefined;
    let failure: string | undefined;
    try {
      let body: Uint8Array;
      try {
        body = await readBody(req, MAX_HTTP_BODY);
      } catch (e) {
        if (e instanceof BodyTooLarge) return reply(res, 413, `a body has at most ${MAX_HTTP_BODY} bytes`, cors, true);
        return void res.destroy(); // the client went away; the unit never saw the request
      }
      // one request at a time per unit: the unit's answer and the saved state, before the next one
      const run = u.tail.then(async () => {
        if (u.stopped) {
          failure = `unit stopped: ${u.stopped}`;
          return;
        }
        try {
          answer = await u.unit.handle(body);
        } catch (e) {
          u.stopped = 'the unit failed';
          log(`error: ${u.id} failed to answer (${(e as Error)?.name ?? 'error'}); it is stopped`);
          failure = 'the unit failed';
          return;
        }
        try {
          await persist(u);
        } catch (e) {
          u.stopped = 'its state could not be saved';
          log(`error: ${u.id}: its state could not be saved (${(e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message}); it is stopped`);
          answer = undefined;
          failure = 'the state could not be saved';
        }
      });
      u.tail = run.catch(() => {});
      await run;
    } finally {
      u.waiting--;
    }
    if (!answer) return reply(res, failure?.startsWith('unit stopped') ? 503 : 500, failure ?? 'no answer', cors, true);
    res.writeHead(200, { ...SECURITY_HEADERS, ...cors, 'Content-Type': UNIT_CONTENT_TYPE, 'Content-Length': String(answer.length) });
    res.end(answer);
  }

  const info: ServedUnitInfo[] = [...units.values()].map((u) => ({
    id: u.id, label: u.label, url: base + unitPath(u.id), restored: restoredIds.has(u.id),
  }));

  let closing: Promise<void> | undefined;
  return {
    url: base,
    port,
    rootFingerprint,
    units: info,
    hostRestored,
    close(): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.all([...units.values()].map((u) => u.tail));
        server.closeAllConnections();
        await closed;
        await dir?.close();
      })();
      return closing;
    },
  };
}

// ---- command line ---------------------------------------------------------------------------

export async function main(argv: readonly string[]): Promise<number> {
  let args: ServerArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof ArgsError) {
      process.stderr.write(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let running: RunningUnitServer;
  try {
    running = await startUnitServer({
      units: args.units, port: args.port, host: args.host, stateDir: args.stateDir, token: args.token, allowOrigins: args.allowOrigins,
    });
  } catch (e) {
    process.stderr.write(`cannot start: ${(e as Error)?.message ?? e}${e instanceof StateDirError ? ` (${e.path})` : ''}\n`);
    return 1;
  }
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`webtke unit server listening on ${running.url} (${running.units.length} simulated unit${running.units.length === 1 ? '' : 's'})`);
  out(`host root fingerprint: ${running.rootFingerprint}`);
  out('  compare it with the fingerprint webtke shows when it first connects to a unit of this host');
  for (const u of running.units) out(`  ${u.id}  ${u.url}  ${u.label}${args.stateDir ? (u.restored ? '  (restored)' : '  (new)') : ''}`);
  out(args.stateDir
    ? `state: ${args.stateDir} (${running.hostRestored ? 'host restored' : 'new host'}; written after every change)`
    : 'state: memory only (the units are lost when the server stops; use --state-dir to keep them)');
  out(args.token ? 'token: required (Authorization: Bearer …)' : 'token: none (anyone who can reach the port can use the units)');
  out(`CORS origins: ${args.allowOrigins.length ? args.allowOrigins.join(' ') : 'none (browsers on other origins are refused)'}`);
  if (!isLoopback(args.host)) out(`warning: listening on ${args.host} over plain HTTP; put a TLS proxy in front and set --token`);
  if (argv.includes('--token') || argv.some((a) => a.startsWith('--token='))) out('note: --token is visible in process lists; --token-file is safer on shared machines');

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      out('stopping: finishing queued requests');
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  out('stopped');
  return 0;
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
