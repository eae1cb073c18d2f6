/**
 * HttpUnitTransport against fake fetches (Node and Chromium). Every fake builds a real
 * `Request` from the transport's arguments first, so the platform's own Request constructor
 * checks the init (method, body, headers, redirect, credentials, cache, mode, signal).
 */
import { describe, it, assert, assertBytes, assertRejects, assertThrows } from '../../harness.ts';
import { bytesEqual } from '../../../src/bytes/index.ts';
import { TransportError } from '../../../src/card/transport-errors.ts';
import { CryptoUnitClient } from '../../../src/cryptounit/client.ts';
import { UnitTransportError } from '../../../src/cryptounit/transport.ts';
import { HttpUnitTransport, HttpUnitTransportError, statusFailure } from '../../../src/cryptounit/transports/http.ts';
import { MAX_HTTP_BODY, UNIT_CONTENT_TYPE } from '../../../src/cryptounit/transports/http-protocol.ts';
import { SimulatedCryptoUnit } from '../../../src/cryptounit/simulated/index.ts';
import { ConnectRefusedError, createConnectGuard, type FetchLike } from '../../../src/security/connect-guard.ts';
import { runSmallCeremony } from './small-ceremony.ts';

const c = globalThis.crypto;
const URL_A = 'https://units.example:8443/units/unit-1';
const OCTETS = { 'Content-Type': UNIT_CONTENT_TYPE };

interface Call {
  url: string;
  init: RequestInit;
  request: Request;
  body: Uint8Array;
}

/** A fetch that records each call (after the platform's Request accepted it) and answers with `answer`. */
function fakeFetch(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init = {}) => {
    const request = new Request(String(input), init);
    const body = new Uint8Array(await request.clone().arrayBuffer());
    const call = { url: String(input), init, request, body };
    calls.push(call);
    return answer(call);
  };
  return { fetch, calls };
}

/** A fetch that never answers, but rejects as a real fetch does when its signal fires. */
function hangingFetch() {
  const signals: AbortSignal[] = [];
  const fetch: FetchLike = (_input, init) =>
    new Promise((_, reject) => {
      const s = init!.signal!;
      signals.push(s);
      s.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
    });
  return { fetch, signals };
}

