/**
 * A prepared command (DESIGN §5, air-gapped and distributed signing): the exact AdminBlock to
 * sign, what it means in words, and the unit it is bound to. It travels as a JSON text so an
 * admin on another device can check and sign it; the signature comes back as a small JSON
 * text too. The coordinator adds signatures in any order and submits.
 *
 * Prepared command text (`format: "webtke-prepared-command"`, version 1):
 *
 *   | field        | form                                  | checked on reading against            |
 *   |--------------|---------------------------------------|---------------------------------------|
 *   | command      | number (u32)                          | the block's command                   |
 *   | commandName  | "COMMIT_WK (0x0D)"                    | codeName(command)                     |
 *   | counter      | decimal string (u128)                 | the block's counter                   |
 *   | unit         | domainIndex, domainInstance, moduleSerial, moduleInstance (hex), oaSki (hex), rootFingerprint | the block's domain and module (oaSki, rootFingerprint: sizes and form; compare with your records) |
 *   | description  | text                                  | recomputed from the block             |
 *   | adminBlock   | base64 of the DER AdminBlock          | strict DER, a state-changing command  |
 *   | sha256       | hex of SHA-256(adminBlock)            | recomputed                            |
 *
 * Signature text (`format: "webtke-signature"`, version 1): `sha256` of the block signed, and
 * `signerInfo` (base64 DER SignerInfo).
 */
import { bytesEqual, fromHex, groupedHex, toHex } from '../../bytes/index.ts';
import { sha256, type WebCrypto } from '../../crypto/index.ts';
import {
  codeName, COUNTER_LENGTH, counterField, decodeAdminBlock, decodeSignerInfo, domainField, encodeAdminBlock, isStateChanging,
  KNOWN_CODES, moduleField, readCounter, bindingOf, ProtocolDecodeError, type CommandCode,
} from '../protocol/index.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { describeAdminBlock } from './describe.ts';
import { PreparedCommandError } from './errors.ts';
import { copyIdentity, type UnitIdentity } from './identity.ts';

export const PREPARED_COMMAND_FORMAT = 'webtke-prepared-command';
export const SIGNATURE_FORMAT = 'webtke-signature';
export const TEXT_FORMAT_VERSION = 1;
/** Largest prepared-command text read (an admin certificate is the largest payload). */
const MAX_TEXT_LENGTH = 256 * 1024;

export interface PreparedCommand {
  readonly unit: UnitIdentity;
  readonly command: CommandCode;
  readonly counter: bigint;
  readonly payload: Uint8Array;
  /** the DER AdminBlock: exactly the bytes each admin signs */
  readonly adminBlock: Uint8Array;
  /** SHA-256 of adminBlock, to compare on both devices */
  readonly blockSha256: Uint8Array;
  /** what the command does, in words, derived from adminBlock */
  readonly description: string;
}

/** Build the AdminBlock of a state-changing command bound to `unit` and `counter`. */
export async function buildPreparedCommand(
  c: WebCrypto,
  unit: UnitIdentity,
  command: CommandCode,
  counter: bigint,
  payload: Uint8Array,
): Promise<PreparedCommand> {
  if (!isStateChanging(command) || !KNOWN_CODES.has(command)) throw new RangeError(`${codeName(command)} is not a state-changing command`);
  const block = { command, domain: domainField(unit), module: moduleField(unit), counter: counterField(counter), payload: payload.slice() };
  const adminBlock = encodeAdminBlock(block);
  return {
    unit: copyIdentity(unit),
    command,
    counter,
    payload: block.payload,
    adminBlock,
    blockSha256: await sha256(c, adminBlock),
    description: await describeAdminBlock(c, block),
  };
}

/** "9F86 D081 …" – the block hash as people compare it. */
export const blockFingerprint = (p: PreparedCommand): string => groupedHex(p.blockSha256);

