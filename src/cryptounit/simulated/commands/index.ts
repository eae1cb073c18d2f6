import { Command, KeyStorageOp, Query } from '../../protocol/index.ts';
import type { CommandHandler } from './context.ts';
import { domAdminLogin, domAdminLogout } from './admins.ts';
import { domSetAttr } from './thresholds.ts';
import { genImporter } from './importer.ts';
import { importWk } from './import-wk.ts';
import { clearNextWk, clearWk, commitWk, finalizeWk } from './registers.ts';
import { domZeroize } from './zeroize.ts';
import { queryDeviceCert, queryDomAdmin, queryDomAttrs, queryDomainInfo, queryImporter } from './queries.ts';
import { generateKey, reencrypt, unwrapData, wrapData } from './key-storage.ts';

/** Every code the unit knows (step 3 of DESIGN §3.3: anything else is 84). */
export const HANDLERS: ReadonlyMap<number, CommandHandler> = new Map<number, CommandHandler>([
  [Command.DOM_ADMIN_LOGIN, domAdminLogin],
  [Command.DOM_ADMIN_LOGOUT, domAdminLogout],
  [Command.DOM_SET_ATTR, domSetAttr],
  [Command.GEN_IMPORTER, genImporter],
  [Command.IMPORT_WK, importWk],
  [Command.COMMIT_WK, commitWk],
  [Command.FINALIZE_WK, finalizeWk],
  [Command.DOM_ZEROIZE, domZeroize],
  [Command.CLEAR_WK, clearWk],
  [Command.CLEAR_NEXT_WK, clearNextWk],
  [Query.DOMADMIN, queryDomAdmin],
  [Query.DOM_ATTRS, queryDomAttrs],
  [Query.DEVICE_CERT, queryDeviceCert],
  [Query.IMPORTER, queryImporter],
  [Query.DOMAIN_INFO, queryDomainInfo],
  [KeyStorageOp.GENERATE_KEY, generateKey],
  [KeyStorageOp.WRAP, wrapData],
  [KeyStorageOp.UNWRAP, unwrapData],
  [KeyStorageOp.REENCRYPT, reencrypt],
]);

/** The state-changing commands imprint mode allows (step 6: the others are 179). */
export const IMPRINT_ALLOWED: ReadonlySet<number> = new Set<number>([
  Command.DOM_ADMIN_LOGIN,
  Command.DOM_ADMIN_LOGOUT,
  Command.DOM_SET_ATTR,
  Command.DOM_ZEROIZE,
]);

export type { CommandHandler, CommandContext, CommandPlan, Outcome } from './context.ts';