/** A response body that hands out `chunk` as often as asked and records cancellation. */
function endlessBody(chunk: Uint8Array) {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      state.pulls++;
      ctl.enqueue(chunk.slice());
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function manualTimers() {
  const t = new Map<number, () => void>();
  let n = 0;
  return {
    setTimeout: (fn: () => void) => (t.set(++n, fn), n),
    clearTimeout: (h: unknown) => void t.delete(h as number),
    fireAll: () => [...t.values()].forEach((fn) => fn()),
    get count() {
      return t.size;
    },
  };
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
const request = Uint8Array.of(0x30, 0x03, 0x04, 0x01, 0xaa);

async function failure(p: Promise<unknown>): Promise<HttpUnitTransportError> {
  const e = await assertRejects(p, HttpUnitTransportError);
  assert.instanceOf(e, UnitTransportError, 'a UnitTransportError');
  assert.instanceOf(e, TransportError, 'a TransportError');
  assert.isString(e.remedy);
  assert.isAbove(e.remedy.length, 20);
  return e;
}

describe('cryptounit/transports/http: the request', () => {
  it('POSTs the bytes as application/octet-stream with redirects refused, no credentials, no cache, and returns the answer', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(9, 8, 7), { status: 200, headers: OCTETS }));
    const t = new HttpUnitTransport({ url: URL_A, fetch: f.fetch, unitId: 'u1' });
    const sent = request.slice();
    const answer = await t.send(sent);
    assertBytes(answer, Uint8Array.of(9, 8, 7));
    assert.lengthOf(f.calls, 1);
    const { url, init, request: r, body } = f.calls[0];
    assert.equal(url, URL_A);
    assertBytes(body, request);
    assert.equal(r.method, 'POST');
    assert.equal(init.redirect, 'error');
    assert.equal(r.redirect, 'error');
    assert.equal(init.credentials, 'omit');
    assert.equal(r.credentials, 'omit');
    assert.equal(init.cache, 'no-store');
    assert.equal(r.cache, 'no-store');
    assert.equal(init.referrerPolicy, 'no-referrer');
    assert.equal(init.mode, 'cors');
    assert.equal(r.headers.get('content-type'), UNIT_CONTENT_TYPE);
    assert.equal(r.headers.get('accept'), UNIT_CONTENT_TYPE);
    assert.isNull(r.headers.get('authorization'), 'no token, no Authorization header');
    assert.instanceOf(init.signal, AbortSignal);
    // the transport sent a copy: changing the caller's buffer now changes nothing sent
    assert.notStrictEqual(init.body, sent);
  });

  it('sends the bearer token, read from its source on every request', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(1), { headers: OCTETS }));
    let token: string | undefined = 'tok-1.abc~_+/==';
    const t = new HttpUnitTransport({ url: URL_A, fetch: f.fetch, token: () => token });
    await t.send(request);
    token = 'second-token';
    await t.send(request);
    token = undefined;
    await t.send(request);
    const fixed = new HttpUnitTransport({ url: URL_A, fetch: f.fetch, token: 'fixed-token-1234' });
    await fixed.send(request);
    assert.deepEqual(
      f.calls.map((x) => x.request.headers.get('authorization')),
      ['Bearer tok-1.abc~_+/==', 'Bearer second-token', null, 'Bearer fixed-token-1234'],
    );
  });

  it('refuses a token that cannot be a bearer token, before anything is sent', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(1), { headers: OCTETS }));
    for (const bad of ['two words', 'line\nbreak', 'x=y', 'ümlaut', 'a'.repeat(513)]) {
      const e = await failure(new HttpUnitTransport({ url: URL_A, fetch: f.fetch, token: bad }).send(request));
      assert.equal(e.http, 'bad-token', JSON.stringify(bad));
      assert.notInclude(e.message, bad, 'the message does not repeat the token');
    }
    assert.lengthOf(f.calls, 0);
  });

  it('refuses a request larger than MAX_HTTP_BODY without sending it; one of exactly that size goes', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(1), { headers: OCTETS }));
    const t = new HttpUnitTransport({ url: URL_A, fetch: f.fetch });
    const e = await failure(t.send(new Uint8Array(MAX_HTTP_BODY + 1)));
    assert.equal(e.http, 'too-large');
    assert.equal(e.failure, 'bad-message');
    assert.lengthOf(f.calls, 0);
    await t.send(new Uint8Array(MAX_HTTP_BODY));
    assert.lengthOf(f.calls, 1);
    assert.equal(f.calls[0].body.length, MAX_HTTP_BODY);
  });

  it('takes only absolute http(s) URLs without credentials or fragment, and a fetch', () => {
    const fetch: FetchLike = async () => new Response();
    for (const url of ['/units/unit-1', 'ftp://units.example/u', 'https://me:pw@units.example/u', 'https://units.example/u#x', 'not a url']) {
      assertThrows(() => new HttpUnitTransport({ url, fetch }), RangeError, url);
    }
    assertThrows(() => new HttpUnitTransport({ url: URL_A, fetch: undefined as unknown as FetchLike }), TypeError);
    assertThrows(() => new HttpUnitTransport({ url: URL_A, fetch, timeoutMs: 0 }), RangeError);
    assert.equal(new HttpUnitTransport({ url: 'HTTPS://Units.Example:8443/units/unit-1', fetch }).url, URL_A);
  });
});

