/**
 * The service worker of the hosted build (dist/sw.js): after the first load, the app works
 * without the network.
 *
 * - install: stores every file of the build (the precache list the build writes in below) in a
 *   cache named after the build ("webtke-<version>", the version being a hash of the files);
 * - activate: deletes the caches of older webtke builds, and takes control of open pages;
 * - fetch: answers GET requests for the build's own files (and navigations to the app's start
 *   page) from that cache, falling back to the network. Everything else is left alone: it is
 *   never answered, cached or forwarded by this worker. In particular requests to other origins
 *   (crypto units) and non-GET requests go straight to the network under the page's CSP.
 *
 * A new build installs beside the running one and takes over once every tab of the old one is
 * closed (no skipWaiting): a ceremony never has its code changed under it.
 *
 * This file is built on its own (vite.config.ts: plain JS, no imports); the build replaces the
 * two placeholders below.
 */

export {};

declare const __WEBTKE_SW_VERSION__: string;
declare const __WEBTKE_SW_PRECACHE__: readonly string[];

interface ExtendableEventLike extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ServiceWorkerScopeLike {
  readonly location: { readonly href: string; readonly origin: string };
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  readonly caches: CacheStorage;
  fetch(req: Request): Promise<Response>;
  addEventListener(type: 'install' | 'activate', fn: (ev: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', fn: (ev: FetchEventLike) => void): void;
}

const sw = globalThis as unknown as ServiceWorkerScopeLike;
const CACHE_PREFIX = 'webtke-';
const CACHE = CACHE_PREFIX + __WEBTKE_SW_VERSION__;
/** Paths relative to the scope ("index.html", "assets/index-abc.js"). */
const FILES = new Set(__WEBTKE_SW_PRECACHE__);
const START_PAGE = 'index.html';

/** The path of `url` inside the scope, or null when it is outside the scope or the origin. */
function scopePath(url: URL): string | null {
  const scope = new URL(sw.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  return decodeURIComponent(url.pathname.slice(scope.pathname.length));
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    sw.caches.open(CACHE).then((cache) =>
      // cache: 'reload' bypasses the HTTP cache, so the stored copy is what the server has now.
      cache.addAll([...FILES].map((p) => new Request(new URL(p, sw.registration.scope).href, { cache: 'reload' }))),
    ),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    sw.caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE).map((n) => sw.caches.delete(n))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return; // never touch other origins
  const path = scopePath(url);
  if (path === null) return;
  let file: string;
  if (req.mode === 'navigate' && (path === '' || path === START_PAGE)) file = START_PAGE;
  else if (FILES.has(path) && !url.search) file = path;
  else return; // not a file of this build
  const key = new URL(file, sw.registration.scope).href;
  event.respondWith(
    sw.caches
      .open(CACHE)
      .then((cache) => cache.match(key))
      .then((hit) => hit ?? sw.fetch(req)),
  );
});
