/**
 * How values are shown (strings in, strings out: the UI handles no bytes).
 *
 *   | value                 | shown as                                      |
 *   |-----------------------|-----------------------------------------------|
 *   | VP, SKI, hash (hex)   | upper-case groups of 4 digits: "1A2B 3C4D …"   |
 *   | empty register        | "EMPTY"                                       |
 *   | root fingerprint      | as the client gives it: "SHA256:…"            |
 *   | time (ms since 1970)  | the browser's locale, date and time           |
 */

/** "1a2b3c4d…" → "1A2B 3C4D …" (groups of `group` hex digits). Non-hex characters are kept out. */
export function groupHex(hex: string, group = 4): string {
  const h = hex.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  const parts: string[] = [];
  for (let i = 0; i < h.length; i += group) parts.push(h.slice(i, i + group));
  return parts.join(' ');
}

/** The first `digits` hex digits, grouped, with an ellipsis: enough to tell values apart. */
export function shortHex(hex: string, digits = 16): string {
  return hex.length > digits ? `${groupHex(hex.slice(0, digits))} …` : groupHex(hex);
}

/** A register's VP, or EMPTY. */
export const vpText = (vp: string | null | undefined): string => (vp ? groupHex(vp) : 'EMPTY');

export function timeText(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** "1 unit", "2 units" */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