interface PreparedCommandText {
  format: typeof PREPARED_COMMAND_FORMAT;
  version: number;
  command: number;
  commandName: string;
  counter: string;
  unit: {
    domainIndex: number;
    domainInstance: string;
    moduleSerial: string;
    moduleInstance: string;
    oaSki: string;
    rootFingerprint: string;
  };
  description: string;
  adminBlock: string;
  sha256: string;
}

export function preparedCommandToJson(p: PreparedCommand): string {
  const t: PreparedCommandText = {
    format: PREPARED_COMMAND_FORMAT,
    version: TEXT_FORMAT_VERSION,
    command: p.command,
    commandName: codeName(p.command),
    counter: p.counter.toString(),
    unit: {
      domainIndex: p.unit.domainIndex,
      domainInstance: toHex(p.unit.domainInstance),
      moduleSerial: toHex(p.unit.moduleSerial),
      moduleInstance: toHex(p.unit.moduleInstance),
      oaSki: toHex(p.unit.oaSki),
      rootFingerprint: p.unit.rootFingerprint,
    },
    description: p.description,
    adminBlock: toBase64(p.adminBlock),
    sha256: toHex(p.blockSha256),
  };
  return JSON.stringify(t, null, 2);
}

function field<T>(obj: Record<string, unknown>, name: string, check: (v: unknown) => v is T): T {
  const v = obj[name];
  if (!check(v)) throw new PreparedCommandError(`prepared command: field "${name}" is missing or of the wrong type`);
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hexField(obj: Record<string, unknown>, name: string, length: number): Uint8Array {
  try {
    return fromHex(field(obj, name, isString), { length });
  } catch (e) {
    if (e instanceof PreparedCommandError) throw e;
    throw new PreparedCommandError(`prepared command: ${name} must be ${length} bytes of hex`);
  }
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  if (text.length > MAX_TEXT_LENGTH) throw new PreparedCommandError(`${what} is too long`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new PreparedCommandError(`${what} is not JSON`);
  }
  if (!isObject(v)) throw new PreparedCommandError(`${what} is not a JSON object`);
  return v;
}

/**
 * Read a prepared command text on the signing device. Everything is recomputed from the
 * AdminBlock and compared: command, counter, unit binding, SHA-256 and the description. Any
 * difference is PreparedCommandError; the result's description is the recomputed one.
 */
export async function preparedCommandFromJson(c: WebCrypto, text: string): Promise<PreparedCommand> {
  const o = parseJsonObject(text, 'prepared command');
  if (o.format !== PREPARED_COMMAND_FORMAT) throw new PreparedCommandError('not a webtke prepared command');
  if (o.version !== TEXT_FORMAT_VERSION) throw new PreparedCommandError(`prepared command version ${String(o.version)} is not supported`);
  const u = field(o, 'unit', isObject);
  const counterText = field(o, 'counter', isString);
  if (!/^(0|[1-9][0-9]{0,38})$/.test(counterText)) throw new PreparedCommandError('prepared command: counter must be a decimal number');
  const counter = BigInt(counterText);
  if (counter >= 1n << BigInt(8 * COUNTER_LENGTH)) throw new PreparedCommandError('prepared command: counter too large');
  const rootFingerprint = field(u, 'rootFingerprint', isString);
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(rootFingerprint)) throw new PreparedCommandError('prepared command: rootFingerprint must be "SHA256:" and 43 base64 characters');
  const unit: UnitIdentity = {
    domainIndex: field(u, 'domainIndex', isNumber),
    domainInstance: hexField(u, 'domainInstance', 4),
    moduleSerial: hexField(u, 'moduleSerial', 8),
    moduleInstance: hexField(u, 'moduleInstance', 8),
    oaSki: hexField(u, 'oaSki', 32),
    rootFingerprint,
  };
  if (unit.domainIndex > 0xffffffff) throw new PreparedCommandError('prepared command: domainIndex out of range');
  let adminBlock: Uint8Array;
  try {
    adminBlock = fromBase64(field(o, 'adminBlock', isString));
  } catch (e) {
    if (e instanceof PreparedCommandError) throw e;
    throw new PreparedCommandError(`prepared command: adminBlock is not base64 (${(e as Error).message})`);
  }
  let block: ReturnType<typeof decodeAdminBlock>;
  try {
    block = decodeAdminBlock(adminBlock);
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw new PreparedCommandError(`prepared command: adminBlock is not a valid AdminBlock (${e.message})`);
    throw e;
  }
  if (!isStateChanging(block.command) || !KNOWN_CODES.has(block.command)) {
    throw new PreparedCommandError(`prepared command: ${codeName(block.command)} is not a state-changing command`);
  }
  const command = block.command as CommandCode;
  if (field(o, 'command', isNumber) !== command) throw new PreparedCommandError('prepared command: "command" differs from the block');
  if (field(o, 'commandName', isString) !== codeName(command)) throw new PreparedCommandError('prepared command: "commandName" differs from the block');
  if (readCounter(block.counter) !== counter) throw new PreparedCommandError('prepared command: "counter" differs from the block');
  const b = bindingOf(block.domain, block.module);
  if (
    b.domainIndex !== unit.domainIndex || !bytesEqual(b.domainInstance, unit.domainInstance) ||
    !bytesEqual(b.moduleSerial, unit.moduleSerial) || !bytesEqual(b.moduleInstance, unit.moduleInstance)
  ) {
    throw new PreparedCommandError('prepared command: "unit" differs from the block\'s domain and module');
  }
  const blockSha256 = await sha256(c, adminBlock);
  if (field(o, 'sha256', isString).toLowerCase() !== toHex(blockSha256)) throw new PreparedCommandError('prepared command: "sha256" is not the hash of the block');
  const description = await describeAdminBlock(c, block);
  if (field(o, 'description', isString) !== description) {
    throw new PreparedCommandError('prepared command: the description does not match what the block does');
  }
  return { unit, command, counter, payload: block.payload, adminBlock, blockSha256, description };
}

