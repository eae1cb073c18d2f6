/**
 * Where the tests find the app. scripts/test-e2e.mjs builds dist/ and dist-single/ and serves
 * dist/ at WEBTKE_E2E_URL; a test file run on its own (node --import tsx --test <file>) starts
 * its own server on the existing dist/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST_DIR, SINGLE_FILE } from './builds.mjs';
import { startStaticServer, type StaticServer } from './static-server.mjs';

export { DIST_DIR, SINGLE_FILE };

export function requireBuilt(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run test:e2e (it builds), or npm run build / build:single`);
  return path;
}

/** file:// URL of the single file. */
export const singleFileUrl = (): string => pathToFileURL(requireBuilt(SINGLE_FILE)).href;

export interface AppServer {
  url: string;
  origin: string;
  close(): Promise<void>;
}

/** The shared server of the run (from the runner), or a new one on dist/. */
export async function appServer(): Promise<AppServer> {
  const url = process.env.WEBTKE_E2E_URL;
  if (url) return { url, origin: new URL(url).origin, close: async () => {} };
  requireBuilt(join(DIST_DIR, 'index.html'));
  return startStaticServer({ root: DIST_DIR });
}

/** A server of its own on dist/ (for tests that count requests, mount a sub-path or add headers). */
export function ownServer(opts: { mount?: string; headers?: Record<string, string> } = {}): Promise<StaticServer> {
  requireBuilt(join(DIST_DIR, 'index.html'));
  return startStaticServer({ root: DIST_DIR, ...opts });
}
