/**
 * The unit server against a real browser's CORS: the system Chromium (CHROME_PATH or
 * /usr/bin/chromium, through playwright-core; never a downloaded browser) opens a page on one
 * loopback origin and POSTs to a unit on another, with the request settings HttpUnitTransport
 * uses. The configured origin gets through the preflight (and sees a 401 without the token);
 * any other origin is stopped at the preflight, so its POST is never sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { describe, it, before, after, assert } from '../harness.ts';
import { decodeAdminResponse, encodeAdminBlock, encodeAdminRequest, Query } from '../../src/cryptounit/protocol/index.ts';
import { startUnitServer, type RunningUnitServer } from '../../server/unit-server.ts';

const TOKEN = 'browser-token-0123456789';
/** Log lines are written when a response closes; give the server a moment after the browser has its answer. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>page</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Outcome = { status: number; type: string | null; acao: string | null; bytes: number[] } | { error: string };

describe('server/unit-server: CORS as Chromium enforces it', () => {
  let app: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let units: RunningUnitServer;
  let browser: Browser;
  const lines: string[] = [];
  const query = encodeAdminRequest({
    domainIndex: 0,
    adminBlock: encodeAdminBlock({ command: Query.DOM_ATTRS, domain: new Uint8Array(8), module: new Uint8Array(16), counter: new Uint8Array(16), payload: new Uint8Array(0) }),
    signerInfos: [],
  });

  before(async () => {
    app = await pageServer();
    other = await pageServer();
    units = await startUnitServer({ units: 1, port: 0, allowOrigins: [app.origin], token: TOKEN, log: (l) => lines.push(l) });
    browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  after(async () => {
    await browser?.close();
    await units?.close();
    app?.server.close();
    other?.server.close();
  });

  async function postFrom(origin: string, token?: string): Promise<Outcome> {
    const page = await browser.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(async ({ url, body, token }) => {
        try {
          const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', Accept: 'application/octet-stream' };
          if (token) headers.Authorization = `Bearer ${token}`;
          const r = await fetch(url, {
            method: 'POST', body: new Uint8Array(body), headers, redirect: 'error', credentials: 'omit', cache: 'no-store',
            referrerPolicy: 'no-referrer', mode: 'cors',
          });
          return { status: r.status, type: r.headers.get('content-type'), acao: r.headers.get('access-control-allow-origin'), bytes: [...new Uint8Array(await r.arrayBuffer())] };
        } catch (e) {
          return { error: String(e) };
        }
      }, { url: units.units[0].url, body: [...query], token });
    } finally {
      await page.close();
    }
  }

  it('the configured origin passes the preflight and gets the unit\'s signed answer', async () => {
    const before = lines.length;
    const r = await postFrom(app.origin, TOKEN);
    assert.notProperty(r, 'error', JSON.stringify(r));
    const ok = r as Exclude<Outcome, { error: string }>;
    assert.equal(ok.status, 200);
    assert.equal(ok.type, 'application/octet-stream');
    assert.equal(decodeAdminResponse(new Uint8Array(ok.bytes)).rv, 0);
    await settle();
    const seen = lines.slice(before).map((l) => l.split(' ').slice(1, 4).join(' '));
    assert.deepEqual(seen, ['OPTIONS /units/unit-1 204', 'POST /units/unit-1 200'], 'a preflight, then the POST');
  });

  it('without the token the app still reads the 401 (CORS headers on errors)', async () => {
    const r = await postFrom(app.origin);
    assert.notProperty(r, 'error', JSON.stringify(r));
    assert.equal((r as { status: number }).status, 401);
  });

  it('another origin is stopped at the preflight: fetch fails and no POST reaches the server', async () => {
    const before = lines.length;
    const r = await postFrom(other.origin, TOKEN);
    assert.property(r, 'error');
    assert.include((r as { error: string }).error, 'TypeError');
    await settle();
    const seen = lines.slice(before).map((l) => l.split(' ').slice(1, 4).join(' '));
    assert.deepEqual(seen, ['OPTIONS /units/unit-1 403']);
  });
});
