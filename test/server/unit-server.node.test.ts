/**
 * The unit server on 127.0.0.1 (an ephemeral port), driven with Node's own fetch through
 * HttpUnitTransport and CryptoUnitClient: a small ceremony on two units, root pinning and
 * counters across a restart from --state-dir, the bearer token, CORS, body limits, the queue
 * bound, a failing state directory, a redirect refused, and the log. All traffic stays on
 * loopback; every server is closed.
 */
import { mkdtemp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, before, after, assert, assertBytes, assertRejects } from '../harness.ts';
import { CryptoUnitClient, ResponseAuthError } from '../../src/cryptounit/client.ts';
import { Command, Query, encodeAdminBlock, decodeAdminResponse, decodeResponseBlock, encodeAdminRequest, MAX_REQUEST_LENGTH } from '../../src/cryptounit/protocol/index.ts';
import { HttpUnitTransport, HttpUnitTransportError } from '../../src/cryptounit/transports/http.ts';
import { MAX_HTTP_BODY, UNIT_CONTENT_TYPE } from '../../src/cryptounit/transports/http-protocol.ts';
import { createConnectGuard } from '../../src/security/connect-guard.ts';
import { startUnitServer, type RunningUnitServer, type UnitServerOptions } from '../../server/unit-server.ts';
import { StateDirError } from '../../server/state-dir.ts';
import { createTestAdmin } from '../fakes/test-admins.ts';
import { runSmallCeremony, type CeremonyOutcome } from '../cryptounit/transports/small-ceremony.ts';

const c = globalThis.crypto;
const nodeFetch = globalThis.fetch.bind(globalThis);
const DEV_ORIGIN = 'http://127.0.0.1:5173';
const TOKEN = 'test-token-0123456789abcdef';
/** One request log line: ISO time, method, path, status, duration. */
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (GET|POST|OPTIONS|PUT|DELETE|HEAD) \/\S* (\d{3}|aborted) \d+\.\dms$/;

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'webtke-unit-server-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const running: RunningUnitServer[] = [];
async function start(opts: Partial<UnitServerOptions> & { lines?: string[] } = {}): Promise<RunningUnitServer> {
  const lines = opts.lines ?? [];
  const s = await startUnitServer({ units: 2, port: 0, log: (l) => lines.push(l), ...opts });
  running.push(s);
  return s;
}
async function stop(s: RunningUnitServer): Promise<void> {
  await s.close();
  running.splice(running.indexOf(s), 1);
}
after(async () => {
  for (const s of running.splice(0)) await s.close();
});

function client(url: string, opts: { token?: string; pinnedRoot?: string; onFirstUse?: (fp: string) => void } = {}): CryptoUnitClient {
  const origin = new URL(url).origin;
  const guard = createConnectGuard({ fetch: nodeFetch, unitOrigins: () => [origin], buildOrigins: [origin] });
  return new CryptoUnitClient({
    transport: new HttpUnitTransport({ url, fetch: guard.fetch, guard, token: opts.token, timeoutMs: 20_000 }),
    crypto: c,
    pinnedRoot: opts.pinnedRoot,
    onFirstUse: opts.onFirstUse,
  });
}

/** A raw POST of `body` to a unit, with extra headers. */
function post(url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return nodeFetch(url, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'Content-Type': UNIT_CONTENT_TYPE, ...headers }, redirect: 'error' });
}

/** The request that adds `certificate` as an admin in imprint mode (unsigned), at the unit's next counter. */
async function addAdminRequest(cl: CryptoUnitClient, certificate: Uint8Array): Promise<Uint8Array> {
  const prepared = await cl.prepare(Command.DOM_ADMIN_LOGIN, certificate);
  return encodeAdminRequest({ domainIndex: 0, adminBlock: prepared.adminBlock, signerInfos: [] });
}

