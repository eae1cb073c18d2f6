import type { DBSchema } from 'idb';
import type { AdminRecord } from './admins.ts';
import type { InstanceRecord } from './instances.ts';
import type { JournalEntry } from './journal.ts';
import type { KeyPartRecord } from './key-parts.ts';
import type { KeyRecord, RotationRecord } from './key-storage.ts';
import type { SettingRecord } from './settings.ts';
import type { SimKeyRecord, SimStateRow } from './sim-state.ts';

/**
 * The IndexedDB schema at the current version (docs/store.md has the same table).
 *
 *   | object store | key (keyPath)            | indexes                                              | since |
 *   |--------------|--------------------------|------------------------------------------------------|-------|
 *   | instances    | id                       |                                                      | v1    |
 *   | admins       | ski                      | name                                                 | v1    |
 *   | keyParts     | id                       | vp                                                   | v1    |
 *   | journal      | seq                      | instanceId                                           | v1    |
 *   | keyRecords   | [instanceId, keyId]      | instanceId; instanceVp [instanceId, vp];             | v2    |
 *   |              |                          | instanceNextVp [instanceId, nextVp]                  |       |
 *   | rotations    | instanceId               |                                                      | v2    |
 *   | simState     | [instanceId, slot]       | instanceId                                           | v2    |
 *   | simKeys      | instanceId               |                                                      | v2    |
 *   | settings     | key                      |                                                      | v2    |
 */
export const DEFAULT_DB_NAME = 'webtke';

export const STORES = {
  instances: 'instances',
  admins: 'admins',
  keyParts: 'keyParts',
  journal: 'journal',
  keyRecords: 'keyRecords',
  rotations: 'rotations',
  simState: 'simState',
  simKeys: 'simKeys',
  settings: 'settings',
} as const;

export const INDEXES = {
  adminsByName: 'name',
  keyPartsByVp: 'vp',
  journalByInstance: 'instanceId',
  keyRecordsByInstance: 'instanceId',
  keyRecordsByVp: 'instanceVp',
  keyRecordsByNextVp: 'instanceNextVp',
  simStateByInstance: 'instanceId',
} as const;

export interface WebtkeDB extends DBSchema {
  instances: { key: string; value: InstanceRecord };
  admins: { key: string; value: AdminRecord; indexes: { name: string } };
  keyParts: { key: string; value: KeyPartRecord; indexes: { vp: string } };
  journal: { key: number; value: JournalEntry; indexes: { instanceId: string } };
  keyRecords: {
    key: [string, string];
    value: KeyRecord;
    indexes: { instanceId: string; instanceVp: [string, string]; instanceNextVp: [string, string] };
  };
  rotations: { key: string; value: RotationRecord };
  simState: { key: [string, string]; value: SimStateRow; indexes: { instanceId: string } };
  simKeys: { key: string; value: SimKeyRecord };
  settings: { key: string; value: SettingRecord };
}