/** The text an admin's device sends back: which block it signed and the SignerInfo. */
export function signatureToJson(p: PreparedCommand, signerInfo: Uint8Array): string {
  return JSON.stringify({ format: SIGNATURE_FORMAT, version: TEXT_FORMAT_VERSION, sha256: toHex(p.blockSha256), signerInfo: toBase64(signerInfo) }, null, 2);
}

export interface SignatureText {
  /** SHA-256 of the AdminBlock that was signed */
  sha256: Uint8Array;
  /** DER SignerInfo (decodes strictly) */
  signerInfo: Uint8Array;
}

export function signatureFromJson(text: string): SignatureText {
  const o = parseJsonObject(text, 'signature');
  if (o.format !== SIGNATURE_FORMAT) throw new PreparedCommandError('not a webtke signature');
  if (o.version !== TEXT_FORMAT_VERSION) throw new PreparedCommandError(`signature version ${String(o.version)} is not supported`);
  const sha = hexField(o, 'sha256', 32);
  let signerInfo: Uint8Array;
  try {
    signerInfo = fromBase64(field(o, 'signerInfo', isString), 4096);
    decodeSignerInfo(signerInfo);
  } catch (e) {
    if (e instanceof PreparedCommandError) throw e;
    throw new PreparedCommandError(`signature: signerInfo is not a valid SignerInfo (${(e as Error).message})`);
  }
  return { sha256: sha, signerInfo };
}

/**
 * On the coordinator: read a signature text and check it was made for `prepared` (same block
 * hash). Returns the SignerInfo; whether it verifies is CryptoUnitClient.checkSignerInfo's job.
 */
export function signatureForCommand(prepared: PreparedCommand, text: string): Uint8Array {
  const s = signatureFromJson(text);
  if (!bytesEqual(s.sha256, prepared.blockSha256)) {
    throw new PreparedCommandError(`the signature was made for block ${groupedHex(s.sha256.subarray(0, 8))} …, not this command's ${groupedHex(prepared.blockSha256.subarray(0, 8))} …`);
  }
  return s.signerInfo;
}
