/**
 * Administrator certificates the engine has seen, by SKI, parsed and checked once (the same
 * checks a unit makes, DESIGN §3.2), with the public key ready to check signatures. A
 * certificate is a fixed fact about its key, so the cache lives as long as the runtime.
 *
 * Used to offer candidates to chooseSigners (a certificate read from a unit when the directory
 * does not have it) and to check each SignerInfo before anything is sent: it decodes, names the
 * signer's SKI, uses the algorithms of the admin's curve, and verifies over the block.
 */
import { toHex } from '../bytes/index.ts';
import { importPublicPoint, type WebCrypto } from '../crypto/index.ts';
import { decodeSignerInfo, parseAdminCertificate, signerInfoCurve, verifySignerInfo, type AdminCertificate } from '../cryptounit/protocol/index.ts';

export interface KnownAdmin {
  certificate: AdminCertificate;
  key: CryptoKey;
}

export class AdminCertificates {
  private readonly known = new Map<string, Promise<KnownAdmin>>();

  constructor(private readonly c: WebCrypto) {}

  /** The admin with this SKI (hex); `der` gives its certificate when not known yet. */
  get(ski: string, der: () => Promise<Uint8Array>): Promise<KnownAdmin> {
    const key = ski.toLowerCase();
    let p = this.known.get(key);
    if (!p) {
      p = (async () => {
        const certificate = await parseAdminCertificate(this.c, await der());
        if (toHex(certificate.ski) !== key) throw new Error(`the certificate given for ${key.slice(0, 8)}… belongs to another key`);
        return { certificate, key: await importPublicPoint(this.c, certificate.curve, certificate.publicPoint, 'ECDSA') };
      })();
      this.known.set(key, p);
      p.catch(() => this.known.delete(key));
    }
    return p;
  }

  /** Why `signerInfo` is not a valid signature of `admin` over `block`, or null when it is. */
  async problem(admin: KnownAdmin, block: Uint8Array, signerInfo: Uint8Array): Promise<string | null> {
    let si: ReturnType<typeof decodeSignerInfo>;
    try {
      si = decodeSignerInfo(signerInfo);
    } catch (e) {
      return `not a valid SignerInfo (${(e as Error).message})`;
    }
    const cert = admin.certificate;
    if (toHex(si.ski) !== toHex(cert.ski)) return `${cert.name}'s signer returned a signature of key ${toHex(si.ski).slice(0, 8)}…`;
    if (signerInfoCurve(si) !== cert.curve) return `the signature algorithms do not fit ${cert.name}'s ${cert.curve} key`;
    if (!(await verifySignerInfo(this.c, cert.curve, admin.key, block, si))) return `${cert.name}'s signature does not verify over this command`;
    return null;
  }
}
