/**
 * The stored keys: label, key id, the VP each one is under (and, during a rotation, the VP of
 * its re-enciphered copy), the units whose current master key opens it, and a wrap/unwrap test.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { InstanceSnapshot, KeyTestResult, KeyView } from '../../ceremony/index.ts';
import { groupHex, shortHex, timeText } from '../format.ts';
import '../components/error-view.ts';

/** A test's outcome as the row shows it. */
export type TestOutcome = { running: true } | { result: KeyTestResult } | { error: unknown };

/** Keys per VP, for the summary above the table (largest first). */
export function keysByVp(keys: readonly KeyView[]): { vp: string; count: number; staged: number }[] {
  const m = new Map<string, { count: number; staged: number }>();
  for (const k of keys) {
    const e = m.get(k.vp) ?? { count: 0, staged: 0 };
    e.count++;
    if (k.stagedVp) e.staged++;
    m.set(k.vp, e);
  }
  return [...m.entries()].map(([vp, e]) => ({ vp, ...e })).sort((a, b) => b.count - a.count);
}

function testWords(t: TestOutcome | undefined, label: (id: string) => string): TemplateResult | typeof nothing {
  if (!t) return nothing;
  if ('running' in t) return html`<span>Testing…</span>`;
  if ('error' in t) return html`<webtke-error .error=${t.error}></webtke-error>`;
  const r = t.result;
  const all = r.unwrap.every((u) => u.ok);
  return html`<span class="test-result ${all ? 'ok' : 'warn'}" data-ok=${String(all)}>${all ? 'OK' : 'FAILED'}: wrapped on ${label(r.wrappedOn)};
    unwrapped ${r.unwrap.map((u) => `${label(u.unitId)} ${u.ok ? '✓' : `✗${u.error ? ` (${u.error.message})` : ''}`}`).join(', ')}</span>`;
}

export function renderKeyTable(
  keys: readonly KeyView[],
  s: InstanceSnapshot | null,
  tests: ReadonlyMap<string, TestOutcome>,
  onTest: (k: KeyView) => void,
  busy: boolean,
  limit: number,
): TemplateResult {
  const label = (id: string): string => s?.units.find((u) => u.unitId === id)?.label ?? id;
  const shown = keys.slice(0, limit);
  const rotating = keys.some((k) => k.stagedVp);
  return html`<table class="keys">
    <caption>Stored keys (${keys.length}${shown.length < keys.length ? `, first ${shown.length} shown` : ''})</caption>
    <thead><tr>
      <th scope="col">Label</th><th scope="col">Key id</th><th scope="col">Under VP</th>
      ${rotating ? html`<th scope="col">Re-enciphered under VP</th>` : nothing}
      <th scope="col">Opens on</th><th scope="col">Created</th><th scope="col">Wrap/unwrap test</th>
    </tr></thead>
    <tbody>${shown.map((k) => html`<tr data-key=${k.keyId}>
      <th scope="row" class="key-label">${k.label}</th>
      <td><code class="hex">${shortHex(k.keyId, 16)}</code></td>
      <td><code class="hex key-vp" title=${groupHex(k.vp)}>${shortHex(k.vp, 16)}</code></td>
      ${rotating ? html`<td>${k.stagedVp ? html`<code class="hex staged-vp" title=${groupHex(k.stagedVp)}>${shortHex(k.stagedVp, 16)}</code>` : html`<span class="hint">not yet</span>`}</td>` : nothing}
      <td class="opens-on">${k.openableOn.length ? k.openableOn.map(label).join(', ') : html`<span class="warn">no unit</span>`}</td>
      <td>${timeText(k.created)}</td>
      <td><button type="button" class="test-key" aria-label=${`Test ${k.label}`} ?disabled=${busy || k.openableOn.length === 0} @click=${() => onTest(k)}>Test</button>
        ${testWords(tests.get(k.keyId), label)}</td>
    </tr>`)}</tbody>
  </table>`;
}