describe('cryptounit/transports/http: the connect guard', () => {
  it('a URL the guard refuses is never fetched; the refusal is the cause', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(1), { headers: OCTETS }));
    const guard = createConnectGuard({ fetch: f.fetch, unitOrigins: () => ['https://units.example:9443'], buildOrigins: 'any' });
    const t = new HttpUnitTransport({ url: URL_A, fetch: guard.fetch, guard, unitId: 'u1' });
    const e = await failure(t.send(request));
    assert.equal(e.http, 'refused');
    assert.equal(e.unitId, 'u1');
    assert.instanceOf(e.cause, ConnectRefusedError);
    assert.equal((e.cause as ConnectRefusedError).reason, 'not-a-unit');
    assert.include(e.message, 'https://units.example:8443');

    const outside = createConnectGuard({ fetch: f.fetch, unitOrigins: () => [URL_A], buildOrigins: ['https://other.example'] });
    const e2 = await failure(new HttpUnitTransport({ url: URL_A, fetch: f.fetch, guard: outside }).send(request));
    assert.equal((e2.cause as ConnectRefusedError).reason, 'outside-build-policy');
    assert.include(e2.remedy, 'WEBTKE_UNIT_ORIGINS');
    assert.lengthOf(f.calls, 0, 'nothing was sent');
  });

  it('a configured unit passes through the guard with the transport\'s settings intact', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(5), { headers: OCTETS }));
    const guard = createConnectGuard({ fetch: f.fetch, unitOrigins: () => ['https://units.example:8443'], buildOrigins: ['https://units.example:8443'] });
    const t = new HttpUnitTransport({ url: URL_A, fetch: guard.fetch, guard, token: 'session-token-1' });
    assertBytes(await t.send(request), Uint8Array.of(5));
    const r = f.calls[0].request;
    assert.equal(r.redirect, 'error');
    assert.equal(r.credentials, 'omit');
    assert.equal(r.cache, 'no-store');
    assert.equal(r.headers.get('authorization'), 'Bearer session-token-1');
  });
});

