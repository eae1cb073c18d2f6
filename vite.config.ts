/**
 * Builds (docs/builds.md):
 *   vite                      dev server (no CSP, no service worker)
 *   vite build                dist/: static, relative base (works under any path), CSP <meta>,
 *                             service worker dist/sw.js with a precache of every built file
 *   vite build --mode single  dist-single/index.html: one self-contained file (JS, CSS, icon and
 *                             workers inlined) for file:// on air-gapped laptops, with a CSP whose
 *                             script-src/style-src are the SHA-256 hashes of its inline code
 *
 * Build-time setting: WEBTKE_UNIT_ORIGINS, the origins of remote crypto units the CSP lets the app
 * connect to (space- or comma-separated, e.g. "https://unit-a.example https://unit-b.example:8443").
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, parseAst, transformWithOxc, type Plugin } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { hostedPolicy, serializePolicy, sha256Source, singleFilePolicy } from './src/security/csp.ts';
import { parseUnitOrigins } from './src/security/origins.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** Placeholder of the CSP meta content, replaced once the final HTML is known. */
const CSP_PLACEHOLDER = '__WEBTKE_CSP__';
const SERVICE_WORKER_SOURCE = join(root, 'src', 'sw', 'service-worker.ts');
const SERVICE_WORKER_FILE = 'sw.js';

const sha256 = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest();

/** Where index.html wants the CSP <meta>: right after <meta charset>, before anything it governs. */
const CSP_MARKER = /<!-- The Content-Security-Policy <meta> is inserted here[^>]*-->/;

/** Writes the CSP <meta> in place of the marker comment of index.html (build only). */
function cspMeta(content: () => string): Plugin {
  return {
    name: 'webtke:csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (!CSP_MARKER.test(html)) throw new Error('index.html: the Content-Security-Policy marker comment is missing');
        return html.replace(CSP_MARKER, () => `<meta http-equiv="Content-Security-Policy" content="${content().replaceAll('"', '&quot;')}" />`);
      },
    },
  };
}

/**
 * The single file's CSP: once vite-plugin-singlefile has inlined everything (this plugin runs
 * after it), hash every inline <script> and <style> and write the policy into the placeholder.
 */
function singleFileCsp(unitOrigins: readonly string[]): Plugin {
  const hashesOf = (html: string, tag: 'script' | 'style'): string[] => {
    const out: string[] = [];
    for (const m of html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'))) {
      const src = sha256Source(sha256(m[1]));
      if (!out.includes(src)) out.push(src);
    }
    return out;
  };
  return {
    name: 'webtke:single-file-csp',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue;
          const html = String(file.source);
          if (!html.includes(CSP_PLACEHOLDER)) this.error(`${file.fileName}: the CSP placeholder is missing`);
          if (/<script\b[^>]*\bsrc=|<link\b[^>]*\brel="?(stylesheet|modulepreload)/i.test(html)) {
            this.error(`${file.fileName}: still refers to external scripts or styles; the single file must be self-contained`);
          }
          const policy = singleFilePolicy({ scriptHashes: hashesOf(html, 'script'), styleHashes: hashesOf(html, 'style'), unitOrigins });
          file.source = html.replace(CSP_PLACEHOLDER, () => serializePolicy(policy));
        }
      },
    },
  };
}

/**
 * Single file: the icon becomes a data: URL and the web app manifest link goes (a file:// page
 * can load neither from beside it, and the single file has nothing beside it).
 */
function singleFileHead(): Plugin {
  return {
    name: 'webtke:single-file-head',
    apply: 'build',
    transformIndexHtml(html) {
      const icon = readFileSync(join(root, 'public', 'icon.svg'));
      return html
        .replace(/<link rel="icon" href="[^"]*"([^>]*)>/, `<link rel="icon" href="data:image/svg+xml;base64,${icon.toString('base64')}"$1>`)
        .replace(/\s*<link rel="manifest"[^>]*>/, '');
    },
  };
}

interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** `new Worker(new URL('<literal>', import.meta.url), …)`: the literal and the end of the URL argument. */
function workerUrlPattern(node: AstNode): { spec: string; urlEnd: number } | null {
  if (node.type !== 'NewExpression') return null;
  const callee = node.callee as AstNode;
  const args = node.arguments as AstNode[];
  if (callee.type !== 'Identifier' || (callee as unknown as { name: string }).name !== 'Worker' || !args.length) return null;
  const url = args[0];
  const urlArgs = url.arguments as AstNode[] | undefined;
  if (url.type !== 'NewExpression' || (url.callee as { name?: string }).name !== 'URL' || urlArgs?.length !== 2) return null;
  const [lit, meta] = urlArgs;
  const isImportMetaUrl =
    meta.type === 'MemberExpression' &&
    (meta.object as AstNode).type === 'MetaProperty' &&
    (meta.property as { name?: string }).name === 'url';
  if (lit.type !== 'Literal' || typeof lit.value !== 'string' || !isImportMetaUrl) return null;
  return { spec: lit.value, urlEnd: url.end };
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
  } else if (node && typeof node === 'object' && typeof (node as AstNode).type === 'string') {
    visit(node as AstNode);
    for (const [k, v] of Object.entries(node)) if (k !== 'type' && v && typeof v === 'object') walk(v, visit);
  }
}

