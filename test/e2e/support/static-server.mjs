// A tiny static file server for the end-to-end tests (node:http, no dependencies).
// Serves one directory under a mount path ("/" or "/some/path/"), only GET and HEAD, never
// outside the directory; "<dir>/" answers with its index.html. Every request is recorded.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * @param {{ root: string, mount?: string, host?: string, port?: number, headers?: Record<string, string> }} opts
 * @returns {Promise<import('./static-server.d.mts').StaticServer>}
 */
export async function startStaticServer(opts) {
  const root = resolve(opts.root);
  const mount = opts.mount ?? '/';
  if (!mount.startsWith('/') || !mount.endsWith('/')) throw new Error(`mount must start and end with "/": ${mount}`);
  const host = opts.host ?? '127.0.0.1';
  /** @type {Array<{ method: string, path: string, status: number }>} */
  const requests = [];
  let down = false;

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (down) {
      // Like a host that went away: record the attempt, then drop the connection unanswered.
      requests.push({ method: req.method ?? '', path, status: 0 });
      req.socket.destroy();
      return;
    }
    const answer = (status, body = '', headers = {}) => {
      requests.push({ method: req.method ?? '', path, status });
      res.writeHead(status, { 'cache-control': 'no-cache', ...opts.headers, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    if (!path.startsWith(mount)) return answer(404, 'not found\n');
    let rel;
    try {
      rel = decodeURIComponent(path.slice(mount.length));
    } catch {
      return answer(400, 'bad path\n');
    }
    if (rel.split('/').some((seg) => seg === '..') || rel.includes('\0')) return answer(400, 'bad path\n');
    let file = join(root, ...rel.split('/').filter(Boolean));
    if (file !== root && !file.startsWith(root + sep)) return answer(400, 'bad path\n');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      return answer(200, body, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    } catch {
      return answer(404, 'not found\n');
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok(undefined));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server: no port');
  const origin = `http://${host}:${address.port}`;
  return {
    origin,
    url: origin + mount,
    requests,
    setDown: (value) => {
      down = value;
      if (down) server.closeIdleConnections?.();
    },
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok(undefined));
      }),
  };
}
