/**
 * Verification of one unit response (DESIGN §3.1–§3.3). Every response is checked before a
 * single field of it is believed, in this order; the first failure is a ResponseAuthError:
 *
 *   | # | check                                                                 | ResponseCheck   |
 *   |---|-----------------------------------------------------------------------|-----------------|
 *   | 1 | strict DER AdminResponse, function 00010029, exactly one SignerInfo   | format          |
 *   | 2 | the SignerInfo decodes strictly                                       | format          |
 *   | 3 | its sid is this unit's OA SKI; sha512 / ecdsa-with-SHA512 (P-521)     | signer          |
 *   | 4 | ECDSA-P521-SHA512 signature by the OA key over the responseBlock DER  | signature       |
 *   | 5 | strict DER ResponseBlock with fixed field sizes                       | format          |
 *   | 6 | AdminResponse.rv = ResponseBlock.rv                                   | rv              |
 *   | 7 | AdminResponse.domainIndex and ResponseBlock.domain[0..4] = the unit's | domain-index    |
 *   | 8 | ResponseBlock.command = the request's command                         | command         |
 *   | 9 | ResponseBlock.module = the unit's module serial ‖ instance            | module          |
 *   |10 | counter ≥ the highest counter seen (it never goes backwards)          | counter         |
 *   |11 | at an unchanged counter, an unchanged domain instance                 | domain-instance |
 *   |12 | a successful state-changing command: counter = the command's counter; | counter /       |
 *   |   | domain instance kept (zeroize: changed)                               | domain-instance |
 *
 * A domain instance may change only together with a rising counter (zeroize is a state-
 * changing command), so an old response replayed from before a zeroize is refused by 10 or 11.
 * What no check can catch: a replay of a response given at the current counter to the same
 * query (the protocol has no request nonce); its content is then still current.
 */
import { bytesEqual, readU32be, toHex } from '../../bytes/index.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import {
  Command, decodeAdminResponse, decodeResponseBlock, decodeSignerInfo, isStateChanging, OA_CURVE, readCounter,
  signerInfoCurve, verifySignerInfo, type ResponseBlock,
} from '../protocol/index.ts';
import { ResponseAuthError } from './errors.ts';

export interface VerifyKeys {
  /** the unit's OA public key (ECDSA P-521) and its SKI */
  oaKey: CryptoKey;
  oaSki: Uint8Array;
  /** the configured domain index */
  domainIndex: number;
}

export interface KnownState {
  /** 16-byte module serial ‖ instance, once known */
  module?: Uint8Array;
  /** 4-byte domain instance, once known */
  domainInstance?: Uint8Array;
  /** the highest counter seen, once known */
  counter?: bigint;
}

export interface Expectation {
  /** the request's command code */
  command: number;
  /** for a state-changing command: the counter and domain instance its block carried */
  bound?: { counter: bigint; domainInstance: Uint8Array };
}

export interface VerifiedResponse {
  rv: number;
  payload: Uint8Array;
  block: ResponseBlock;
  counter: bigint;
  domainInstance: Uint8Array;
  module: Uint8Array;
}

function fail(check: ConstructorParameters<typeof ResponseAuthError>[0], message: string, command: number): never {
  throw new ResponseAuthError(check, message, command);
}

/** Decode without verifying (for reading the certificates before the OA key is known). */
export function peekResponse(der: Uint8Array, command: number): { rv: number; payload: Uint8Array } {
  try {
    const r = decodeAdminResponse(der);
    const b = decodeResponseBlock(r.responseBlock);
    return { rv: b.rv, payload: b.payload };
  } catch (e) {
    fail('format', (e as Error).message, command);
  }
}

export async function verifyResponse(
  c: WebCrypto,
  der: Uint8Array,
  keys: VerifyKeys,
  known: KnownState,
  expect: Expectation,
): Promise<VerifiedResponse> {
  const cmd = expect.command;
  let response: ReturnType<typeof decodeAdminResponse>;
  let si: ReturnType<typeof decodeSignerInfo>;
  try {
    response = decodeAdminResponse(der);
    si = decodeSignerInfo(response.oaSignerInfo);
  } catch (e) {
    fail('format', (e as Error).message, cmd);
  }
  if (!bytesEqual(si.ski, keys.oaSki)) fail('signer', `signed by key ${toHex(si.ski)}, not this unit's OA key ${toHex(keys.oaSki)}`, cmd);
  if (signerInfoCurve(si) !== OA_CURVE) fail('signer', 'the OA signature does not name sha512 / ecdsa-with-SHA512', cmd);
  if (!(await verifySignerInfo(c, OA_CURVE, keys.oaKey, response.responseBlock, si))) {
    fail('signature', 'the OA signature over the response block does not verify', cmd);
  }
  let block: ResponseBlock;
  try {
    block = decodeResponseBlock(response.responseBlock);
  } catch (e) {
    fail('format', (e as Error).message, cmd);
  }
  if (block.rv !== response.rv) fail('rv', `the response says rv ${response.rv} outside and ${block.rv} inside the signed block`, cmd);
  if (response.domainIndex !== keys.domainIndex || readU32be(block.domain.subarray(0, 4)) !== keys.domainIndex) {
    fail('domain-index', `the response is for domain ${response.domainIndex}/${readU32be(block.domain.subarray(0, 4))}, not ${keys.domainIndex}`, cmd);
  }
  if (block.command !== cmd) {
    const why = block.command === 0 ? ` (the unit could not parse the request: rv ${block.rv})` : '';
    fail('command', `the response answers command 0x${block.command.toString(16)}, not 0x${cmd.toString(16)}${why}`, cmd);
  }
  if (known.module && !bytesEqual(block.module, known.module)) {
    fail('module', `the response comes from module ${toHex(block.module)}, not ${toHex(known.module)}`, cmd);
  }
  const counter = readCounter(block.counter);
  const domainInstance = block.domain.slice(4, 8);
  if (known.counter !== undefined) {
    if (counter < known.counter) fail('counter', `the counter went back from ${known.counter} to ${counter} (an old response?)`, cmd);
    if (counter === known.counter && known.domainInstance && !bytesEqual(domainInstance, known.domainInstance)) {
      fail('domain-instance', 'the domain instance changed while the counter stayed the same', cmd);
    }
  }
  if (expect.bound && isStateChanging(cmd) && block.rv === 0) {
    if (counter !== expect.bound.counter) {
      fail('counter', `a successful command with counter ${expect.bound.counter} left the unit at ${counter}`, cmd);
    }
    const kept = bytesEqual(domainInstance, expect.bound.domainInstance);
    if (cmd === Command.DOM_ZEROIZE ? kept : !kept) {
      fail('domain-instance', cmd === Command.DOM_ZEROIZE ? 'a zeroize kept the old domain instance' : 'a command changed the domain instance', cmd);
    }
  }
  return { rv: block.rv, payload: block.payload, block, counter, domainInstance, module: block.module.slice() };
}
