import type { Command } from '../../apdu.ts';
import { encodeTlv, parseTlv, TlvError, type Tlv, type TlvInput } from '../../tlv.ts';
import { CURVES } from '../../../crypto/index.ts';
import { ecAlgorithmId, type PivEcCurve } from './algorithms.ts';
import {
  CLA_PIV, INS_GENERATE_ASYMMETRIC_KEY_PAIR, PIN_POLICY_ALWAYS, PIN_POLICY_DEFAULT, PIN_POLICY_NEVER, PIN_POLICY_ONCE,
  TAG_CONTROL_REFERENCE, TAG_CRT_ALGORITHM, TAG_EC_POINT, TAG_PUBLIC_KEY, TAG_YK_PIN_POLICY, TAG_YK_TOUCH_POLICY,
  TOUCH_POLICY_ALWAYS, TOUCH_POLICY_CACHED, TOUCH_POLICY_DEFAULT, TOUCH_POLICY_NEVER, isAsymmetricSlot,
  type PinPolicyName, type TouchPolicyName,
} from './constants.ts';
import { PivInputError, PivResponseError } from './errors.ts';

/**
 * GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 Part 2 §3.3.2):
 *
 *   | CLA | INS | P1 | P2   | Lc | data                                               | Le |
 *   |-----|-----|----|------|----|----------------------------------------------------|----|
 *   | 00  | 47  | 00 | slot | L  | AC L { 80 01 alg [AA 01 pin] [AB 01 touch] }       | 00 |
 *
 *   AA (PIN policy) and AB (touch policy) are Yubico extensions; standard cards refuse them.
 *   Answer for EC keys: 7F49 L { 86 L 04 ‖ X ‖ Y }.
 *
 * Needs the management key. Replaces any key in the slot.
 */
export interface GenerateOptions {
  /** Yubico PIN policy; omitted (the slot's default) when 'default' or absent */
  pinPolicy?: PinPolicyName;
  /** Yubico touch policy; omitted when 'default' or absent */
  touchPolicy?: TouchPolicyName;
}

export const PIN_POLICY_VALUES: Readonly<Record<PinPolicyName, number>> = {
  default: PIN_POLICY_DEFAULT,
  never: PIN_POLICY_NEVER,
  once: PIN_POLICY_ONCE,
  always: PIN_POLICY_ALWAYS,
};
export const TOUCH_POLICY_VALUES: Readonly<Record<TouchPolicyName, number>> = {
  default: TOUCH_POLICY_DEFAULT,
  never: TOUCH_POLICY_NEVER,
  always: TOUCH_POLICY_ALWAYS,
  cached: TOUCH_POLICY_CACHED,
};

export function buildGenerate(slot: number, curve: PivEcCurve, opts: GenerateOptions = {}): Command {
  if (!isAsymmetricSlot(slot)) throw new PivInputError(`slot ${slot.toString(16).toUpperCase()} does not hold an asymmetric key`);
  const items: TlvInput[] = [{ tag: TAG_CRT_ALGORITHM, value: Uint8Array.of(ecAlgorithmId(curve)) }];
  if (opts.pinPolicy && opts.pinPolicy !== 'default') {
    const v = PIN_POLICY_VALUES[opts.pinPolicy];
    if (v === undefined) throw new PivInputError(`unknown PIN policy ${String(opts.pinPolicy)}`);
    items.push({ tag: TAG_YK_PIN_POLICY, value: Uint8Array.of(v) });
  }
  if (opts.touchPolicy && opts.touchPolicy !== 'default') {
    const v = TOUCH_POLICY_VALUES[opts.touchPolicy];
    if (v === undefined) throw new PivInputError(`unknown touch policy ${String(opts.touchPolicy)}`);
    items.push({ tag: TAG_YK_TOUCH_POLICY, value: Uint8Array.of(v) });
  }
  return {
    cla: CLA_PIV,
    ins: INS_GENERATE_ASYMMETRIC_KEY_PAIR,
    p1: 0x00,
    p2: slot,
    data: encodeTlv({ tag: TAG_CONTROL_REFERENCE, children: items }),
    ne: 256,
  };
}

/** The uncompressed public point from the answer (form checked; on-curve is checked on import). */
export function parseGeneratedPublicKey(data: Uint8Array, curve: PivEcCurve): Uint8Array {
  const cmd = 'GENERATE ASYMMETRIC KEY PAIR';
  let list: Tlv[];
  try {
    list = parseTlv(data, { maxLength: 1024, maxDepth: 2 });
  } catch (e) {
    if (e instanceof TlvError) throw new PivResponseError(cmd, e.message);
    throw e;
  }
  if (list.length !== 1 || list[0].tag !== TAG_PUBLIC_KEY) throw new PivResponseError(cmd, 'expected one public key template (7F49)');
  return parseEcPointTemplate(list[0].children, curve, cmd);
}

/** 86 L point as the only item (the inside of 7F49, or of GET METADATA's public key). */
export function parseEcPointTemplate(items: readonly Tlv[], curve: PivEcCurve, command: string): Uint8Array {
  if (items.length !== 1 || items[0].tag !== TAG_EC_POINT) throw new PivResponseError(command, 'expected exactly one EC point (86)');
  const point = items[0].value;
  if (point.length !== CURVES[curve].pointLength || point[0] !== 0x04) {
    throw new PivResponseError(command, `not an uncompressed ${curve} point`);
  }
  return point.slice();
}
