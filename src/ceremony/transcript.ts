/**
 * The printable ceremony transcript (DESIGN §5): who signed what, the counters, and the VPs
 * before and after, in grouped hex for comparing on paper. Built from journal entries alone,
 * as plain text or as an HTML document string (made without the DOM; every value escaped).
 *
 * Layout (text):
 *
 *   WEBTKE CEREMONY TRANSCRIPT
 *   Instance  <name> (<kind>, id …)
 *   Units     <label> = unit <id>
 *   Journal   chain verified: N entries, head #N <hash>      (or: BROKEN at #k: …)
 *
 *   #12  2024-05-01 10:00:00Z  INTENT   <unit>  COMMIT_WK  counter 7
 *        what         Commit the new master key register with verification pattern …
 *        block SHA-256 9F86 D081 …
 *        signed by    Admin 1 [SKI 1A2B 3C4D 5E6F 7081 …]
 *        VPs before   current 1A2B …  new 5678 …
 *   #13  …  RESULT   <unit>  COMMIT_WK  ok (rc 0), counter 7   (answers #12)
 *        VPs after    current …  new …
 */
import { fromHex, groupedHex } from '../bytes/index.ts';
import type { ChainHead, InstanceRecord, JournalEntry, JournalVerification, RegisterVps } from '../store/index.ts';

export type TranscriptFormat = 'text' | 'html';

export interface TranscriptInput {
  instance: InstanceRecord;
  entries: readonly JournalEntry[];
  verification: JournalVerification;
  head: ChainHead | null;
  format: TranscriptFormat;
  /** ms since 1970; printed when given */
  printedAt?: number;
}

const ZERO = '0'.repeat(64);
const grouped = (hex: string): string => groupedHex(fromHex(hex));
const vpText = (hex: string): string => (hex === ZERO ? 'EMPTY' : grouped(hex));
const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
const shortSki = (hex: string): string => `${grouped(hex.slice(0, 16))} …`;

interface Row {
  label: string;
  value: string;
}

interface Block {
  heading: string;
  rows: Row[];
}

function vpsRows(label: string, v: RegisterVps): Row[] {
  return [
    { label: `${label}: current`, value: vpText(v.current) },
    { label: `${label}: new`, value: vpText(v.new) },
  ];
}

function resultWords(e: JournalEntry): string {
  if (e.kind === 'error') return 'NO ANSWER';
  if (e.rc === undefined) return '';
  return e.rc === 0 ? 'ok (rc 0)' : `FAILED rc ${e.rc}/${e.reason ?? 0}`;
}

function entryBlock(e: JournalEntry, unitLabel: (id: string | undefined) => string): Block {
  const parts = [`#${e.seq}`, time(e.time), e.kind.toUpperCase()];
  if (e.unitId) parts.push(unitLabel(e.unitId));
  if (e.command) parts.push(e.command);
  const outcome = resultWords(e);
  if (outcome) parts.push(outcome);
  if (e.counter !== undefined) parts.push(`counter ${e.counter}`);
  if (e.ref !== undefined) parts.push(`(answers #${e.ref})`);
  const rows: Row[] = [];
  if (e.text) rows.push({ label: e.kind === 'intent' ? 'what' : 'text', value: e.text });
  if (e.blockSha256) rows.push({ label: 'block SHA-256', value: grouped(e.blockSha256) });
  if (e.signers) {
    rows.push({
      label: 'signed by',
      value: e.signers.length ? e.signers.map((s) => `${s.name ?? '(unnamed)'} [SKI ${shortSki(s.ski)}]`).join(', ') : 'no signature (imprint mode)',
    });
  }
  if (e.vpBefore) rows.push(...vpsRows('VPs before', e.vpBefore));
  if (e.vpAfter) rows.push(...vpsRows('VPs after', e.vpAfter));
  for (const [k, v] of Object.entries(e.fields ?? {})) rows.push({ label: k, value: /^(vp|fromVp|toVp|.*\.vp)$/.test(k) && /^[0-9a-f]{64}$/.test(v) ? vpText(v) : v });
  return { heading: parts.join('  '), rows };
}

function headerRows(input: TranscriptInput): Row[] {
  const { instance, entries, verification, head } = input;
  const v = verification.ok
    ? `chain verified: ${verification.count} entries${verification.head ? `, head #${verification.head.seq} ${grouped(verification.head.hash)}` : ''}`
    : `CHAIN BROKEN at entry #${verification.brokenSeq} (${verification.problem}): ${verification.message}`;
  return [
    { label: 'Instance', value: `${instance.name} (${instance.kind}, id ${instance.id})` },
    ...instance.units.map((u) => ({ label: 'Unit', value: `${u.label} = unit ${u.id}${u.pinnedRoot ? `, root ${u.pinnedRoot.fingerprint}` : ''}` })),
    { label: 'Entries', value: entries.length ? `${entries.length} of this instance, #${entries[0].seq} to #${entries[entries.length - 1].seq}` : 'none' },
    { label: 'Journal', value: v },
    ...(head ? [{ label: 'Head', value: `#${head.seq} ${grouped(head.hash)} (write it down to detect a cut-off tail later)` }] : []),
    ...(input.printedAt !== undefined ? [{ label: 'Printed', value: time(input.printedAt) }] : []),
  ];
}

function asText(title: string, header: Row[], blocks: Block[]): string {
  const out: string[] = [title, ''];
  for (const r of header) out.push(`${r.label.padEnd(10)} ${r.value}`);
  for (const b of blocks) {
    out.push('', b.heading);
    for (const r of b.rows) out.push(`     ${r.label.padEnd(20)} ${r.value}`);
  }
  out.push('');
  return out.join('\n');
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

function asHtml(title: string, header: Row[], blocks: Block[]): string {
  const rows = (rs: Row[]): string => rs.map((r) => `<tr><th>${escapeHtml(r.label)}</th><td>${escapeHtml(r.value)}</td></tr>`).join('');
  const body = blocks.map((b) => `<section><h2>${escapeHtml(b.heading)}</h2><table>${rows(b.rows)}</table></section>`).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font:12px/1.4 monospace;margin:2em}h1{font-size:16px}h2{font-size:12px;margin:1.2em 0 .2em}th{text-align:left;padding-right:1em;vertical-align:top;white-space:nowrap}td{word-break:break-word}section{break-inside:avoid}</style>',
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<table>${rows(header)}</table>`,
    body,
    '</body></html>',
    '',
  ].join('\n');
}

export function buildTranscript(input: TranscriptInput): string {
  const labels = new Map(input.instance.units.map((u) => [u.id, u.label]));
  const unitLabel = (id: string | undefined): string => (id === undefined ? '' : labels.get(id) ?? `unit ${id}`);
  const title = 'WEBTKE CEREMONY TRANSCRIPT';
  const header = headerRows(input);
  const blocks = input.entries.map((e) => entryBlock(e, unitLabel));
  return input.format === 'html' ? asHtml(title, header, blocks) : asText(title, header, blocks);
}
