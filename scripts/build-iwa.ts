/**
 * `npm run build:iwa` — build webtke as a signed Isolated Web App bundle (.swbn).
 *
 *   1. vite build (base "/", the IWA origin's root) into dist-iwa/app/, through Vite's JS API
 *      with an override of vite.config.ts (which stays as it is);
 *   2. write dist-iwa/app/.well-known/manifest.webmanifest (from iwa/manifest.template.json,
 *      version from package.json) and the icons it names;
 *   3. pack dist-iwa/app/ into a Web Bundle (wbn) whose URLs are isolated-app://<id>/<path>,
 *      with no primary URL (Chrome refuses IWA bundles that have one) and the headers IWAs
 *      require (COOP, COEP, CORP, CSP);
 *   4. sign it with an Ed25519 key (wbn-sign: integrity block v2) into dist-iwa/webtke-<version>.swbn,
 *      and print the Web Bundle ID, the isolated-app:// origin and the bundle's SHA-256.
 *
 * The signing key: WEBTKE_IWA_KEY_FILE (path to a PEM file) or WEBTKE_IWA_KEY (the PEM itself);
 * an encrypted PEM takes its passphrase from WEBTKE_IWA_KEY_PASSPHRASE. Without a key the build
 * refuses. `--throwaway-key` signs with a fresh key that is thrown away (tests, trying it out):
 * every such build gets a different ID, so Chrome sees it as a different app.
 *
 * Options: --out-dir <dir> (default dist-iwa), --skip-build (bundle an existing <out-dir>/app),
 * --version <x.y.z> (default: package.json), --throwaway-key.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BundleBuilder } from 'wbn';
import { IntegrityBlockSigner, NodeCryptoSigningStrategy, WebBundleId, parsePemKey } from 'wbn-sign';
import { iconPng } from '../iwa/icon.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = '.well-known/manifest.webmanifest';
export const ICON_SIZES = [192, 512] as const;

/**
 * Headers every response of an IWA must carry (cross-origin isolation is mandatory for IWAs)
 * and the Content-Security-Policy Chrome's IWA tooling uses by default; Chrome also enforces
 * its own IWA CSP on top. Remote crypto units must therefore be reached over https:.
 */
export const IWA_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "base-uri 'none'; default-src 'self'; object-src 'none'; frame-src 'self' https: blob: data:; " +
    "connect-src 'self' https: wss:; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' https: blob: data:; " +
    "media-src 'self' https: blob: data:; font-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; " +
    "require-trusted-types-for 'script'; frame-ancestors 'self';",
});

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  webmanifest: 'application/manifest+json',
  map: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  webp: 'image/webp',
  wasm: 'application/wasm',
  txt: 'text/plain; charset=utf-8',
  woff2: 'font/woff2',
  woff: 'font/woff',
};

export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** The refusal printed when no signing key is given. */
export const NO_KEY_MESSAGE = [
  'build:iwa: no signing key. An Isolated Web App bundle must be signed with an Ed25519 key;',
  'the key is the app\'s identity (its Web Bundle ID), so keep it safe and outside the repository.',
  '',
  '  Create one:   openssl genpkey -algorithm Ed25519 -out ~/webtke-iwa.pem',
  '  Build:        WEBTKE_IWA_KEY_FILE=~/webtke-iwa.pem npm run build:iwa',
  '  or pass the PEM itself in WEBTKE_IWA_KEY (passphrase of an encrypted PEM: WEBTKE_IWA_KEY_PASSPHRASE).',
  '',
  'For a test build only:  npm run build:iwa -- --throwaway-key   (a new identity every time).',
].join('\n');

export class IwaBuildError extends Error {
  override name = 'IwaBuildError';
}

export interface SigningKey {
  key: KeyObject;
  /** Where it came from, for the log ("WEBTKE_IWA_KEY_FILE=...", "throwaway"). */
  source: string;
}

/** A fresh Ed25519 key made with WebCrypto (Node 20 can deadlock on generateKeyPairSync keys). */
export async function throwawayKey(): Promise<KeyObject> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  pkcs8.fill(0);
  return key;
}

function checkEd25519(key: KeyObject, source: string): KeyObject {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new IwaBuildError(`build:iwa: ${source} is not an Ed25519 private key (got ${key.asymmetricKeyType ?? key.type}).`);
  }
  return key;
}

