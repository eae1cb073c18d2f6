/**
 * The hosted build works offline after its first load: the service worker stores every built
 * file, and a reload with the network cut (context.setOffline) shows the app, moves between
 * views and starts the unit worker, with no request reaching the server.
 */
import { describe, it, before, after, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { ownServer } from './support/env.ts';
import type { StaticServer } from './support/static-server.mjs';
import { withSession } from './support/session.ts';
import { checkWorkerFromSettings, openApp, shellVisible, viewHeading, VIEW_LINKS } from './support/app.ts';

describe('hosted build: offline after the first load', () => {
  const browser = useChromium();
  let server: StaticServer;
  before(async () => {
    server = await ownServer();
  });
  after(async () => {
    server.setDown(false);
    await server.close();
  });

  it('control: without a first load, an offline browser cannot open the app', async () => {
    await withSession(browser(), 'offline control', { origins: [server.origin] }, async ({ context, page }) => {
      await context.setOffline(true);
      const err = await page.goto(server.url).then(() => null, (e: Error) => e);
      assert.match(String(err?.message), /ERR_INTERNET_DISCONNECTED/);
    });
  });

  it('reloads from the service worker with the network cut: views, routes and the worker all work', async () => {
    await withSession(browser(), 'offline reload', { origins: [server.origin] }, async ({ context, page }) => {
      await openApp(page, server.url);
      await page.locator('footer').getByText('Offline use: ready').waitFor({ timeout: 40_000 });
      const cache = await page.evaluate(async () => {
        const names = await caches.keys();
        const c = await caches.open(names[0]);
        return { names, urls: (await c.keys()).map((r) => new URL(r.url).pathname) };
      });
      assert.lengthOf(cache.names, 1);
      assert.match(cache.names[0], /^webtke-[0-9a-f]{16}$/);
      assert.includeMembers(cache.urls, ['/index.html', '/icon.svg', '/manifest.webmanifest']);
      assert.isTrue(cache.urls.some((u) => /^\/assets\/worker-probe\.worker-[\w-]+\.js$/.test(u)), 'the worker script is stored');

      // Cut the network twice over: the browser is offline, and the server drops every connection.
      const served = server.requests.length;
      await context.setOffline(true);
      server.setDown(true);
      const res = await page.reload();
      await shellVisible(page);
      assert.isTrue(res?.fromServiceWorker(), 'the page came from the service worker');
      for (const v of VIEW_LINKS) {
        await page.getByRole('link', { name: v.label }).click();
        assert.equal(await viewHeading(page), v.label);
      }
      await page.goto(new URL('#/journal', server.url).href);
      assert.equal(await viewHeading(page), 'Journal');
      const { scheme } = await checkWorkerFromSettings(page);
      assert.equal(scheme, 'http:');
      assert.equal(((await page.locator('dd.offline').textContent()) ?? '').trim(), 'ready: reloads work without the network');
      // A fresh navigation to the start page (not a reload) is answered offline too.
      await page.goto(new URL('index.html', server.url).href);
      await shellVisible(page);
      // Only the browser's own update check of sw.js may try the server (Chromium does it outside
      // the page's emulated network, and a failed check keeps the installed version).
      const tried = server.requests.slice(served).filter((r) => !/\/sw\.js$/.test(r.path));
      assert.deepEqual(tried, [], 'requests of the app while offline');
      assert.isTrue(server.requests.slice(served).every((r) => r.status === 0), 'nothing was answered while offline');
    });
  });
});
