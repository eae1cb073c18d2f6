import { concat, readU32be, readUintBe, u32be, uintBe } from '../../bytes/index.ts';

/**
 * Fixed field sizes of the admin structures (DESIGN §3.1). Integers inside OCTET STRINGs are
 * unsigned big-endian at these sizes.
 *
 *   | field           | size | contents                                  |
 *   |-----------------|------|-------------------------------------------|
 *   | function        | 4    | 00 01 00 29                               |
 *   | domainIndex     | 4    | u32                                       |
 *   | command         | 4    | u32 command, query or key-storage code    |
 *   | domain          | 8    | domain index (4) ‖ domain instance (4)    |
 *   | module          | 16   | module serial (8) ‖ module instance (8)   |
 *   | counter         | 16   | u128 transaction counter                  |
 *   | rv              | 4    | u32 return code                           |
 *   | reason payload  | 4    | u32 reason (error responses)              |
 */
export const FUNCTION_LENGTH = 4;
export const DOMAIN_INDEX_LENGTH = 4;
export const COMMAND_LENGTH = 4;
export const DOMAIN_LENGTH = 8;
export const DOMAIN_INSTANCE_LENGTH = 4;
export const MODULE_LENGTH = 16;
export const MODULE_SERIAL_LENGTH = 8;
export const MODULE_INSTANCE_LENGTH = 8;
export const COUNTER_LENGTH = 16;
export const RV_LENGTH = 4;
export const REASON_LENGTH = 4;

/** The identity a state-changing command is bound to (DESIGN §3.2, §3.3). */
export interface UnitBinding {
  domainIndex: number;
  /** 4 bytes, redrawn at every zeroize */
  domainInstance: Uint8Array;
  /** 8 bytes, distinct per unit of a host */
  moduleSerial: Uint8Array;
  /** 8 bytes, fixed for the unit's life */
  moduleInstance: Uint8Array;
}

export function domainField(b: UnitBinding): Uint8Array {
  return concat(u32be(b.domainIndex), b.domainInstance);
}
export function moduleField(b: UnitBinding): Uint8Array {
  return concat(b.moduleSerial, b.moduleInstance);
}

/** Split 8-byte domain and 16-byte module fields back into a binding. */
export function bindingOf(domain: Uint8Array, module: Uint8Array): UnitBinding {
  return {
    domainIndex: readU32be(domain.subarray(0, 4)),
    domainInstance: domain.slice(4, 8),
    moduleSerial: module.slice(0, 8),
    moduleInstance: module.slice(8, 16),
  };
}

export const counterField = (n: bigint): Uint8Array => uintBe(n, COUNTER_LENGTH);
export const readCounter = (b: Uint8Array): bigint => readUintBe(b);
export { u32be, readU32be };