/** Find the signing key in the environment (or make a throwaway one when allowed). */
export async function loadSigningKey(env: NodeJS.ProcessEnv, opts: { throwaway?: boolean; repoRoot?: string } = {}): Promise<SigningKey> {
  const passphrase = env.WEBTKE_IWA_KEY_PASSPHRASE || undefined;
  const parse = (pem: Buffer, source: string): KeyObject => {
    try {
      return checkEd25519(parsePemKey(pem, passphrase), source);
    } catch (e) {
      if (e instanceof IwaBuildError) throw e;
      throw new IwaBuildError(`build:iwa: cannot read the key from ${source}: ${(e as Error).message}`);
    } finally {
      pem.fill(0); // the KeyObject holds the key now; drop our copy of the PEM
    }
  };
  if (env.WEBTKE_IWA_KEY_FILE) {
    const path = resolve(env.WEBTKE_IWA_KEY_FILE);
    let pem: Buffer;
    try {
      pem = await readFile(path);
    } catch (e) {
      throw new IwaBuildError(`build:iwa: cannot read WEBTKE_IWA_KEY_FILE ${path}: ${(e as Error).message}`);
    }
    const root = opts.repoRoot ?? REPO_ROOT;
    const rel = relative(root, path);
    if (!rel.startsWith('..') && !isAbsolute(rel)) {
      console.warn(`build:iwa: warning: the signing key ${path} lies inside the repository; move it out so it is never committed.`);
    }
    return { key: parse(pem, `WEBTKE_IWA_KEY_FILE (${path})`), source: `WEBTKE_IWA_KEY_FILE=${path}` };
  }
  if (env.WEBTKE_IWA_KEY) {
    // Allow a PEM squeezed into one line with literal \n, as .env files often hold it.
    const pem = env.WEBTKE_IWA_KEY.includes('\\n') ? env.WEBTKE_IWA_KEY.replace(/\\n/g, '\n') : env.WEBTKE_IWA_KEY;
    return { key: parse(Buffer.from(pem, 'utf8'), 'WEBTKE_IWA_KEY'), source: 'WEBTKE_IWA_KEY' };
  }
  if (opts.throwaway) return { key: await throwawayKey(), source: 'throwaway (a new identity; for tests only)' };
  throw new IwaBuildError(NO_KEY_MESSAGE);
}

/** An IWA version: dot-separated integers (Chrome compares them numerically for updates). */
export function checkIwaVersion(version: string): string {
  if (!/^\d+(\.\d+){0,3}$/.test(version)) {
    throw new IwaBuildError(`build:iwa: version "${version}" is not dot-separated numbers (e.g. 1.2.0); pass --version.`);
  }
  return version;
}

/** The web app manifest of the IWA: the template plus the version. */
export async function iwaManifest(version: string, repoRoot = REPO_ROOT): Promise<Record<string, unknown>> {
  const template = JSON.parse(await readFile(join(repoRoot, 'iwa', 'manifest.template.json'), 'utf8')) as Record<string, unknown>;
  return { ...template, version: checkIwaVersion(version) };
}

