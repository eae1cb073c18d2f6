/**
 * The single file (dist-single/index.html) opened from file://, as on an air-gapped laptop:
 * it renders, moves between views, starts the unit worker from a blob: URL, makes no request
 * at all (no http, no file besides itself), and its CSP allows exactly its inline code by hash.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it, assert } from '../harness.ts';
import { useChromium } from './support/chromium.ts';
import { REPO_ROOT } from './support/builds.mjs';
import { SINGLE_FILE, requireBuilt, singleFileUrl } from './support/env.ts';
import { withSession } from './support/session.ts';
import { checkWorkerFromSettings, cspMeta, openApp, tabToLink, viewHeading, VIEW_LINKS } from './support/app.ts';

/** CSP hash sources of every inline element `tag` in `html`, computed here with node:crypto. */
function inlineHashes(html: string, tag: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'))) {
    out.add(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
  }
  return [...out];
}

describe('single file from file://', () => {
  const browser = useChromium();

  it('is one self-contained file: no reference to anything beside it', () => {
    const html = readFileSync(requireBuilt(SINGLE_FILE), 'utf8');
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
    assert.deepEqual(refs.filter((r) => !r.startsWith('data:')), [], 'src/href that are not data: URLs');
    assert.isFalse(/<link\b[^>]*rel="?(stylesheet|modulepreload|manifest)/i.test(html), 'no stylesheet, modulepreload or manifest link');
    assert.isFalse(html.includes('sw.js'), 'no service worker code in the single file');
  });

  it('renders, navigates by keyboard, and makes no request but itself', async () => {
    await withSession(browser(), 'single file shell', { allowFile: true }, async (s) => {
      const url = singleFileUrl();
      await openApp(s.page, url);
      assert.equal(await viewHeading(s.page), 'Instance');
      for (const v of VIEW_LINKS.slice(1)) {
        await tabToLink(s.page, v.label);
        await s.page.keyboard.press('Enter');
        await s.page.waitForFunction((h) => location.hash === h, v.hash);
        assert.equal(await viewHeading(s.page), v.label);
      }
      assert.equal(((await s.page.locator('dd.delivery').textContent()) ?? '').trim(), 'single-file build');
      assert.match((await s.page.locator('dd.offline').textContent()) ?? '', /^not used/);
      const fileRequests = s.requests.filter((u) => u.startsWith('file:'));
      assert.deepEqual([...new Set(fileRequests.map((u) => u.split('#')[0]))], [url], 'the only file read is the single file');
      assert.deepEqual(s.requests.filter((u) => /^https?:/.test(u)), [], 'no http(s) request');
    });
  });

  it('starts the unit worker inline, from a blob: URL, and gets a verified answer', async () => {
    await withSession(browser(), 'single file worker', { allowFile: true }, async (s) => {
      await openApp(s.page, singleFileUrl());
      const { scheme } = await checkWorkerFromSettings(s.page);
      assert.equal(scheme, 'blob:');
      assert.isTrue(s.requests.some((u) => u.startsWith('blob:')), 'the worker was loaded from a blob: URL');
    });
  });

  it('carries a CSP whose script-src and style-src are exactly the hashes of its inline code', async () => {
    const html = readFileSync(requireBuilt(SINGLE_FILE), 'utf8');
    const scripts = inlineHashes(html, 'script');
    const styles = inlineHashes(html, 'style');
    assert.isNotEmpty(scripts);
    await withSession(browser(), 'single file csp', { allowFile: true }, async (s) => {
      await openApp(s.page, singleFileUrl());
      const csp = await cspMeta(s.page);
      assert.isNotNull(csp);
      const d = csp!.directives;
      assert.sameMembers(d.get('script-src') ?? [], scripts);
      assert.sameMembers(d.get('style-src') ?? [], styles.length ? styles : ["'none'"]);
      assert.deepEqual(d.get('default-src'), ["'none'"]);
      assert.deepEqual(d.get('worker-src'), ['blob:']);
      assert.deepEqual(d.get('connect-src'), ["'none'"], 'no unit origins were configured for this build');
      assert.deepEqual(d.get('require-trusted-types-for'), ["'script'"]);
      const all = [...d.values()].flat();
      for (const bad of ["'self'", "'unsafe-inline'", "'unsafe-eval'"]) assert.notInclude(all, bad);
      assert.deepEqual(d.get('img-src'), ['data:'], 'data: only for images (the inline icon)');
    });
  });

  it('scripts/print-sha256.mjs prints the digest and size node:crypto computes', () => {
    const bytes = readFileSync(requireBuilt(SINGLE_FILE));
    const rel = relative(REPO_ROOT, SINGLE_FILE);
    const out = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'print-sha256.mjs'), rel], { cwd: REPO_ROOT, encoding: 'utf8' });
    const hex = createHash('sha256').update(bytes).digest('hex');
    assert.equal(out, `sha256  ${hex}  ${rel}  (${bytes.length} bytes)\n`);
  });
});
