/**
 * Simple administrators for tests: a WebCrypto ECDSA key pair, its self-signed admin
 * certificate, and an AdminSigner that signs AdminBlocks into SignerInfos. Keys are made with
 * crypto.subtle.generateKey (never node:crypto's generateKeyPairSync; see HELPERS.md).
 */
import {
  exportPublicPoint, ecdsaSign, generateEcKeyPair, subjectKeyIdentifier, type CurveName, type WebCrypto,
} from '../../src/crypto/index.ts';
import { buildAdminCertificate, createSignerInfo } from '../../src/cryptounit/protocol/index.ts';
import type { AdminSigner } from '../../src/cryptounit/client.ts';

export interface TestAdmin extends AdminSigner {
  readonly name: string;
  /** DER of the self-signed admin certificate */
  readonly certificate: Uint8Array;
  readonly publicPoint: Uint8Array;
  readonly keyPair: CryptoKeyPair;
  /** how many times sign() ran */
  readonly signCount: number;
}

export async function createTestAdmin(c: WebCrypto, name: string, curve: CurveName = 'P-256'): Promise<TestAdmin> {
  const keyPair = await generateEcKeyPair(c, curve, 'ECDSA');
  const publicPoint = await exportPublicPoint(c, keyPair.publicKey);
  const ski = await subjectKeyIdentifier(c, publicPoint);
  const certificate = await buildAdminCertificate(c, {
    name,
    curve,
    publicPoint,
    sign: (tbs) => ecdsaSign(c, curve, keyPair.privateKey, tbs),
  });
  let count = 0;
  return {
    name,
    curve,
    ski,
    certificate,
    publicPoint,
    keyPair,
    get signCount() {
      return count;
    },
    async sign(adminBlockDer: Uint8Array): Promise<Uint8Array> {
      count++;
      return createSignerInfo(c, curve, keyPair.privateKey, ski, adminBlockDer);
    },
  };
}

/** Several admins at once, named "Admin 1", "Admin 2", … unless names are given. */
export async function createTestAdmins(c: WebCrypto, count: number, curve: CurveName = 'P-256', names?: string[]): Promise<TestAdmin[]> {
  const out: TestAdmin[] = [];
  for (let i = 0; i < count; i++) out.push(await createTestAdmin(c, names?.[i] ?? `Admin ${i + 1}`, curve));
  return out;
}
