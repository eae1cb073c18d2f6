/**
 * What a state-changing command means, in words, computed from the AdminBlock alone. An admin
 * who signs on another device reads this text; because it is derived from the very bytes they
 * sign, a description that does not match its block is caught (prepared-command.ts).
 */
import { groupedHex, readU32be } from '../../bytes/index.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import {
  Attribute, bindingOf, codeName, Command, decodeAttributePairs, decodeKeyAgreeRecipientInfo, ImporterKeyType,
  parseAdminCertificate, readCounter, type AdminBlock,
} from '../protocol/index.ts';
import { describeUnit } from './identity.ts';

/** The first 8 bytes of an SKI, grouped: enough to tell admins apart on paper. */
export const shortSki = (ski: Uint8Array): string => `${groupedHex(ski.subarray(0, 8))} …`;

async function describePayload(c: WebCrypto, command: number, p: Uint8Array): Promise<string> {
  switch (command) {
    case Command.DOM_ADMIN_LOGIN:
      try {
        const a = await parseAdminCertificate(c, p);
        return `Add administrator "${a.name}" (${a.curve} key, SKI ${shortSki(a.ski)}).`;
      } catch (e) {
        return `Add an administrator whose certificate is NOT valid (${(e as Error).message}).`;
      }
    case Command.DOM_ADMIN_LOGOUT:
      return p.length === 32 ? `Remove the administrator with SKI ${shortSki(p)}.` : `Remove an administrator (malformed SKI of ${p.length} bytes).`;
    case Command.DOM_SET_ATTR: {
      const pairs = decodeAttributePairs(p);
      if (!pairs || pairs.length === 0) return 'Set thresholds (malformed attribute list).';
      const words = pairs.map(({ index, value }) =>
        index === Attribute.SIGN_THR ? `the signature threshold to ${value}`
          : index === Attribute.REVOKE_THR ? `the revocation threshold to ${value}`
            : `attribute ${index} to ${value}`,
      );
      return `Set ${words.join(' and ')}.`;
    }
    case Command.GEN_IMPORTER: {
      const type = p.length === 4 ? readU32be(p) : -1;
      const curve = type === ImporterKeyType.P256 ? 'P-256' : type === ImporterKeyType.P521 ? 'P-521' : `unknown type ${type}`;
      return `Generate a new ${curve} importer key (it replaces any existing importer key).`;
    }
    case Command.IMPORT_WK:
      try {
        const k = decodeKeyAgreeRecipientInfo(p);
        return `Load one master key part into the new master key register (the part is encrypted to importer key SKI ${shortSki(k.recipientSki)}).`;
      } catch {
        return 'Load one master key part into the new master key register (the envelope does not decode).';
      }
    case Command.COMMIT_WK:
      return `Commit the new master key register with verification pattern ${groupedHex(p)}.`;
    case Command.FINALIZE_WK:
      return `Set immediate: make the committed new master key (verification pattern ${groupedHex(p)}) the current master key, and clear the new register.`;
    case Command.CLEAR_WK:
      return 'Clear the current master key register.';
    case Command.CLEAR_NEXT_WK:
      return 'Clear the new master key register.';
    case Command.DOM_ZEROIZE:
      return 'Zeroize the domain: remove every administrator, clear both master key registers and the importer key, and return to imprint mode.';
    default:
      return `Run ${codeName(command)}.`;
  }
}

/** "Set the signature threshold to 2 and the revocation threshold to 2. Unit: …, transaction counter 3." */
export async function describeAdminBlock(c: WebCrypto, block: AdminBlock): Promise<string> {
  const what = await describePayload(c, block.command, block.payload);
  const unit = block.domain.length === 8 && block.module.length === 16 ? describeUnit(bindingOf(block.domain, block.module)) : 'no unit binding';
  return `${what} Unit: ${unit}; transaction counter ${readCounter(block.counter)}.`;
}
