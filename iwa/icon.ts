/**
 * The webtke app icon, drawn at build time (no binary in the repository): a key on a dark
 * blue rounded square, kept inside the central 80 % circle so it also works as a maskable icon.
 *
 * PNG (RFC 2083 / ISO 15948) written by hand:
 *   signature 89 50 4E 47 0D 0A 1A 0A
 *   chunk = length (u32be) || type (4 ASCII) || data || CRC-32 (u32be) over type || data
 *   IHDR data = width u32be, height u32be, bit depth 8, colour type 6 (RGBA), compression 0,
 *               filter 0, interlace 0
 *   IDAT data = zlib stream of the scanlines, each prefixed with its filter byte (0 = none)
 *   IEND data = empty
 */
import { deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const COLOR_TYPE_RGBA = 6;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32be(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function chunk(type: string, data: Uint8Array): Uint8Array[] {
  const t = new TextEncoder().encode(type);
  return [u32be(data.length), t, data, u32be(crc32([t, data]))];
}

/** Encode RGBA pixels (row-major, 4 bytes each) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (rgba.length !== width * height * 4) throw new Error(`encodePng: ${rgba.length} bytes for ${width}x${height}`);
  const raw = new Uint8Array(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 4)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  }
  const ihdr = new Uint8Array([...u32be(width), ...u32be(height), 8, COLOR_TYPE_RGBA, 0, 0, 0]);
  const parts = [PNG_SIGNATURE, ...chunk('IHDR', ihdr), ...chunk('IDAT', new Uint8Array(deflateSync(raw))), ...chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Draw the icon at `size` x `size` pixels. */
export function drawIcon(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const bg = [0x1f, 0x3a, 0x5f];
  const fg = [0xf2, 0xc9, 0x4c];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Sample at the pixel centre, in units of the icon (0..1).
      const u = (x + 0.5) / size;
      const v = (y + 0.5) / size;
      // Rounded square with corner radius 0.18.
      const r = 0.18;
      const dx = Math.max(r - u, 0, u - (1 - r));
      const dy = Math.max(r - v, 0, v - (1 - r));
      const inside = dx * dx + dy * dy <= r * r;
      // Key: ring (bow) at (0.36, 0.5), shaft to the right, two teeth.
      const d = Math.hypot(u - 0.36, v - 0.5);
      const bow = d <= 0.15 && d >= 0.08;
      const shaft = u >= 0.49 && u <= 0.78 && v >= 0.47 && v <= 0.53;
      const teeth = v > 0.53 && v <= 0.62 && ((u >= 0.64 && u <= 0.68) || (u >= 0.72 && u <= 0.78));
      const i = (y * size + x) * 4;
      if (!inside) continue; // transparent
      const c = bow || shaft || teeth ? fg : bg;
      px[i] = c[0];
      px[i + 1] = c[1];
      px[i + 2] = c[2];
      px[i + 3] = 0xff;
    }
  }
  return px;
}

/** The icon as a PNG file of `size` x `size`. */
export function iconPng(size: number): Uint8Array {
  return encodePng(size, size, drawIcon(size));
}
