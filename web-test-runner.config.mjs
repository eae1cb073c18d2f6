// web-test-runner: the browser test layer, in the system Chromium (never a downloaded one).
// Runs every test/**/*.test.ts except *.node.test.ts and test/e2e/.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const sharedDir = fileURLToPath(new URL('../shared/', import.meta.url));
const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Serves the read-only reference folder ../shared under /__shared/ (test vectors). */
function sharedFolder() {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/__shared/')) return next();
    const rel = decodeURIComponent(ctx.path.slice('/__shared/'.length));
    if (rel.split('/').some((seg) => seg === '..' || seg === '')) {
      ctx.status = 400;
      return;
    }
    try {
      ctx.body = await readFile(sharedDir + rel);
      ctx.type = rel.endsWith('.json') ? 'application/json' : 'text/plain';
    } catch {
      ctx.status = 404;
    }
  };
}

export default {
  rootDir: '.',
  files: ['test/**/*.test.ts', '!test/**/*.node.test.ts', '!test/e2e/**'],
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 1800000,
  middleware: [sharedFolder()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) })],
  testFramework: { config: { timeout: 300000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      },
    }),
  ],
};