/**
 * Single file: every `new Worker(new URL('./x.ts', import.meta.url), opts)` becomes Vite's inline
 * worker (`import W from './x.ts?worker&inline'; new W(opts)`): the worker's code, bundled into one
 * classic script (worker.format 'iife' below), is a string in the page and starts from a blob:
 * URL, since a file:// page can start a worker neither from a file nor as a module from a blob:
 * URL. The options go to Vite's wrapper, which keeps `name` and sets the type itself. Runs after TypeScript
 * is stripped (a normal plugin), before Vite's own worker handling; the pattern is found by
 * parsing, so comments and strings that mention it are left alone.
 */
function inlineWorkers(): Plugin {
  return {
    name: 'webtke:inline-workers',
    apply: 'build',
    transform: {
      filter: { code: /new\s+Worker\s*\(\s*new\s+URL/ },
      handler(code, id) {
        if (id.includes('/node_modules/') || id.includes('?')) return null;
        const found: Array<{ start: number; urlEnd: number; spec: string }> = [];
        walk(parseAst(code), (n) => {
          const p = workerUrlPattern(n);
          if (p) found.push({ start: n.start, ...p });
        });
        if (!found.length) return null;
        let out = code;
        const imports: string[] = [];
        // Replace from the end so earlier offsets stay valid. "new Worker(new URL(...)" becomes
        // "new __webtkeInlineWorkerN(", and a comma after the URL argument is dropped.
        found.sort((a, b) => b.start - a.start);
        found.forEach((f, i) => {
          const name = `__webtkeInlineWorker${i}`;
          imports.push(`import ${name} from ${JSON.stringify(`${f.spec}?worker&inline`)};`);
          const rest = out.slice(f.urlEnd).replace(/^\s*,?/, '');
          out = `${out.slice(0, f.start)}new ${name}(${rest}`;
        });
        return { code: `${imports.join('\n')}\n${out}`, map: null };
      },
    },
  };
}

/** Every file under `dir` as a URL path ("assets/x.js"), sorted; dot files left out. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

/**
 * The build's version, as the service worker names its cache "webtke-<version>": the first 16
 * hex digits of SHA-256 over "<path>\n<sha256 hex of the file>\n" for every precached file in
 * sorted order. Any change to any file gives a new version (and a new sw.js, which the browser
 * notices).
 */
function buildVersion(files: ReadonlyArray<{ path: string; bytes: Uint8Array }>): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path}\n${sha256(f.bytes).toString('hex')}\n`)
    .join('');
  return sha256(lines).toString('hex').slice(0, 16);
}

/**
 * Hosted build: writes dist/sw.js once every other file is on disk (public/ included), with the
 * list of those files and the build version.
 */
function serviceWorker(): Plugin {
  return {
    name: 'webtke:service-worker',
    apply: 'build',
    writeBundle: {
      order: 'post',
      async handler(options) {
        const outDir = options.dir;
        if (!outDir) this.error('service worker: no output directory');
        const paths = filesUnder(outDir).filter((p) => p !== SERVICE_WORKER_FILE);
        const version = buildVersion(paths.map((path) => ({ path, bytes: readFileSync(join(outDir, path)) })));
        const { code } = await transformWithOxc(readFileSync(SERVICE_WORKER_SOURCE, 'utf8'), SERVICE_WORKER_SOURCE, { lang: 'ts' });
        const js = code
          .replace(/^export \{\};?\s*$/m, '')
          .replace('__WEBTKE_SW_VERSION__', JSON.stringify(version))
          .replace('__WEBTKE_SW_PRECACHE__', JSON.stringify(paths));
        if (/__WEBTKE_SW_|^\s*(import|export)\b/m.test(js)) this.error('service worker: placeholders left or imports/exports in sw.js');
        writeFileSync(join(outDir, SERVICE_WORKER_FILE), `// webtke service worker, build ${version}\n${js}`);
        this.info(`service worker: ${SERVICE_WORKER_FILE}, cache webtke-${version}, ${paths.length} files`);
      },
    },
  };
}

export default defineConfig(({ command, mode }) => {
  const single = mode === 'single';
  const unitOrigins = parseUnitOrigins(process.env.WEBTKE_UNIT_ORIGINS);
  const delivery = command === 'serve' ? 'dev' : single ? 'single' : 'hosted';
  return {
    base: './',
    server: { host: '127.0.0.1' },
    define: {
      __WEBTKE_VERSION__: JSON.stringify(pkg.version),
      __WEBTKE_DELIVERY__: JSON.stringify(delivery),
      __WEBTKE_UNIT_ORIGINS__: delivery === 'dev' ? 'null' : JSON.stringify(unitOrigins),
    },
    // Hosted: module workers, loaded from files beside the app. Single file: each worker is one
    // classic script started from a blob: URL, because Chromium refuses module workers from blob:
    // URLs made by a file:// page (opaque origin) while it runs classic ones.
    worker: single ? { format: 'iife', rolldownOptions: { output: { codeSplitting: false } } } : { format: 'es' },
    build: {
      target: 'es2022',
      outDir: single ? 'dist-single' : 'dist',
      emptyOutDir: true,
      // Every browser webtke supports has <link rel="modulepreload">.
      modulePreload: { polyfill: false },
      ...(single ? { copyPublicDir: false } : {}),
    },
    plugins: single
      ? [singleFileHead(), inlineWorkers(), cspMeta(() => CSP_PLACEHOLDER), viteSingleFile({ removeViteModuleLoader: true }), singleFileCsp(unitOrigins)]
      : [cspMeta(() => serializePolicy(hostedPolicy(unitOrigins))), serviceWorker()],
  };
});
