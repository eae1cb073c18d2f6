/**
 * Registration of the service worker that keeps the hosted build usable offline (see
 * service-worker.ts and docs/builds.md). main.ts passes the platform objects in, and calls this
 * only in the hosted build: never in the single file or the dev server.
 *
 * Only pages served over http(s) register it: not file://, not an Isolated Web App
 * (isolated-app://, whose bundle is local already).
 */

export type OfflineStatus =
  /** not this delivery (single file, dev server) or not this page (file://, isolated-app://) */
  | 'not-used'
  /** the browser has no service workers here (not a secure context, or disabled) */
  | 'unsupported'
  /** registered; the offline copy is being stored */
  | 'installing'
  /** the offline copy is complete: reloads work without the network */
  | 'ready'
  /** registration failed */
  | 'failed';

export interface ServiceWorkerContainerLike {
  register(url: string, options?: { scope?: string; type?: 'classic' | 'module'; updateViaCache?: 'imports' | 'all' | 'none' }): Promise<unknown>;
  readonly ready: Promise<unknown>;
  getRegistration(scope?: string): Promise<{ readonly active: unknown } | undefined>;
}

export interface RegisterOptions {
  /** The page's URL (location.href). */
  pageUrl: string;
  /** navigator.serviceWorker, undefined where the browser has none. */
  container: ServiceWorkerContainerLike | undefined;
  /** Status changes, in order. */
  onStatus(status: OfflineStatus, detail?: string): void;
}

/** The service worker script beside index.html: "sw.js", resolved against the page. */
export const SERVICE_WORKER_FILE = 'sw.js';

export async function registerServiceWorker(opts: RegisterOptions): Promise<OfflineStatus> {
  const done = (s: OfflineStatus, detail?: string): OfflineStatus => {
    opts.onStatus(s, detail);
    return s;
  };
  const scheme = URL.canParse(opts.pageUrl) ? new URL(opts.pageUrl).protocol : '';
  if (scheme !== 'https:' && scheme !== 'http:') return done('not-used');
  if (!opts.container) return done('unsupported');
  const url = new URL(SERVICE_WORKER_FILE, opts.pageUrl);
  url.search = '';
  url.hash = '';
  const scope = new URL('./', url).href;
  opts.onStatus('installing');
  try {
    // Scope: the directory of index.html, so dist/ works under any path. updateViaCache 'none':
    // the browser always asks the server for a new sw.js, never an HTTP-cached one.
    await opts.container.register(url.href, { scope, updateViaCache: 'none' });
    await opts.container.ready;
    return done('ready');
  } catch (e) {
    // Offline, register() fails on its update check of sw.js; the installed worker still serves.
    const existing = await opts.container.getRegistration(scope).catch(() => undefined);
    if (existing?.active) return done('ready');
    return done('failed', (e as Error).message);
  }
}
