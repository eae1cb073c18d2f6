/**
 * One browser context and page per test, watched:
 *   - network guard: every request must go to an allowed origin (the test server) or use an
 *     allowed local scheme (data:, blob:, and file: for the single file); anything else fails
 *     the test, and Chromium cannot resolve other hosts anyway (chromium.ts);
 *   - console errors and uncaught page errors fail the test unless the test expects them;
 *   - Content-Security-Policy violations (the page's securitypolicyviolation events, reported
 *     to the test as they happen) fail the test;
 *   - on failure, a full-page screenshot goes to test-results/e2e/<test name>.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assert } from '../../harness.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from './builds.mjs';

export interface SessionOptions {
  /** Origins the page may contact, e.g. the test server's "http://127.0.0.1:1234". */
  origins?: readonly string[];
  /** Allow file: URLs (the single file opened from disk). */
  allowFile?: boolean;
  /** Console errors matching one of these are expected and do not fail the test. */
  expectedConsoleErrors?: readonly RegExp[];
}

export interface CspViolation {
  directive: string;
  blockedURI: string;
  sample: string;
  documentURI: string;
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Requests that went somewhere they must not. */
  readonly foreignRequests: string[];
  readonly consoleErrors: string[];
  readonly cspViolations: CspViolation[];
  /** Every request URL seen, in order (for tests that check what was loaded). */
  readonly requests: string[];
  /** Assert that nothing forbidden happened so far. */
  assertClean(): void;
}

const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 100) || 'test';
}

async function open(browser: Browser, opts: SessionOptions): Promise<Session> {
  const context = await browser.newContext();
  const allowed = new Set(opts.origins ?? []);
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];
  const cspViolations: CspViolation[] = [];
  const requests: string[] = [];

  context.on('request', (req) => {
    const url = req.url();
    requests.push(url);
    let ok = false;
    if (URL.canParse(url)) {
      const u = new URL(url);
      ok = LOCAL_SCHEMES.has(u.protocol) || (u.protocol === 'file:' && !!opts.allowFile) || allowed.has(u.origin);
    }
    if (!ok) foreignRequests.push(url);
  });

  await context.exposeBinding('__webtkeE2eCspViolation', (_source, v: CspViolation) => {
    cspViolations.push(v);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (globalThis as unknown as { __webtkeE2eCspViolation?: (v: unknown) => void }).__webtkeE2eCspViolation;
      report?.({ directive: e.effectiveDirective, blockedURI: e.blockedURI, sample: e.sample, documentURI: e.documentURI });
    });
  });

  const page = await context.newPage();
  const expected = opts.expectedConsoleErrors ?? [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!expected.some((re) => re.test(text))) consoleErrors.push(text);
  });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));

  return {
    context,
    page,
    foreignRequests,
    consoleErrors,
    cspViolations,
    requests,
    assertClean() {
      assert.deepEqual(foreignRequests, [], 'requests to origins other than the test server');
      assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations');
      assert.deepEqual(consoleErrors, [], 'console errors');
    },
  };
}

/**
 * Run `body` in a fresh watched session; after it, assert the session stayed clean. On any
 * failure, save a screenshot, then rethrow.
 */
export async function withSession(
  browser: Browser,
  name: string,
  opts: SessionOptions,
  body: (s: Session) => Promise<void>,
): Promise<void> {
  const s = await open(browser, opts);
  try {
    await body(s);
    s.assertClean();
  } catch (e) {
    try {
      const dir = join(REPO_ROOT, 'test-results', 'e2e');
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${slug(name)}.png`);
      await s.page.screenshot({ path, fullPage: true, timeout: 5000 });
      console.log(`# screenshot: ${path}`);
    } catch {
      // the page may be gone; the original failure matters
    }
    throw e;
  } finally {
    await s.context.close();
  }
}
