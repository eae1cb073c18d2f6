/**
 * The app entry. The only module that reads browser globals: it hands the platform (window,
 * navigator, crypto, Worker) to the parts that need it, and mounts the app shell.
 */
import { installDefaultPolicy, type TrustedTypesLike } from './security/trusted-types.ts';
import { runWorkerProbe } from './selfcheck/worker-probe.ts';
import { registerServiceWorker } from './sw/register.ts';
import { AppShell } from './ui/app-shell.ts';
import { windowHashSource } from './ui/router.ts';

// Before anything hands a script URL to the browser (workers, the service worker).
installDefaultPolicy((globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes, location.href);

const shell = new AppShell();
shell.hashSource = windowHashSource(window);
shell.build = { version: __WEBTKE_VERSION__, delivery: __WEBTKE_DELIVERY__ };
shell.checkWorker = () =>
  runWorkerProbe({
    // The pattern every app worker uses; the single-file build turns it into an inline worker.
    createWorker: () => new Worker(new URL('./selfcheck/worker-probe.worker.ts', import.meta.url), { type: 'module' }),
    subtle: crypto.subtle,
    random: (b) => crypto.getRandomValues(b),
    now: () => performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
document.body.append(shell);

// Only the hosted build has a service worker (the single file and the dev server have none, and
// this branch is left out of them at build time).
if (__WEBTKE_DELIVERY__ === 'hosted') {
  void registerServiceWorker({
    pageUrl: location.href,
    container: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
    onStatus: (status, detail) => {
      shell.offline = status;
      if (status === 'failed') console.warn(`webtke: the service worker could not be registered: ${detail ?? ''}`);
    },
  });
}
