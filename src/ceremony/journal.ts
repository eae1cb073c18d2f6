/**
 * The ceremony journal (DESIGN §5) over the store's hash-chained journal: what the engine
 * writes, and how it reads it back.
 *
 *   | entry    | written                                  | holds                                                   |
 *   |----------|------------------------------------------|---------------------------------------------------------|
 *   | intent   | before a command is sent (write-ahead)   | unit, command, counter, block SHA-256, signers (name, SKI), VPs before, the block's description |
 *   | result   | after the unit answered (authentically)  | ref → intent, rc/reason (+ message), counter, VPs after  |
 *   | error    | when no authentic answer came            | ref → intent, the failure in words; the command may or may not have run |
 *   | decision | a person accepted or refused drift or a destructive step | the question, the answer, the drift digest   |
 *   | note     | plan start/end, key storage events, root pinned on first use | text and labelled fields               |
 *
 * The entries are plain data: never a secret (no part, no envelope, no password, no private key;
 * the store's secret guard refuses secret-named fields as a second line).
 */
import { toHex } from '../bytes/index.ts';
import { ResponseAuthError, UnitError } from '../cryptounit/client.ts';
import { codeName } from '../cryptounit/protocol/index.ts';
import { UnitTransportError } from '../cryptounit/transport.ts';
import {
  verifyJournalExport, type InstanceRecord, type JournalEntry, type JournalEntryInput, type JournalVerification, type RegisterVps,
  type WebtkeStore,
} from '../store/index.ts';
import { buildTranscript, type TranscriptFormat } from './transcript.ts';

export interface SignerName {
  /** 32-byte SKI (bytes or hex) */
  ski: Uint8Array | string;
  name?: string;
}

export interface IntentInput {
  unitId: string;
  /** command, query or key-storage code */
  command: number;
  counter?: bigint;
  blockSha256?: Uint8Array;
  signers?: readonly SignerName[];
  vpBefore?: RegisterVps;
  text: string;
  fields?: Record<string, string>;
}

export interface ResultInput {
  unitId: string;
  command: number;
  /** the unit's counter after the command */
  counter?: bigint;
  vpAfter?: RegisterVps;
  rc?: number;
  reason?: number;
  text: string;
  fields?: Record<string, string>;
}

const name = (code: number): string => codeName(code).replace(/ \(0x[0-9A-F]+\)$/, '');
const skiHex = (s: Uint8Array | string): string => (typeof s === 'string' ? s.toLowerCase() : toHex(s));

