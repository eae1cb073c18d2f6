/**
 * The journal's chain verification in words: every entry's hash recomputed in this browser
 * (SHA-256 over the canonical JSON of the entry and the previous hash). A break names the
 * first entry that does not verify and what to do.
 */
import { html, type TemplateResult } from 'lit';
import type { JournalVerification } from '../../store/index.ts';
import { groupHex } from '../format.ts';

const PROBLEM_WORDS: Record<Extract<JournalVerification, { ok: false }>['problem'], string> = {
  malformed: 'the entry is damaged (a field has the wrong form)',
  seq: 'an entry is missing, repeated or out of order',
  'prev-hash': 'the entry does not name the hash of the entry before it',
  hash: 'the entry was changed after it was written (its hash does not match its content)',
  head: 'entries are missing from the end',
};

export const BROKEN_REMEDY = 'Keep this browser profile as it is and export the journal as evidence; compare with a printed transcript '
  + '(its head hash) to find out what changed. The entries before the break still verify.';

export function verificationWords(v: JournalVerification): { ok: boolean; text: string; head?: string } {
  if (v.ok) {
    return {
      ok: true,
      text: v.count === 0 ? 'The journal is empty.' : `Chain verified: ${v.count} ${v.count === 1 ? 'entry' : 'entries'}, each hash recomputed.`,
      ...(v.head ? { head: `#${v.head.seq} ${groupHex(v.head.hash)}` } : {}),
    };
  }
  return { ok: false, text: `Chain BROKEN at entry #${v.brokenSeq}: ${PROBLEM_WORDS[v.problem]} (${v.message}).` };
}

export function renderVerification(v: JournalVerification, checkedAt: string): TemplateResult {
  const w = verificationWords(v);
  return html`<div class="verification ${w.ok ? 'verified' : 'broken'}" data-ok=${String(w.ok)}>
    <p class="verification-text"><strong>${w.text}</strong> <span class="hint">(checked ${checkedAt})</span></p>
    ${w.head ? html`<p>Head: <code class="hex head">${w.head}</code> — write it on the ceremony paper: a journal cut short later will not end in it.</p>` : ''}
    ${w.ok ? '' : html`<p class="remedy">What to do: ${BROKEN_REMEDY}</p>`}
  </div>`;
}
