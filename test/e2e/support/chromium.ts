/**
 * The system Chromium, driven by playwright-core. Never a downloaded browser: the path is
 * CHROME_PATH or /usr/bin/chromium, and the flags keep it off the network except for the test
 * server (every host name other than 127.0.0.1 and localhost fails to resolve).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { after, before } from '../../harness.ts';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
] as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROME_PATH)) {
    throw new Error(`no Chromium at ${CHROME_PATH}: install it (apt-get install -y chromium) or set CHROME_PATH`);
  }
  return chromium.launch({ executablePath: CHROME_PATH, headless: true, args: [...CHROME_ARGS] });
}

/** Launch Chromium before the suite's tests and close it after them; returns the getter. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium did not start');
    return browser;
  };
}
