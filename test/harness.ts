/**
 * Portable test harness.
 *
 * Every `*.test.ts` file runs twice: under Node (node:test through tsx) and in headless
 * Chromium (web-test-runner, mocha BDD). Test files import `describe`, `it`, hooks and
 * `assert` from here and never from node:test or mocha directly, so one file serves both.
 *
 * - `*.node.test.ts`    Node only (node:crypto cross-checks, fs, fake-indexeddb ...).
 * - `*.browser.test.ts` browser only (DOM, Workers, Lit components).
 */
import { assert } from 'chai';

export { assert };

type Fn = () => unknown | Promise<unknown>;
interface Suite {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Fn): void;
  before(fn: Fn): void;
  after(fn: Fn): void;
  beforeEach(fn: Fn): void;
  afterEach(fn: Fn): void;
}

/** True when running under Node (node:test), false in the browser (mocha). */
export const isNode: boolean =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' &&
  typeof (globalThis as { window?: unknown }).window === 'undefined';

async function loadSuite(): Promise<Suite> {
  if (isNode) {
    const spec = 'node:test';
    return (await import(/* @vite-ignore */ spec)) as unknown as Suite;
  }
  return globalThis as unknown as Suite;
}

const suite = await loadSuite();

export const describe = (name: string, fn: () => void): void => suite.describe(name, fn);
export const it = (name: string, fn: Fn): void => suite.it(name, fn);
export const before = (fn: Fn): void => suite.before(fn);
export const after = (fn: Fn): void => suite.after(fn);
export const beforeEach = (fn: Fn): void => suite.beforeEach(fn);
export const afterEach = (fn: Fn): void => suite.afterEach(fn);

/** Lowercase hex of bytes, for readable assertion messages. */
export function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes from hex (whitespace ignored); throws on odd length or non-hex characters. */
export function bytesOf(hex: string): Uint8Array<ArrayBuffer> {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex in test: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Assert two byte strings are equal, showing both as hex on failure. */
export function assertBytes(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  assert.instanceOf(actual, Uint8Array, message);
  assert.equal(hexOf(actual), hexOf(expected), message);
}

/**
 * Await `promise`, assert it rejects with an instance of `type`, and return the error so the
 * caller can assert on its fields.
 */
export async function assertRejects<E extends Error>(
  promise: Promise<unknown> | (() => Promise<unknown>),
  type: abstract new (...args: never[]) => E,
  message?: string,
): Promise<E> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    assert.instanceOf(e, type as unknown as new () => E, `${message ?? 'rejection'}: ${(e as Error)?.message}`);
    return e as E;
  }
  assert.fail(`${message ?? 'expected a rejection'}: the promise resolved`);
}

/** Call `fn`, assert it throws an instance of `type`, and return the error. */
export function assertThrows<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E, message?: string): E {
  try {
    fn();
  } catch (e) {
    assert.instanceOf(e, type as unknown as new () => E, `${message ?? 'throw'}: ${(e as Error)?.message}`);
    return e as E;
  }
  assert.fail(`${message ?? 'expected a throw'}: the call returned`);
}

/**
 * Read a file of the read-only reference folder `../shared/` (beside the repository), for
 * example `vectors/wycheproof/aes_wrap_test.json`. Node reads the file system; the browser
 * fetches it from the test server, which serves `../shared` under `/__shared/`.
 */
export async function readShared(path: string): Promise<Uint8Array> {
  if (isNode) {
    const fs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    return new Uint8Array(await readFile(new URL(`../../shared/${path}`, import.meta.url)));
  }
  const res = await fetch(`/__shared/${path}`);
  if (!res.ok) throw new Error(`cannot fetch shared ${path}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Read a file of this repository, for example `test/vectors/foo.json`. */
export async function readRepo(path: string): Promise<Uint8Array> {
  if (isNode) {
    const fs = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fs)) as typeof import('node:fs/promises');
    return new Uint8Array(await readFile(new URL(`../${path}`, import.meta.url)));
  }
  const res = await fetch(`/${path}`);
  if (!res.ok) throw new Error(`cannot fetch ${path}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export const readSharedText = async (path: string): Promise<string> => new TextDecoder().decode(await readShared(path));
export const readSharedJson = async <T = unknown>(path: string): Promise<T> => JSON.parse(await readSharedText(path)) as T;

/**
 * A scale factor for heavy randomized tests: 1 in Node, and smaller in the browser where the
 * same suite runs a second time. Tests that promise a count (e.g. 10,000 fuzz cases) must
 * reach it in the Node run.
 */
export const browserScale = (n: number, browserN: number): number => (isNode ? n : browserN);
