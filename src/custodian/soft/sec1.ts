import { ByteRangeError, ByteReader } from '../../bytes/index.ts';
import { CURVES, CURVE_NAMES, OID_EC_PUBLIC_KEY, wipe, type CurveName } from '../../crypto/index.ts';

/**
 * SEC1 EC private keys (SEC 1 v2 §C.4, RFC 5915) and their PKCS#8 wrapping (RFC 5208 /
 * RFC 5958), read and written over bytes with bounds checks and without asn1js, so that
 * secret bytes are never copied into objects we cannot wipe.
 *
 *   ECPrivateKey ::= SEQUENCE {
 *     version        INTEGER { ecPrivkeyVer1(1) },
 *     privateKey     OCTET STRING,                      -- d, big-endian
 *     parameters [0] EXPLICIT ECParameters OPTIONAL,    -- namedCurve OID here
 *     publicKey  [1] EXPLICIT BIT STRING OPTIONAL       -- uncompressed point
 *   }
 *
 *   PrivateKeyInfo ::= SEQUENCE {
 *     version             INTEGER (0),
 *     privateKeyAlgorithm SEQUENCE { id-ecPublicKey, namedCurve OID },
 *     privateKey          OCTET STRING                  -- DER of ECPrivateKey
 *   }
 */
export class Sec1Error extends Error {
  override name = 'Sec1Error';
}

const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_SEQUENCE = 0x30;
const TAG_PARAMETERS = 0xa0;
const TAG_PUBLIC_KEY = 0xa1;
const EC_PRIVKEY_VER1 = 1;
const PKCS8_VERSION = 0;

/** DER content bytes of the OIDs used here (X.690 §8.19). */
function oidContent(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const b: number[] = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return Uint8Array.from(out);
}

function readLength(r: ByteReader): number {
  const first = r.u8();
  if (first < 0x80) return first;
  if (first === 0x81) {
    const n = r.u8();
    if (n < 0x80) throw new Sec1Error('DER length not minimal');
    return n;
  }
  if (first === 0x82) {
    const n = r.u16be();
    if (n < 0x100) throw new Sec1Error('DER length not minimal');
    return n;
  }
  throw new Sec1Error('DER length form not allowed');
}

function readTlv(r: ByteReader, tag: number, what: string): Uint8Array {
  if (r.u8() !== tag) throw new Sec1Error(`${what}: unexpected tag`);
  return r.bytes(readLength(r));
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export interface Sec1PrivateKey {
  curve: CurveName | undefined;
  /** d as stored (a view into the input) */
  d: Uint8Array;
  /** the uncompressed point, if the key carries it (a view into the input) */
  publicPoint: Uint8Array | undefined;
}

/** Strict DER ECPrivateKey; the result holds views into `der` (wipe `der` when done). */
export function parseSec1(der: Uint8Array): Sec1PrivateKey {
  try {
    const outer = new ByteReader(der);
    const body = new ByteReader(readTlv(outer, TAG_SEQUENCE, 'ECPrivateKey'));
    outer.end();
    const version = readTlv(body, TAG_INTEGER, 'version');
    if (version.length !== 1 || version[0] !== EC_PRIVKEY_VER1) throw new Sec1Error('ECPrivateKey version must be 1');
    const d = readTlv(body, TAG_OCTET_STRING, 'privateKey');
    let curve: CurveName | undefined;
    let publicPoint: Uint8Array | undefined;
    if (body.remaining > 0 && body.peek() === TAG_PARAMETERS) {
      const p = new ByteReader(readTlv(body, TAG_PARAMETERS, 'parameters'));
      const oid = readTlv(p, TAG_OID, 'namedCurve');
      p.end();
      curve = CURVE_NAMES.find((n) => sameBytes(oidContent(CURVES[n].curveOid), oid));
      if (!curve) throw new Sec1Error('the key is not on P-256, P-384 or P-521 (or names its curve explicitly)');
    }
    if (body.remaining > 0 && body.peek() === TAG_PUBLIC_KEY) {
      const p = new ByteReader(readTlv(body, TAG_PUBLIC_KEY, 'publicKey'));
      const bits = readTlv(p, TAG_BIT_STRING, 'publicKey BIT STRING');
      p.end();
      if (bits.length < 2 || bits[0] !== 0) throw new Sec1Error('publicKey BIT STRING must have no unused bits');
      publicPoint = bits.subarray(1);
    }
    body.end();
    if (d.length === 0) throw new Sec1Error('empty private key');
    return { curve, d, publicPoint };
  } catch (e) {
    if (e instanceof ByteRangeError) throw new Sec1Error(`ECPrivateKey is truncated or has trailing bytes: ${e.message}`);
    throw e;
  }
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  throw new Sec1Error('too long');
}

/** TLV into a fresh buffer, wiping `content` (everything built here may hold d). */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...lengthBytes(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head, 0);
  out.set(content, head.length);
  wipe(content);
  return out;
}

/** Concatenate into a fresh buffer, wiping the parts. */
function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  wipe(...parts);
  return out;
}

/**
 * PKCS#8 PrivateKeyInfo for (curve, d, public point), d left-padded to the curve size. Every
 * intermediate buffer is wiped (the inputs are not: they are the caller's); the caller wipes
 * the result.
 */
export function ecPkcs8(curve: CurveName, d: Uint8Array, publicPoint: Uint8Array): Uint8Array {
  const size = CURVES[curve].size;
  let start = 0;
  while (start < d.length - 1 && d[start] === 0) start++;
  const mag = d.subarray(start);
  if (mag.length > size) throw new Sec1Error(`private key too long for ${curve}`);
  const dPadded = new Uint8Array(size);
  dPadded.set(mag, size - mag.length);
  const ecPrivateKey = tlv(
    TAG_SEQUENCE,
    join(
      tlv(TAG_INTEGER, Uint8Array.of(EC_PRIVKEY_VER1)),
      tlv(TAG_OCTET_STRING, dPadded),
      tlv(TAG_PUBLIC_KEY, tlv(TAG_BIT_STRING, join(Uint8Array.of(0), publicPoint.slice()))),
    ),
  );
  const algorithm = tlv(TAG_SEQUENCE, join(tlv(TAG_OID, oidContent(OID_EC_PUBLIC_KEY)), tlv(TAG_OID, oidContent(CURVES[curve].curveOid))));
  return tlv(TAG_SEQUENCE, join(tlv(TAG_INTEGER, Uint8Array.of(PKCS8_VERSION)), algorithm, tlv(TAG_OCTET_STRING, ecPrivateKey)));
}
