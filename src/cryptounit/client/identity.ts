import { bytesEqual, groupedHex } from '../../bytes/index.ts';
import type { UnitBinding } from '../protocol/index.ts';

/**
 * What the client knows about the unit it talks to, all of it from verified responses
 * (DESIGN §3.2): the binding a state-changing command must carry, the OA key that signs every
 * response, and the root that certifies it.
 *
 *   | field           | size | source                                              |
 *   |-----------------|------|-----------------------------------------------------|
 *   | domainIndex     | u32  | configured; every response must repeat it           |
 *   | domainInstance  | 4    | ResponseBlock.domain[4..8], changes at zeroize      |
 *   | moduleSerial    | 8    | ResponseBlock.module[0..8]                          |
 *   | moduleInstance  | 8    | ResponseBlock.module[8..16]                         |
 *   | oaSki           | 32   | SHA-256 of the OA point (DEVICE_CERT 0)             |
 *   | rootFingerprint | text | "SHA256:…" of the host root's SPKI (DEVICE_CERT 1)  |
 */
export interface UnitIdentity extends UnitBinding {
  oaSki: Uint8Array;
  rootFingerprint: string;
}

export function copyIdentity(u: UnitIdentity): UnitIdentity {
  return {
    domainIndex: u.domainIndex,
    domainInstance: u.domainInstance.slice(),
    moduleSerial: u.moduleSerial.slice(),
    moduleInstance: u.moduleInstance.slice(),
    oaSki: u.oaSki.slice(),
    rootFingerprint: u.rootFingerprint,
  };
}

/** Same module and domain index: the same unit (the domain instance may have moved on). */
export function sameUnit(a: UnitBinding, b: UnitBinding): boolean {
  return a.domainIndex === b.domainIndex && bytesEqual(a.moduleSerial, b.moduleSerial) && bytesEqual(a.moduleInstance, b.moduleInstance);
}

/** "module 0011 2233 4455 6677 (instance 8899 AABB CCDD EEFF), domain 0 (instance 0102 0304)" */
export function describeUnit(u: UnitBinding): string {
  return (
    `module ${groupedHex(u.moduleSerial)} (instance ${groupedHex(u.moduleInstance)}), ` +
    `domain ${u.domainIndex} (instance ${groupedHex(u.domainInstance)})`
  );
}
