import { groupedHex } from '../bytes/index.ts';
import type { KeyPartInfo } from './types.ts';

/**
 * Key part listings for people: VPs in grouped hex (DESIGN §3.6), so witnesses can compare
 * them on paper. Only the first 28 bytes of a VP are compared; the last 4 are zero and shown.
 */
export const vpDisplay = (vp: Uint8Array): string => groupedHex(vp);

export interface KeyPartListingRow {
  id: string;
  description: string;
  /** "1A2B 3C4D …" */
  vp: string;
}

export function keyPartListing(parts: readonly KeyPartInfo[]): KeyPartListingRow[] {
  return parts.map((p) => ({ id: p.id, description: p.description, vp: vpDisplay(p.vp) }));
}

/** One line per part: `<description>  VP <grouped hex>`. */
export function formatKeyPartListing(parts: readonly KeyPartInfo[]): string {
  return keyPartListing(parts)
    .map((r) => `${r.description}  VP ${r.vp}`)
    .join('\n');
}
