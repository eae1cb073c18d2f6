import { sha256 } from '@noble/hashes/sha2.js';
import { OID_TLV, tlv } from '../conformance/independent-der.ts';

/**
 * IBM TKE CLI signature key files made in the test, straight from WebCrypto and a hand-built
 * SEC1 ECPrivateKey (not through webtke's code), in the layout of DESIGN §4 and the IBM TKE
 * SDK: keyType, ski (hex), seaSalt (hex), enckey (hex of nonce ‖ AES-256-GCM ciphertext ‖ tag),
 * PBKDF2-HMAC-SHA256 × 4096, PEM "PRIVATE KEY" around SEC1. Options make the variations
 * that other tools, damage or old files produce.
 */
export interface TkeFixtureOptions {
  password: string;
  curve?: 'P-256' | 'P-521';
  /** null: leave the field out (old RSA-era files) */
  keyType?: string | null;
  pemLabel?: string;
  crlf?: boolean;
  omitPublicKey?: boolean;
  omitParameters?: boolean;
  upperHex?: boolean;
  /** put these bytes inside the PEM instead of the SEC1 key */
  pemBody?: Uint8Array;
  extraFields?: Record<string, string>;
}

export interface TkeFixture {
  text: string;
  point: Uint8Array;
  ski: Uint8Array;
  /** the key pair, for signing checks */
  pair: CryptoKeyPair;
}

const c = globalThis.crypto;
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const b64url = (s: string): Uint8Array => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (ch) => ch.charCodeAt(0));

export function pemOf(label: string, der: Uint8Array, crlf = false): Uint8Array {
  const body = btoa(String.fromCharCode(...der)).match(/.{1,64}/g)!;
  const nl = crlf ? '\r\n' : '\n';
  return new TextEncoder().encode(`-----BEGIN ${label}-----${nl}${body.join(nl)}${nl}-----END ${label}-----${nl}`);
}

export async function makeTkeFile(o: TkeFixtureOptions): Promise<TkeFixture> {
  const curve = o.curve ?? 'P-521';
  const pair = (await c.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await c.subtle.exportKey('jwk', pair.privateKey);
  const point = new Uint8Array([4, ...b64url(jwk.x!), ...b64url(jwk.y!)]);
  const sec1 = tlv(
    0x30,
    tlv(0x02, Uint8Array.of(1)),
    tlv(0x04, b64url(jwk.d!)),
    ...(o.omitParameters ? [] : [tlv(0xa0, OID_TLV[curve])]),
    ...(o.omitPublicKey ? [] : [tlv(0xa1, tlv(0x03, Uint8Array.of(0), point))]),
  );
  const pem = o.pemBody ? pemOf(o.pemLabel ?? 'PRIVATE KEY', o.pemBody, o.crlf) : pemOf(o.pemLabel ?? 'PRIVATE KEY', sec1, o.crlf);
  const salt = c.getRandomValues(new Uint8Array(32));
  const base = await c.subtle.importKey('raw', new TextEncoder().encode(o.password), 'PBKDF2', false, ['deriveKey']);
  const key = await c.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 4096 }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
  const nonce = c.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await c.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, pem as Uint8Array<ArrayBuffer>));
  const ski = sha256(point);
  const h = (b: Uint8Array): string => (o.upperHex ? hex(b).toUpperCase() : hex(b));
  const fields: Record<string, string> = {};
  if (o.keyType !== null) fields.keyType = o.keyType ?? 'p521ec';
  Object.assign(fields, { ski: h(ski), seaSalt: h(salt), enckey: h(new Uint8Array([...nonce, ...ct])) }, o.extraFields ?? {});
  return { text: JSON.stringify(fields), point, ski, pair };
}