describe('cryptounit/transports/http: failures', () => {
  it('a fetch that fails (host down, TLS, CORS) is a network failure with the cause kept', async () => {
    const cause = new TypeError('Failed to fetch');
    const t = new HttpUnitTransport({ url: URL_A, fetch: async () => Promise.reject(cause), unitId: 'u1' });
    const e = await failure(t.send(request));
    assert.equal(e.http, 'network');
    assert.equal(e.failure, 'dead');
    assert.strictEqual(e.cause, cause);
    assert.equal(e.url, URL_A);
    assert.include(e.message, 'Failed to fetch');
  });

  it('a redirect is refused: asked of fetch, and refused again if a fetch follows or exposes one', async () => {
    // a fetch that behaves as the platform does with redirect: 'error'
    const spec = fakeFetch((call) => {
      if (call.request.redirect === 'error') throw new TypeError('unexpected redirect');
      return new Response(Uint8Array.of(1), { headers: OCTETS });
    });
    const e1 = await failure(new HttpUnitTransport({ url: URL_A, fetch: spec.fetch }).send(request));
    assert.equal(e1.http, 'network');
    assert.include(e1.message, 'unexpected redirect');

    // fetches that ignore the setting: a 3xx, an opaque redirect, a followed redirect
    const cases: Array<[string, () => Response]> = [
      ['307', () => new Response(null, { status: 307, headers: { Location: 'https://elsewhere.example/' } })],
      ['opaqueredirect', () => {
        const r = new Response(null, { status: 200 });
        Object.defineProperty(r, 'type', { value: 'opaqueredirect' });
        Object.defineProperty(r, 'status', { value: 0 });
        return r;
      }],
      ['followed', () => {
        const r = new Response(Uint8Array.of(1), { headers: OCTETS });
        Object.defineProperty(r, 'redirected', { value: true });
        return r;
      }],
    ];
    for (const [name, make] of cases) {
      const e = await failure(new HttpUnitTransport({ url: URL_A, fetch: async () => make() }).send(request));
      assert.equal(e.http, 'redirect', name);
      assert.equal(e.failure, 'bad-message', name);
    }
  });

  it('a status other than 200 fails with the status, maps to a failure, has its own remedy, and the body is not read', async () => {
    const expected: Array<[number, string, string]> = [
      [500, 'unit-failed', 'may have run'],
      [503, 'unit-failed', 'busy'],
      [404, 'unknown-unit', 'URL'],
      [401, 'closed', 'token'],
      [403, 'closed', 'allow'],
      [413, 'bad-message', 'too large'],
      [204, 'bad-message', 'does not expect'],
    ];
    for (const [status, base, remedyWord] of expected) {
      const body = status === 204 ? null : endlessBody(new Uint8Array(1024));
      const t = new HttpUnitTransport({
        url: URL_A,
        fetch: async () => new Response(body?.stream ?? null, { status, statusText: 'Whatever', headers: OCTETS }),
      });
      const e = await failure(t.send(request));
      assert.equal(e.http, 'status', String(status));
      assert.equal(e.status, status);
      assert.equal(e.failure, base, String(status));
      assert.equal(statusFailure(status), base);
      assert.include(e.message, String(status));
      assert.include(e.remedy, remedyWord, String(status));
      if (body) {
        await tick();
        assert.isTrue(body.state.cancelled, `the body of ${status} was cancelled`);
        assert.isAtMost(body.state.pulls, 1, 'and not read');
      }
    }
  });

  it('an answer that is not application/octet-stream fails (parameters and case aside)', async () => {
    for (const type of ['text/html', 'application/json', 'application/octet-streamx', '']) {
      const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
      const t = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(type ? 'x' : null, { headers }) });
      const e = await failure(t.send(request));
      assert.equal(e.http, 'content-type', type);
      assert.equal(e.failure, 'bad-message');
    }
    for (const type of ['Application/Octet-Stream', 'application/octet-stream; charset=binary']) {
      const t = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(Uint8Array.of(4), { headers: { 'Content-Type': type } }) });
      assertBytes(await t.send(request), Uint8Array.of(4), type);
    }
  });

  it('an answer larger than MAX_HTTP_BODY fails: announced, or found while reading (the stream is cancelled)', async () => {
    const announced = endlessBody(new Uint8Array(16));
    const t1 = new HttpUnitTransport({
      url: URL_A,
      fetch: async () => new Response(announced.stream, { headers: { ...OCTETS, 'Content-Length': String(MAX_HTTP_BODY + 1) } }),
    });
    const e1 = await failure(t1.send(request));
    assert.equal(e1.http, 'too-large');
    assert.include(e1.message, 'announced');
    await tick();
    assert.isTrue(announced.state.cancelled);

    const chunk = new Uint8Array(64 * 1024);
    const streamed = endlessBody(chunk);
    const t2 = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(streamed.stream, { headers: OCTETS }) });
    const e2 = await failure(t2.send(request));
    assert.equal(e2.http, 'too-large');
    assert.isTrue(streamed.state.cancelled, 'the endless body was cancelled');
    assert.isAtMost(streamed.state.pulls * chunk.length, MAX_HTTP_BODY + 2 * chunk.length, 'reading stopped at the cap');

    // exactly the cap is fine, in pieces
    const exact = new Uint8Array(MAX_HTTP_BODY);
    exact[0] = 0x30;
    exact[MAX_HTTP_BODY - 1] = 0x77;
    const pieces = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let o = 0; o < exact.length; o += 100_000) ctl.enqueue(exact.slice(o, o + 100_000));
        ctl.close();
      },
    });
    const t3 = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(pieces, { headers: OCTETS }) });
    const got = await t3.send(request);
    assert.equal(got.length, MAX_HTTP_BODY);
    assert.isTrue(bytesEqual(got, exact), 'the whole answer, in order');
  });

  it('a body that breaks off is a network failure', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(Uint8Array.of(1, 2));
        ctl.error(new TypeError('connection reset'));
      },
    });
    const e = await failure(new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(broken, { headers: OCTETS }) }).send(request));
    assert.equal(e.http, 'network');
    assert.include(e.message, 'connection reset');
  });
});

