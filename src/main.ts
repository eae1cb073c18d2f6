/**
 * The app entry. The only module of the page that reads browser globals (indexedDB, crypto,
 * fetch, navigator.usb, navigator.smartCard, location, Worker, document): it hands them to the parts
 * that need them, builds the app model and mounts the app shell. (The simulation worker has its
 * own entry, src/sim/sim.worker.ts, which reads the worker's globals.)
 *
 * Start-up (docs/ui.md): open the store → on first run create the default simulated instance of
 * 2 units → start the simulation worker → build the unit clients through the engine's
 * InstanceRuntime (roots pinned on first use into the store) → query the units.
 */
import type { SmartCardResourceManagerLike } from './card/transports/web-smart-card/index.ts';
import type { CcidUsbDevice } from './card/transports/webusb-ccid/index.ts';
import { installDefaultPolicy, type TrustedTypesLike } from './security/trusted-types.ts';
import { runWorkerProbe } from './selfcheck/worker-probe.ts';
import { openStore } from './store/index.ts';
import { registerServiceWorker } from './sw/register.ts';
import { AppModel } from './ui/app-model.ts';
import { AppShell } from './ui/app-shell.ts';
import { windowHashSource } from './ui/router.ts';

// Before anything hands a script URL to the browser (workers, the service worker).
installDefaultPolicy((globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes, location.href);

const nav = navigator as Navigator & { usb?: USB; smartCard?: SmartCardResourceManagerLike };
const usb = window.isSecureContext && 'usb' in nav ? nav.usb : undefined;
const smartCard = nav.smartCard;
const isolatedContext = (globalThis as { isIsolatedContext?: boolean }).isIsolatedContext === true || location.protocol === 'isolated-app:';
const policy = (document as Document & { permissionsPolicy?: { allowsFeature(f: string): boolean }; featurePolicy?: { allowsFeature(f: string): boolean } });
const featurePolicy = policy.permissionsPolicy ?? policy.featurePolicy;

const app: AppModel = new AppModel({
  openStore: () => openStore({ indexedDB, crypto, onVersionChange: () => app.storageClosed() }),
  crypto,
  // The pattern every app worker uses; the single-file build turns it into an inline worker.
  createSimWorker: (name) => new Worker(new URL('./sim/sim.worker.ts', import.meta.url), { type: 'module', name }),
  now: () => Date.now(),
  // remote units: reached only through the connect guard the model builds from the current
  // instance's unit URLs and the origins this build's CSP allows (null on the dev server: no CSP)
  fetch: globalThis.fetch.bind(globalThis),
  buildUnitOrigins: __WEBTKE_UNIT_ORIGINS__ ?? 'any',
  doctorEnv: () => ({
    usb,
    smartCard,
    isolatedContext,
    secureContext: window.isSecureContext,
    userAgent: navigator.userAgent,
    ...(featurePolicy ? { allowsFeature: (f: string) => featurePolicy.allowsFeature(f) } : {}),
  }),
  cards: {
    requestUsbDevice: usb ? (options) => usb.requestDevice(options) as Promise<CcidUsbDevice> : undefined,
    smartCard,
    isolatedContext,
    userAgent: navigator.userAgent,
  },
});

const shell = new AppShell();
shell.hashSource = windowHashSource(window);
shell.build = { version: __WEBTKE_VERSION__, delivery: __WEBTKE_DELIVERY__ };
shell.app = app;
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
void app.start();

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
