/**
 * The full first ceremony on the hosted build (dist/), driven only through the UI as a new user
 * would, on the default simulated instance of 2 units:
 *   3 software administrators created in the app (key files downloaded), added to both units,
 *   thresholds 2/2; 3 key part files created in the app (typed values, downloaded); load,
 *   commit, set immediate — the VPs read from the page equal on both units and equal to the VP
 *   of the XOR of the parts computed here; 100 keys generated; a rotation to a key of 2 new
 *   parts with the key storage re-enciphered (REENCRYPT) and the rotation finished; the journal
 *   verified and exported; zeroize.
 * Afterwards every IndexedDB record, localStorage, sessionStorage and the exported journal are
 * searched for the parts, the private keys (read from the downloaded files with node:crypto)
 * and the passwords: none may be found.
 *
 * Real key files (PBKDF2 600,000): 3 admin files and 5 part files written, 21 opens by the app.
 */
import { readFile } from 'node:fs/promises';
import { describe, it, before, after, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { appServer, type AppServer } from './support/env.ts';
import { withSession } from './support/session.ts';
import { openApp } from './support/app.ts';
import {
  addAllAdmins, createAdmin, createPart, download, goTo, grouped, newLog, nextAction, randomHex, readRegisters, runViewAction,
  setThresholds, textOf, vpOf, waitForNext, xorOf, type Custodians,
} from './support/ceremony-ui.ts';
import {
  assertSearchFinds, findSecrets, haystacks, openSignatureKeyFileWithNode, readPageStorage, type Secret,
} from './support/ceremony-secrets.ts';
import { downloadsDir, instanceScreenshot } from './support/ceremony-files.ts';

const MK = 'webtke-master-key-view';
const KS = 'webtke-key-storage-view';
const JV = 'webtke-journal-view';

describe('hosted build: a full ceremony through the UI', () => {
  const browser = useChromium();
  let server: AppServer;
  before(async () => {
    server = await appServer();
  });
  after(async () => {
    await server.close();
  });

  it('2 units, 3 admins 2/2, 3 parts, 100 keys, rotation with re-encipher, zeroize; no secret left in the browser or the journal', async () => {
    const files = await downloadsDir('ceremony');
    const t0 = Date.now();
    const timings: string[] = [];
    const lap = (what: string) => timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    try {
      await withSession(browser(), 'full ceremony', { origins: [server.origin] }, async ({ page }) => {
        await page.setViewportSize({ width: 1400, height: 1000 });
        await openApp(page, server.url);
        await page.locator('webtke-instance-view #next-title').getByText('Add administrators').waitFor({ timeout: 60_000 });
        assert.equal(await page.locator('webtke-instance-view table.unit-table tbody tr').count(), 2, 'the default instance has 2 units');

        // --- administrators: created in the app, saved as files -----------------------------
        const c: Custodians = { admins: [], parts: [] };
        for (const name of ['Alice', 'Bob', 'Carol']) c.admins.push(await createAdmin(page, files.dir, name, `pw-${name}-${randomHex(8)}`));
        lap('admins created');
        const log = newLog();
        await addAllAdmins(page, c, log);
        assert.deepEqual(log.signatures, [], 'imprint mode: adding needs no signature');
        await setThresholds(page, c, 2, 2, log);
        assert.lengthOf(log.signatures, 2, 'leaving imprint mode takes 2 signatures (the new threshold)');
        lap('admins added, 2/2');

        // --- key parts: typed values, so the test knows them --------------------------------
        const first = ['MK A part 1, custodian Dave', 'MK A part 2, custodian Erin', 'MK A part 3, custodian Frank'];
        const second = ['MK B part 1, custodian Dave', 'MK B part 2, custodian Erin'];
        for (const d of [...first, ...second]) c.parts.push(await createPart(page, files.dir, d, randomHex(32), `pw-part-${randomHex(8)}`));
        const partsA = c.parts.slice(0, 3);
        const partsB = c.parts.slice(3);
        const mkA = xorOf(partsA.map((p) => p.value));
        const mkB = xorOf(partsB.map((p) => p.value));
        const vpA = grouped(vpOf(mkA));
        const vpB = grouped(vpOf(mkB));
        lap('5 part files created');

        // --- load, commit, set immediate, driven by the Master key view ----------------------
        await goTo(page, 'Master key');
        assert.equal(await nextAction(page), 'Load the master key');
        await page.locator(`${MK} webtke-part-chooser #chooser-files`).setInputFiles(partsA.map((p) => p.path));
        await page.locator(`${MK} webtke-part-chooser`).getByText('3 parts chosen').waitFor();
        const loadLog = newLog();
        await runViewAction(page, MK, page.locator(`${MK} button.load-parts`), c, loadLog);
        assert.sameMembers(loadLog.partsWrapped, first, 'each custodian typed their password once');
        assert.lengthOf(loadLog.signatures, 4, '1 signature for the importer keys, then 1 per part');
        let regs = await readRegisters(page);
        assert.lengthOf(regs, 2);
        for (const r of regs) {
          assert.equal(r.next, 'FULL UNCOMMITTED', r.unit);
          assert.equal(r.nextVp, vpA, `${r.unit}: the loaded VP is the VP of the XOR of the 3 parts, computed here`);
          assert.equal(r.current, 'EMPTY');
        }
        assert.match(await nextAction(page), /^Commit the new master key /);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        regs = await readRegisters(page);
        assert.deepEqual(regs.map((r) => [r.next, r.nextVp]), [['FULL COMMITTED', vpA], ['FULL COMMITTED', vpA]]);
        assert.match(await nextAction(page), /^Set immediate/);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        regs = await readRegisters(page);
        assert.deepEqual(regs.map((r) => [r.current, r.currentVp, r.next]), [['VALID', vpA, 'EMPTY'], ['VALID', vpA, 'EMPTY']], 'the same current VP on both units');
        assert.equal(await nextAction(page), 'nothing pending');
        assert.equal(await textOf(page.locator(`${MK} .current-agreement`)), `All 2 units: current register VALID, VP ${vpA}.`);
        lap('master key A active');

        // the README's screenshot: the Instance view after the first ceremony
        await goTo(page, 'Instance');
        await page.locator('webtke-instance-view #next-title').getByText('nothing pending').waitFor();
        await instanceScreenshot(page);

        // --- 100 keys -----------------------------------------------------------------------
        await goTo(page, 'Key storage');
        await page.locator(`${KS} #key-label`).fill('payments');
        await page.locator(`${KS} #key-count`).fill('100');
        const made = await runViewAction(page, KS, page.locator(`${KS} button.generate-keys`), c);
        assert.match(made, /^Generated 100 keys under the current master key/);
        await page.locator(`${KS} table.keys caption`).getByText('Stored keys (100)').waitFor();
        assert.equal(await textOf(page.locator(`${KS} ul.by-vp`)), `100 keys under VP ${vpA}`);
        assert.equal(await page.locator(`${KS} table.keys tbody tr`).count(), 100);
        await page.locator(`${KS} table.keys tbody tr`).nth(41).locator('button.test-key').click();
        const test = page.locator(`${KS} table.keys tbody tr`).nth(41).locator('.test-result');
        await test.waitFor();
        assert.equal(await test.getAttribute('data-ok'), 'true', await textOf(test));
        assert.match(await textOf(test), /unwrapped Unit 1 ✓, Unit 2 ✓/);
        lap('100 keys');

        // --- rotation: the new key's 2 parts, commit, re-encipher, set immediate, finish ------
        await goTo(page, 'Master key');
        await page.locator(`${MK} webtke-part-chooser #chooser-files`).setInputFiles(partsB.map((p) => p.path));
        await page.locator(`${MK} webtke-part-chooser`).getByText('2 parts chosen').waitFor();
        const rotLog = newLog();
        await runViewAction(page, MK, page.locator(`${MK} button.load-parts`), c, rotLog);
        assert.sameMembers(rotLog.partsWrapped, second);
        regs = await readRegisters(page);
        assert.deepEqual(regs.map((r) => [r.current, r.currentVp, r.next, r.nextVp]), [['VALID', vpA, 'FULL UNCOMMITTED', vpB], ['VALID', vpA, 'FULL UNCOMMITTED', vpB]]);
        await goTo(page, 'Key storage');
        assert.match(await textOf(page.locator(`${KS} .creation-blocked`)), /^Key creation is blocked: a new master key is loaded/);
        assert.isTrue(await page.locator(`${KS} button.generate-keys`).isDisabled());

        await goTo(page, 'Master key');
        assert.match(await nextAction(page), /^Commit the new master key /);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.match(await nextAction(page), /^Re-encipher the key storage under /);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        await goTo(page, 'Key storage');
        assert.equal(await textOf(page.locator(`${KS} .rotation-count`)), '100 of 100');
        assert.equal(await page.locator(`${KS} progress.rotation-progress`).evaluate((p: HTMLProgressElement) => [p.value, p.max].join('/')), '100/100');
        assert.equal(await textOf(page.locator(`${KS} .rotation-to`)), vpB);
        assert.match(await textOf(page.locator(`${KS} .creation-blocked`)), /^Key creation is blocked: a key storage rotation is open/);
        assert.equal(await page.locator(`${KS} table.keys .staged-vp`).count(), 100, 'every key has its copy under the new VP');

        await goTo(page, 'Master key');
        assert.match(await nextAction(page), /^Set immediate/);
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.equal(await waitForNext(page, /^Finish the key storage rotation$/), 'Finish the key storage rotation');
        await runViewAction(page, MK, page.locator(`${MK} button.next-action`), c);
        assert.equal(await nextAction(page), 'nothing pending');
        regs = await readRegisters(page);
        assert.deepEqual(regs.map((r) => [r.current, r.currentVp, r.next]), [['VALID', vpB, 'EMPTY'], ['VALID', vpB, 'EMPTY']]);
        await goTo(page, 'Key storage');
        await page.locator(`${KS} ul.by-vp`).getByText(`100 keys under VP ${vpB}`).waitFor();
        assert.equal(await page.locator(`${KS} .creation-blocked`).count(), 0, 'key creation is open again');
        await page.locator(`${KS} table.keys tbody tr`).nth(7).locator('button.test-key').click();
        const test2 = page.locator(`${KS} table.keys tbody tr`).nth(7).locator('.test-result');
        await test2.waitFor();
        assert.equal(await test2.getAttribute('data-ok'), 'true', await textOf(test2));
        lap('rotation to B');

        // --- journal: verify, transcript, export ---------------------------------------------
        await goTo(page, 'Journal');
        await runViewAction(page, JV, page.locator(`${JV} button.verify`), c);
        assert.match(await textOf(page.locator(`${JV} .verification-text`)), /^Chain verified: \d+ entries/);
        await runViewAction(page, JV, page.locator(`${JV} button.show-transcript`), c);
        const transcript = await textOf(page.locator(`${JV} pre.transcript`));
        for (const must of ['WEBTKE CEREMONY TRANSCRIPT', vpA, vpB, 'COMMIT_WK', 'FINALIZE_WK']) assert.include(transcript, must);
        const commitSigners = /COMMIT_WK counter \d+ .*? signed by (\w+) \[SKI [0-9A-F ]+…\], (\w+) \[SKI [0-9A-F ]+…\]/.exec(transcript);
        assert.exists(commitSigners, 'the transcript says which 2 administrators signed the commit');
        for (const n of [commitSigners![1], commitSigners![2]]) assert.include(['Alice', 'Bob', 'Carol'], n);

        // --- zeroize (typed confirmation) -----------------------------------------------------
        await goTo(page, 'Master key');
        const zLog = newLog();
        await runViewAction(page, MK, page.locator(`${MK} button.zeroize`), c, zLog);
        assert.deepEqual(zLog.confirmations.map((x) => x.replace(/:.*\[/, ' [')), ['yes [ZEROIZE]']);
        regs = await readRegisters(page);
        assert.deepEqual(regs.map((r) => [r.current, r.next]), [['EMPTY', 'EMPTY'], ['EMPTY', 'EMPTY']]);
        await goTo(page, 'Instance');
        await page.locator('webtke-instance-view #next-title').getByText('Add administrators').waitFor();
        assert.deepEqual(await page.locator('webtke-instance-view td.mode').allTextContents().then((t) => t.map((x) => x.trim())), ['imprint', 'imprint']);
        lap('zeroized');

        await goTo(page, 'Journal');
        await runViewAction(page, JV, page.locator(`${JV} button.export-json`), c);
        const exported = await download(page, page.locator(`${JV} a.download`).first(), files.dir);
        const journal = JSON.parse(exported.text) as { format: string; entries: { kind: string; command?: string }[] };
        assert.equal(journal.format, 'webtke-journal');
        assert.isTrue(journal.entries.some((e) => e.kind === 'result' && e.command === 'DOM_ZEROIZE'), 'the export has the zeroize');

        // --- no secret anywhere -------------------------------------------------------------
        const secrets: Secret[] = [];
        for (const p of c.parts) secrets.push({ label: `part "${p.description}"`, bytes: Buffer.from(p.value, 'hex') }, { label: `password of "${p.description}"`, text: p.password });
        secrets.push({ label: 'master key A', bytes: mkA }, { label: 'master key B', bytes: mkB });
        for (const a of c.admins) {
          const k = openSignatureKeyFileWithNode(await readFile(a.path, 'utf8'), a.password);
          secrets.push({ label: `private key of ${a.name}`, bytes: k.scalar }, { label: `PKCS#8 of ${a.name}`, bytes: k.pkcs8, wholeOnly: true }, { label: `password of ${a.name}`, text: a.password });
        }
        assertSearchFinds(secrets);
        const stored = await readPageStorage(page);
        const webtke = Object.entries(stored.counts).find(([, s]) => 'journal' in s);
        assert.exists(webtke, 'the app database was read');
        assert.isAbove(webtke![1].journal, 100, 'the journal records were read');
        assert.isAbove(stored.chunks.length, 1000, 'every record was walked');
        const hay = haystacks([...stored.chunks, { where: 'exported journal', text: exported.text }]);
        assert.deepEqual(findSecrets(secrets, hay), [], 'no secret in IndexedDB, localStorage, sessionStorage or the exported journal');
        lap('secret scan');
      });
    } finally {
      console.log(`# timings: ${timings.join('; ')}`);
      await files.remove();
    }
  });
});
