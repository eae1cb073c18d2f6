/**
 * Trusted Types: the builds' Content-Security-Policy has `require-trusted-types-for 'script'`,
 * as Isolated Web Apps do. Lit brings its own policy for templates; this default policy covers
 * the script URLs the app itself hands to the browser as strings (a Worker's script, the service
 * worker), and allows only those of the page's own origin and blob: URLs (inline workers of the
 * single file). Everything else (HTML and script strings, other origins, data: URLs) is refused,
 * and the browser reports a CSP violation.
 */

export interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL?: (input: string, ...rest: unknown[]) => string | null }): unknown;
  readonly defaultPolicy?: unknown;
}

/** Whether a script URL (a worker, the service worker) is one the app may load. */
export function scriptUrlAllowed(input: string, pageUrl: string): boolean {
  if (!URL.canParse(input, pageUrl)) return false;
  const url = new URL(input, pageUrl);
  if (url.protocol === 'blob:') return true; // made by this page (browsers refuse cross-origin blob workers)
  const page = new URL(pageUrl);
  return page.origin !== 'null' && url.origin === page.origin && (url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'isolated-app:');
}

/** Install the default policy (once); a no-op where the browser has no Trusted Types. */
export function installDefaultPolicy(tt: TrustedTypesLike | undefined, pageUrl: string): boolean {
  if (!tt || tt.defaultPolicy) return false;
  tt.createPolicy('default', {
    createScriptURL: (input) => (scriptUrlAllowed(input, pageUrl) ? input : null),
  });
  return true;
}
