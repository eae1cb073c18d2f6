/**
 * Constants the build writes into the app (vite.config.ts `define`). Read them only in
 * src/main.ts, which passes them on.
 */

/** package.json version. */
declare const __WEBTKE_VERSION__: string;
/** Which artifact this is: the dev server, the hosted build (dist/) or the single file. */
declare const __WEBTKE_DELIVERY__: 'dev' | 'hosted' | 'single';
/**
 * The crypto unit origins this build's Content-Security-Policy allows in connect-src (from
 * WEBTKE_UNIT_ORIGINS at build time); null where the app runs without a CSP (dev server).
 */
declare const __WEBTKE_UNIT_ORIGINS__: readonly string[] | null;
