/**
 * The IWA build, checked independently of the libraries that make it: the integrity block is
 * parsed by a small CBOR reader written here, its Ed25519 signature is verified with node:crypto
 * over the data the integrity-block explainer defines, and the Web Bundle ID is computed by hand
 * (base32 of the public key || 00 01 02, WICG isolated-web-apps Scheme.md). The web bundle itself
 * is read with wbn's Bundle class.
 *
 * One test runs the real script (`tsx scripts/build-iwa.ts`, vite build included); the others
 * bundle a tiny fixture in-process to stay fast.
 */
import { describe, it, before, after, assert, assertBytes, bytesOf } from '../harness.ts';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Bundle } from 'wbn';
import {
  IWA_HEADERS,
  IwaBuildError,
  REPO_ROOT,
  buildIwa,
  loadSigningKey,
  parseArgs,
} from '../../scripts/build-iwa.ts';

// ---- independent helpers ----

/** RFC 4648 base32, lowercase, no padding (Scheme.md: "base32EncodeWithoutPadding", lowercased). */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Signed Web Bundle ID of an Ed25519 public key, by the Scheme.md recipe. */
function webBundleIdByHand(rawPublicKey: Uint8Array): string {
  return base32(new Uint8Array([...rawPublicKey, 0x00, 0x01, 0x02]));
}

interface CborItem {
  value: unknown;
  start: number;
  end: number;
  /** Sub-items of an array (for maps: keys and values alternating). */
  items?: CborItem[];
}

/** A minimal strict CBOR reader (major types 0, 2, 3, 4, 5; definite lengths only). */
function readCbor(buf: Uint8Array, start: number): CborItem {
  let o = start;
  const need = (n: number): void => {
    if (o + n > buf.length) throw new Error(`CBOR: truncated at ${o}`);
  };
  need(1);
  const ib = buf[o++];
  const major = ib >> 5;
  const info = ib & 31;
  let arg: number;
  if (info < 24) arg = info;
  else if (info <= 27) {
    const n = 1 << (info - 24);
    need(n);
    arg = 0;
    for (let i = 0; i < n; i++) arg = arg * 256 + buf[o++];
  } else throw new Error(`CBOR: unsupported additional info ${info}`);
  switch (major) {
    case 0:
      return { value: arg, start, end: o };
    case 2:
      need(arg);
      return { value: buf.slice(o, o + arg), start, end: o + arg };
    case 3:
      need(arg);
      return { value: new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(o, o + arg)), start, end: o + arg };
    case 4: {
      const items: CborItem[] = [];
      for (let i = 0; i < arg; i++) {
        const it = readCbor(buf, o);
        items.push(it);
        o = it.end;
      }
      return { value: items.map((i) => i.value), start, end: o, items };
    }
    case 5: {
      const items: CborItem[] = [];
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < arg; i++) {
        const k = readCbor(buf, o);
        const v = readCbor(buf, k.end);
        items.push(k, v);
        map.set(k.value, v.value);
        o = v.end;
      }
      return { value: map, start, end: o, items };
    }
    default:
      throw new Error(`CBOR: unexpected major type ${major}`);
  }
}

