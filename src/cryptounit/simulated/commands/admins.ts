import { bytesEqual } from '../../../bytes/index.ts';
import { SKI_LENGTH, importPublicPoint } from '../../../crypto/index.ts';
import { CertificateError, REASON, RC, parseAdminCertificate, type AdminCertificate } from '../../protocol/index.ts';
import { UnitFault } from '../errors.ts';
import { MAX_ADMINS, isImprint } from '../state.ts';
import type { CommandHandler } from './context.ts';
import { requireLength } from './payload-form.ts';

/**
 * DOM_ADMIN_LOGIN (0x02) and DOM_ADMIN_LOGOUT (0x04), DESIGN §3.4:
 *
 *   | command | payload | imprint | after imprint        | rules and errors                              |
 *   |---------|---------|---------|----------------------|-----------------------------------------------|
 *   | LOGIN   | cert    | 0       | signature threshold  | bad cert 7/40; already there 256/38; 9th 261/39 |
 *   | LOGOUT  | SKI(32) | 0       | revocation threshold | unknown 32/32; would leave fewer admins than a threshold 209/66 |
 */
export const domAdminLogin: CommandHandler = async ({ c, state, block }) => {
  // step 7: every certificate check is payload form (7/40)
  let cert: AdminCertificate;
  try {
    cert = await parseAdminCertificate(c, block.payload);
  } catch (e) {
    if (e instanceof CertificateError) throw new UnitFault(RC.BAD_ARGUMENTS, REASON.BAD_CERTIFICATE, e.message);
    throw e;
  }
  // step 8: duplicate before count
  if (state.admins.some((a) => bytesEqual(a.ski, cert.ski))) throw new UnitFault(RC.ADMIN_EXISTS, REASON.ADMIN_EXISTS);
  if (state.admins.length >= MAX_ADMINS) throw new UnitFault(RC.TOO_MANY_ADMINS, REASON.TOO_MANY_ADMINS);
  return {
    required: isImprint(state) ? 0 : state.signThreshold,
    async execute() {
      const publicKey = await importPublicPoint(c, cert.curve, cert.publicPoint, 'ECDSA');
      const admin = { certificate: cert.der, name: cert.name, curve: cert.curve, ski: cert.ski, publicKey };
      return { state: { ...state, admins: [...state.admins, admin] } };
    },
  };
};

export const domAdminLogout: CommandHandler = async ({ state, block }) => {
  requireLength(block.payload, SKI_LENGTH, 'DOM_ADMIN_LOGOUT');
  const index = state.admins.findIndex((a) => bytesEqual(a.ski, block.payload));
  if (index < 0) throw new UnitFault(RC.INVALID_DATA, REASON.ADMIN_NOT_FOUND);
  const left = state.admins.length - 1;
  if (left < state.signThreshold || left < state.revokeThreshold) throw new UnitFault(RC.BAD_THRESHOLD, REASON.TOO_FEW_ADMINS_LEFT);
  return {
    required: isImprint(state) ? 0 : state.revokeThreshold,
    async execute() {
      return { state: { ...state, admins: state.admins.filter((_, i) => i !== index) } };
    },
  };
};
