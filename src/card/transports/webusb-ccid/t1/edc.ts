/**
 * ISO/IEC 7816-3 §11.3.4 epilogue field: the error detection code (EDC) over the prologue and
 * the information field. TC3 (the first TC for T=1) bit 1 chooses it: 0 = LRC, 1 = CRC.
 *
 *   | code | size   | computation                                                        |
 *   |------|--------|--------------------------------------------------------------------|
 *   | LRC  | 1 byte | exclusive-OR of all bytes of prologue and INF                      |
 *   | CRC  | 2 bytes| CRC of ISO/IEC 13239 (ex 3309) over prologue and INF,              |
 *   |      |        | generator x^16 + x^12 + x^5 + 1                                    |
 *
 * ISO/IEC 7816-3 names the CRC only by reference and real T=1 cards with CRC are rare. We use the
 * parameters of the T=1 engines that hosts actually ship (pcsc-lite CCID / OpenCT): the
 * polynomial processed LSB first (reflected, 0x8408), initial value 0xFFFF, no final
 * complement, the 16-bit result sent most significant byte first. In the CRC catalogue this is
 * CRC-16/MCRF4XX, check value 0x6F91 over ASCII "123456789".
 */
export type EdcKind = 'lrc' | 'crc';

export const LRC_SIZE = 1;
export const CRC_SIZE = 2;
/** CRC-16 generator x^16 + x^12 + x^5 + 1, bit-reflected. */
export const CRC_POLY_REFLECTED = 0x8408;
export const CRC_INIT = 0xffff;

export function edcSize(kind: EdcKind): number {
  return kind === 'crc' ? CRC_SIZE : LRC_SIZE;
}

/** Longitudinal redundancy check: XOR of every byte. */
export function lrc(bytes: Uint8Array): number {
  let x = 0;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i];
  return x;
}

const CRC_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC_POLY_REFLECTED : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** The 16-bit CRC as a number (see the header for the parameters). */
export function crc16(bytes: Uint8Array): number {
  let v = CRC_INIT;
  for (let i = 0; i < bytes.length; i++) v = (v >>> 8) ^ CRC_TABLE[(v ^ bytes[i]) & 0xff];
  return v;
}

/** The epilogue bytes for `covered` (prologue ‖ INF). */
export function computeEdc(kind: EdcKind, covered: Uint8Array): Uint8Array {
  if (kind === 'crc') {
    const v = crc16(covered);
    return Uint8Array.of(v >>> 8, v & 0xff);
  }
  return Uint8Array.of(lrc(covered));
}