describe('server/unit-server: two units, a ceremony, and a restart from --state-dir', () => {
  let dir: string;
  let first: RunningUnitServer;
  const lines: string[] = [];
  const outcomes: CeremonyOutcome[] = [];
  const moduleSerials: string[] = [];

  before(async () => {
    dir = join(scratch, 'state-a');
    first = await start({ stateDir: dir, lines });
  });

  it('lists its units and serves them on 127.0.0.1', async () => {
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.isFalse(first.hostRestored);
    assert.deepEqual(first.units.map((u) => [u.id, u.url, u.restored]), [
      ['unit-1', `${first.url}/units/unit-1`, false],
      ['unit-2', `${first.url}/units/unit-2`, false],
    ]);
    const res = await nodeFetch(`${first.url}/units`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { units: [{ id: 'unit-1', label: 'Simulated unit 1' }, { id: 'unit-2', label: 'Simulated unit 2' }] });
  });

  it('runs a small ceremony on each unit through CryptoUnitClient over HttpUnitTransport (Node fetch); both pin the printed root', async () => {
    for (const u of first.units) {
      let seen: string | undefined;
      const cl = client(u.url, { onFirstUse: (fp) => void (seen = fp) });
      const id = await cl.connect();
      assert.equal(seen, first.rootFingerprint, 'the fingerprint the client pins is the one the server prints');
      assert.equal(id.rootFingerprint, first.rootFingerprint);
      assert.equal(cl.counter, 0n);
      moduleSerials.push(Buffer.from(id.moduleSerial).toString('hex'));
      // 2 admins, thresholds 2/2, importer, 2 parts (wrapPartForImporter), commit, finalize;
      // the VP is checked against VP(part1 XOR part2) computed with @noble/hashes
      outcomes.push(await runSmallCeremony(c, cl));
      assert.equal(cl.counter, 7n);
    }
    assert.notEqual(moduleSerials[0], moduleSerials[1], 'two units of one host, two module serials');
  });

  it('keeps the state files (0600, in a 0700 directory) and leaves no temporary file', async () => {
    const names = (await readdir(dir)).sort();
    assert.deepEqual(names, ['host.json', 'server.lock', 'unit-1.json', 'unit-2.json']);
    for (const n of ['host.json', 'unit-1.json', 'unit-2.json']) assert.equal((await stat(join(dir, n))).mode & 0o777, 0o600, n);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  it('rewrites a unit file after a state change only (queries leave it alone)', async () => {
    const file = join(dir, 'unit-1.json');
    const before = await stat(file);
    const cl = client(first.units[0].url, { pinnedRoot: first.rootFingerprint });
    await cl.connect();
    await cl.state();
    await cl.query(0x00010003, Uint8Array.of(0, 0, 0, 1));
    assert.equal((await stat(file)).ino, before.ino, 'queries: the same file (an atomic write would replace it)');
    await cl.clearNew([outcomes[0].admins[0]]);
    assert.equal(cl.counter, 8n);
    assert.notEqual((await stat(file)).ino, before.ino, 'a command: the file was replaced');
  });

  it('restarts from the same --state-dir: the same root fingerprint, counters, admins and registers kept', async () => {
    await stop(first);
    const names = await readdir(dir);
    assert.notInclude(names, 'server.lock', 'the lock is released');
    assert.isEmpty(names.filter((n) => n.endsWith('.tmp')));

    const second = await start({ stateDir: dir, lines });
    assert.equal(second.rootFingerprint, first.rootFingerprint);
    assert.isTrue(second.hostRestored);
    assert.deepEqual(second.units.map((u) => u.restored), [true, true]);
    for (const [i, u] of second.units.entries()) {
      const cl = client(u.url, { pinnedRoot: first.rootFingerprint });
      const id = await cl.connect();
      assert.equal(Buffer.from(id.moduleSerial).toString('hex'), moduleSerials[i], 'the same unit');
      assert.equal(cl.counter, i === 0 ? 8n : 7n, 'the counter is kept');
      const s = await cl.state();
      assert.deepEqual(s.admins.map((a) => a.name), ['Alice', 'Bob']);
      assert.deepEqual(s.attributes, { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' });
      assert.equal(s.registers.current, 'VALID');
      assertBytes(s.registers.currentVp, outcomes[i].vp, 'the master key survived the restart');
      // and the counter goes on from there
      await cl.clearNew([outcomes[i].admins[1]]);
      assert.equal(cl.counter, i === 0 ? 9n : 8n);
    }
    await stop(second);
  });

  it('a fresh state directory is another host: a client pinned to the old root refuses it', async () => {
    const other = await start({ stateDir: join(scratch, 'state-b') });
    assert.notEqual(other.rootFingerprint, first.rootFingerprint);
    const cl = client(other.units[0].url, { pinnedRoot: first.rootFingerprint });
    const e = await assertRejects(cl.connect(), ResponseAuthError);
    assert.equal(e.check, 'pinned-root');
    await stop(other);
  });

  it('logs method, path, status and duration only', () => {
    const requests = lines.filter((l) => !l.startsWith('note:'));
    assert.isAbove(requests.length, 40);
    for (const l of requests) assert.match(l, LOG_LINE);
    assert.isTrue(requests.some((l) => / POST \/units\/unit-2 200 /.test(l)));
  });
});

describe('server/unit-server: bearer token', () => {
  let s: RunningUnitServer;
  const lines: string[] = [];
  before(async () => {
    s = await start({ units: 1, token: TOKEN, lines });
  });

  it('refuses a client without the token or with another one (401), and serves one with it', async () => {
    for (const token of [undefined, 'wrong-token-0123456789abcdef', TOKEN.slice(0, -1)]) {
      const e = await assertRejects(client(s.units[0].url, { token }).connect(), HttpUnitTransportError, String(token));
      assert.equal(e.http, 'status');
      assert.equal(e.status, 401);
      assert.include(e.remedy, 'token');
    }
    const cl = client(s.units[0].url, { token: TOKEN });
    await cl.connect();
    assert.equal((await cl.attributes()).mode, 'imprint');
  });

  it('the listing needs it too, and a 401 names the Bearer scheme', async () => {
    const res = await nodeFetch(`${s.url}/units`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="webtke-units"');
    assert.equal((await nodeFetch(`${s.url}/units`, { headers: { Authorization: `bearer ${TOKEN}` } })).status, 200, 'the scheme is case-insensitive');
    assert.equal((await nodeFetch(`${s.url}/units`, { headers: { Authorization: `Basic ${TOKEN}` } })).status, 401);
  });

  it('never logs the token', () => {
    assert.isAbove(lines.length, 3);
    for (const l of lines) {
      assert.notInclude(l, TOKEN);
      assert.match(l, LOG_LINE);
    }
  });
});

describe('server/unit-server: CORS', () => {
  let open: RunningUnitServer;
  let closed: RunningUnitServer;
  before(async () => {
    open = await start({ units: 1, allowOrigins: [DEV_ORIGIN], token: TOKEN });
    closed = await start({ units: 1 });
  });

  const preflight = (url: string, origin: string, method = 'POST', headers = 'authorization, content-type', extra: Record<string, string> = {}) =>
    nodeFetch(url, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers, ...extra },
    });

  it('answers the preflight of a configured origin (no token needed) with exactly what webtke sends', async () => {
    const res = await preflight(open.units[0].url, DEV_ORIGIN, 'POST', 'authorization, content-type', { 'Access-Control-Request-Private-Network': 'true' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), DEV_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(res.headers.get('access-control-allow-private-network'), 'true');
    assert.isNull(res.headers.get('access-control-allow-credentials'));
    assert.include(res.headers.get('vary')!, 'Origin');
    const listing = await preflight(`${open.url}/units`, DEV_ORIGIN, 'GET', '');
    assert.equal(listing.status, 204);
    assert.equal(listing.headers.get('access-control-allow-methods'), 'GET');
    assert.isNull(listing.headers.get('access-control-allow-private-network'), 'only when asked');
  });

  it('refuses the preflight of any other origin, another method or another header', async () => {
    for (const [url, origin, method, headers] of [
      [open.units[0].url, 'http://127.0.0.1:5174', 'POST', 'content-type'],
      [open.units[0].url, 'https://evil.example', 'POST', 'content-type'],
      [open.units[0].url, DEV_ORIGIN, 'PUT', 'content-type'],
      [open.units[0].url, DEV_ORIGIN, 'POST', 'content-type, x-other'],
      [closed.units[0].url, DEV_ORIGIN, 'POST', 'content-type'],
    ]) {
      const res = await preflight(url, origin, method, headers);
      assert.equal(res.status, 403, `${origin} ${method} ${headers}`);
      if (origin !== DEV_ORIGIN || url === closed.units[0].url) assert.isNull(res.headers.get('access-control-allow-origin'));
      assert.isNull(res.headers.get('access-control-allow-methods'));
    }
  });

  it('a request from an origin not configured never reaches the unit; one from the configured origin does', async () => {
    const cl = client(closed.units[0].url);
    await cl.connect();
    const admin = await createTestAdmin(c, 'Carol');
    const req = await addAdminRequest(cl, admin.certificate);
    const refused = await post(closed.units[0].url, req, { Origin: DEV_ORIGIN });
    assert.equal(refused.status, 403);
    assert.isNull(refused.headers.get('access-control-allow-origin'));
    const s = await cl.state();
    assert.lengthOf(s.admins, 0, 'the command did not run');
    assert.equal(s.counter, 0n);

    const ok = client(open.units[0].url, { token: TOKEN });
    await ok.connect();
    const res = await post(open.units[0].url, await addAdminRequest(ok, admin.certificate), { Origin: DEV_ORIGIN, Authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), DEV_ORIGIN);
    assert.equal(decodeAdminResponse(new Uint8Array(await res.arrayBuffer())).rv, 0);
    assert.lengthOf(await ok.adminSkis(), 1);
    // a 401 to the configured origin still carries CORS headers, so the app can show it
    const unauth = await post(open.units[0].url, Uint8Array.of(0x30, 0), { Origin: DEV_ORIGIN });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers.get('access-control-allow-origin'), DEV_ORIGIN);
  });
});

describe('server/unit-server: limits and routes', () => {
  let s: RunningUnitServer;
  before(async () => {
    s = await start({ units: 1 });
  });

  it('a body over MAX_HTTP_BODY is refused (413), announced or chunked; one just over the protocol limit reaches the unit (signed rv 33)', async () => {
    const big = await post(s.units[0].url, new Uint8Array(MAX_HTTP_BODY + 1));
    assert.equal(big.status, 413);

    // chunked, no Content-Length: the server counts and stops
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(s.units[0].url);
      const r = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Content-Type': UNIT_CONTENT_TYPE, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      r.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent <= MAX_HTTP_BODY + chunk.length) {
          sent += chunk.length;
          if (!r.write(chunk)) return void r.once('drain', pump);
        }
        r.end();
      };
      pump();
    });
    assert.equal(status, 413);

    const over = await post(s.units[0].url, new Uint8Array(MAX_REQUEST_LENGTH + 1));
    assert.equal(over.status, 200, 'the unit judges a request that fits the HTTP bound');
    const response = decodeAdminResponse(new Uint8Array(await over.arrayBuffer()));
    assert.equal(response.rv, 33);
    assert.equal(decodeResponseBlock(response.responseBlock).rv, 33);
  });

  it('refuses other content types (415), unknown units and paths (404) and other methods (405)', async () => {
    const url = s.units[0].url;
    assert.equal((await nodeFetch(url, { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } })).status, 415);
    assert.equal((await nodeFetch(url, { method: 'POST', body: new Uint8Array(2) })).status, 415, 'no content type');
    assert.equal((await post(`${s.url}/units/unit-2`, new Uint8Array(2))).status, 404);
    assert.equal((await post(`${url}/`, new Uint8Array(2))).status, 404);
    assert.equal((await nodeFetch(`${s.url}/`)).status, 404);
    const get = await nodeFetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    assert.equal((await post(`${s.url}/units`, new Uint8Array(2))).status, 405);
  });

  it('at most queueLimit requests wait for a unit; the rest get 503 with Retry-After, the others valid answers', async () => {
    const q = await start({ units: 1, queueLimit: 1 });
    const query = encodeAdminRequest({
      domainIndex: 0,
      adminBlock: encodeAdminBlock({ command: Query.DOM_ATTRS, domain: new Uint8Array(8), module: new Uint8Array(16), counter: new Uint8Array(16), payload: new Uint8Array(0) }),
      signerInfos: [],
    });
    const results = await Promise.all(Array.from({ length: 30 }, () => post(q.units[0].url, query)));
    const statuses = results.map((r) => r.status);
    assert.includeMembers([200, 503], [...new Set(statuses)]);
    assert.isAtLeast(statuses.filter((x) => x === 200).length, 1);
    assert.isAtLeast(statuses.filter((x) => x === 503).length, 1, 'the queue bound was hit');
    for (const r of results) {
      if (r.status === 503) assert.equal(r.headers.get('retry-after'), '1');
      else assert.equal(r.headers.get('content-type'), UNIT_CONTENT_TYPE);
      await r.arrayBuffer();
    }
    await stop(q);
  });
});

