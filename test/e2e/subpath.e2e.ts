/** dist/ served under a sub-path works as it is (relative base): assets, views, worker, service worker. */
import { describe, it, before, after, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { ownServer } from './support/env.ts';
import type { StaticServer } from './support/static-server.mjs';
import { withSession } from './support/session.ts';
import { checkWorkerFromSettings, openApp, viewHeading, VIEW_LINKS } from './support/app.ts';

const MOUNT = '/some/path/';

describe('hosted build under a sub-path', () => {
  const browser = useChromium();
  let server: StaticServer;
  before(async () => {
    server = await ownServer({ mount: MOUNT });
  });
  after(async () => {
    await server.close();
  });

  it(`serves the whole app from ${MOUNT} without touching anything outside it`, async () => {
    await withSession(browser(), 'sub-path', { origins: [server.origin] }, async ({ page }) => {
      assert.equal(server.url, server.origin + MOUNT);
      await openApp(page, server.url);
      for (const v of VIEW_LINKS) {
        await page.getByRole('link', { name: v.label }).click();
        assert.equal(await viewHeading(page), v.label);
        assert.equal(new URL(page.url()).pathname, MOUNT);
      }
      const { scheme } = await checkWorkerFromSettings(page);
      assert.equal(scheme, 'http:');
      await page.locator('footer').getByText('Offline use: ready').waitFor({ timeout: 40_000 });
      const scope = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope);
      assert.equal(scope, server.url, 'the service worker is scoped to the sub-path');
      await openApp(page, `${server.url}index.html#/settings`);
      assert.equal(await viewHeading(page), 'Settings');

      const outside = server.requests.filter((r) => !r.path.startsWith(MOUNT));
      const failed = server.requests.filter((r) => r.status !== 200);
      assert.deepEqual(outside, [], 'requests outside the sub-path');
      assert.deepEqual(failed, [], 'requests that failed');
      assert.isTrue(server.requests.some((r) => r.path.startsWith(`${MOUNT}assets/`)), 'the assets came from the sub-path');
    });
  });
});
