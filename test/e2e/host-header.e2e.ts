/**
 * dist/ served with the Content-Security-Policy header docs/builds.md tells hosts to send (read
 * from the documentation itself): the app works under both the header and its own <meta>, with
 * no violation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, it, before, after, assert } from '../harness.ts';
import { REPO_ROOT } from './support/builds.mjs';
import { useChromium } from './support/chromium.ts';
import { ownServer } from './support/env.ts';
import { startStaticServer, type StaticServer } from './support/static-server.mjs';
import { withSession } from './support/session.ts';
import { checkWorkerFromSettings, openApp, viewHeading, VIEW_LINKS } from './support/app.ts';

/** The header line of docs/builds.md: "Content-Security-Policy: …" inside a code block. */
function documentedHeader(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'builds.md'), 'utf8');
  const m = /^Content-Security-Policy: (.+)$/m.exec(doc);
  assert.isNotNull(m, 'docs/builds.md shows the header');
  return m![1].trim();
}

describe('hosted build behind the documented CSP header', () => {
  const browser = useChromium();
  let server: StaticServer;
  let header: string;
  before(async () => {
    header = documentedHeader();
    server = await ownServer({ headers: { 'content-security-policy': header } });
  });
  after(async () => {
    await server.close();
  });

  it('works with the header: every view, the worker, the service worker; no violation', async () => {
    assert.include(header, "frame-ancestors 'none'");
    await withSession(browser(), 'host header', { origins: [server.origin] }, async ({ page }) => {
      const res = await openApp(page, server.url);
      assert.equal(res?.headers()['content-security-policy'], header);
      for (const v of VIEW_LINKS) {
        await page.getByRole('link', { name: v.label }).click();
        assert.equal(await viewHeading(page), v.label);
      }
      await checkWorkerFromSettings(page);
      await page.locator('footer').getByText('Offline use: ready').waitFor({ timeout: 40_000 });
    });
  });

  it('the header keeps the app out of frames (frame-ancestors); without it, the same page frames the app', async () => {
    // A page on another local server frames the app; the control frames a copy served without the header.
    const plain = await ownServer();
    const dir = mkdtempSync(join(tmpdir(), 'webtke-framer-'));
    writeFileSync(join(dir, 'plain.html'), `<!doctype html><title>framer</title><link rel="icon" href="data:,"><iframe src="${plain.url}"></iframe>`);
    writeFileSync(join(dir, 'guarded.html'), `<!doctype html><title>framer</title><link rel="icon" href="data:,"><iframe src="${server.url}"></iframe>`);
    const framer = await startStaticServer({ root: dir });
    const frameTitle = async (page: Page, wantApp: boolean): Promise<string> => {
      const deadline = Date.now() + (wantApp ? 15_000 : 2_000);
      let title = '';
      while (Date.now() < deadline) {
        const frame = page.frames().find((f) => f !== page.mainFrame());
        title = frame ? await frame.title().catch(() => '') : '';
        if (title === 'webtke') break;
        await page.waitForTimeout(200);
      }
      return title;
    };
    try {
      const origins = [server.origin, plain.origin, framer.origin];
      const expectedConsoleErrors = [/frame-ancestors|Refused to (frame|display)/i];
      await withSession(browser(), 'frame control', { origins }, async ({ page }) => {
        await page.goto(`${framer.url}plain.html`);
        assert.equal(await frameTitle(page, true), 'webtke', 'control: without the header the app loads in a frame');
      });
      await withSession(browser(), 'frame ancestors', { origins, expectedConsoleErrors }, async ({ page }) => {
        await page.goto(`${framer.url}guarded.html`);
        assert.notEqual(await frameTitle(page, false), 'webtke', 'with the header the app does not load in a frame');
      });
    } finally {
      await framer.close();
      await plain.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
