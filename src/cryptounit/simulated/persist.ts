import { bytesEqual, toHex } from '../../bytes/index.ts';
import { importPublicPoint, subjectKeyIdentifier, wipe, type CurveName, type WebCrypto } from '../../crypto/index.ts';
import {
  CertificateError, DOMAIN_INSTANCE_LENGTH, MODULE_INSTANCE_LENGTH, MODULE_SERIAL_LENGTH, OA_CURVE, encodeEcSpki,
  parseAdminCertificate, verifyOaChain,
} from '../protocol/index.ts';
import { SimulatedStateError } from './errors.ts';
import { importOwnKey } from './keys.ts';
import { MasterKey } from './master-key.ts';
import { MAX_ADMINS, MAX_THRESHOLD, type Admin, type Importer, type UnitIdentity, type UnitState } from './state.ts';
import { decodeState, encodeState, hexValue, StateObject } from './state-json.ts';

/**
 * A unit's saved state: versioned UTF-8 JSON, bytes as lowercase hex.
 *
 *   | field           | contents                                                        |
 *   |-----------------|-----------------------------------------------------------------|
 *   | format, version | "webtke.simulated-unit", 1                                      |
 *   | domainIndex     | u32                                                             |
 *   | moduleSerial    | 8 bytes                                                         |
 *   | moduleInstance  | 8 bytes                                                         |
 *   | oaPkcs8         | the OA private key (P-521), PKCS#8                              |
 *   | oaCertificate   | DER, issued by the host root given to restore()                 |
 *   | counter         | u128 as a decimal string                                        |
 *   | domainInstance  | 4 bytes                                                         |
 *   | signThreshold, revokeThreshold | both 0, or both 1..8 and at most the admins      |
 *   | admins          | installed certificates (DER), in order of installation          |
 *   | currentKey      | 32 bytes or null                                                |
 *   | newKey, newCommitted | 32 bytes or null; committed flag (false when empty)        |
 *   | importer        | null or { curve: "P-256" \| "P-521", pkcs8 }                    |
 *
 * It holds every secret of the unit (OA key, master keys, importer key): it is the unit's
 * own memory, to be kept as safely as the unit. The same state always gives the same bytes.
 */
export const UNIT_STATE_FORMAT = 'webtke.simulated-unit';
export const UNIT_STATE_VERSION = 1;
const KEY_LENGTH = 32;

export function exportUnitState(id: UnitIdentity, s: UnitState): Uint8Array {
  const secrets: Uint8Array[] = [];
  const keyHex = (k: MasterKey | null | undefined): string | null => {
    if (!k) return null;
    const b = k.keyBytes();
    secrets.push(b);
    return toHex(b);
  };
  try {
    return encodeState({
      format: UNIT_STATE_FORMAT,
      version: UNIT_STATE_VERSION,
      domainIndex: id.domainIndex,
      moduleSerial: toHex(id.moduleSerial),
      moduleInstance: toHex(id.moduleInstance),
      oaPkcs8: toHex(id.oa.pkcs8),
      oaCertificate: toHex(id.oaCertificate),
      counter: s.counter.toString(10),
      domainInstance: toHex(s.domainInstance),
      signThreshold: s.signThreshold,
      revokeThreshold: s.revokeThreshold,
      admins: s.admins.map((a) => toHex(a.certificate)),
      currentKey: keyHex(s.current),
      newKey: keyHex(s.next?.key),
      newCommitted: s.next?.committed ?? false,
      importer: s.importer ? { curve: s.importer.key.curve, pkcs8: toHex(s.importer.key.pkcs8) } : null,
    });
  } finally {
    wipe(...secrets);
  }
}

async function masterKey(c: WebCrypto, o: StateObject, name: string): Promise<MasterKey | null> {
  if (o.isNull(name)) return null;
  const raw = o.hex(name, KEY_LENGTH);
  try {
    if (raw.every((b) => b === 0)) throw new SimulatedStateError('a master key is never all zeros', name);
    return await MasterKey.of(c, raw);
  } finally {
    wipe(raw);
  }
}

