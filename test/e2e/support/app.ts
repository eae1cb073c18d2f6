/**
 * The app as a user sees it: open it, find the current view, move with the keyboard, read the
 * Settings facts. Locators use roles and visible text (Playwright pierces the shadow roots).
 */
import { createHash } from 'node:crypto';
import { assert } from '../../harness.ts';
import type { Page, Response } from 'playwright-core';

/** The six views in navigation order: link label and hash route. */
export const VIEW_LINKS = [
  { label: 'Instance', hash: '#/instance' },
  { label: 'Administrators', hash: '#/administrators' },
  { label: 'Master key', hash: '#/master-key' },
  { label: 'Key storage', hash: '#/key-storage' },
  { label: 'Journal', hash: '#/journal' },
  { label: 'Settings', hash: '#/settings' },
] as const;

/** Go to `url` and wait until the shell shows its header and a view heading. */
export async function openApp(page: Page, url: string): Promise<Response | null> {
  const res = await page.goto(url);
  await shellVisible(page);
  return res;
}

export async function shellVisible(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'webtke' }).waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { level: 2 }).waitFor({ timeout: 30_000 });
}

/** The text of the current view's heading. */
export async function viewHeading(page: Page): Promise<string> {
  return ((await page.getByRole('heading', { level: 2 }).textContent()) ?? '').trim();
}

/** Describe the focused element, looking through open shadow roots. */
export async function focused(page: Page): Promise<{ tag: string; text: string; href: string | null }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return { tag: el?.tagName.toLowerCase() ?? '', text: (el?.textContent ?? '').trim(), href: el?.getAttribute('href') ?? null };
  });
}

/**
 * Press Tab (then, if needed, Shift+Tab) until the link named `label` has the focus, as a
 * keyboard user would. Fails if it is not reachable within `max` presses each way.
 */
export async function tabToLink(page: Page, label: string, max = 25): Promise<number> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 1; i <= max; i++) {
      await page.keyboard.press(key);
      const f = await focused(page);
      if (f.tag === 'a' && f.text === label) return i;
    }
  }
  assert.fail(`the link "${label}" cannot be reached with Tab or Shift+Tab`);
}

/** Run the worker self-check in Settings and return what it showed, verified independently. */
export async function checkWorkerFromSettings(page: Page): Promise<{ scheme: string; text: string }> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Check worker support' }).click();
  const status = page.getByRole('status');
  await status.getByText(/Worker (OK|check failed)/).waitFor({ timeout: 40_000 });
  const text = ((await status.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  assert.match(text, /^Worker OK/, text);
  // The worker hashed "webtke worker probe\n" || nonce: recompute it with node:crypto.
  const nonce = ((await status.locator('code.nonce').textContent()) ?? '').trim();
  const digest = ((await status.locator('code.digest').textContent()) ?? '').trim();
  assert.match(nonce, /^[0-9a-f]{32}$/);
  const expected = createHash('sha256').update(Buffer.concat([Buffer.from('webtke worker probe\n'), Buffer.from(nonce, 'hex')])).digest('hex');
  assert.equal(digest, expected, 'the digest the worker computed');
  const scheme = /loaded from ([a-z-]+:)/.exec(text)?.[1] ?? '';
  return { scheme, text };
}

/** The CSP <meta> of the page as parsed directives, or null when there is none. */
export async function cspMeta(page: Page): Promise<{ position: number; directives: Map<string, string[]> } | null> {
  const r = await page.evaluate(() => {
    const all = [...document.head.children];
    const meta = all.find((e) => e.tagName === 'META' && e.getAttribute('http-equiv')?.toLowerCase() === 'content-security-policy');
    if (!meta) return null;
    const firstScriptOrStyle = all.findIndex((e) => ['SCRIPT', 'STYLE', 'LINK'].includes(e.tagName));
    return { content: meta.getAttribute('content') ?? '', index: all.indexOf(meta), firstScriptOrStyle };
  });
  if (!r) return null;
  const directives = new Map<string, string[]>();
  for (const part of r.content.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name, sources);
  }
  assert.isTrue(r.firstScriptOrStyle === -1 || r.index < r.firstScriptOrStyle, 'the CSP <meta> comes before every script, style and link');
  return { position: r.index, directives };
}
