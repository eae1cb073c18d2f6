/**
 * Return and reason codes (DESIGN §3.9), each with a plain-language message and a remedy.
 *
 *   | rc / reason           | meaning                                                        |
 *   |-----------------------|----------------------------------------------------------------|
 *   | 3 / 0, 14, 16, 17     | wrong domain index / module serial / module instance / domain instance |
 *   | 7                     | bad arguments (not DER, wrong form; 7/40 bad admin certificate) |
 *   | 32                    | invalid data (32/32 admin not found; envelope or blob does not open) |
 *   | 33                    | bad argument length                                            |
 *   | 80                    | not allowed in this register state (80/80 load needs empty new)|
 *   | 84                    | unknown command or query, or unsupported type                  |
 *   | 96                    | not found (no importer, certificate index past the chain)      |
 *   | 101/48                | verification pattern mismatch                                  |
 *   | 102                   | key needed: register empty                                     |
 *   | 163                   | invalid transaction counter                                    |
 *   | 179                   | not allowed in imprint mode                                    |
 *   | 192                   | invalid signature                                              |
 *   | 193                   | malformed signature, algorithm mismatch, or duplicate signer   |
 *   | 208                   | not enough signatures                                          |
 *   | 209/36                | leaving imprint mode with revocation threshold 0               |
 *   | 209/57, 209/58        | signature / revocation threshold greater than the number of admins |
 *   | 209/66                | removal would leave fewer admins than a threshold              |
 *   | 209/76                | signature threshold 0 outside imprint mode, or split 0/≥1      |
 *   | 256/38                | admin already exists                                           |
 *   | 257                   | unknown signer                                                 |
 *   | 261/39                | too many admins                                                |
 */
export const RC = {
  OK: 0,
  WRONG_BINDING: 3,
  BAD_ARGUMENTS: 7,
  INVALID_DATA: 32,
  BAD_LENGTH: 33,
  BAD_REGISTER_STATE: 80,
  UNKNOWN_FUNCTION: 84,
  NOT_FOUND: 96,
  VP_MISMATCH: 101,
  KEY_NEEDED: 102,
  BAD_COUNTER: 163,
  IMPRINT_MODE: 179,
  BAD_SIGNATURE: 192,
  MALFORMED_SIGNATURE: 193,
  TOO_FEW_SIGNATURES: 208,
  BAD_THRESHOLD: 209,
  ADMIN_EXISTS: 256,
  UNKNOWN_SIGNER: 257,
  TOO_MANY_ADMINS: 261,
} as const;

export const REASON = {
  NONE: 0,
  MODULE_SERIAL: 14,
  MODULE_INSTANCE: 16,
  DOMAIN_INSTANCE: 17,
  ADMIN_NOT_FOUND: 32,
  REVOKE_THR_ZERO: 36,
  ADMIN_EXISTS: 38,
  TOO_MANY_ADMINS: 39,
  BAD_CERTIFICATE: 40,
  VP_MISMATCH: 48,
  SIGN_THR_TOO_HIGH: 57,
  REVOKE_THR_TOO_HIGH: 58,
  TOO_FEW_ADMINS_LEFT: 66,
  THRESHOLDS_SPLIT: 76,
  NEW_NOT_EMPTY: 80,
} as const;

export interface ReturnCodeInfo {
  rc: number;
  /** undefined = any reason of this rc without a more specific entry */
  reason?: number;
  message: string;
  remedy: string;
}

