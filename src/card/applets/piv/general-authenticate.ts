import type { Command } from '../../apdu.ts';
import { encodeTlv, parseTlv, TlvError, type Tlv } from '../../tlv.ts';
import { CURVES, checkUncompressedPoint, derToRawSignature, CryptoFormatError } from '../../../crypto/index.ts';
import { ecAlgorithmId, ecFieldSize, type PivEcCurve } from './algorithms.ts';
import {
  CLA_PIV, INS_GENERAL_AUTHENTICATE, KEY_CARD_MANAGEMENT, TAG_CHALLENGE, TAG_DYNAMIC_AUTH, TAG_EXPONENTIATION, TAG_RESPONSE,
  TAG_WITNESS,
} from './constants.ts';
import { PivInputError, PivResponseError } from './errors.ts';

/**
 * GENERAL AUTHENTICATE (SP 800-73-4 Part 2 §3.2.4): 00 87 <algorithm> <key reference> Lc
 * 7C L {...} Le, answered by 7C L {...}. One command, four uses:
 *
 *   | use                               | P1      | P2   | command template              | answer template     |
 *   |-----------------------------------|---------|------|-------------------------------|---------------------|
 *   | management key, witness request   | 03/08.. | 9B   | 80 00                         | 80 n E(K, W)        |
 *   | management key, mutual step       | 03/08.. | 9B   | 80 n W, 81 n C                | 82 n E(K, C)        |
 *   | sign (ECDSA)                      | 11/14   | slot | 82 00, 81 L digest            | 82 L DER signature  |
 *   | key agreement (ECDH)              | 11/14   | slot | 82 00, 85 L 04‖X‖Y            | 82 L x-coordinate   |
 *
 * n is the cipher block size (3DES 8, AES 16). W is the card's random witness; C is the
 * client's random challenge. Decrypting E(K, W) proves we hold K; the card's E(K, C) proves
 * the card does.
 */
const MAX_TEMPLATE = 4096;

/** 7C L { items } */
export function encodeDynamicAuth(...items: { tag: number; value: Uint8Array }[]): Uint8Array {
  return encodeTlv({ tag: TAG_DYNAMIC_AUTH, children: items });
}

/** The items of a 7C answer; anything but exactly one 7C template is PivResponseError. */
export function parseDynamicAuth(data: Uint8Array, command: string): readonly Tlv[] {
  let list: Tlv[];
  try {
    list = parseTlv(data, { maxLength: MAX_TEMPLATE, maxDepth: 2 });
  } catch (e) {
    if (e instanceof TlvError) throw new PivResponseError(command, e.message);
    throw e;
  }
  if (list.length !== 1 || list[0].tag !== TAG_DYNAMIC_AUTH) throw new PivResponseError(command, 'expected one dynamic authentication template (7C)');
  return list[0].children;
}

/** The single item `tag` of an answer template, with the expected length if given. */
function onlyItem(items: readonly Tlv[], tag: number, command: string, length?: number): Uint8Array {
  if (items.length !== 1 || items[0].tag !== tag) {
    throw new PivResponseError(command, `expected exactly one item ${tag.toString(16).toUpperCase()} in the template`);
  }
  const v = items[0].value;
  if (length !== undefined && v.length !== length) throw new PivResponseError(command, `item ${tag.toString(16).toUpperCase()} is ${v.length} bytes, expected ${length}`);
  return v.slice();
}

const EMPTY = new Uint8Array(0);

// ---- management key ---------------------------------------------------------------------

/** Step 1 of mutual authentication: ask the card for an encrypted witness. */
export function buildWitnessRequest(algorithmId: number): Command {
  return { cla: CLA_PIV, ins: INS_GENERAL_AUTHENTICATE, p1: algorithmId, p2: KEY_CARD_MANAGEMENT, data: encodeDynamicAuth({ tag: TAG_WITNESS, value: EMPTY }), ne: 256 };
}

