import { toHex } from '../bytes/index.ts';
import type { CurveName } from '../crypto/index.ts';
import { CertificateError, parseAdminCertificate } from '../cryptounit/protocol/index.ts';
import { inTransaction, isConstraintError, type StoreContext } from './context.ts';
import { AlreadyExistsError, InvalidRecordError, NotFoundError } from './errors.ts';
import { checkBytes, checkHex, checkKeys, checkObject, checkString, SKI_HEX_LENGTH } from './fields.ts';
import { INDEXES, STORES } from './schema.ts';
import { assertNoSecrets } from './secret-guard.ts';

/**
 * The admin directory: the administrator certificates this workstation knows, keyed by SKI.
 * The SKI, name and curve are read from the certificate itself (with every check a unit
 * makes, DESIGN §3.2), so a record can never disagree with its certificate.
 *
 *   | field       | type                                                              |
 *   |-------------|-------------------------------------------------------------------|
 *   | ski         | 64 hex digits: SHA-256 of the public point (the key)              |
 *   | name        | the certificate's CN, trailing spaces trimmed                     |
 *   | curve       | 'P-256' / 'P-384' / 'P-521'                                        |
 *   | certificate | DER of the self-signed admin certificate, as given                |
 *   | location    | where the signature key lives (below)                             |
 *   | added       | ms since 1970                                                     |
 */
export type AdminLocation =
  /** a webtke signature key file (the file name the user picked) */
  | { kind: 'software'; fileName: string }
  /** a smart card applet, with the card's serial as the card reports it */
  | { kind: 'card'; card: 'piv' | 'openpgp'; serial: string }
  /** an IBM TKE CLI signature key file imported by name */
  | { kind: 'ibm-import'; fileName: string }
  /** known only from a unit's admin list: this workstation has no access to the key */
  | { kind: 'unit' };

export interface AdminRecord {
  ski: string;
  name: string;
  curve: CurveName;
  certificate: Uint8Array;
  location: AdminLocation;
  added: number;
}

export interface AdminDirectory {
  /**
   * Add a certificate. A certificate that fails the unit's checks is InvalidRecordError; an
   * SKI already in the directory is AlreadyExistsError (use setLocation to move it).
   */
  add(certificate: Uint8Array, location: AdminLocation): Promise<AdminRecord>;
  get(ski: string): Promise<AdminRecord | undefined>;
  /** All admins, by name, then SKI. */
  list(): Promise<AdminRecord[]>;
  /** Admins whose certificate carries this name (names need not be unique). */
  findByName(name: string): Promise<AdminRecord[]>;
  setLocation(ski: string, location: AdminLocation): Promise<AdminRecord>;
  remove(ski: string): Promise<void>;
}

const MAX_CERTIFICATE = 4096;
const MAX_FIELD = 200;

function checkLocation(v: unknown): AdminLocation {
  const o = checkObject(v, 'location');
  switch (o.kind) {
    case 'software':
    case 'ibm-import':
      checkKeys(o, 'location', ['kind', 'fileName']);
      return { kind: o.kind, fileName: checkString(o.fileName, 'location.fileName', { max: MAX_FIELD }) };
    case 'card':
      checkKeys(o, 'location', ['kind', 'card', 'serial']);
      if (o.card !== 'piv' && o.card !== 'openpgp') throw new InvalidRecordError('location.card', "must be 'piv' or 'openpgp'");
      return { kind: 'card', card: o.card, serial: checkString(o.serial, 'location.serial', { max: MAX_FIELD }) };
    case 'unit':
      checkKeys(o, 'location', ['kind']);
      return { kind: 'unit' };
    default:
      throw new InvalidRecordError('location.kind', "must be 'software', 'card', 'ibm-import' or 'unit'");
  }
}

const checkSki = (ski: unknown): string => checkHex(ski, 'ski', SKI_HEX_LENGTH / 2);

export function adminDirectory(ctx: StoreContext): AdminDirectory {
  return {
    async add(certificate, location) {
      assertNoSecrets(location);
      const der = checkBytes(certificate, 'certificate', MAX_CERTIFICATE);
      const loc = checkLocation(location);
      let cert;
      try {
        cert = await parseAdminCertificate(ctx.crypto, der);
      } catch (e) {
        if (e instanceof CertificateError) throw new InvalidRecordError('certificate', e.message);
        throw e;
      }
      const rec: AdminRecord = { ski: toHex(cert.ski), name: cert.name, curve: cert.curve, certificate: der, location: loc, added: ctx.now() };
      try {
        await inTransaction(ctx, [STORES.admins], 'readwrite', async (tx) => {
          await tx.store.add(rec);
        });
      } catch (e) {
        if (isConstraintError(e)) throw new AlreadyExistsError('admin', rec.ski);
        throw e;
      }
      return rec;
    },

    get: async (ski) => ctx.db().get(STORES.admins, checkSki(ski)),

    async list() {
      const all = await ctx.db().getAll(STORES.admins);
      return all.sort((a, b) => a.name.localeCompare(b.name) || (a.ski < b.ski ? -1 : a.ski > b.ski ? 1 : 0));
    },

    findByName: async (name) => ctx.db().getAllFromIndex(STORES.admins, INDEXES.adminsByName, name),

    async setLocation(ski, location) {
      assertNoSecrets(location);
      const key = checkSki(ski);
      const loc = checkLocation(location);
      return inTransaction(ctx, [STORES.admins], 'readwrite', async (tx) => {
        const rec = await tx.store.get(key);
        if (!rec) throw new NotFoundError('admin', key);
        rec.location = loc;
        await tx.store.put(rec);
        return rec;
      });
    },

    async remove(ski) {
      const key = checkSki(ski);
      await inTransaction(ctx, [STORES.admins], 'readwrite', async (tx) => {
        if (!(await tx.store.get(key))) throw new NotFoundError('admin', key);
        await tx.store.delete(key);
      });
    },
  };
}
