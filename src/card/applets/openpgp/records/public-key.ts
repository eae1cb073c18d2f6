import { findTlv, parseOneTlv, TlvError } from '../../../tlv.ts';
import { CURVES, type CurveName } from '../../../../crypto/index.ts';
import { DO_EC_PUBLIC_POINT, DO_PUBLIC_KEY } from '../constants.ts';
import { OpenPgpDataError } from '../errors.ts';

/**
 * The public key template GENERATE ASYMMETRIC KEY PAIR returns (§7.2.14), for an EC key:
 *
 *   7F49 { 86 <public point: 04 ‖ X ‖ Y> }
 *
 * The point must be uncompressed and of the curve's size; whether it lies on the curve is
 * checked where it is imported (WebCrypto).
 */
export function parseEcPublicKey(bytes: Uint8Array, curve: CurveName): Uint8Array {
  let t;
  try {
    t = parseOneTlv(bytes, { maxLength: 1024, maxDepth: 2 });
  } catch (e) {
    if (e instanceof TlvError) throw new OpenPgpDataError('7F49', e.message);
    throw e;
  }
  if (t.tag !== DO_PUBLIC_KEY) throw new OpenPgpDataError('7F49', `expected the public key template 7F49, got ${t.tag.toString(16).toUpperCase()}`);
  if (t.children.length !== 1) throw new OpenPgpDataError('7F49', 'an EC public key template holds only the point (86)');
  const point = findTlv(t.children, DO_EC_PUBLIC_POINT);
  if (!point) throw new OpenPgpDataError('7F49/86', 'the public point is missing');
  const info = CURVES[curve];
  if (point.value.length !== info.pointLength || point.value[0] !== 0x04) {
    throw new OpenPgpDataError('7F49/86', `not an uncompressed ${curve} point (${info.pointLength} bytes starting 04)`);
  }
  return point.value.slice();
}