/** The encrypted witness E(K, W) from the step 1 answer. */
export function parseWitness(data: Uint8Array, blockSize: number): Uint8Array {
  return onlyItem(parseDynamicAuth(data, 'GENERAL AUTHENTICATE (witness)'), TAG_WITNESS, 'GENERAL AUTHENTICATE (witness)', blockSize);
}

/** Step 2: the decrypted witness and our challenge. */
export function buildMutualAuthenticate(algorithmId: number, witness: Uint8Array, challenge: Uint8Array): Command {
  if (witness.length !== challenge.length) throw new PivInputError('witness and challenge are one cipher block each');
  return {
    cla: CLA_PIV,
    ins: INS_GENERAL_AUTHENTICATE,
    p1: algorithmId,
    p2: KEY_CARD_MANAGEMENT,
    data: encodeDynamicAuth({ tag: TAG_WITNESS, value: witness }, { tag: TAG_CHALLENGE, value: challenge }),
    ne: 256,
  };
}

/** The card's E(K, C) from the step 2 answer. */
export function parseMutualResponse(data: Uint8Array, blockSize: number): Uint8Array {
  return onlyItem(parseDynamicAuth(data, 'GENERAL AUTHENTICATE (mutual)'), TAG_RESPONSE, 'GENERAL AUTHENTICATE (mutual)', blockSize);
}

// ---- signing ------------------------------------------------------------------------------

/**
 * Sign a digest with the EC key in `slot`. The digest is the curve's hash of the message
 * (SHA-256 for P-256, SHA-384 for P-384): exactly the field size.
 */
export function buildSign(slot: number, curve: PivEcCurve, digest: Uint8Array): Command {
  const size = ecFieldSize(curve);
  if (digest.length !== size) throw new PivInputError(`a ${curve} signature takes a ${size}-byte digest, got ${digest.length}`);
  return {
    cla: CLA_PIV,
    ins: INS_GENERAL_AUTHENTICATE,
    p1: ecAlgorithmId(curve),
    p2: slot,
    data: encodeDynamicAuth({ tag: TAG_RESPONSE, value: EMPTY }, { tag: TAG_CHALLENGE, value: digest }),
    ne: 256,
  };
}

/** The DER ECDSA signature from the answer, checked to be strict DER of the curve's size. */
export function parseSignature(data: Uint8Array, curve: PivEcCurve): Uint8Array {
  const sig = onlyItem(parseDynamicAuth(data, 'GENERAL AUTHENTICATE (sign)'), TAG_RESPONSE, 'GENERAL AUTHENTICATE (sign)');
  try {
    derToRawSignature(sig, CURVES[curve].size);
  } catch (e) {
    if (e instanceof CryptoFormatError) throw new PivResponseError('GENERAL AUTHENTICATE (sign)', `not a DER ${curve} signature: ${e.message}`);
    throw e;
  }
  return sig;
}

// ---- key agreement -----------------------------------------------------------------------

/** ECDH of the key in `slot` with the other party's uncompressed point. */
export function buildKeyAgreement(slot: number, curve: PivEcCurve, point: Uint8Array): Command {
  try {
    checkUncompressedPoint(curve, point);
  } catch (e) {
    if (e instanceof CryptoFormatError) throw new PivInputError(e.message);
    throw e;
  }
  return {
    cla: CLA_PIV,
    ins: INS_GENERAL_AUTHENTICATE,
    p1: ecAlgorithmId(curve),
    p2: slot,
    data: encodeDynamicAuth({ tag: TAG_RESPONSE, value: EMPTY }, { tag: TAG_EXPONENTIATION, value: point }),
    ne: 256,
  };
}

/** The shared secret Z (x-coordinate, field size) from the answer. The caller wipes it. */
export function parseSharedSecret(data: Uint8Array, curve: PivEcCurve): Uint8Array {
  return onlyItem(parseDynamicAuth(data, 'GENERAL AUTHENTICATE (key agreement)'), TAG_RESPONSE, 'GENERAL AUTHENTICATE (key agreement)', ecFieldSize(curve));
}