/** Words and data of a failure, for an 'error' (or non-zero 'result') entry. */
export function failureEntry(e: unknown): Pick<JournalEntryInput, 'kind' | 'rc' | 'reason' | 'text' | 'fields'> {
  if (e instanceof UnitError) return { kind: 'result', rc: e.rc, reason: e.reason, text: `${e.detail} ${e.remedy}` };
  if (e instanceof UnitTransportError) {
    return { kind: 'error', text: `No answer: ${e.message} The command may or may not have run. ${e.remedy ?? ''}`.trim(), fields: { failure: e.failure } };
  }
  if (e instanceof ResponseAuthError) return { kind: 'error', text: `${e.message} ${e.remedy}`, fields: { failure: `response-${e.check}` } };
  const err = e as { name?: string; message?: string };
  return { kind: 'error', text: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
}

export class CeremonyJournal {
  constructor(
    private readonly store: WebtkeStore,
    readonly instanceId: string,
  ) {}

  private async append(input: Omit<JournalEntryInput, 'instanceId'>): Promise<JournalEntry> {
    return this.store.journal.append({ instanceId: this.instanceId, ...input });
  }

  /** Before a command is sent. Returns the entry's seq (the result names it). */
  async intent(i: IntentInput): Promise<number> {
    const e = await this.append({
      kind: 'intent',
      unitId: i.unitId,
      command: name(i.command),
      commandCode: i.command,
      ...(i.counter !== undefined ? { counter: i.counter.toString() } : {}),
      ...(i.blockSha256 ? { blockSha256: toHex(i.blockSha256) } : {}),
      ...(i.signers ? { signers: i.signers.map((s) => ({ ski: skiHex(s.ski), ...(s.name ? { name: s.name } : {}) })) } : {}),
      ...(i.vpBefore ? { vpBefore: i.vpBefore } : {}),
      text: i.text,
      ...(i.fields ? { fields: i.fields } : {}),
    });
    return e.seq;
  }

  /** After an authentic answer (rc 0 unless given). */
  async result(ref: number, r: ResultInput): Promise<number> {
    const e = await this.append({
      kind: 'result',
      ref,
      unitId: r.unitId,
      command: name(r.command),
      commandCode: r.command,
      ...(r.counter !== undefined ? { counter: r.counter.toString() } : {}),
      ...(r.vpAfter ? { vpAfter: r.vpAfter } : {}),
      rc: r.rc ?? 0,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      text: r.text,
      ...(r.fields ? { fields: r.fields } : {}),
    });
    return e.seq;
  }

  /** After a failure: a non-zero result for a unit error, an 'error' entry otherwise. */
  async failure(ref: number | undefined, unitId: string | undefined, command: number | undefined, error: unknown, extra?: { counter?: bigint; vpAfter?: RegisterVps }): Promise<number> {
    const f = failureEntry(error);
    const e = await this.append({
      ...f,
      ...(ref !== undefined ? { ref } : {}),
      ...(unitId ? { unitId } : {}),
      ...(command !== undefined ? { command: name(command), commandCode: command } : {}),
      ...(extra?.counter !== undefined ? { counter: extra.counter.toString() } : {}),
      ...(extra?.vpAfter ? { vpAfter: extra.vpAfter } : {}),
    });
    return e.seq;
  }

  /** A person's decision (accepted or not), with what it was about. */
  async decision(d: { step: string; question: string; detail: string; accepted: boolean; digest?: string; unitIds?: readonly string[] }): Promise<number> {
    const e = await this.append({
      kind: 'decision',
      text: `${d.accepted ? 'ACCEPTED' : 'REFUSED'}: ${d.question} ${d.detail}`.slice(0, 60_000),
      fields: {
        step: d.step,
        answer: d.accepted ? 'accepted' : 'refused',
        ...(d.digest ? { drift: d.digest.slice(0, 4000) } : {}),
        ...(d.unitIds?.length ? { units: d.unitIds.join(',') } : {}),
      },
    });
    return e.seq;
  }

  async note(text: string, fields?: Record<string, string>, unitId?: string): Promise<number> {
    const e = await this.append({ kind: 'note', text, ...(fields ? { fields } : {}), ...(unitId ? { unitId } : {}) });
    return e.seq;
  }

  /** This instance's entries, in order. */
  entries(): Promise<JournalEntry[]> {
    return this.store.journal.list({ instanceId: this.instanceId });
  }

  /** Recompute the whole chain (all instances share it). */
  verify(): Promise<JournalVerification> {
    return this.store.journal.verify();
  }

  /**
   * The whole journal as JSON (the store's export format) and the verification of exactly that
   * text, so the UI can say whether what it saves verifies. A broken chain is exported too (it is
   * evidence); `verification` says where it breaks.
   */
  async exportJson(): Promise<{ json: string; verification: JournalVerification }> {
    const json = await this.store.journal.export();
    return { json, verification: verifyJournalExport(json) };
  }

  /** A printable transcript of this instance's entries (plain text, or an HTML document string). */
  async transcript(instance: InstanceRecord, format: TranscriptFormat = 'text', printedAt?: number): Promise<string> {
    const [entries, verification, head] = await Promise.all([this.entries(), this.verify(), this.store.journal.head()]);
    return buildTranscript({ instance, entries, verification, head, format, printedAt });
  }
}
