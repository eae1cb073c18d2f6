/**
 * The journal entries of the current instance as a table: what was about to be sent (intent,
 * written before the command), what the unit answered (result), failures, decisions and notes;
 * with the unit, the command, the counter, who signed and the VPs after.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { InstanceRecord, JournalEntry } from '../../store/index.ts';
import { shortHex, timeText } from '../format.ts';

const KIND_WORDS: Record<JournalEntry['kind'], string> = {
  intent: 'about to send',
  result: 'answer',
  error: 'no answer',
  decision: 'decision',
  note: 'note',
};

export function outcomeOf(e: JournalEntry): string {
  if (e.kind === 'error') return 'no answer: may or may not have run';
  if (e.kind !== 'result' || e.rc === undefined) return '';
  return e.rc === 0 ? 'ok' : `refused (${e.rc}/${e.reason ?? 0})`;
}

const vps = (v: JournalEntry['vpAfter']): string => {
  if (!v) return '';
  const one = (h: string) => (/^0+$/.test(h) ? 'EMPTY' : shortHex(h, 8));
  return `current ${one(v.current)}, new ${one(v.new)}`;
};

export function renderEntries(entries: readonly JournalEntry[], instance: InstanceRecord | null, limit: number): TemplateResult {
  const labels = new Map((instance?.units ?? []).map((u) => [u.id, u.label]));
  const shown = entries.slice(Math.max(0, entries.length - limit));
  return html`<table class="entries">
    <caption>Journal of this instance (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}${shown.length < entries.length ? `, the last ${shown.length} shown` : ''})</caption>
    <thead><tr>
      <th scope="col">#</th><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Unit</th><th scope="col">Command</th>
      <th scope="col">Counter</th><th scope="col">Outcome</th><th scope="col">Signed by</th><th scope="col">VPs after</th><th scope="col">What</th>
    </tr></thead>
    <tbody>${shown.map((e) => html`<tr class=${`entry ${e.kind}`} data-seq=${String(e.seq)}>
      <td>${e.seq}</td>
      <td>${timeText(e.time)}</td>
      <td>${KIND_WORDS[e.kind]}${e.ref !== undefined ? html` <span class="hint">(to #${e.ref})</span>` : nothing}</td>
      <td>${e.unitId ? labels.get(e.unitId) ?? e.unitId : ''}</td>
      <td>${e.command ?? ''}</td>
      <td>${e.counter ?? ''}</td>
      <td class="outcome">${outcomeOf(e)}</td>
      <td>${e.signers ? (e.signers.length ? e.signers.map((s) => s.name ?? shortHex(s.ski, 8)).join(', ') : 'none (imprint mode)') : ''}</td>
      <td>${vps(e.vpAfter)}</td>
      <td class="entry-text">${e.text ?? ''}</td>
    </tr>`)}</tbody>
  </table>`;
}
