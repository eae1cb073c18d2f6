import { bytesEqual, concat, toHex, u32be } from '../../bytes/index.ts';
import { randomBytes, type WebCrypto } from '../../crypto/index.ts';
import {
  MODULE_SERIAL_LENGTH, OA_CURVE, buildOaCertificate, buildRootCertificate, parseCertificate, verifyCertificateSignature,
} from '../protocol/index.ts';
import { validityFrom, type Clock } from './clock.ts';
import { SimulatedStateError } from './errors.ts';
import { generateOwnKey, importOwnKey, type OwnKey } from './keys.ts';
import { decodeState, encodeState } from './state-json.ts';

/**
 * A simulated HSM host (DESIGN §3.2): it holds the manufacturer root, a self-signed P-521 CA
 * that certifies the OA key of every unit it runs, and hands out module serials.
 *
 *   module serial (8 bytes) = host prefix (4 random bytes) ‖ u32 sequence number (1, 2, …)
 *
 * so serials are distinct for every unit of a host (and, by the random prefix, very likely
 * across hosts).
 */
export interface SimulatedHostOptions {
  /** WebCrypto; default globalThis.crypto */
  crypto?: WebCrypto;
  /** milliseconds since the epoch, for certificate validity dates; default Date.now */
  clock?: Clock;
}

export const HOST_STATE_FORMAT = 'webtke.simulated-host';
export const HOST_STATE_VERSION = 1;
const SERIAL_PREFIX_LENGTH = 4;
const CERT_SERIAL_LENGTH = 16;
const MAX_SEQUENCE = 0xffffffff;

export class SimulatedHost {
  private constructor(
    private readonly c: WebCrypto,
    private readonly clock: Clock,
    private readonly root: OwnKey,
    private readonly rootDer: Uint8Array,
    private readonly serialPrefix: Uint8Array,
    private nextSequence: number,
  ) {}

  static async create(opts: SimulatedHostOptions = {}): Promise<SimulatedHost> {
    const c = opts.crypto ?? globalThis.crypto;
    const clock = opts.clock ?? (() => Date.now());
    const root = await generateOwnKey(c, OA_CURVE, 'ECDSA');
    const serialPrefix = randomBytes(c, SERIAL_PREFIX_LENGTH);
    const rootDer = await buildRootCertificate(c, {
      keyPair: { privateKey: root.privateKey, publicKey: root.publicKey },
      publicPoint: root.publicPoint,
      serial: randomBytes(c, CERT_SERIAL_LENGTH),
      label: `simulated host ${toHex(serialPrefix)}`,
      ...validityFrom(clock),
    });
    return new SimulatedHost(c, clock, root, rootDer, serialPrefix, 1);
  }

  /** The root certificate (DER), index 1 of every unit's DEVICE_CERT chain. */
  get rootCertificate(): Uint8Array {
    return this.rootDer.slice();
  }

  /** A module serial no other unit of this host has or will get. */
  nextModuleSerial(): Uint8Array {
    if (this.nextSequence > MAX_SEQUENCE) throw new RangeError('this host has handed out all its module serials');
    const serial = concat(this.serialPrefix, u32be(this.nextSequence));
    this.nextSequence++;
    return serial;
  }

  /** Issue a unit's OA certificate (index 0 of its chain) under the root. */
  async certifyUnit(oaPublicPoint: Uint8Array, moduleSerial: Uint8Array): Promise<Uint8Array> {
    if (moduleSerial.length !== MODULE_SERIAL_LENGTH) throw new RangeError('a module serial is 8 bytes');
    return buildOaCertificate(this.c, {
      rootPrivateKey: this.root.privateKey,
      rootCertificate: this.rootDer,
      oaPublicPoint,
      serial: randomBytes(this.c, CERT_SERIAL_LENGTH),
      label: `crypto unit ${toHex(moduleSerial)}`,
      ...validityFrom(this.clock),
    });
  }

  /**
   * The host as bytes (versioned JSON). It holds the root's private key: keep it as safely
   * as the host itself.
   */
  async exportState(): Promise<Uint8Array> {
    return encodeState({
      format: HOST_STATE_FORMAT,
      version: HOST_STATE_VERSION,
      rootPkcs8: toHex(this.root.pkcs8),
      rootCertificate: toHex(this.rootDer),
      serialPrefix: toHex(this.serialPrefix),
      nextSequence: this.nextSequence,
    });
  }

  /** Rebuild a host from exportState(); damaged or inconsistent state is SimulatedStateError. */
  static async restore(state: Uint8Array, opts: SimulatedHostOptions = {}): Promise<SimulatedHost> {
    const c = opts.crypto ?? globalThis.crypto;
    const clock = opts.clock ?? (() => Date.now());
    const o = decodeState(state, HOST_STATE_FORMAT, HOST_STATE_VERSION);
    const pkcs8 = o.hex('rootPkcs8', [1, 4096]);
    const rootDer = o.hex('rootCertificate', [1, 16384]);
    const serialPrefix = o.hex('serialPrefix', SERIAL_PREFIX_LENGTH);
    const nextSequence = o.int('nextSequence', 1, MAX_SEQUENCE + 1);
    o.done();
    const root = await importOwnKey(c, OA_CURVE, 'ECDSA', pkcs8, 'rootPkcs8');
    let ok = false;
    try {
      const cert = parseCertificate(rootDer, 'root certificate');
      ok =
        cert.subjectKey.curve === OA_CURVE &&
        bytesEqual(cert.subjectKey.point, root.publicPoint) &&
        bytesEqual(cert.issuerDer, cert.subjectDer) &&
        (await verifyCertificateSignature(c, cert, cert.subjectKey));
    } catch (e) {
      throw new SimulatedStateError(`does not parse (${(e as Error).message})`, 'rootCertificate');
    }
    if (!ok) throw new SimulatedStateError('is not the self-signed certificate of rootPkcs8', 'rootCertificate');
    return new SimulatedHost(c, clock, root, rootDer, serialPrefix, nextSequence);
  }
}
