/**
 * The single file (dist-single/index.html) opened from file://, as on an air-gapped laptop, runs
 * a short ceremony through the UI: a new simulated instance of 1 unit, 1 administrator created
 * in the app (key file downloaded), thresholds 1/1, 2 key part files, load → commit → set
 * immediate, the VP read from the page equal to the VP of the XOR of the parts computed here.
 * The page makes no request but itself, blob: and data: URLs.
 */
import { describe, it, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { singleFileUrl } from './support/env.ts';
import { withSession } from './support/session.ts';
import { openApp } from './support/app.ts';
import {
  addAllAdmins, createAdmin, createPart, goTo, grouped, nextAction, openSection, randomHex, readRegisters, runViewAction, setThresholds,
  textOf, vpOf, xorOf, type Custodians,
} from './support/ceremony-ui.ts';
import { downloadsDir } from './support/ceremony-files.ts';

const MK = 'webtke-master-key-view';
const IV = 'webtke-instance-view';

describe('single file from file://: a ceremony', () => {
  const browser = useChromium();

  it('1 unit, 1 admin, 2 parts: load, commit, set immediate', async () => {
    const files = await downloadsDir('single');
    try {
      await withSession(browser(), 'single file ceremony', { allowFile: true }, async (s) => {
        const { page } = s;
        const url = singleFileUrl();
        await openApp(page, url);
        await page.locator(`${IV} #next-title`).getByText('Add administrators').waitFor({ timeout: 60_000 });

        // a new simulated instance of 1 unit
        await openSection(page, IV, 'Simulation: new instance, reset');
        await page.locator(`${IV} #new-name`).fill('Air-gapped');
        await page.locator(`${IV} #new-units`).selectOption('1');
        await page.locator(`${IV}`).getByRole('button', { name: 'Create the simulated instance' }).click();
        await page.locator(`${IV} #instance option:checked`).filter({ hasText: /^Air-gapped/ }).waitFor({ state: 'attached', timeout: 60_000 });
        await page.locator(`${IV} table.unit-table tbody tr`).first().waitFor();
        await page.locator(`${IV} #next-title`).getByText('Add administrators').waitFor({ timeout: 60_000 });
        assert.equal(await page.locator(`${IV} table.unit-table tbody tr`).count(), 1);

        const c: Custodians = { admins: [await createAdmin(page, files.dir, 'Grace', `pw-grace-${randomHex(8)}`)], parts: [] };
        await addAllAdmins(page, c);
        await setThresholds(page, c, 1, 1);
        for (const d of ['Air-gapped part 1', 'Air-gapped part 2']) c.parts.push(await createPart(page, files.dir, d, randomHex(32), `pw-${randomHex(8)}`));
        const vp = grouped(vpOf(xorOf(c.parts.map((p) => p.value))));

        await goTo(page, 'Master key');
        assert.equal(await nextAction(page), 'Load the master key');
        await page.locator(`${MK} webtke-part-chooser #chooser-files`).setInputFiles(c.parts.map((p) => p.path));
        await page.locator(`${MK} webtke-part-chooser`).getByText('2 parts chosen').waitFor();
        await runViewAction(page, MK, page.locator(`${MK} button.load-parts`), c);
        assert.deepEqual((await readRegisters(page)).map((r) => [r.next, r.nextVp]), [['FULL UNCOMMITTED', vp]]);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.deepEqual((await readRegisters(page)).map((r) => [r.next, r.nextVp]), [['FULL COMMITTED', vp]]);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.deepEqual((await readRegisters(page)).map((r) => [r.current, r.currentVp, r.next]), [['VALID', vp, 'EMPTY']]);
        assert.equal(await nextAction(page), 'nothing pending');
        assert.equal(await textOf(page.locator(`${MK} .current-agreement`)), `The unit: current register VALID, VP ${vp}.`);

        const fileRequests = s.requests.filter((u) => u.startsWith('file:'));
        assert.deepEqual([...new Set(fileRequests.map((u) => u.split('#')[0]))], [url], 'the only file read is the single file');
        assert.deepEqual(s.requests.filter((u) => /^https?:/.test(u)), [], 'no http(s) request');
      });
    } finally {
      await files.remove();
    }
  });
});
