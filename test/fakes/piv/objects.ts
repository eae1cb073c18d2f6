/**
 * The virtual PIV card's data objects (SP 800-73-4 Part 1 Table 3) and their access rules.
 * Reading needs the PIN for the biometric and personal objects; writing always needs the
 * card management key; the discovery object is fixed.
 */
export type ReadRule = 'always' | 'pin';

/** Objects the card knows, with their read rule. */
export const PIV_OBJECTS: ReadonlyMap<number, ReadRule> = new Map<number, ReadRule>([
  [0x5fc107, 'always'], // card capability container
  [0x5fc102, 'always'], // CHUID
  [0x5fc105, 'always'], // certificate 9A
  [0x5fc103, 'pin'], // fingerprints
  [0x5fc106, 'always'], // security object
  [0x5fc108, 'pin'], // facial image
  [0x5fc101, 'always'], // certificate 9E
  [0x5fc10a, 'always'], // certificate 9C
  [0x5fc10b, 'always'], // certificate 9D
  [0x5fc109, 'pin'], // printed information
  [0x7e, 'always'], // discovery object (read only)
  [0x5fc10c, 'always'], // key history
  ...Array.from({ length: 20 }, (_, i) => [0x5fc10d + i, 'always'] as [number, ReadRule]), // retired certificates 1..20
  [0x5fc121, 'pin'], // iris images
  [0x7f61, 'always'], // biometric group template
  [0x5fc122, 'always'], // SM certificate signer
  [0x5fc123, 'pin'], // pairing code
]);

/** Yubico's own objects (admin data 5FFF00, attestation certificate 5FFF01, MS roots 5FFF10..15). */
export const YUBICO_OBJECT_FIRST = 0x5fff00;
export const YUBICO_OBJECT_LAST = 0x5fff15;

export function readRuleOf(tag: number, yubico: boolean): ReadRule | undefined {
  const r = PIV_OBJECTS.get(tag);
  if (r) return r;
  if (yubico && tag >= YUBICO_OBJECT_FIRST && tag <= YUBICO_OBJECT_LAST) return 'always';
  return undefined;
}

/**
 * The discovery object (SP 800-73-4 Part 1 §3.3.2): 7E { 4F PIV AID, 5F2F PIN usage policy
 * 40 00 = the PIV Card Application PIN only }.
 */
export const DISCOVERY_OBJECT = Uint8Array.of(
  0x7e, 0x12, 0x4f, 0x0b, 0xa0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x5f, 0x2f, 0x02, 0x40, 0x00,
);
