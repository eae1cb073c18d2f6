/**
 * Files of an end-to-end ceremony: a fresh temporary folder for the downloads (key files,
 * journal exports), and where the app screenshot goes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './builds.mjs';

export async function downloadsDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `webtke-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The README's screenshot of the Instance view: always written to
 * test-results/e2e/screenshot-instance.png; with WEBTKE_UPDATE_SCREENSHOT=1 also to
 * docs/screenshot-instance.png (the committed one).
 */
export async function instanceScreenshot(page: Page): Promise<string[]> {
  const out = join(REPO_ROOT, 'test-results', 'e2e');
  await mkdir(out, { recursive: true });
  const paths = [join(out, 'screenshot-instance.png')];
  if (process.env.WEBTKE_UPDATE_SCREENSHOT === '1') paths.push(join(REPO_ROOT, 'docs', 'screenshot-instance.png'));
  const shot = await page.screenshot({ fullPage: true, animations: 'disabled' });
  for (const p of paths) await writeFile(p, shot);
  return paths;
}