describe('cryptounit/transports/http: time limit and abort', () => {
  it('no answer within timeoutMs: timeout, and the fetch is aborted', async () => {
    const h = hangingFetch();
    const timers = manualTimers();
    const t = new HttpUnitTransport({ url: URL_A, fetch: h.fetch, timeoutMs: 5000, timers, unitId: 'u1' });
    const p = t.send(request);
    await tick();
    assert.lengthOf(h.signals, 1);
    assert.isFalse(h.signals[0].aborted);
    timers.fireAll();
    const e = await failure(p);
    assert.equal(e.http, 'timeout');
    assert.equal(e.failure, 'timeout');
    assert.include(e.message, '5000 ms');
    assert.isTrue(h.signals[0].aborted, 'the request was aborted, so the connection is freed');
    assert.equal(timers.count, 0);
  });

  it('the time limit covers reading the answer: a body that stalls times out and is cancelled', async () => {
    const state = { cancelled: false };
    const stalling = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(Uint8Array.of(0x30));
      },
      pull: () => new Promise(() => {}),
      cancel() {
        state.cancelled = true;
      },
    });
    const timers = manualTimers();
    const t = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(stalling, { headers: OCTETS }), timers });
    const p = t.send(request);
    await tick(5);
    timers.fireAll();
    const e = await failure(p);
    assert.equal(e.http, 'timeout');
    await tick();
    assert.isTrue(state.cancelled);
  });

  it('a real timer: a short timeoutMs ends a hanging fetch', async () => {
    const h = hangingFetch();
    const t = new HttpUnitTransport({ url: URL_A, fetch: h.fetch, timeoutMs: 30 });
    const e = await failure(t.send(request));
    assert.equal(e.http, 'timeout');
    assert.isTrue(h.signals[0].aborted);
  });

  it('an answer in time clears the timer', async () => {
    const timers = manualTimers();
    const t = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(Uint8Array.of(1), { headers: OCTETS }), timers });
    await t.send(request);
    assert.equal(timers.count, 0);
  });

  it('an already-aborted signal: nothing is sent', async () => {
    const f = fakeFetch(() => new Response(Uint8Array.of(1), { headers: OCTETS }));
    const ctl = new AbortController();
    ctl.abort();
    const e = await failure(new HttpUnitTransport({ url: URL_A, fetch: f.fetch }).send(request, ctl.signal));
    assert.equal(e.http, 'aborted');
    assert.equal(e.failure, 'aborted');
    assert.lengthOf(f.calls, 0);
  });

  it('aborting while waiting: aborted at once, and the fetch is aborted', async () => {
    const h = hangingFetch();
    const timers = manualTimers();
    const ctl = new AbortController();
    const p = new HttpUnitTransport({ url: URL_A, fetch: h.fetch, timers }).send(request, ctl.signal);
    await tick();
    ctl.abort();
    const e = await failure(p);
    assert.equal(e.http, 'aborted');
    assert.isTrue(h.signals[0].aborted);
    assert.equal(timers.count, 0, 'the timer is cleared');
  });

  it('aborting while the answer is read cancels the body', async () => {
    const state = { cancelled: false };
    const stalling = new ReadableStream<Uint8Array>({
      start(ctl) {
        ctl.enqueue(Uint8Array.of(0x30));
      },
      pull: () => new Promise(() => {}),
      cancel() {
        state.cancelled = true;
      },
    });
    const ctl = new AbortController();
    const p = new HttpUnitTransport({ url: URL_A, fetch: async () => new Response(stalling, { headers: OCTETS }) }).send(request, ctl.signal);
    await tick(5);
    ctl.abort();
    const e = await failure(p);
    assert.equal(e.http, 'aborted');
    await tick();
    assert.isTrue(state.cancelled);
  });
});

describe('cryptounit/transports/http: a unit behind a fake fetch', () => {
  it('a small ceremony through CryptoUnitClient, every exchange a POST that the platform Request accepts', async () => {
    const unit = await SimulatedCryptoUnit.create();
    const f = fakeFetch(async (call) => new Response((await unit.handle(call.body)) as Uint8Array<ArrayBuffer>, { headers: OCTETS }));
    const guard = createConnectGuard({ fetch: f.fetch, unitOrigins: () => ['https://units.example:8443'], buildOrigins: 'any' });
    const client = new CryptoUnitClient({
      transport: new HttpUnitTransport({ url: URL_A, fetch: guard.fetch, guard, token: 'ceremony-session-1' }),
      crypto: c,
    });
    await client.connect();
    await runSmallCeremony(c, client);
    assert.isAbove(f.calls.length, 10);
    for (const call of f.calls) {
      assert.equal(call.request.method, 'POST');
      assert.equal(call.request.headers.get('authorization'), 'Bearer ceremony-session-1');
    }
  });
});
