import { CURVES, curveByOid, type CurveName } from '../../crypto/index.ts';
import {
  algorithm, algorithmIdentifier, bitString, bitStringBytes, decodeDer, encodeDer, objectIdentifier, oid, seq,
  sequenceItems,
} from './der/asn1.ts';
import { DerError } from './errors.ts';
import { OID_EC_PUBLIC_KEY } from './oids.ts';

/**
 * EC SubjectPublicKeyInfo in the RFC 5480 form the protocol uses (DESIGN §3.1):
 *
 *   SubjectPublicKeyInfo ::= SEQUENCE {
 *     algorithm  SEQUENCE { id-ecPublicKey, namedCurve OBJECT IDENTIFIER },
 *     subjectPublicKey BIT STRING   -- uncompressed point 04 ‖ X ‖ Y
 *   }
 */
export interface EcPublicKey {
  curve: CurveName;
  /** uncompressed point */
  point: Uint8Array;
}

export function encodeEcSpki(curve: CurveName, point: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeDer(seq(algorithmIdentifier(OID_EC_PUBLIC_KEY, oid(CURVES[curve].curveOid)), bitString(point)));
}

/** Strict RFC 5480 decoding; anything else is DerError (rc 7 where a unit decodes it). */
export function decodeEcSpki(der: Uint8Array): EcPublicKey {
  const items = sequenceItems(decodeDer(der, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo', 2);
  return ecPublicKeyOf(items[0], items[1]);
}

/** From an already-decoded algorithm node and BIT STRING node (certificates reuse this). */
export function ecPublicKeyOf(algNode: Parameters<typeof algorithm>[0], keyNode: Parameters<typeof bitStringBytes>[0]): EcPublicKey {
  const alg = algorithm(algNode, 'SubjectPublicKeyInfo.algorithm');
  if (alg.oid !== OID_EC_PUBLIC_KEY) throw new DerError('public key is not id-ecPublicKey');
  if (typeof alg.params !== 'object') throw new DerError('EC public key must name its curve');
  const curve = curveByOid(objectIdentifier(alg.params, 'namedCurve'));
  if (!curve) throw new DerError('EC public key is not on P-256, P-384 or P-521');
  const point = bitStringBytes(keyNode, 'subjectPublicKey');
  if (point.length !== curve.pointLength || point[0] !== 0x04) throw new DerError('EC public key must be an uncompressed point');
  return { curve: curve.name, point };
}
