/**
 * Key-part envelopes built by a path independent of src/cryptounit/protocol and src/crypto
 * (DESIGN §3.7), so the unit's envelope opening is checked against a second implementation:
 *
 *   - ECDH with @noble/curves (Z = x-coordinate of the shared point);
 *   - ECC-CMS-SharedInfo written byte by byte;
 *   - the X9.63 KDF as one SHA-256 block of @noble/hashes: SHA-256(Z ‖ 00000001 ‖ SharedInfo);
 *   - AES key wrap (RFC 3394 §2.2.1) written here, over AES-ECB taken from WebCrypto AES-CBC
 *     with a zero IV (the first ciphertext block of a one-block CBC encryption);
 *   - the KeyAgreeRecipientInfo DER written with a tiny TLV helper.
 *
 * Faults can be injected to check that the unit refuses each one.
 */
import { p256, p521 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';

export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const n = contents.reduce((a, c) => a + c.length, 0);
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  let o = 1 + len.length;
  for (const c of contents) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
export const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export const OID = {
  ecPublicKey: hex('06072a8648ce3d0201'),
  /** 1.3.132.1.11.1 */
  dhSinglePassSha256: hex('06062b8104010b01'),
  /** 2.16.840.1.101.3.4.1.45 */
  aes256Wrap: hex('060960864801650304012d'),
  p256: hex('06082a8648ce3d030107'),
  p521: hex('06052b81040023'),
};
const NULL = hex('0500');

/** ECC-CMS-SharedInfo { aes256-wrap (no parameters), [0] ukm, [2] 00000100 }, by hand. */
export function sharedInfo(ukm: Uint8Array): Uint8Array {
  return tlv(0x30, tlv(0x30, OID.aes256Wrap), tlv(0xa0, tlv(0x04, ukm)), tlv(0xa2, tlv(0x04, hex('00000100'))));
}

async function aesEcbEncryptBlock(c: Crypto, key: CryptoKey, block: Uint8Array): Promise<Uint8Array> {
  const ct = new Uint8Array(await c.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, key, block as Uint8Array<ArrayBuffer>));
  return ct.slice(0, 16);
}

/** RFC 3394 §2.2.1 key wrap, index-based. */
export async function rfc3394Wrap(c: Crypto, kek: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const key = await c.subtle.importKey('raw', kek as Uint8Array<ArrayBuffer>, 'AES-CBC', false, ['encrypt']);
  const n = plaintext.length / 8;
  let a = hex('a6a6a6a6a6a6a6a6');
  const r: Uint8Array[] = [];
  for (let i = 0; i < n; i++) r.push(plaintext.slice(8 * i, 8 * i + 8));
  for (let j = 0; j <= 5; j++) {
    for (let i = 1; i <= n; i++) {
      const b = await aesEcbEncryptBlock(c, key, cat(a, r[i - 1]));
      const t = BigInt(n * j + i);
      a = b.slice(0, 8);
      for (let k = 0; k < 8; k++) a[7 - k] ^= Number((t >> BigInt(8 * k)) & 0xffn);
      r[i - 1] = b.slice(8, 16);
    }
  }
  return cat(a, ...r);
}

export interface EnvelopeFaults {
  /** rKeyId other than the importer's SKI */
  ski?: Uint8Array;
  /** change the ephemeral point after the key agreement (e.g. off the curve) */
  point?: (p: Uint8Array) => Uint8Array;
  /** aes256-wrap parameters NULL instead of absent */
  nullWrapParams?: boolean;
  ukmLength?: number;
  /** flip a bit of the wrapped key */
  tamperWrap?: boolean;
  originatorParams?: 'absent' | 'null' | 'curve' | 'other-curve';
}

export interface ImporterInfo {
  curve: 'P-256' | 'P-521';
  point: Uint8Array;
}

/** The importer's curve and point from its SPKI, by the fixed RFC 5480 layouts. */
export function importerFromSpki(spki: Uint8Array): ImporterInfo {
  if (spki.length === 91 && spki[26] === 0x04) return { curve: 'P-256', point: spki.slice(26) };
  if (spki.length === 158 && spki[25] === 0x04) return { curve: 'P-521', point: spki.slice(25) };
  throw new Error(`not a P-256 or P-521 SPKI of the expected layout (${spki.length} bytes)`);
}

/** Wrap a 32-byte part to the importer (SPKI) as a bare KeyAgreeRecipientInfo. */
export async function independentEnvelope(c: Crypto, importerSpki: Uint8Array, part: Uint8Array, f: EnvelopeFaults = {}): Promise<Uint8Array> {
  const imp = importerFromSpki(importerSpki);
  const curve = imp.curve === 'P-256' ? p256 : p521;
  const eph = curve.utils.randomSecretKey();
  const ephPoint = curve.getPublicKey(eph, false);
  const z = curve.getSharedSecret(eph, imp.point, true).slice(1);
  const ukm = c.getRandomValues(new Uint8Array(f.ukmLength ?? 40));
  const kek = sha256(cat(z, hex('00000001'), sharedInfo(ukm)));
  const wrapped = await rfc3394Wrap(c, kek, part);
  if (f.tamperWrap) wrapped[17] ^= 0x10;
  const curveOid = imp.curve === 'P-256' ? OID.p256 : OID.p521;
  const params =
    f.originatorParams === 'null' ? [NULL]
    : f.originatorParams === 'curve' ? [curveOid]
    : f.originatorParams === 'other-curve' ? [imp.curve === 'P-256' ? OID.p521 : OID.p256]
    : [];
  const point = f.point ? f.point(ephPoint) : ephPoint;
  const originator = tlv(0xa0, tlv(0xa1, tlv(0x30, OID.ecPublicKey, ...params), tlv(0x03, Uint8Array.of(0), point)));
  const kea = tlv(0x30, OID.dhSinglePassSha256, tlv(0x30, OID.aes256Wrap, ...(f.nullWrapParams ? [NULL] : [])));
  const rek = tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0x04, f.ski ?? sha256(imp.point))), tlv(0x04, wrapped)));
  return tlv(0x30, hex('020103'), originator, tlv(0xa1, tlv(0x04, ukm)), kea, rek);
}
