/**
 * The unit server as an operator runs it (`node --import tsx server/unit-server.ts …`, what
 * `npx tsx` does): it prints where it listens and the host root fingerprint, serves, refuses a
 * second server on its state directory, stops cleanly on SIGTERM, and refuses bad options.
 * Every child is started here and ended by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, before, after, assert } from '../harness.ts';
import { CryptoUnitClient } from '../../src/cryptounit/client.ts';
import { HttpUnitTransport } from '../../src/cryptounit/transports/http.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

interface Child {
  proc: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<number | null>;
}

const children: Child[] = [];
function run(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/unit-server.ts', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => err.push(d));
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child = { proc, out, err, exit };
  children.push(child);
  return child;
}

/** Wait until the child's output matches `re` (or it exits, or time runs out). */
async function waitFor(child: Child, re: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void child.exit.then(() => (exited = true));
  for (;;) {
    const m = child.out.join('').match(re);
    if (m) return m;
    if (exited) throw new Error(`the server exited: ${child.out.join('')}${child.err.join('')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}: ${child.out.join('')}${child.err.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'webtke-unit-cli-'));
});
after(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await rm(scratch, { recursive: true, force: true });
});

describe('server/unit-server.ts on the command line', () => {
  it('prints its URL and the host root fingerprint, serves the units, and stops on SIGTERM', async () => {
    const dir = join(scratch, 'state');
    const tokenFile = join(scratch, 'token');
    await writeFile(tokenFile, 'cli-token-0123456789abcdef\n');
    const child = run(['--units', '2', '--port', '0', '--state-dir', dir, '--token-file', tokenFile, '--allow-origin', 'http://127.0.0.1:5173/']);
    const [, url] = await waitFor(child, /listening on (http:\/\/127\.0\.0\.1:\d+) \(2 simulated units\)/);
    const [, fingerprint] = await waitFor(child, /host root fingerprint: (SHA256:[A-Za-z0-9+/]{43})\n/);
    await waitFor(child, /CORS origins: http:\/\/127\.0\.0\.1:5173\n/);
    const text = child.out.join('');
    assert.include(text, `unit-1  ${url}/units/unit-1`);
    assert.include(text, 'token: required');
    assert.notInclude(text, 'cli-token-0123456789abcdef', 'the token is never printed');

    const res = await fetch(`${url}/units`, { headers: { Authorization: 'Bearer cli-token-0123456789abcdef' } });
    assert.deepEqual(((await res.json()) as { units: Array<{ id: string }> }).units.map((u) => u.id), ['unit-1', 'unit-2']);
    const cl = new CryptoUnitClient({
      transport: new HttpUnitTransport({ url: `${url}/units/unit-2`, fetch: globalThis.fetch.bind(globalThis), token: 'cli-token-0123456789abcdef' }),
      crypto: globalThis.crypto,
      pinnedRoot: fingerprint,
    });
    await cl.connect();

    // a second server on the same state directory is refused
    const second = run(['--units', '1', '--port', '0', '--state-dir', dir]);
    assert.equal(await second.exit, 1);
    assert.match(second.err.join(''), /another unit server \(pid \d+\) uses this state directory/);

    child.proc.kill('SIGTERM');
    assert.equal(await child.exit, 0);
    assert.include(child.out.join(''), 'stopped');
    assert.notInclude(await readdir(dir), 'server.lock');
    assert.match(child.out.join(''), / GET \/units 200 /);
  });

  it('refuses bad options with exit code 2 and the usage', async () => {
    const cases = [['--units', '0'], ['--port', 'http'], ['--token', 'short'], ['--allow-origin', 'http://x.example/path'], ['--bogus']];
    const runs = cases.map((args) => ({ args, child: run(args) }));
    for (const { args, child } of runs) {
      assert.equal(await child.exit, 2, args.join(' '));
      assert.include(child.err.join(''), 'Usage: npx tsx server/unit-server.ts', args.join(' '));
    }
  });
});
