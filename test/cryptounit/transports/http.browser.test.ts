/**
 * HttpUnitTransport with Chromium's own fetch, behind the real connect guard: the browser
 * accepts the transport's request settings, a non-200 answer of a real server is a status
 * failure, and an unreachable host is a network failure. (The unit server itself is tested in
 * Node: test/server/.)
 */
import { describe, it, assert, assertRejects } from '../../harness.ts';
import { HttpUnitTransport, HttpUnitTransportError } from '../../../src/cryptounit/transports/http.ts';
import { createConnectGuard } from '../../../src/security/connect-guard.ts';

const platformFetch = globalThis.fetch.bind(globalThis);
const request = Uint8Array.of(0x30, 0x00);

describe('cryptounit/transports/http in Chromium (real fetch)', () => {
  it('the test server is not a unit: a real POST gets a status failure carrying the status', async () => {
    const url = `${location.origin}/units/not-a-unit-${Date.now()}`;
    const guard = createConnectGuard({ fetch: platformFetch, unitOrigins: () => [location.origin], buildOrigins: 'any' });
    const t = new HttpUnitTransport({ url, fetch: guard.fetch, guard, token: 'browser-test-token', timeoutMs: 10_000 });
    const e = await assertRejects(t.send(request), HttpUnitTransportError);
    assert.equal(e.http, 'status', e.message);
    assert.isAtLeast(e.status!, 400);
    assert.isBelow(e.status!, 500);
    assert.include(e.message, String(e.status));
  });

  it('a unit host that is not there: a network failure', async () => {
    const url = 'http://127.0.0.1:9/units/unit-1'; // the discard port, closed on a test machine
    const guard = createConnectGuard({ fetch: platformFetch, unitOrigins: () => ['http://127.0.0.1:9'], buildOrigins: 'any' });
    const t = new HttpUnitTransport({ url, fetch: guard.fetch, guard, timeoutMs: 10_000 });
    const e = await assertRejects(t.send(request), HttpUnitTransportError);
    assert.equal(e.http, 'network', e.message);
    assert.instanceOf(e.cause, TypeError);
  });

  it('the guard stops a URL before Chromium sees it', async () => {
    let called = 0;
    const counting = (input: string | URL, init?: RequestInit) => {
      called++;
      return platformFetch(input, init);
    };
    const guard = createConnectGuard({ fetch: counting, unitOrigins: () => ['https://units.example'], buildOrigins: 'any' });
    const t = new HttpUnitTransport({ url: `${location.origin}/units/unit-1`, fetch: guard.fetch, guard });
    const e = await assertRejects(t.send(request), HttpUnitTransportError);
    assert.equal(e.http, 'refused');
    assert.equal(called, 0);
  });
});
