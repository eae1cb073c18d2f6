/**
 * Both master key registers of every unit, side by side: state and VP (SHA-256 pattern, in
 * grouped hex to compare on paper) of the current and the new register, and the importer key.
 * A cell the engine's drift analysis names is highlighted, with words ("behind", "differs").
 * Below the table, one line says whether the units agree, so witnesses know what to compare.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { DriftField, DriftReport, InstanceSnapshot, ReachableUnit } from '../../ceremony/index.ts';
import { reachableUnits } from '../../ceremony/index.ts';
import { shortHex, vpText } from '../format.ts';
import '../components/error-view.ts';

export const REGISTER_WORDS: Record<ReachableUnit['current']['state'] | ReachableUnit['next']['state'], string> = {
  EMPTY: 'EMPTY',
  VALID: 'VALID',
  FULL_UNCOMMITTED: 'FULL UNCOMMITTED',
  FULL_COMMITTED: 'FULL COMMITTED',
};

export const registerStyles = css`
  td.drift { background: #fde4e1; }
  td.incomplete { background: #fff3cd; }
  .badge { display: inline-block; font-size: 0.8em; font-weight: 600; padding: 0 0.3rem; margin-left: 0.3rem; border-radius: 3px; }
  .badge.drift { background: #b3261e; color: #fff; }
  .badge.incomplete { background: #8a5a00; color: #fff; }
  table.registers code.hex { display: inline-block; max-width: 22rem; }
  .state { font-weight: 600; }
`;

/** Whether the units agree on a register, in words (for the line under the table). */
export interface Agreement {
  register: 'current' | 'new';
  /** every reachable unit shows the same state and VP */
  same: boolean;
  /** the common VP (64 hex digits) when they agree and it is not empty */
  vp: string | null;
  words: string;
}

export function agreement(s: InstanceSnapshot, register: 'current' | 'new'): Agreement {
  const units = reachableUnits(s);
  const name = register === 'current' ? 'current' : 'new';
  if (units.length === 0) return { register, same: false, vp: null, words: `No unit answers: the ${name} registers are unknown.` };
  const reg = (u: ReachableUnit) => (register === 'current' ? u.current : u.next);
  const keys = new Set(units.map((u) => `${reg(u).state}:${reg(u).vp ?? ''}`));
  const first = reg(units[0]);
  const all = units.length === s.units.length ? (units.length === 1 ? 'The unit' : `All ${units.length} units`) : `The ${units.length} reachable units`;
  if (keys.size > 1) return { register, same: false, vp: null, words: `The ${name} registers differ between the units: compare the rows above.` };
  if (first.vp === null) return { register, same: true, vp: null, words: `${all}: ${name} register EMPTY.` };
  return { register, same: true, vp: first.vp, words: `${all}: ${name} register ${REGISTER_WORDS[first.state]}, VP ${vpText(first.vp)}.` };
}

function finding(drift: DriftReport | null, unitId: string, field: DriftField) {
  return drift?.findings.find((f) => f.field === field && f.units.includes(unitId) && f.class !== 'warning');
}

function cell(drift: DriftReport | null, u: ReachableUnit, field: 'current' | 'new', content: TemplateResult): TemplateResult {
  const f = finding(drift, u.unitId, field);
  return html`<td class=${[field, f?.class ?? ''].filter(Boolean).join(' ')} data-field=${field}>${content}${f
    ? html`<span class="badge ${f.class}" title=${f.message}>${f.class === 'drift' ? 'differs' : 'behind'}</span>` : nothing}</td>`;
}

export function renderRegisters(s: InstanceSnapshot, drift: DriftReport | null): TemplateResult {
  const cur = agreement(s, 'current');
  const nxt = agreement(s, 'new');
  return html`<table class="registers">
      <caption>Master key registers of each unit</caption>
      <thead><tr>
        <th scope="col">Unit</th><th scope="col">Current master key register</th><th scope="col">New master key register</th>
        <th scope="col">Importer key</th>
      </tr></thead>
      <tbody>${s.units.map((u) => {
        const head = html`<th scope="row"><span class="unit-label">${u.label}</span></th>`;
        if (!u.reachable) {
          return html`<tr data-unit=${u.unitId} class="unreachable">${head}<td colspan="3">
            <webtke-error .explained=${{ title: 'This unit does not answer', message: u.error.message, remedy: u.error.remedy }}></webtke-error></td></tr>`;
        }
        return html`<tr data-unit=${u.unitId}>
          ${head}
          ${cell(drift, u, 'current', html`<span class="state current-state">${REGISTER_WORDS[u.current.state]}</span>${u.current.vp
            ? html`<br />VP <code class="hex current-vp">${vpText(u.current.vp)}</code>` : nothing}`)}
          ${cell(drift, u, 'new', html`<span class="state new-state">${REGISTER_WORDS[u.next.state]}</span>${u.next.vp
            ? html`<br />VP <code class="hex new-vp">${vpText(u.next.vp)}</code>` : nothing}`)}
          <td class="importer">${u.importer
            ? html`${u.importer.curve}, SKI <code class="hex">${shortHex(u.importer.ski, 16)}</code>`
            : html`<span class="hint">none (made at the next load; used once)</span>`}</td>
        </tr>`;
      })}</tbody>
    </table>
    <p class="agreement current-agreement ${cur.same ? 'ok' : 'warn'}">${cur.words}</p>
    <p class="agreement new-agreement ${nxt.same ? 'ok' : 'warn'}">${nxt.words}</p>`;
}
