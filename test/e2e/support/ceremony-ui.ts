/**
 * Driving a key ceremony through the UI, as a new user would: create software administrators
 * and key part files in the Administrators view (and save the downloaded files), add the
 * administrators and set the thresholds, then press the Master key view's buttons while the
 * consent dialogs ask for signatures, key part passwords and typed confirmations.
 *
 * `drive()` is the person at the keyboard: while an action runs it answers whichever dialog is
 * open — the signing dialog (choose the offered administrator, pick their key file, type its
 * password), the key parts dialog (type the part file's password), the typed confirmation —
 * until the view says the action finished. Locators pierce the shadow roots.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { assert } from '../../harness.ts';

export interface AdminFile {
  name: string;
  password: string;
  /** where the downloaded signature key file was saved */
  path: string;
  text: string;
  /** 64 hex digits, from the file */
  ski: string;
}

export interface PartFile {
  description: string;
  password: string;
  path: string;
  text: string;
  /** the typed value (64 hex digits) */
  value: string;
}

export interface Custodians {
  admins: AdminFile[];
  parts: PartFile[];
  /** answer to a typed confirmation (default: type the phrase and confirm) */
  confirm?: (title: string, phrase: string | null) => boolean;
}

/** What the person did during one drive(), for the test's own accounting. */
export interface DriveLog {
  signatures: string[];
  partsWrapped: string[];
  confirmations: string[];
}

export const newLog = (): DriveLog => ({ signatures: [], partsWrapped: [], confirmations: [] });

const squash = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

export async function textOf(l: Locator): Promise<string> {
  return squash(await l.textContent());
}

/** The text of the first match now, or null when there is none (never waits: for polling). */
export async function peek(l: Locator): Promise<string | null> {
  const t = await l.evaluateAll((els) => (els.length ? els[0].textContent ?? '' : null));
  return t === null ? null : squash(t);
}

/** Random letters for passwords and values the test knows. */
export const randomHex = (bytes: number): string => Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

/** Go to a view by its navigation link and wait for its heading. */
export async function goTo(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 2, name: label, exact: true }).waitFor();
}

/** Click a link that downloads a file and save it in `dir`; returns the path and the text. */
export async function download(page: Page, link: Locator, dir: string): Promise<{ path: string; name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const name = d.suggestedFilename();
  const path = join(dir, name);
  await d.saveAs(path);
  return { path, name, text: await readFile(path, 'utf8') };
}

const b64hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

/** Open a view's collapsible section (<details>) by the heading in its summary, if it is closed. */
export async function openSection(page: Page, view: string, heading: string): Promise<void> {
  const details = page.locator(`${view} details`).filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
  await details.waitFor();
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

/** Administrators view → "Create a software administrator"; saves the key file. */
export async function createAdmin(page: Page, dir: string, name: string, password: string): Promise<AdminFile> {
  await goTo(page, 'Administrators');
  await openSection(page, 'webtke-administrators-view', 'Create a software administrator');
  const form = page.locator('webtke-create-admin');
  await form.locator('#admin-name').fill(name);
  await form.locator('#admin-pw').fill(password);
  await form.locator('#admin-pw2').fill(password);
  await form.getByRole('button', { name: 'Create the administrator' }).click();
  const link = form.locator('a.download');
  await link.waitFor({ timeout: 60_000 });
  const f = await download(page, link, dir);
  await form.getByRole('button', { name: 'I saved it' }).click();
  const json = JSON.parse(f.text) as { name: string; ski: string; format: string };
  assert.equal(json.format, 'webtke-signature-key');
  assert.equal(json.name, name);
  return { name, password, path: f.path, text: f.text, ski: b64hex(json.ski) };
}

/** Administrators view → "Key part files": a typed value, saved as a file. */
export async function createPart(page: Page, dir: string, description: string, value: string, password: string): Promise<PartFile> {
  await goTo(page, 'Administrators');
  await openSection(page, 'webtke-administrators-view', 'Key part files');
  const form = page.locator('webtke-key-part-files');
  await form.locator('#part-description').fill(description);
  await form.locator('#part-typed').check();
  await form.locator('#part-value').fill(value);
  await form.locator('#part-pw').fill(password);
  await form.locator('#part-pw2').fill(password);
  await form.getByRole('button', { name: 'Create the key part file' }).click();
  const link = form.locator('a.download');
  await link.waitFor({ timeout: 60_000 });
  const f = await download(page, link, dir);
  await form.getByRole('button', { name: 'I saved it' }).click();
  const json = JSON.parse(f.text) as { description: string; vp: string; format: string };
  assert.equal(json.format, 'webtke-key-part');
  assert.equal(json.description, description);
  assert.equal(b64hex(json.vp), vpOf(Buffer.from(value, 'hex')), 'the file\'s VP is the VP of the typed value');
  return { description, password, path: f.path, text: f.text, value };
}

/** VP(key) = SHA-256(0x01 ‖ key) with the last 4 bytes zero (DESIGN §3.6), lowercase hex. */
export function vpOf(key: Uint8Array): string {
  const h = createHash('sha256').update(Buffer.concat([Buffer.from([1]), key])).digest();
  h.fill(0, 28);
  return h.toString('hex');
}

/** The master key of some typed parts (their XOR). */
export function xorOf(values: readonly string[]): Buffer {
  const out = Buffer.alloc(32);
  for (const v of values) {
    const b = Buffer.from(v, 'hex');
    for (let i = 0; i < 32; i++) out[i] ^= b[i];
  }
  return out;
}

/** "1a2b…" → "1A2B 3C4D …" as the app shows VPs. */
export const grouped = (hex: string): string => hex.toUpperCase().match(/.{1,4}/g)!.join(' ');

// ---- the person answering the consent dialogs ------------------------------------------------

const signing = (page: Page) => page.locator('webtke-signing-dialog dialog[open]');
const partsDialog = (page: Page) => page.locator('webtke-parts-dialog dialog[open]');
const confirmDialog = (page: Page) => page.locator('webtke-confirm-dialog dialog[open]');

async function visible(l: Locator): Promise<boolean> {
  return (await l.count()) > 0 && l.first().isVisible();
}

async function dialogError(dialog: Locator): Promise<string | null> {
  return peek(dialog.locator('webtke-error .box'));
}

async function waitUntil(page: Page, what: string | (() => string), cond: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await page.waitForTimeout(50);
  }
}