function u64be(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const IB_MAGIC = bytesOf('f09f968bf09f93a6'); // "🖋📦"
const IB_VERSION_2B = bytesOf('32620000'); // "2b\0\0", the integrity block version Chrome reads

interface CheckedBundle {
  webBundleId: string;
  bundle: Bundle;
  bundleBytes: Uint8Array;
  /** The data the signature covers, and the signature, for tamper tests. */
  signedData: Uint8Array;
  signature: Uint8Array;
}

/**
 * Split a .swbn into integrity block and web bundle, check the block's form and its signature
 * against `publicKey` (raw 32 bytes), and return the parsed bundle.
 */
function checkSignedBundle(swbn: Uint8Array, publicKey: Uint8Array): CheckedBundle {
  const ib = readCbor(swbn, 0);
  assert.equal(swbn[0], 0x84, 'integrity block is a 4-element array');
  const [magic, version, attributes, signatures] = ib.items!;
  assertBytes(magic.value as Uint8Array, IB_MAGIC);
  assertBytes(version.value as Uint8Array, IB_VERSION_2B);
  const attrs = attributes.value as Map<string, unknown>;
  const webBundleId = attrs.get('webBundleId') as string;
  assert.equal(webBundleId, webBundleIdByHand(publicKey), 'webBundleId = base32(public key || 00 01 02)');
  assert.equal(signatures.items!.length, 1, 'one signature');
  const [sigAttrs, sig] = signatures.items![0].items!;
  const sigAttrMap = sigAttrs.value as Map<string, unknown>;
  assert.deepEqual([...sigAttrMap.keys()], ['ed25519PublicKey']);
  assertBytes(sigAttrMap.get('ed25519PublicKey') as Uint8Array, publicKey);
  const signature = sig.value as Uint8Array;
  assert.equal(signature.length, 64);

  const bundleBytes = swbn.slice(ib.end);
  // The block as it was when signed: same magic, version and attributes, empty signature list.
  const ibMin = cat(Uint8Array.of(0x84), swbn.subarray(magic.start, attributes.end), Uint8Array.of(0x80));
  const attrBytes = swbn.subarray(sigAttrs.start, sigAttrs.end);
  const hash = new Uint8Array(createHash('sha512').update(bundleBytes).digest());
  const signedData = cat(u64be(hash.length), hash, u64be(ibMin.length), ibMin, u64be(attrBytes.length), attrBytes);
  assert.isTrue(edVerify(null, signedData, publicKeyObject(publicKey), signature), 'Ed25519 signature verifies');
  return { webBundleId, bundle: new Bundle(bundleBytes), bundleBytes, signedData, signature };
}

function publicKeyObject(raw: Uint8Array) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** Width and height from a PNG's IHDR, after checking the signature and that the pixels inflate to the right size. */
function pngSize(png: Uint8Array): [number, number] {
  assertBytes(png.subarray(0, 8), bytesOf('89504e470d0a1a0a'));
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), 'IHDR');
  const w = dv.getUint32(16);
  const h = dv.getUint32(20);
  const idatLen = dv.getUint32(33);
  assert.equal(new TextDecoder().decode(png.subarray(37, 41)), 'IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.equal(raw.length, h * (1 + w * 4), 'RGBA scanlines');
  return [w, h];
}

