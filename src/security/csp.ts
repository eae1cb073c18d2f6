/**
 * The Content-Security-Policy of each webtke build, as data, so that the build (vite.config.ts),
 * the documentation and the tests all use one definition.
 *
 * - Hosted build (dist/): a <meta http-equiv> policy; everything from the app's own origin, no
 *   inline script or style, no eval, Trusted Types enforced (only Lit's policy and the app's
 *   default policy, see src/main.ts), connect-src limited to 'self' and the configured unit
 *   origins.
 * - Single file (dist-single/index.html): the same, except that its one inline script and its
 *   inline styles are allowed by their SHA-256 hashes (computed at build time), workers come
 *   from blob: URLs, and there is no 'self' (a file:// page has no meaningful origin).
 * - The header a host should send: the hosted policy plus the directives a <meta> cannot carry
 *   (frame-ancestors).
 */

export type CspPolicy = ReadonlyArray<readonly [directive: string, sources: readonly string[]]>;

/** Trusted Types policies the app may create: Lit's ('lit-html') and the app's 'default'. */
export const TRUSTED_TYPES_POLICIES = ['lit-html', 'default'] as const;

function common(connect: readonly string[]): Array<[string, string[]]> {
  return [
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['connect-src', connect.length ? [...connect] : ["'none'"]],
    ['require-trusted-types-for', ["'script'"]],
    ['trusted-types', [...TRUSTED_TYPES_POLICIES]],
  ];
}

/** The policy of the hosted build (dist/), as its <meta> carries it. */
export function hostedPolicy(unitOrigins: readonly string[]): CspPolicy {
  return [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'"]],
    ['manifest-src', ["'self'"]],
    ['worker-src', ["'self'"]],
    ...common(["'self'", ...unitOrigins]),
  ];
}

/**
 * The policy of the single file. `scriptHashes` / `styleHashes` are CSP hash sources
 * ("'sha256-…'") of every inline <script> and <style> element in the file.
 */
export function singleFilePolicy(opts: {
  scriptHashes: readonly string[];
  styleHashes: readonly string[];
  unitOrigins: readonly string[];
}): CspPolicy {
  return [
    ['default-src', ["'none'"]],
    ['script-src', opts.scriptHashes.length ? [...opts.scriptHashes] : ["'none'"]],
    ['style-src', opts.styleHashes.length ? [...opts.styleHashes] : ["'none'"]],
    ['img-src', ['data:']],
    ['worker-src', ['blob:']],
    ...common(opts.unitOrigins),
  ];
}

/** The policy a host should send as an HTTP header for dist/: the meta policy plus frame-ancestors. */
export function hostHeaderPolicy(unitOrigins: readonly string[]): CspPolicy {
  return [...hostedPolicy(unitOrigins), ['frame-ancestors', ["'none'"]]];
}

/** "default-src 'none'; script-src 'self'; …" */
export function serializePolicy(policy: CspPolicy): string {
  return policy.map(([d, sources]) => [d, ...sources].join(' ')).join('; ');
}

/** A CSP hash source from a SHA-256 digest: "'sha256-<base64>'". */
export function sha256Source(digest: Uint8Array): string {
  if (digest.length !== 32) throw new RangeError(`a SHA-256 digest has 32 bytes, not ${digest.length}`);
  let bin = '';
  for (const b of digest) bin += String.fromCharCode(b);
  return `'sha256-${btoa(bin)}'`;
}
