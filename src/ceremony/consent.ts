/**
 * The consent interface: the only way the engine asks a person for anything. The UI implements
 * it (tests implement it with software custodians). Secrets never pass through the engine:
 * signers come back already opened, and key parts come back already wrapped.
 *
 *   | call          | the UI …                                                                  | returns |
 *   |---------------|---------------------------------------------------------------------------|---------|
 *   | chooseSigners | shows exactly what is signed (words + block SHA-256 per unit), asks each needed admin in turn for the password or PIN, opens their signers | opened AdminSigners; the engine signs every unit's block with each, then calls close() |
 *   | wrapParts     | asks each custodian for the secret and calls holder.wrapForImporters(partId, spkis, secret) itself | envelopes[part][unit], in the order asked |
 *   | confirm       | asks a yes/no for destructive steps and drift decisions (typing the phrase when given) | true to go on |
 *   | progress      | shows a progress bar                                                      | nothing |
 *
 * Rejecting (throwing) from chooseSigners, wrapParts or confirm cancels the step before anything
 * is sent; the engine reports it as ConsentError('declined').
 */
import type { PreparedCommand } from '../cryptounit/client.ts';
import type { AdminSigner, KeyPartHolder, KeyPartInfo } from '../custodian/index.ts';
import type { AdminRecord } from '../store/index.ts';

/** Which step is asking. */
export interface StepInfo {
  /** the plan that runs, e.g. "load-master-key" */
  plan: string;
  /** a stable step name, e.g. "commit" or "import-part-2" */
  step: string;
  /** words for the person, e.g. "Commit the new master key 1A2B 3C4D …" */
  title: string;
}

export interface SignatureUnit {
  unitId: string;
  label: string;
  prepared: PreparedCommand;
  /** what the block does, derived from its bytes (= prepared.description) */
  description: string;
  /** SHA-256 of the AdminBlock, grouped hex ("9F86 D081 …") for comparing on paper */
  blockSha256: string;
}

export interface SignerRequest {
  step: StepInfo;
  /**
   * one entry per block to sign (usually one per unit; a unit appears again when the step sends
   * it several commands, e.g. three admins added at once); each signer signs every one of them
   */
  units: SignatureUnit[];
  /** distinct administrator signatures needed on each block */
  required: number;
  /** administrators installed on every unit listed (directory records, or read from the unit) */
  candidates: AdminRecord[];
}

export interface PartToWrap {
  holder: KeyPartHolder;
  partId: string;
  /** description and VP, as the holder shows them */
  info: KeyPartInfo;
}

export interface ImporterTarget {
  unitId: string;
  label: string;
  /** DER SubjectPublicKeyInfo of the unit's importer key */
  spki: Uint8Array;
  /** hex SHA-256 of the importer point */
  ski: string;
}

export interface WrapRequest {
  step: StepInfo;
  parts: PartToWrap[];
  importers: ImporterTarget[];
}

export interface ConfirmRequest {
  step: StepInfo;
  title: string;
  detail: string;
  /** when set, the person must type exactly this to go on */
  typedPhrase?: string;
  /** 'destructive' for steps that cannot be undone; 'drift' for going on despite drift */
  kind: 'destructive' | 'drift';
}

export interface ProgressReport {
  step: StepInfo;
  done: number;
  total: number;
}

export interface Consent {
  chooseSigners(req: SignerRequest): Promise<AdminSigner[]>;
  /** envelopes[i][j]: part i wrapped for importer j (DER KeyAgreeRecipientInfo) */
  wrapParts(req: WrapRequest): Promise<Uint8Array[][]>;
  confirm(req: ConfirmRequest): Promise<boolean>;
  progress(report: ProgressReport): void;
}