function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** The manifest and everything IWAs need from it, checked; returns the manifest. */
function checkManifestAndHeaders(c: CheckedBundle, version: string): Record<string, unknown> {
  const origin = `isolated-app://${c.webBundleId}/`;
  assert.isNull(c.bundle.primaryURL, 'no primary URL (Chrome refuses IWA bundles with one)');
  for (const url of c.bundle.urls) {
    assert.isTrue(url.startsWith(origin), `${url} is on the IWA origin`);
    assert.notMatch(url, /[?#]/);
    const res = c.bundle.getResponse(url);
    assert.equal(res.status, 200);
    for (const [h, v] of Object.entries(IWA_HEADERS)) assert.equal(res.headers[h], v, `${h} of ${url}`);
    assert.isString(res.headers['content-type']);
  }
  const mres = c.bundle.getResponse(`${origin}.well-known/manifest.webmanifest`);
  assert.equal(mres.headers['content-type'], 'application/manifest+json');
  const m = JSON.parse(text(mres.body)) as Record<string, any>;
  for (const feature of ['usb', 'usb-unrestricted', 'smart-card', 'cross-origin-isolated']) {
    assert.include(m.permissions_policy[feature], 'self', `permissions_policy grants ${feature}`);
  }
  assert.isAbove(String(m.name).length, 0);
  assert.isAbove(String(m.short_name).length, 0);
  assert.equal(m.start_url, '/');
  assert.equal(m.display, 'standalone');
  assert.equal(m.version, version);
  assert.isAbove(m.icons.length, 0);
  for (const icon of m.icons) {
    const res = c.bundle.getResponse(new URL(icon.src, origin).href);
    assert.equal(res.headers['content-type'], icon.type);
    const [w, h] = pngSize(res.body);
    assert.equal(`${w}x${h}`, icon.sizes);
  }
  // The start page is served at "/".
  assert.include(c.bundle.urls, origin);
  assert.match(text(c.bundle.getResponse(origin).body), /<html/i);
  return m;
}

// ---- tests ----

describe('IWA build (scripts/build-iwa.ts)', () => {
  let dir: string;
  let keyPem: string;
  let publicKey: Uint8Array;
  let pkgVersion: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'webtke-iwa-test-'));
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64')}\n-----END PRIVATE KEY-----\n`;
    publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    await writeFile(join(dir, 'key.pem'), keyPem, { mode: 0o600 });
    pkgVersion = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the hand-written Web Bundle ID matches the Scheme.md example', () => {
    const key = bytesOf('0123434333427a144214a2b6c2d9f20203421810122662 88f6a3a54714690073');
    assert.equal(webBundleIdByHand(key), 'aerugqztij5biqquuk3mfwpsaibuegaqcitgfchwuosuofdjabzqaaic');
  });

  it('npm run build:iwa (the real script, vite build included) makes a verifiable signed bundle', async () => {
    const out = join(dir, 'real');
    const env: NodeJS.ProcessEnv = { ...process.env, WEBTKE_IWA_KEY_FILE: join(dir, 'key.pem') };
    delete env.WEBTKE_IWA_KEY;
    delete env.WEBTKE_IWA_KEY_PASSPHRASE;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-iwa.ts', '--out-dir', out], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    assert.equal(r.status, 0, `exit status; stderr: ${r.stderr}`);
    const file = join(out, `webtke-${pkgVersion}.swbn`);
    const swbn = new Uint8Array(await readFile(file));
    const c = checkSignedBundle(swbn, publicKey);
    checkManifestAndHeaders(c, pkgVersion);
    // The start page is the built index.html.
    const built = new Uint8Array(await readFile(join(out, 'app', 'index.html')));
    assertBytes(c.bundle.getResponse(`isolated-app://${c.webBundleId}/`).body, built);
    // What it printed: the ID, the origin, and the SHA-256 of the file.
    const sha = createHash('sha256').update(swbn).digest('hex');
    assert.match(r.stdout, new RegExp(`Web Bundle ID:\\s+${c.webBundleId}`));
    assert.include(r.stdout, `isolated-app://${webBundleIdByHand(publicKey)}/`);
    assert.match(r.stdout, new RegExp(`SHA-256:\\s+${sha}`));
    assert.equal((await readFile(`${file}.sha256`, 'utf8')).split(' ')[0], sha);
  });

  it('bundles a fixture app: every file, directory indexes, content types, no dot files; tampering breaks the signature', async () => {
    const out = join(dir, 'fixture');
    const app = join(out, 'app');
    await mkdir(join(app, 'assets'), { recursive: true });
    await mkdir(join(app, 'help'), { recursive: true });
    await writeFile(join(app, 'index.html'), '<!doctype html><html><body>fixture</body></html>');
    await writeFile(join(app, 'help', 'index.html'), '<!doctype html><html><body>help</body></html>');
    await writeFile(join(app, 'assets', 'app-1a2b.js'), 'export const x = 1;\n');
    await writeFile(join(app, 'assets', 'style.css'), 'body{margin:0}\n');
    await writeFile(join(app, '.gitkeep'), '');
    const { key } = await loadSigningKey({ WEBTKE_IWA_KEY_FILE: join(dir, 'key.pem') }, { repoRoot: REPO_ROOT });
    const lines: string[] = [];
    const res = await buildIwa({ key, outDir: out, skipViteBuild: true, version: '1.2.3', log: (l) => lines.push(l) });
    const swbn = new Uint8Array(await readFile(res.bundlePath));
    const c = checkSignedBundle(swbn, publicKey);
    const m = checkManifestAndHeaders(c, '1.2.3');
    assert.equal(m.version, '1.2.3');
    assert.equal(res.webBundleId, c.webBundleId);
    assert.equal(res.sha256, createHash('sha256').update(swbn).digest('hex'));
    const o = `isolated-app://${c.webBundleId}/`;
    assert.sameMembers(c.bundle.urls, [
      o,
      `${o}index.html`,
      `${o}help/`,
      `${o}help/index.html`,
      `${o}assets/app-1a2b.js`,
      `${o}assets/style.css`,
      `${o}.well-known/manifest.webmanifest`,
      `${o}icons/webtke-192.png`,
      `${o}icons/webtke-512.png`,
    ]);
    assert.equal(text(c.bundle.getResponse(`${o}help/`).body), '<!doctype html><html><body>help</body></html>');
    assert.match(c.bundle.getResponse(`${o}assets/app-1a2b.js`).headers['content-type'], /^text\/javascript/);
    assert.match(c.bundle.getResponse(`${o}assets/style.css`).headers['content-type'], /^text\/css/);
    assert.isTrue(lines.some((l) => l.includes(c.webBundleId)));

    // One flipped byte in the bundle, or in the signature, and the signature no longer verifies.
    const tampered = c.bundleBytes.slice();
    tampered[tampered.length - 20] ^= 1;
    const hash = new Uint8Array(createHash('sha512').update(tampered).digest());
    const data = c.signedData.slice();
    data.set(hash, 8);
    assert.isFalse(edVerify(null, data, publicKeyObject(publicKey), c.signature));
    const badSig = c.signature.slice();
    badSig[0] ^= 1;
    assert.isFalse(edVerify(null, c.signedData, publicKeyObject(publicKey), badSig));
    // Ed25519 is deterministic: the same input and key give the same bundle, byte for byte.
    const again = await buildIwa({ key, outDir: out, skipViteBuild: true, version: '1.2.3', log: () => undefined });
    assert.equal(again.sha256, res.sha256);
  });

  it('refuses to build without a key, and says how to give one', () => {
    const out = join(dir, 'refused');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.WEBTKE_IWA_KEY_FILE;
    delete env.WEBTKE_IWA_KEY;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-iwa.ts', '--out-dir', out], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.include(r.stderr, 'WEBTKE_IWA_KEY_FILE');
    assert.include(r.stderr, 'WEBTKE_IWA_KEY');
    assert.include(r.stderr, '--throwaway-key');
    assert.isFalse(existsSync(out), 'nothing was built');
  });

  it('reads the key from WEBTKE_IWA_KEY (one-line PEM too), rejects other key types, makes throwaway keys on request', async () => {
    const fromEnv = await loadSigningKey({ WEBTKE_IWA_KEY: keyPem.replace(/\n/g, '\\n') });
    const raw = fromEnv.key.export({ format: 'jwk' }).x as string;
    assertBytes(new Uint8Array(Buffer.from(raw, 'base64url')), publicKey);
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair;
    const ecPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await crypto.subtle.exportKey('pkcs8', ec.privateKey)).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    let err: unknown;
    try {
      await loadSigningKey({ WEBTKE_IWA_KEY: ecPem });
    } catch (e) {
      err = e;
    }
    assert.instanceOf(err, IwaBuildError);
    assert.match((err as Error).message, /not an Ed25519/);
    let refused: unknown;
    try {
      await loadSigningKey({});
    } catch (e) {
      refused = e;
    }
    assert.instanceOf(refused, IwaBuildError);
    const t1 = await loadSigningKey({}, { throwaway: true });
    const t2 = await loadSigningKey({}, { throwaway: true });
    assert.equal(t1.key.asymmetricKeyType, 'ed25519');
    assert.notEqual(t1.key.export({ format: 'jwk' }).x, t2.key.export({ format: 'jwk' }).x);
  });

  it('parses its options strictly', () => {
    assert.deepEqual(parseArgs(['--throwaway-key', '--out-dir', 'x', '--skip-build', '--version', '2.0.1']), {
      throwaway: true,
      skipBuild: true,
      outDir: 'x',
      version: '2.0.1',
    });
    assert.throws(() => parseArgs(['--key', 'k.pem']), IwaBuildError);
    assert.throws(() => parseArgs(['--out-dir']), IwaBuildError);
  });
});
