/**
 * Remote crypto units through the UI: the unit server (server/unit-server.ts, 2 simulated units,
 * a bearer token, CORS for the app's origin) on 127.0.0.1, and the hosted build served from
 * another loopback origin. A person creates a remote instance from the two unit URLs and the
 * token, compares the host root's fingerprint with the one the server reports and accepts it,
 * creates 3 software administrators, adds them and leaves imprint mode with thresholds 2/2.
 * Checked independently, from Node over HTTP: both units have the 3 administrators and 2/2;
 * the page made no request anywhere else and broke no CSP rule; the token is in none of the
 * browser's storage.
 *
 * The build: the hosted build's Content-Security-Policy names the unit origins in connect-src
 * at build time (WEBTKE_UNIT_ORIGINS, docs/builds.md), and the unit server's port is chosen
 * when it starts (port 0). So this test starts the unit server first, then builds dist/ with
 * WEBTKE_UNIT_ORIGINS set to its origin into test-results/e2e/dist-remote-units/ (about 2 s;
 * the shared dist/ is left alone) and serves that. No fixed port is needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, before, after, assert } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { HttpUnitTransport } from '../../src/cryptounit/transports/http.ts';
import { startUnitServer, type RunningUnitServer } from '../../server/unit-server.ts';
import { useChromium } from './support/chromium.ts';
import { REPO_ROOT } from './support/builds.mjs';
import { startStaticServer, type StaticServer } from './support/static-server.mjs';
import { withSession } from './support/session.ts';
import { cspMeta, openApp } from './support/app.ts';
import {
  addAllAdmins, createAdmin, goTo, newLog, openSection, randomHex, setThresholds, textOf, type Custodians,
} from './support/ceremony-ui.ts';
import { findSecrets, haystacks, readPageStorage } from './support/ceremony-secrets.ts';
import { downloadsDir } from './support/ceremony-files.ts';

const IV = 'webtke-instance-view';
const TOKEN = `e2e-${randomHex(24)}`;
const BUILD_DIR = join(REPO_ROOT, 'test-results', 'e2e', 'dist-remote-units');

/** dist/ with connect-src allowing `unitOrigin`, built into BUILD_DIR. */
function buildFor(unitOrigin: string): void {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--outDir', BUILD_DIR, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WEBTKE_UNIT_ORIGINS: unitOrigin },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the build for ${unitOrigin} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

describe('hosted build: a remote instance on the unit server', () => {
  const browser = useChromium();
  let app: StaticServer;
  let units: RunningUnitServer;
  const serverLog: string[] = [];

  before(async () => {
    await rm(BUILD_DIR, { recursive: true, force: true });
    await mkdir(BUILD_DIR, { recursive: true });
    app = await startStaticServer({ root: BUILD_DIR });
    units = await startUnitServer({ units: 2, port: 0, host: '127.0.0.1', token: TOKEN, allowOrigins: [app.origin], log: (l) => serverLog.push(l) });
    buildFor(units.url);
  });
  after(async () => {
    await units?.close();
    await app?.close();
  });

  it('creates the instance from the unit URLs and the token, pins the accepted root, and sets admins and thresholds 2/2', async () => {
    const files = await downloadsDir('remote-units');
    const unitOrigin = new URL(units.url).origin;
    try {
      await withSession(browser(), 'remote units', { origins: [app.origin, unitOrigin] }, async ({ page }) => {
        await page.setViewportSize({ width: 1400, height: 1000 });
        await openApp(page, app.url);
        const csp = await cspMeta(page);
        assert.deepEqual(csp?.directives.get('connect-src'), ["'self'", unitOrigin], 'the build allows the unit server\'s origin');
        await page.locator(`${IV} #next-title`).waitFor({ timeout: 60_000 });

        // --- a remote instance from the two URLs and the token ----------------------------
        await openSection(page, IV, 'Remote instance: new');
        await page.locator(`${IV} #remote-name`).fill('Remote rehearsal');
        await page.locator(`${IV} #remote-urls`).fill(units.units.map((u) => u.url).join('\n'));
        await page.locator(`${IV} #remote-token`).fill(TOKEN);
        await page.locator(IV).getByRole('button', { name: 'Create the remote instance' }).click();
        assert.equal(await page.locator(`${IV} #remote-token`).inputValue(), '', 'the token field is emptied');

        // the root: compared with what the server reports (and prints), then accepted
        const question = page.locator('webtke-confirm-dialog dialog[open]');
        await question.waitFor({ timeout: 60_000 });
        assert.equal(await textOf(question.locator('h3')), 'Trust the root of Unit 1?');
        assert.include(await textOf(question), units.rootFingerprint);
        await question.getByRole('button', { name: 'Trust this root' }).click();

        const rows = page.locator(`${IV} table.unit-table tbody tr:not(.unreachable)`);
        for (let i = 0; i < 600 && (await rows.count()) < 2; i++) await page.waitForTimeout(100);
        assert.equal(await rows.count(), 2, 'both remote units answer');
        assert.deepEqual(await page.locator(`${IV} .unit-kind`).allTextContents(), units.units.map((u) => `remote unit at ${u.url}`));
        assert.deepEqual(await page.locator(`${IV} table.unit-table code.fingerprint`).allTextContents(), [units.rootFingerprint, units.rootFingerprint]);
        assert.include(await textOf(page.locator(`${IV} .first-use`)), `Unit 1: ${units.rootFingerprint}`);
        assert.include(await textOf(page.locator(`${IV} .remote-label`)), 'Remote crypto units');

        // --- administrators and thresholds, signed in the signing dialog --------------------
        const c: Custodians = { admins: [], parts: [] };
        for (const name of ['Alice', 'Bob', 'Carol']) c.admins.push(await createAdmin(page, files.dir, name, `pw-${name}-${randomHex(8)}`));
        const log = newLog();
        await addAllAdmins(page, c, log);
        assert.deepEqual(log.signatures, [], 'imprint mode: adding needs no signature');
        await setThresholds(page, c, 2, 2, log);
        assert.lengthOf(log.signatures, 2, 'leaving imprint mode takes 2 signatures');

        await goTo(page, 'Instance');
        for (let i = 0; i < 600 && (await page.locator(`${IV} span.thresholds`).allTextContents()).join() !== '2 / 2,2 / 2'; i++) await page.waitForTimeout(100);
        assert.deepEqual(await page.locator(`${IV} span.thresholds`).allTextContents(), ['2 / 2', '2 / 2']);
        assert.deepEqual((await page.locator(`${IV} td.mode`).allTextContents()).map((t) => t.trim()), ['authenticated', 'authenticated']);

        // --- the units themselves, from Node over HTTP, pinned to the server's root -----------
        for (const u of units.units) {
          const client = new CryptoUnitClient({
            transport: new HttpUnitTransport({ url: u.url, fetch: globalThis.fetch.bind(globalThis), token: TOKEN }),
            crypto: globalThis.crypto,
            pinnedRoot: units.rootFingerprint,
          });
          await client.connect();
          assert.deepEqual(await client.attributes(), { signThreshold: 2, revokeThreshold: 2, mode: 'authenticated' }, u.id);
          const skis = (await client.adminSkis()).map((s) => Buffer.from(s).toString('hex'));
          assert.sameMembers(skis, c.admins.map((a) => a.ski), `${u.id}: the 3 administrators created in the app`);
        }
        assert.isTrue(serverLog.some((l) => / POST \/units\/unit-1 200 /.test(l)), 'the browser reached the unit server');
        assert.isFalse(serverLog.some((l) => / 40[13] /.test(l)), 'no request was refused (token and origin accepted)');

        // --- the token is in none of the browser's storage ------------------------------------
        const stored = await readPageStorage(page);
        assert.isNotEmpty(stored.chunks);
        assert.deepEqual(findSecrets([{ label: 'access token', text: TOKEN }], haystacks(stored.chunks)), [], 'the token is not stored');
      });
    } finally {
      await files.remove();
    }
  });
});
