import { RC } from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';

/** Step 7 helpers: "empty" payloads (7 otherwise) and fixed-size ones (33 otherwise). */
export function requireEmpty(payload: Uint8Array, what: string): void {
  if (payload.length !== 0) throw new UnitFault(RC.BAD_ARGUMENTS, 0, `${what} takes an empty payload`);
}

export function requireLength(payload: Uint8Array, length: number, what: string): void {
  if (payload.length !== length) throw new UnitFault(RC.BAD_LENGTH, 0, `${what} takes ${length} bytes, got ${payload.length}`);
}
