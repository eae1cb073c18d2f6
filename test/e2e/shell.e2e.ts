/**
 * The hosted build (dist/) as a new user meets it: it loads, shows the shell under a strict CSP
 * with no violation and no console error, every view is reachable with the keyboard, routes
 * survive a reload and the back button, and the worker the simulated units need starts.
 */
import { describe, it, before, after, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { appServer, type AppServer } from './support/env.ts';
import { withSession } from './support/session.ts';
import { checkWorkerFromSettings, cspMeta, focused, openApp, tabToLink, viewHeading, VIEW_LINKS } from './support/app.ts';

describe('hosted build: app shell', () => {
  const browser = useChromium();
  let server: AppServer;
  before(async () => {
    server = await appServer();
  });
  after(async () => {
    await server.close();
  });
  const opts = () => ({ origins: [server.origin] });

  it('loads and shows the header, the six views in order and the Instance view', async () => {
    await withSession(browser(), 'shell loads', opts(), async ({ page }) => {
      const res = await openApp(page, server.url);
      assert.equal(res?.status(), 200);
      assert.equal(await page.title(), 'webtke');
      const nav = page.getByRole('navigation', { name: 'Views' });
      const labels = (await nav.getByRole('link').allTextContents()).map((t) => t.trim());
      assert.deepEqual(labels, VIEW_LINKS.map((v) => v.label));
      assert.equal(await viewHeading(page), 'Instance');
      assert.equal(await nav.getByRole('link', { name: 'Instance' }).getAttribute('aria-current'), 'page');
    });
  });

  it('carries a strict CSP <meta> and reports no violation while every view renders', async () => {
    await withSession(browser(), 'csp meta', opts(), async (s) => {
      await openApp(s.page, server.url);
      const csp = await cspMeta(s.page);
      assert.isNotNull(csp, 'a Content-Security-Policy <meta>');
      const d = csp!.directives;
      assert.deepEqual(d.get('default-src'), ["'none'"]);
      assert.deepEqual(d.get('script-src'), ["'self'"]);
      assert.deepEqual(d.get('style-src'), ["'self'"], "no 'unsafe-inline' styles: Lit uses adopted stylesheets");
      assert.deepEqual(d.get('connect-src'), ["'self'"], 'no unit origins were configured for this build');
      assert.deepEqual(d.get('worker-src'), ["'self'"]);
      assert.deepEqual(d.get('object-src'), ["'none'"]);
      assert.deepEqual(d.get('base-uri'), ["'none'"]);
      assert.deepEqual(d.get('form-action'), ["'none'"]);
      assert.deepEqual(d.get('require-trusted-types-for'), ["'script'"]);
      const all = [...d.values()].flat();
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:']) assert.notInclude(all, bad);
      for (const v of VIEW_LINKS) {
        await s.page.getByRole('link', { name: v.label }).click();
        assert.equal(await viewHeading(s.page), v.label);
      }
    });
  });

  it('enforces the policy: an inline script injected into the page is refused and reported', async () => {
    const o = { ...opts(), expectedConsoleErrors: [/Content Security Policy|Trusted ?(Type|Script)/i] };
    await withSession(browser(), 'csp enforced', o, async (s) => {
      await openApp(s.page, server.url);
      const thrown = await s.page
        .evaluate(() => {
          const el = document.createElement('script');
          el.textContent = 'document.title = "inline ran"';
          document.body.append(el);
        })
        .then(() => '', (e: Error) => e.message);
      await s.page.waitForTimeout(200);
      assert.equal(await s.page.title(), 'webtke', 'the inline script did not run');
      const directives = s.cspViolations.map((v) => v.directive);
      assert.isNotEmpty(directives, `a violation is reported (thrown: ${thrown})`);
      assert.isTrue(directives.every((d) => d === 'require-trusted-types-for' || d.startsWith('script-src')), directives.join());
      s.cspViolations.length = 0; // provoked on purpose
    });
  });

  it('reaches every view with the keyboard alone (Tab to the link, Enter)', async () => {
    await withSession(browser(), 'keyboard navigation', opts(), async ({ page }) => {
      await openApp(page, server.url);
      for (const v of [...VIEW_LINKS.slice(1), VIEW_LINKS[0]]) {
        await tabToLink(page, v.label);
        await page.keyboard.press('Enter');
        await page.waitForFunction((h) => location.hash === h, v.hash);
        assert.equal(await viewHeading(page), v.label, `after Enter on "${v.label}"`);
        const link = page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: v.label });
        assert.equal(await link.getAttribute('aria-current'), 'page');
        assert.equal((await focused(page)).tag, 'main', 'the focus moves to the view');
      }
    });
  });

  it('opens a view from its link, keeps it on reload and goes back with the back button', async () => {
    await withSession(browser(), 'deep links', opts(), async ({ page }) => {
      await openApp(page, new URL('#/journal', server.url).href);
      assert.equal(await viewHeading(page), 'Journal');
      await page.reload();
      await page.getByRole('heading', { level: 2, name: 'Journal' }).waitFor();
      await page.getByRole('link', { name: 'Key storage' }).click();
      assert.equal(await viewHeading(page), 'Key storage');
      await page.goBack();
      await page.getByRole('heading', { level: 2, name: 'Journal' }).waitFor();
      await openApp(page, new URL('#/no-such-view', server.url).href);
      assert.equal(await viewHeading(page), 'Instance', 'an unknown route shows the default view');
    });
  });

  it('starts the module worker the simulated units will use (from a file beside the app)', async () => {
    await withSession(browser(), 'hosted worker', opts(), async ({ page, requests }) => {
      await openApp(page, server.url);
      const { scheme } = await checkWorkerFromSettings(page);
      assert.equal(scheme, 'http:');
      assert.isTrue(requests.some((u) => /\/assets\/worker-probe\.worker-[\w-]+\.js$/.test(u)), 'the worker script was fetched');
      assert.equal(((await page.locator('dd.delivery').textContent()) ?? '').trim(), 'hosted build');
    });
  });
});
