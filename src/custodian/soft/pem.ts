import { wipe } from '../../crypto/index.ts';
import { Base64Error, decodeBase64Bytes } from './base64.ts';

/**
 * PEM (RFC 7468) over bytes, for decrypted private keys: the text never becomes a JavaScript
 * string (strings cannot be wiped). Strict form: optional surrounding whitespace, one
 * `-----BEGIN <label>-----` line, base64 lines (LF or CRLF), one `-----END <label>-----`
 * line with the same label. Encapsulated headers (old encrypted PEM) are refused.
 */
export class PemError extends Error {
  override name = 'PemError';
}

const DASHES = '-----';
const CR = 0x0d;
const LF = 0x0a;
const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === CR || b === LF;

function matchAscii(bytes: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Decode the one PEM block in `pem`, whose label must be one of `labels`. The caller wipes both buffers. */
export function decodePem(pem: Uint8Array, labels: readonly string[]): { label: string; der: Uint8Array } {
  let i = 0;
  while (i < pem.length && isSpace(pem[i])) i++;
  const label = labels.find((l) => matchAscii(pem, i, `${DASHES}BEGIN ${l}${DASHES}`));
  if (label === undefined) throw new PemError(`expected a PEM block labelled ${labels.join(' or ')}`);
  i += `${DASHES}BEGIN ${label}${DASHES}`.length;
  if (pem[i] === CR) i++;
  if (pem[i] !== LF) throw new PemError('the BEGIN line must end the line');
  i++;
  const end = `${DASHES}END ${label}${DASHES}`;
  // collect base64 characters line by line until the END line
  const ascii = new Uint8Array(pem.length);
  let n = 0;
  try {
    for (;;) {
      if (i >= pem.length) throw new PemError('no END line');
      if (matchAscii(pem, i, end)) break;
      let lineEnd = i;
      while (lineEnd < pem.length && pem[lineEnd] !== LF) lineEnd++;
      if (lineEnd >= pem.length) throw new PemError('no END line');
      let contentEnd = lineEnd;
      if (contentEnd > i && pem[contentEnd - 1] === CR) contentEnd--;
      for (let k = i; k < contentEnd; k++) {
        if (pem[k] === 0x3a) throw new PemError('encrypted or annotated PEM (headers) is not supported');
        ascii[n++] = pem[k];
      }
      i = lineEnd + 1;
    }
    i += end.length;
    while (i < pem.length && isSpace(pem[i])) i++;
    if (i !== pem.length) throw new PemError('text after the END line');
    try {
      return { label, der: decodeBase64Bytes(ascii.subarray(0, n)) };
    } catch (e) {
      if (e instanceof Base64Error) throw new PemError(`PEM body: ${e.message}`);
      throw e;
    }
  } finally {
    wipe(ascii);
  }
}