describe('server/unit-server: the state directory', () => {
  it('removes temporary files a crash left, and refuses a second server on the same directory', async () => {
    const dir = join(scratch, 'state-c');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '.unit-1.json.4242.deadbeef.tmp'), 'half a file');
    const s = await start({ units: 1, stateDir: dir });
    assert.deepEqual((await readdir(dir)).sort(), ['host.json', 'server.lock', 'unit-1.json']);
    const e = await assertRejects(startUnitServer({ units: 1, port: 0, stateDir: dir, log: () => {} }), StateDirError);
    assert.include(e.message, 'already serves this state directory');
    await stop(s);
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = join(scratch, 'state-d');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'server.lock'), '2147483646\n');
    const s = await start({ units: 1, stateDir: dir });
    assert.equal(s.units.length, 1);
    await stop(s);
  });

  it('more units than saved: the saved ones restored, a new one on the same host; fewer: the rest left alone', async () => {
    const dir = join(scratch, 'state-g');
    const one = await start({ units: 1, stateDir: dir });
    const serialOf = async (url: string): Promise<string> => {
      const cl = client(url, { pinnedRoot: one.rootFingerprint });
      return Buffer.from((await cl.connect()).moduleSerial).toString('hex');
    };
    const serial1 = await serialOf(one.units[0].url);
    await stop(one);
    const three = await start({ units: 3, stateDir: dir });
    assert.equal(three.rootFingerprint, one.rootFingerprint);
    assert.deepEqual(three.units.map((u) => u.restored), [true, false, false]);
    const serials = [await serialOf(three.units[0].url), await serialOf(three.units[1].url), await serialOf(three.units[2].url)];
    assert.equal(serials[0], serial1);
    assert.equal(new Set(serials).size, 3, 'distinct module serials');
    await stop(three);
    const lines: string[] = [];
    const two = await start({ units: 2, stateDir: dir, lines });
    assert.deepEqual(two.units.map((u) => u.restored), [true, true]);
    assert.isTrue(lines.some((l) => l.startsWith('note: unit-3.json') && l.includes('not served')), lines.join('\n'));
    assert.include(await readdir(dir), 'unit-3.json');
    await stop(two);
  });

  it('unit files without their host are refused', async () => {
    const dir = join(scratch, 'state-e');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'unit-1.json'), '{}');
    const e = await assertRejects(startUnitServer({ units: 1, port: 0, stateDir: dir, log: () => {} }), StateDirError);
    assert.include(e.message, 'host.json');
    assert.notInclude(await readdir(dir), 'server.lock', 'the lock is released after a failed start');
  });

  it('a state change that cannot be saved gets 500 and stops the unit (503), so the files never fall behind', async () => {
    const dir = join(scratch, 'state-f');
    const lines: string[] = [];
    const s = await start({ units: 1, stateDir: dir, lines });
    const cl = client(s.units[0].url);
    await cl.connect();
    const req = await addAdminRequest(cl, (await createTestAdmin(c, 'Dave')).certificate);
    // the directory vanishes: a file where it was (even root cannot write into a file)
    await rename(dir, `${dir}.moved`);
    await writeFile(dir, 'not a directory');
    try {
      assert.equal((await post(s.units[0].url, req)).status, 500);
      assert.isTrue(lines.some((l) => l.startsWith('error: unit-1: its state could not be saved')), lines.join('\n'));
      const after = await post(s.units[0].url, req);
      assert.equal(after.status, 503);
      assert.include(await after.text(), 'restart');
    } finally {
      await rm(dir, { force: true });
      await rename(`${dir}.moved`, dir);
    }
    await stop(s);
    // what was saved is the state before the command the client never saw answered
    const again = await start({ units: 1, stateDir: dir });
    const cl2 = client(again.units[0].url, { pinnedRoot: s.rootFingerprint });
    await cl2.connect();
    assert.equal(cl2.counter, 0n);
    assert.lengthOf(await cl2.adminSkis(), 0);
    await stop(again);
  });
});

describe('server/unit-server: redirects', () => {
  it('a unit URL that redirects (even to the real unit) is refused by the transport, and the unit is never called', async () => {
    const lines: string[] = [];
    const s = await start({ units: 1, lines });
    const redirector = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { Location: s.units[0].url });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/units/unit-1`;
      const e = await assertRejects(client(url).connect(), HttpUnitTransportError);
      assert.equal(e.http, 'network');
      assert.include(String((e.cause as Error)?.cause ?? e.message), 'redirect');
      assert.isFalse(lines.some((l) => l.includes(' POST ')), 'no request reached the unit server');
    } finally {
      redirector.closeAllConnections();
      await new Promise<void>((r) => redirector.close(() => r()));
    }
  });
});