async function answerSigning(page: Page, c: Custodians, log: DriveLog): Promise<void> {
  const d = signing(page);
  // the person signs as the administrator the select shows; the dialog must check that same
  // administrator (its button names it), and the test must have their key file
  const shown = await d.locator('#admin').evaluate((s) => {
    const sel = s as HTMLSelectElement;
    return { ski: sel.value, text: sel.selectedOptions[0]?.textContent ?? '' };
  });
  const admin = c.admins.find((a) => a.ski === shown.ski);
  if (!admin) throw new Error(`the signing dialog shows an administrator (${shown.ski}) the test has no key file for`);
  assert.equal(squash(shown.text).split(' — ')[0], admin.name, 'the selected option names the administrator of its SKI');
  assert.equal(await textOf(d.locator('button[type=submit]')), `Sign as ${admin.name}`, 'the dialog checks the administrator the select shows');
  await d.locator('#src-file').check();
  await d.locator('#keyfile').setInputFiles(admin.path);
  await d.locator('#secret').fill(admin.password);
  await d.locator('button[type=submit]').click();
  log.signatures.push(admin.name);
  await waitUntil(page, `the signature of ${admin.name}`, async () => {
    if (!(await visible(d))) return true;
    if ((await peek(d.locator('button[type=submit]')))?.startsWith('Opening')) return false;
    if (await dialogError(d)) return true;
    return (await peek(d.locator('p.hint').filter({ hasText: 'Chosen:' }))) === null;
  });
  if (await visible(d)) {
    const err = await dialogError(d);
    if (err) throw new Error(`signing as ${admin.name} failed: ${err}`);
  }
}

async function answerPart(page: Page, c: Custodians, log: DriveLog): Promise<void> {
  const d = partsDialog(page);
  const heading = await textOf(d.locator('h3'));
  const description = await textOf(d.locator('.part-description'));
  const part = c.parts.find((p) => p.description === description);
  if (!part) throw new Error(`the key parts dialog asks for "${description}", which the test has no password for`);
  await d.locator('#part-secret').fill(part.password);
  await d.locator('button[type=submit]').click();
  log.partsWrapped.push(description);
  await waitUntil(page, `the wrap of "${description}"`, async () => {
    if (!(await visible(d))) return true;
    if ((await peek(d.locator('button[type=submit]')))?.startsWith('Wrapping')) return false;
    const h = await peek(d.locator('h3'));
    return (await dialogError(d)) !== null || h === null || h !== heading;
  });
  if (await visible(d)) {
    const err = await dialogError(d);
    if (err) throw new Error(`wrapping "${description}" failed: ${err}`);
  }
}

async function answerConfirm(page: Page, c: Custodians, log: DriveLog): Promise<void> {
  const d = confirmDialog(page);
  const title = await textOf(d.locator('h3'));
  const phraseEl = d.locator('.phrase');
  const phrase = (await phraseEl.count()) ? await textOf(phraseEl) : null;
  const yes = c.confirm ? c.confirm(title, phrase) : true;
  log.confirmations.push(`${yes ? 'yes' : 'no'}: ${title}${phrase ? ` [${phrase}]` : ''}`);
  if (yes) {
    if (phrase !== null) await d.locator('#phrase').fill(phrase);
    await d.locator('button[type=submit]').click();
  } else {
    await d.getByRole('button', { name: 'Cancel' }).click();
  }
  await waitUntil(page, 'the confirmation to close', async () => !(await visible(d)));
}

/**
 * Answer every dialog until `done()` says the action is over. `failed()` may return the words
 * of a failure shown by the page, which ends the drive with an error.
 */
