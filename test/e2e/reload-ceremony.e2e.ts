/**
 * Reloads in the middle of ceremonies (hosted build, default 2 units, driven through the UI):
 * the page keeps nothing of a ceremony in memory that matters — after each reload the Master key
 * view shows, from the units' state alone, the step that comes next, and the ceremony finishes
 * from there.
 *
 *   first key:  load → commit → RELOAD → "Set immediate" → set immediate
 *   10 keys
 *   rotation:   load → commit → RELOAD → "Re-encipher" → re-encipher → RELOAD → "Set immediate"
 *               → set immediate → RELOAD → "Finish the key storage rotation" → finish
 */
import { describe, it, before, after, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { appServer, type AppServer } from './support/env.ts';
import { withSession } from './support/session.ts';
import { openApp } from './support/app.ts';
import {
  addAllAdmins, createAdmin, createPart, goTo, grouped, nextAction, randomHex, readRegisters, runViewAction, setThresholds, textOf, vpOf,
  waitForNext, xorOf, type Custodians,
} from './support/ceremony-ui.ts';
import { downloadsDir } from './support/ceremony-files.ts';
import type { Page } from 'playwright-core';

const MK = 'webtke-master-key-view';
const KS = 'webtke-key-storage-view';

/** Reload the page and wait until the Master key view shows the units' state again. */
async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.getByRole('heading', { level: 2, name: 'Master key' }).waitFor({ timeout: 60_000 });
  await page.locator(`${MK} .next-title`).waitFor({ timeout: 60_000 });
}

async function currentStage(page: Page): Promise<string> {
  return textOf(page.locator(`${MK} ol.stages li[aria-current=step]`));
}

describe('hosted build: reloads in the middle of a ceremony', () => {
  const browser = useChromium();
  let server: AppServer;
  before(async () => {
    server = await appServer();
  });
  after(async () => {
    await server.close();
  });

  it('resumes at the right step after a reload following commit, re-encipher and set immediate', async () => {
    const files = await downloadsDir('reload');
    try {
      await withSession(browser(), 'reload mid-ceremony', { origins: [server.origin] }, async ({ page }) => {
        await openApp(page, server.url);
        await page.locator('webtke-instance-view #next-title').getByText('Add administrators').waitFor({ timeout: 60_000 });
        const c: Custodians = { admins: [await createAdmin(page, files.dir, 'Alice', `pw-alice-${randomHex(8)}`)], parts: [] };
        await addAllAdmins(page, c);
        await setThresholds(page, c, 1, 1);
        for (const d of ['A part 1', 'A part 2', 'B part 1', 'B part 2']) c.parts.push(await createPart(page, files.dir, d, randomHex(32), `pw-${randomHex(8)}`));
        const vpA = grouped(vpOf(xorOf(c.parts.slice(0, 2).map((p) => p.value))));
        const vpB = grouped(vpOf(xorOf(c.parts.slice(2).map((p) => p.value))));

        // first key: load, commit, then reload before set immediate
        await goTo(page, 'Master key');
        await page.locator(`${MK} webtke-part-chooser #chooser-files`).setInputFiles(c.parts.slice(0, 2).map((p) => p.path));
        await runViewAction(page, MK, page.locator(`${MK} button.load-parts`), c);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        await reload(page);
        assert.match(await nextAction(page), /^Set immediate: make /, 'after the reload the next step is set immediate');
        assert.equal(await currentStage(page), 'Set immediate (new → current)');
        assert.deepEqual((await readRegisters(page)).map((r) => [r.current, r.next, r.nextVp]), [['EMPTY', 'FULL COMMITTED', vpA], ['EMPTY', 'FULL COMMITTED', vpA]]);
        assert.equal(await page.locator(`${MK} webtke-part-chooser`).count(), 0, 'no key part is asked for again');
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.equal(await nextAction(page), 'nothing pending');

        await goTo(page, 'Key storage');
        await page.locator(`${KS} #key-label`).fill('card keys');
        await page.locator(`${KS} #key-count`).fill('10');
        await runViewAction(page, KS, page.locator(`${KS} button.generate-keys`), c);
        assert.equal(await textOf(page.locator(`${KS} ul.by-vp`)), `10 keys under VP ${vpA}`);

        // rotation: load, commit, reload → re-encipher
        await goTo(page, 'Master key');
        await page.locator(`${MK} webtke-part-chooser #chooser-files`).setInputFiles(c.parts.slice(2).map((p) => p.path));
        await runViewAction(page, MK, page.locator(`${MK} button.load-parts`), c);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        await reload(page);
        assert.match(await nextAction(page), /^Re-encipher the key storage under /);
        assert.equal(await currentStage(page), 'Re-encipher the key storage');
        assert.deepEqual((await readRegisters(page)).map((r) => [r.currentVp, r.next, r.nextVp]), [[vpA, 'FULL COMMITTED', vpB], [vpA, 'FULL COMMITTED', vpB]]);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);

        // reload after the re-encipher → set immediate; the rotation's progress survives
        await reload(page);
        assert.match(await nextAction(page), /^Set immediate: make /);
        await goTo(page, 'Key storage');
        assert.equal(await textOf(page.locator(`${KS} .rotation-count`)), '10 of 10');
        assert.match(await textOf(page.locator(`${KS} .creation-blocked`)), /a key storage rotation is open/);
        await goTo(page, 'Master key');
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);

        // reload after set immediate → finish the rotation
        await reload(page);
        assert.equal(await waitForNext(page, /^Finish the key storage rotation$/), 'Finish the key storage rotation');
        assert.equal(await currentStage(page), 'Finish the key storage rotation');
        assert.deepEqual((await readRegisters(page)).map((r) => [r.current, r.currentVp, r.next]), [['VALID', vpB, 'EMPTY'], ['VALID', vpB, 'EMPTY']]);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.equal(await nextAction(page), 'nothing pending');

        await goTo(page, 'Key storage');
        await page.locator(`${KS} ul.by-vp`).getByText(`10 keys under VP ${vpB}`).waitFor();
        await page.locator(`${KS} table.keys tbody tr`).nth(3).locator('button.test-key').click();
        const test = page.locator(`${KS} table.keys tbody tr`).nth(3).locator('.test-result');
        await test.waitFor();
        assert.equal(await test.getAttribute('data-ok'), 'true', await textOf(test));

        await goTo(page, 'Journal');
        await page.locator('webtke-journal-view .verification-text').getByText(/^Chain verified/).waitFor();
      });
    } finally {
      await files.remove();
    }
  });
});
