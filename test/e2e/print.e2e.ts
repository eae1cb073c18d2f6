/**
 * Printing the Journal's transcript on the hosted build: with print media emulated, the page
 * shows only the transcript — the app's header, navigation and footer, the view's heading and
 * its screen-only sections are hidden — and on screen everything is back.
 */
import { describe, it, before, after, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { appServer, type AppServer } from './support/env.ts';
import { withSession } from './support/session.ts';
import { openApp } from './support/app.ts';
import { goTo } from './support/ceremony-ui.ts';

const JV = 'webtke-journal-view';

describe('hosted build: printing the transcript', () => {
  const browser = useChromium();
  let server: AppServer;
  before(async () => {
    server = await appServer();
  });
  after(async () => {
    await server.close();
  });

  it('print media shows the transcript only; screen media shows the app again', async () => {
    await withSession(browser(), 'print transcript', { origins: [server.origin] }, async ({ page }) => {
      await openApp(page, server.url);
      // the units answer first (their roots are pinned and journaled), so the journal has entries
      await page.locator('webtke-instance-view #next-title').waitFor({ timeout: 60_000 });
      await goTo(page, 'Journal');
      await page.locator(`${JV} button.show-transcript`).click();
      const transcript = page.locator(`${JV} pre.transcript`);
      await transcript.waitFor({ timeout: 60_000 });
      assert.include(await transcript.textContent(), 'WEBTKE CEREMONY TRANSCRIPT');

      const header = page.locator('webtke-app header');
      const nav = page.getByRole('navigation', { name: 'Views' });
      const footer = page.locator('webtke-app footer');
      const heading = page.getByRole('heading', { level: 2, name: 'Journal', exact: true });
      const verification = page.locator(`${JV} #verify-title`);
      const entries = page.locator(`${JV} #entries-title`);
      const shown = async () => ({
        header: await header.isVisible(),
        nav: await nav.isVisible(),
        footer: await footer.isVisible(),
        heading: await heading.isVisible(),
        verification: await verification.isVisible(),
        entries: await entries.isVisible(),
        transcript: await transcript.isVisible(),
      });

      assert.deepEqual(await shown(), { header: true, nav: true, footer: true, heading: true, verification: true, entries: true, transcript: true }, 'on screen');
      await page.emulateMedia({ media: 'print' });
      assert.deepEqual(await shown(), { header: false, nav: false, footer: false, heading: false, verification: false, entries: false, transcript: true }, 'printed');
      await page.emulateMedia({ media: 'screen' });
      assert.isTrue(await header.isVisible(), 'the header is back on screen');
    });
  });
});