export async function drive(
  page: Page,
  c: Custodians,
  done: () => Promise<boolean>,
  failed: () => Promise<string | null> = async () => null,
  log: DriveLog = newLog(),
  timeoutMs = 240_000,
): Promise<DriveLog> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await visible(signing(page))) await answerSigning(page, c, log);
    else if (await visible(partsDialog(page))) await answerPart(page, c, log);
    else if (await visible(confirmDialog(page))) await answerConfirm(page, c, log);
    else {
      if (await done()) return log;
      const f = await failed();
      if (f) throw new Error(f);
      if (Date.now() > end) throw new Error('timed out: the action did not finish');
      await page.waitForTimeout(100);
    }
  }
}

/**
 * Press a button of one of the ceremony views (Master key, Key storage, Journal), answer the
 * dialogs, and wait for the view's action report; returns its words. Fails with the error the
 * view shows (message and remedy) if the action failed.
 */
export async function runViewAction(page: Page, view: string, button: Locator, c: Custodians, log?: DriveLog): Promise<string> {
  const action = page.locator(`${view} .action`);
  const before = (await action.count()) ? Number(await action.getAttribute('data-count')) : 0;
  await button.click();
  const mine = page.locator(`${view} .action[data-count="${before + 1}"]`);
  await drive(page, c, async () => (await mine.count()) > 0 && (await mine.getAttribute('data-state')) !== 'running', async () => null, log);
  if ((await mine.getAttribute('data-state')) === 'failed') throw new Error(`${view}: ${await textOf(mine)}`);
  return textOf(mine);
}

/** Administrators view: tick every administrator not yet on every unit and add them. */
export async function addAllAdmins(page: Page, c: Custodians, log?: DriveLog): Promise<void> {
  await goTo(page, 'Administrators');
  await openSection(page, 'webtke-administrators-view', 'Directory and thresholds');
  const dir = page.locator('webtke-admin-directory');
  const boxes = dir.locator('table.directory input[type=checkbox]:not([disabled])');
  const n = await boxes.count();
  assert.isAbove(n, 0, 'administrators to add');
  for (let i = 0; i < n; i++) await boxes.nth(i).check();
  await dir.getByRole('button', { name: 'Add the selected administrators to every unit' }).click();
  await drive(page, c, async () => /Added \d+ administrator/.test(await textOf(dir.locator('p.ok'))), async () => {
    const e = dir.locator('webtke-error .box');
    return (await e.count()) ? textOf(e) : null;
  }, log);
}

/** Administrators view: set the thresholds (leaving imprint mode). */
export async function setThresholds(page: Page, c: Custodians, sign: number, revoke: number, log?: DriveLog): Promise<void> {
  await goTo(page, 'Administrators');
  await openSection(page, 'webtke-administrators-view', 'Directory and thresholds');
  const dir = page.locator('webtke-admin-directory');
  await dir.locator('#sign-thr').fill(String(sign));
  await dir.locator('#revoke-thr').fill(String(revoke));
  await dir.locator('form.thresholds button[type=submit]').click();
  await drive(page, c, async () => (await textOf(dir.locator('p.ok'))).startsWith(`Thresholds set to ${sign} / ${revoke}`), async () => {
    const e = dir.locator('webtke-error .box');
    return (await e.count()) ? textOf(e) : null;
  }, log);
}

// ---- reading the Master key view ------------------------------------------------------------

export interface RegisterRow {
  unit: string;
  current: string;
  currentVp: string | null;
  next: string;
  nextVp: string | null;
}

/** The registers table of the Master key view, one row per unit (VPs as shown, grouped hex). */
export async function readRegisters(page: Page): Promise<RegisterRow[]> {
  const rows = page.locator('webtke-master-key-view table.registers tbody tr');
  const out: RegisterRow[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const r = rows.nth(i);
    const opt = async (sel: string) => ((await r.locator(sel).count()) ? textOf(r.locator(sel)) : null);
    out.push({
      unit: await textOf(r.locator('.unit-label')),
      current: await textOf(r.locator('.current-state')),
      currentVp: await opt('.current-vp'),
      next: await textOf(r.locator('.new-state')),
      nextVp: await opt('.new-vp'),
    });
  }
  return out;
}

/** The Master key view's next safe action title (waits for the view to show one). */
export async function nextAction(page: Page): Promise<string> {
  const t = page.locator('webtke-master-key-view .next-title');
  await t.waitFor({ timeout: 60_000 });
  return textOf(t);
}

/** Wait until the Master key view's next action title matches. */
export async function waitForNext(page: Page, re: RegExp, timeoutMs = 60_000): Promise<string> {
  let last = '';
  await waitUntil(page, () => `the next action ${re} (last: "${last}")`, async () => {
    const t = page.locator('webtke-master-key-view .next-title');
    last = (await t.count()) ? await textOf(t) : '';
    return re.test(last);
  }, timeoutMs);
  return last;
}