export const RETURN_CODES: readonly ReturnCodeInfo[] = [
  { rc: 0, message: 'Done.', remedy: 'Nothing to do.' },
  { rc: 3, reason: 0, message: 'The command was prepared for another domain index than this crypto unit has.', remedy: 'Check that the unit was chosen correctly, refresh its state and prepare the command again.' },
  { rc: 3, reason: 14, message: 'The command was prepared for another crypto module (module serial differs).', remedy: 'The command belongs to a different unit. Refresh the instance and prepare the command for this unit.' },
  { rc: 3, reason: 16, message: 'The command was prepared for another instance of this crypto module (module instance differs).', remedy: 'The module was replaced or reinitialised. Refresh the instance, check the unit\'s identity and prepare the command again.' },
  { rc: 3, reason: 17, message: 'The command was prepared before the domain was zeroized (domain instance differs).', remedy: 'Signatures made before a zeroize can never be used again. Refresh the unit and collect new signatures.' },
  { rc: 3, message: 'The command was prepared for another unit or domain.', remedy: 'Refresh the unit state and prepare the command again.' },
  { rc: 7, reason: 40, message: 'The administrator certificate is not acceptable (bad encoding, signature, curve, key identifier, or name).', remedy: 'Create the administrator again with webtke, or check that the certificate is an unmodified webtke/TKE administrator certificate.' },
  { rc: 7, message: 'The request was malformed (not DER, or a field of the wrong form).', remedy: 'This is a client or transport fault. Retry; if it persists, export the journal and report it.' },
  { rc: 32, reason: 32, message: 'That administrator is not installed on the unit.', remedy: 'Refresh the administrator list; the administrator may already have been removed.' },
  { rc: 32, message: 'The data did not open: a key part envelope or key blob failed its check.', remedy: 'For a key part, generate a new importer key and wrap the part again; check the custodian used the right unit. For a key blob, check it belongs to this instance and its current master key.' },
  { rc: 33, message: 'A field has the wrong length.', remedy: 'This is a client fault. Retry; if it persists, report it with the journal.' },
  { rc: 80, reason: 80, message: 'The new master key register is not empty, so parts cannot be loaded.', remedy: 'Clear the new master key register first, then load all parts again.' },
  { rc: 80, message: 'Not allowed in the current state of the master key registers.', remedy: 'Refresh the unit: commit needs a loaded, uncommitted register; set immediate and re-encipher need a committed one.' },
  { rc: 84, message: 'The unit does not know this command, query or key type.', remedy: 'The unit runs a different protocol version. Check the unit and the webtke version.' },
  { rc: 96, message: 'Not found: there is no importer key, or no certificate at that index.', remedy: 'Generate an importer key first (it is used up by each load), or ask for an index within the chain.' },
  { rc: 101, reason: 48, message: 'The verification pattern does not match the register.', remedy: 'The register holds a different key than the one you confirmed. Compare the VPs on paper before going on; clear the new register if it is wrong.' },
  { rc: 101, message: 'Verification pattern mismatch.', remedy: 'Compare the verification patterns before going on.' },
  { rc: 102, message: 'A master key is needed, but the register is empty.', remedy: 'Load and activate a master key first (or load and commit the new register).' },
  { rc: 163, message: 'The transaction counter does not match: the command is a replay, out of order, or stale.', remedy: 'Refresh the unit and prepare the command again with fresh signatures.' },
  { rc: 179, message: 'Not allowed while the unit is in imprint mode.', remedy: 'Add administrators and set the thresholds to leave imprint mode first.' },
  { rc: 192, message: 'A signature does not verify.', remedy: 'Sign again with the right administrator key; check the command was not changed after signing.' },
  { rc: 193, message: 'A signature is malformed, uses the wrong algorithm for its key, or an administrator signed twice.', remedy: 'Have each administrator sign once, with their own key.' },
  { rc: 208, message: 'Not enough administrator signatures.', remedy: 'Collect signatures from as many administrators as the threshold requires.' },
  { rc: 209, reason: 36, message: 'Leaving imprint mode needs a revocation threshold of at least 1.', remedy: 'Set both thresholds to 1..8 in the same command.' },
  { rc: 209, reason: 57, message: 'The signature threshold is greater than the number of administrators.', remedy: 'Add more administrators first, or choose a lower signature threshold.' },
  { rc: 209, reason: 58, message: 'The revocation threshold is greater than the number of administrators.', remedy: 'Add more administrators first, or choose a lower revocation threshold.' },
  { rc: 209, reason: 66, message: 'Removing this administrator would leave fewer administrators than a threshold.', remedy: 'Lower the thresholds first, or add another administrator before removing this one.' },
  { rc: 209, reason: 76, message: 'The thresholds must both be 0 (imprint mode) or both be 1..8; only zeroize returns a unit to imprint mode.', remedy: 'Set both thresholds to 1..8 together.' },
  { rc: 209, message: 'The threshold settings are not allowed.', remedy: 'Check the thresholds against the number of administrators.' },
  { rc: 256, reason: 38, message: 'That administrator is already installed.', remedy: 'Nothing to do; refresh the administrator list.' },
  { rc: 257, message: 'A signer is not an administrator of this unit.', remedy: 'Only installed administrators can sign; add the administrator first or choose another signer.' },
  { rc: 261, reason: 39, message: 'The unit already has the maximum of 8 administrators.', remedy: 'Remove an administrator before adding another.' },
];

/** The message and remedy for an rc/reason pair (exact reason first, then the rc's general entry). */
export function describeReturnCode(rc: number, reason = 0): ReturnCodeInfo {
  return (
    RETURN_CODES.find((e) => e.rc === rc && e.reason === reason) ??
    RETURN_CODES.find((e) => e.rc === rc && e.reason === undefined) ??
    RETURN_CODES.find((e) => e.rc === rc) ?? {
      rc,
      reason,
      message: `The unit answered with an unknown return code ${rc}/${reason}.`,
      remedy: 'Check that the unit and webtke speak the same protocol version; report this with the journal.',
    }
  );
}
