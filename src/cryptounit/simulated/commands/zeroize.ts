import { bytesEqual } from '../../../bytes/index.ts';
import { randomBytes, type WebCrypto } from '../../../crypto/index.ts';
import { DOMAIN_INSTANCE_LENGTH } from '../../protocol/index.ts';
import { isImprint } from '../state.ts';
import type { CommandHandler } from './context.ts';
import { requireEmpty } from './payload-form.ts';

/**
 * DOM_ZEROIZE (0x10), DESIGN §3.4: empty payload; no signature in imprint mode, one after.
 * Removes every admin, sets both thresholds to 0, clears both registers, destroys the
 * importer and draws a new domain instance (different from the old one). The counter, the
 * OA key, the module identity and the host root stay.
 */
export function newDomainInstance(c: WebCrypto, old: Uint8Array): Uint8Array {
  for (;;) {
    const next = randomBytes(c, DOMAIN_INSTANCE_LENGTH);
    if (!bytesEqual(next, old)) return next;
  }
}

export const domZeroize: CommandHandler = async ({ c, state, block }) => {
  requireEmpty(block.payload, 'DOM_ZEROIZE');
  return {
    required: isImprint(state) ? 0 : 1,
    async execute() {
      return {
        state: {
          counter: state.counter,
          domainInstance: newDomainInstance(c, state.domainInstance),
          admins: [],
          signThreshold: 0,
          revokeThreshold: 0,
          current: null,
          next: null,
          importer: null,
        },
      };
    },
  };
};
