/**
 * What every plan and step of the engine works with: the instance, a way to reach each unit,
 * the store, the journal, the consent interface and the platform objects. Built by the
 * composition root (instance-runtime.ts); tests build it the same way.
 */
import type { WebCrypto } from '../crypto/index.ts';
import type { InstanceRecord, KeyStorage, WebtkeStore } from '../store/index.ts';
import type { AdminCertificates } from './admin-certificates.ts';
import type { Consent } from './consent.ts';
import type { DriftFinding } from './drift.ts';
import type { CeremonyJournal } from './journal.ts';
import type { InstanceSnapshot, UnitLink } from './snapshot.ts';

export interface EngineContext {
  readonly instance: InstanceRecord;
  readonly units: readonly UnitLink[];
  readonly store: WebtkeStore;
  readonly journal: CeremonyJournal;
  readonly consent: Consent;
  readonly crypto: WebCrypto;
  /** ms since 1970 */
  readonly now: () => number;
  /** the store's key storage for a simulated instance; null for a remote one */
  readonly keyStorage: KeyStorage | null;
  /** admin certificates seen so far, parsed once */
  readonly adminCertificates: AdminCertificates;
  /** blobs per REENCRYPT request (1..1024) */
  readonly reencryptBatchSize: number;
  /** query every unit and the key storage now */
  refresh(): Promise<InstanceSnapshot>;
}

/** One unit's part of a step's outcome. */
export interface StepUnitReport {
  unitId: string;
  /** the unit's counter after the command, in decimal */
  counter?: string;
}

export interface StepReport {
  /** stable step name, e.g. "commit" */
  step: string;
  title: string;
  /** one entry per command the step completed, in order (a unit appears once per command) */
  units: StepUnitReport[];
  /** true when no unit needed the step */
  skipped: boolean;
  /** drift findings of the snapshot taken after the step */
  driftAfter: DriftFinding[];
}

/** The state of one plan run (only for its own duration: nothing here outlives the run). */
export interface PlanRun {
  readonly plan: string;
  /** drift digests the person accepted during this run (asked once per digest) */
  readonly acceptedDrift: Set<string>;
  readonly steps: StepReport[];
}

export const newPlanRun = (plan: string): PlanRun => ({ plan, acceptedDrift: new Set(), steps: [] });