async function admins(c: WebCrypto, o: StateObject): Promise<Admin[]> {
  const list = o.array('admins', MAX_ADMINS);
  const out: Admin[] = [];
  for (let i = 0; i < list.length; i++) {
    const field = `admins[${i}]`;
    const der = hexValue(list[i], field, [1, 16384]);
    let cert;
    try {
      cert = await parseAdminCertificate(c, der);
    } catch (e) {
      if (e instanceof CertificateError) throw new SimulatedStateError(`not an acceptable admin certificate (${e.message})`, field);
      throw e;
    }
    if (out.some((a) => bytesEqual(a.ski, cert.ski))) throw new SimulatedStateError('the same admin twice', field);
    const publicKey = await importPublicPoint(c, cert.curve, cert.publicPoint, 'ECDSA');
    out.push({ certificate: cert.der, name: cert.name, curve: cert.curve, ski: cert.ski, publicKey });
  }
  return out;
}

async function importer(c: WebCrypto, o: StateObject): Promise<Importer | null> {
  if (o.isNull('importer')) return null;
  const io = o.object('importer');
  const curveName = io.string('curve');
  if (curveName !== 'P-256' && curveName !== 'P-521') throw new SimulatedStateError('must be "P-256" or "P-521"', 'importer.curve');
  const curve: CurveName = curveName;
  const pkcs8 = io.hex('pkcs8', [1, 4096]);
  io.done();
  const key = await importOwnKey(c, curve, 'ECDH', pkcs8, 'importer.pkcs8');
  return { key, spki: encodeEcSpki(curve, key.publicPoint), ski: await subjectKeyIdentifier(c, key.publicPoint) };
}

/** Rebuild a unit's identity and state; `rootCertificate` is its host's root. */
export async function restoreUnitState(
  c: WebCrypto,
  bytes: Uint8Array,
  rootCertificate: Uint8Array,
): Promise<{ id: UnitIdentity; state: UnitState }> {
  const o = decodeState(bytes, UNIT_STATE_FORMAT, UNIT_STATE_VERSION);
  const domainIndex = o.int('domainIndex', 0, 0xffffffff);
  const moduleSerial = o.hex('moduleSerial', MODULE_SERIAL_LENGTH);
  const moduleInstance = o.hex('moduleInstance', MODULE_INSTANCE_LENGTH);
  const oaPkcs8 = o.hex('oaPkcs8', [1, 4096]);
  const oaCertificate = o.hex('oaCertificate', [1, 16384]);
  const counter = o.bigUint('counter', 128);
  const domainInstance = o.hex('domainInstance', DOMAIN_INSTANCE_LENGTH);
  const signThreshold = o.int('signThreshold', 0, MAX_THRESHOLD);
  const revokeThreshold = o.int('revokeThreshold', 0, MAX_THRESHOLD);
  const adminList = await admins(c, o);
  const current = await masterKey(c, o, 'currentKey');
  const nextKey = await masterKey(c, o, 'newKey');
  const newCommitted = o.bool('newCommitted');
  const imp = await importer(c, o);
  o.done();

  if ((signThreshold === 0) !== (revokeThreshold === 0)) throw new SimulatedStateError('thresholds must be both 0 or both 1..8', 'signThreshold');
  if (signThreshold > adminList.length) throw new SimulatedStateError('is greater than the number of admins', 'signThreshold');
  if (revokeThreshold > adminList.length) throw new SimulatedStateError('is greater than the number of admins', 'revokeThreshold');
  if (!nextKey && newCommitted) throw new SimulatedStateError('an empty new register cannot be committed', 'newCommitted');
  if (signThreshold === 0 && (current || nextKey || imp)) {
    throw new SimulatedStateError('a unit in imprint mode has empty registers and no importer', 'signThreshold');
  }

  const oa = await importOwnKey(c, OA_CURVE, 'ECDSA', oaPkcs8, 'oaPkcs8');
  let chainPoint: Uint8Array;
  try {
    chainPoint = (await verifyOaChain(c, oaCertificate, rootCertificate)).oaCertificate.subjectKey.point;
  } catch (e) {
    throw new SimulatedStateError(`is not certified by this host's root (${(e as Error).message})`, 'oaCertificate');
  }
  if (!bytesEqual(chainPoint, oa.publicPoint)) throw new SimulatedStateError('does not certify oaPkcs8', 'oaCertificate');

  const id: UnitIdentity = {
    domainIndex,
    moduleSerial,
    moduleInstance,
    oa,
    oaSki: await subjectKeyIdentifier(c, oa.publicPoint),
    oaCertificate,
    rootCertificate: rootCertificate.slice(),
  };
  const state: UnitState = {
    counter,
    domainInstance,
    admins: adminList,
    signThreshold,
    revokeThreshold,
    current,
    next: nextKey ? { key: nextKey, committed: newCommitted } : null,
    importer: imp,
  };
  return { id, state };
}
