import { describe, it, assert, assertRejects } from '../harness.ts';
import { ConnectRefusedError, createConnectGuard, type FetchLike } from '../../src/security/connect-guard.ts';

function recordingFetch() {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetch: FetchLike = async (input, init) => {
    calls.push({ url: String(input), init });
    return new Response('ok');
  };
  return { fetch, calls };
}

describe('security/connect-guard: only configured crypto units are contacted', () => {
  it('lets a configured unit through, with redirects refused, no credentials and no referrer', async () => {
    const f = recordingFetch();
    const g = createConnectGuard({ fetch: f.fetch, unitOrigins: () => ['https://unit-a.example'], buildOrigins: 'any' });
    const res = await g.fetch('https://unit-a.example/admin', { method: 'POST', body: 'x' });
    assert.equal(await res.text(), 'ok');
    assert.lengthOf(f.calls, 1);
    assert.equal(f.calls[0].url, 'https://unit-a.example/admin');
    assert.deepEqual(
      { ...f.calls[0].init },
      { method: 'POST', body: 'x', redirect: 'error', credentials: 'omit', referrerPolicy: 'no-referrer' },
    );
  });

  it('never lets the caller turn redirects back on; credentials and referrer may be chosen', async () => {
    const f = recordingFetch();
    const g = createConnectGuard({ fetch: f.fetch, unitOrigins: () => ['https://unit-a.example'], buildOrigins: 'any' });
    await g.fetch(new URL('https://unit-a.example/q'), { redirect: 'follow', credentials: 'include', referrerPolicy: 'origin' });
    assert.equal(f.calls[0].init?.redirect, 'error');
    assert.equal(f.calls[0].init?.credentials, 'include');
    assert.equal(f.calls[0].init?.referrerPolicy, 'origin');
  });

  it('refuses other origins, other ports, other schemes and bad URLs without calling fetch', async () => {
    const f = recordingFetch();
    const g = createConnectGuard({ fetch: f.fetch, unitOrigins: () => ['https://unit-a.example:8443/'], buildOrigins: 'any' });
    const refused: Array<[string, string]> = [
      ['https://unit-b.example:8443/x', 'not-a-unit'],
      ['https://unit-a.example/x', 'not-a-unit'], // port 443, not 8443
      ['http://unit-a.example:8443/x', 'not-a-unit'],
      ['https://unit-a.example.evil.example:8443/x', 'not-a-unit'],
      ['/relative/path', 'bad-url'],
      ['ftp://unit-a.example:8443/x', 'bad-url'],
      ['https://me:pw@unit-a.example:8443/x', 'bad-url'],
      ['not a url', 'bad-url'],
    ];
    for (const [url, reason] of refused) {
      const e = await assertRejects(g.fetch(url), ConnectRefusedError, url);
      assert.equal(e.reason, reason, url);
      assert.equal(e.url, url);
      assert.strictEqual(g.check(url)?.reason, reason);
    }
    assert.lengthOf(f.calls, 0);
    assert.isNull(g.check('https://UNIT-A.example:8443/path?q=1'));
  });

  it('reads the configured units on every call: a removed unit is refused at once', async () => {
    const f = recordingFetch();
    let units = ['https://unit-a.example', 'not a url'];
    const g = createConnectGuard({ fetch: f.fetch, unitOrigins: () => units, buildOrigins: 'any' });
    await g.fetch('https://unit-a.example/x');
    units = [];
    const e = await assertRejects(g.fetch('https://unit-a.example/x'), ConnectRefusedError);
    assert.equal(e.reason, 'not-a-unit');
    assert.equal(e.origin, 'https://unit-a.example');
    assert.lengthOf(f.calls, 1);
  });

  it('refuses a configured unit that this build\'s CSP does not allow, and says how to fix it', async () => {
    const f = recordingFetch();
    const g = createConnectGuard({
      fetch: f.fetch,
      unitOrigins: () => ['https://unit-a.example', 'https://unit-b.example'],
      buildOrigins: ['https://unit-a.example:443'],
    });
    await g.fetch('https://unit-a.example/x');
    const e = await assertRejects(g.fetch('https://unit-b.example/x'), ConnectRefusedError);
    assert.equal(e.reason, 'outside-build-policy');
    assert.include(e.message, 'https://unit-a.example');
    assert.include(e.message, 'WEBTKE_UNIT_ORIGINS');
    assert.lengthOf(f.calls, 1);
  });
});