/** Write the manifest and the icons into the app directory. */
export async function writeIwaFiles(appDir: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(join(appDir, '.well-known'), { recursive: true });
  await writeFile(join(appDir, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(join(appDir, 'icons'), { recursive: true });
  for (const size of ICON_SIZES) await writeFile(join(appDir, 'icons', `webtke-${size}.png`), iconPng(size));
}

/**
 * Every file under `dir`, as URL paths ("assets/index-abc.js"), sorted for reproducible bundles.
 * Dot files (.gitkeep, .DS_Store) are left out; the .well-known directory is kept.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      if (name.startsWith('.') && name !== '.well-known') continue;
      const p = join(d, name);
      if ((await stat(p)).isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Pack `appDir` as a Web Bundle for the IWA origin `isolated-app://<webBundleId>/`. A directory's
 * index.html is also served at the directory URL ("/" for the start page).
 */
export async function buildWebBundle(appDir: string, webBundleId: string): Promise<{ bundle: Uint8Array; urls: string[] }> {
  const origin = `isolated-app://${webBundleId}/`;
  const builder = new BundleBuilder('b2');
  const urls: string[] = [];
  for (const path of await listFiles(appDir)) {
    if (/[?#]/.test(path)) throw new IwaBuildError(`build:iwa: file name ${path} cannot be an IWA URL (no ? or # allowed)`);
    const body = new Uint8Array(await readFile(join(appDir, ...path.split('/'))));
    const headers = { 'content-type': contentTypeOf(path), ...IWA_HEADERS };
    const add = (url: string): void => {
      builder.addExchange(url, 200, headers, body);
      urls.push(url);
    };
    add(origin + path.split('/').map(encodeURIComponent).join('/'));
    if (path === 'index.html' || path.endsWith('/index.html')) add(origin + path.slice(0, -'index.html'.length));
  }
  return { bundle: builder.createBundle(), urls };
}

/** Sign a Web Bundle with the integrity block (v2) for `key`; returns the .swbn bytes and the ID. */
export async function signWebBundle(bundle: Uint8Array, key: KeyObject): Promise<{ signed: Uint8Array; webBundleId: string }> {
  const webBundleId = new WebBundleId(key).serialize();
  const { signedWebBundle } = await new IntegrityBlockSigner(bundle, webBundleId, [new NodeCryptoSigningStrategy(key)]).sign();
  return { signed: signedWebBundle, webBundleId };
}

export interface BuildIwaOptions {
  key: KeyObject;
  repoRoot?: string;
  /** Default <repoRoot>/dist-iwa. */
  outDir?: string;
  /** Bundle the existing <outDir>/app instead of running vite build. */
  skipViteBuild?: boolean;
  /** Default: package.json version. */
  version?: string;
  log?: (line: string) => void;
}

export interface IwaBuildResult {
  bundlePath: string;
  webBundleId: string;
  origin: string;
  sha256: string;
  size: number;
  version: string;
  urls: string[];
}

async function viteBuild(repoRoot: string, appDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: repoRoot,
    configFile: join(repoRoot, 'vite.config.ts'),
    mode: 'production',
    base: '/',
    logLevel: 'warn',
    build: { outDir: appDir, emptyOutDir: true },
  });
}

/** The whole build: app, manifest, bundle, signature; writes the .swbn and returns what it printed. */
export async function buildIwa(opts: BuildIwaOptions): Promise<IwaBuildResult> {
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const outDir = resolve(repoRoot, opts.outDir ?? 'dist-iwa');
  const appDir = join(outDir, 'app');
  const log = opts.log ?? ((l: string) => console.log(l));
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const version = checkIwaVersion(opts.version ?? pkg.version);

  if (opts.skipViteBuild) {
    if (!existsSync(appDir)) throw new IwaBuildError(`build:iwa: --skip-build but ${appDir} does not exist`);
  } else {
    await viteBuild(repoRoot, appDir);
  }
  if (!existsSync(join(appDir, 'index.html'))) throw new IwaBuildError(`build:iwa: ${appDir} has no index.html`);
  await writeIwaFiles(appDir, await iwaManifest(version, repoRoot));

  const webBundleId = new WebBundleId(opts.key).serialize();
  const { bundle, urls } = await buildWebBundle(appDir, webBundleId);
  const { signed } = await signWebBundle(bundle, opts.key);
  const bundlePath = join(outDir, `webtke-${version}.swbn`);
  await writeFile(bundlePath, signed);
  const sha256 = createHash('sha256').update(signed).digest('hex');
  const origin = `isolated-app://${webBundleId}/`;
  await writeFile(`${bundlePath}.sha256`, `${sha256}  webtke-${version}.swbn\n`);
  const publicKeyPem = createPublicKey(opts.key).export({ type: 'spki', format: 'pem' }).toString();
  await writeFile(
    join(outDir, `webtke-${version}.swbn.json`),
    `${JSON.stringify({ file: `webtke-${version}.swbn`, version, webBundleId, origin, sha256, size: signed.length, publicKey: publicKeyPem }, null, 2)}\n`,
  );
  log(`Signed web bundle:  ${relative(process.cwd(), bundlePath) || bundlePath} (${signed.length} bytes, ${urls.length} URLs)`);
  log(`Web Bundle ID:      ${webBundleId}`);
  log(`Origin:             ${origin}`);
  log(`SHA-256:            ${sha256}`);
  return { bundlePath, webBundleId, origin, sha256, size: signed.length, version, urls };
}

export interface CliArgs {
  throwaway: boolean;
  skipBuild: boolean;
  outDir?: string;
  version?: string;
}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { throwaway: false, skipBuild: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new IwaBuildError(`build:iwa: ${a} needs a value`);
      return v;
    };
    if (a === '--throwaway-key') args.throwaway = true;
    else if (a === '--skip-build') args.skipBuild = true;
    else if (a === '--out-dir') args.outDir = value();
    else if (a === '--version') args.version = value();
    else throw new IwaBuildError(`build:iwa: unknown option ${a} (known: --throwaway-key, --skip-build, --out-dir <dir>, --version <x.y.z>)`);
  }
  return args;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const args = parseArgs(argv);
    const { key, source } = await loadSigningKey(env, { throwaway: args.throwaway });
    if (source.startsWith('throwaway')) console.warn('build:iwa: signing with a THROWAWAY key: this bundle is for tests only.');
    else console.log(`build:iwa: signing key from ${source}`);
    await buildIwa({ key, outDir: args.outDir, skipViteBuild: args.skipBuild, version: args.version });
    return 0;
  } catch (e) {
    console.error(e instanceof IwaBuildError ? e.message : e);
    return e instanceof IwaBuildError ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}

