/**
 * The Master key view: both registers of every unit with status and VP (grouped hex), and the
 * master key ceremony driven by the engine's next safe action — load the parts → commit →
 * re-encipher the key storage → set immediate — each step one button that runs the engine's
 * plan on every unit (signatures, key parts and typed confirmations through the consent
 * dialogs). From a finished ceremony it starts a rotation (load a new key's parts); it also
 * clears the new register, clears the current register and zeroizes (typed confirmation,
 * asked by the engine). Everything shown is queried from the units, so a reload shows the
 * same next step.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { reachableUnits, type NextAction, type PartChoice, type PlanRequest } from '../../ceremony/index.ts';
import { AppElement } from '../components/app-element.ts';
import { plural, vpText } from '../format.ts';
import { ActionTracker, outcomeWords, renderAction } from '../master-key/action.ts';
import { MAX_PARTS, MIN_PARTS } from '../master-key/part-chooser.ts';
import { registerStyles, renderRegisters } from '../master-key/registers.ts';
import { renderStages, stageOf } from '../master-key/stages.ts';
import { goButton } from '../master-key/go-button.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';
import '../master-key/part-chooser.ts';

/** Next actions the "next" plan runs without further input. */
const RUNS_AS_NEXT = new Set<NextAction['kind']>([
  'commit', 'reencipher', 'set-immediate', 'finish-set-immediate', 'finish-rotation', 'abandon-rotation', 'clear-new',
]);

type Curve = 'P-521' | 'P-256';

/** "needs 2 administrator signatures on each unit" from the engine's requirements. */
export function signatureWords(next: NextAction): string {
  const per = [...new Set(next.requires.map((r) => r.perCommand))];
  if (per.length === 0) return '';
  if (per.length === 1) {
    const p = per[0];
    if (p === 'new-sign-threshold') return 'Needs as many administrator signatures as the new signature threshold.';
    if (p === 0) return 'Needs no signature (imprint mode).';
    return `Needs ${plural(p, 'administrator signature')} on each unit${next.requires.some((r) => r.commands > 1) ? ' per command' : ''}.`;
  }
  return 'The units need different numbers of signatures; the signing dialog asks for the most.';
}

@customElement('webtke-master-key-view')
export class MasterKeyView extends AppElement {
  static override styles = [
    baseStyles,
    registerStyles,
    css`
      .next { border: 2px solid #1f3a5f; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
      .next h3 { margin-top: 0; }
      ol.stages { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; padding-left: 1.2rem; margin: 0.5rem 0; }
      ol.stages li.done { color: #1e6b34; }
      ol.stages li.done::after { content: ' ✓'; }
      ol.stages li.current { font-weight: 700; }
      ol.stages li.todo { color: #666; }
      .danger-zone { border: 1px solid #b3261e; padding: 0.5rem 0.75rem; }
      details.early-finalize { margin: 0.75rem 0; }
      details.early-finalize summary { cursor: pointer; }
      details.early-finalize summary h3 { display: inline; margin: 0; }
      .danger-zone h3 { color: #8c1d18; margin-top: 0; }
    `,
  ];

  @state() private parts: PartChoice[] = [];
  @state() private curve: Curve = 'P-521';
  /** units ticked for "set immediate on chosen units" */
  @state() private early = new Set<string>();
  private readonly tracker = new ActionTracker(() => this.requestUpdate());

  private get busy(): boolean {
    const app = this.app;
    return !app?.runtime || app.busy !== null || this.tracker.running;
  }

  private run(label: string, req: PlanRequest): Promise<unknown> {
    const app = this.app!;
    return this.tracker.run(label, () => app.run(req), outcomeWords);
  }

  override render() {
    const app = this.app;
    return html`<h2>Master key</h2>${app ? this.renderApp() : html`<p>Starting…</p>`}`;
  }

  private renderApp(): TemplateResult {
    const app = this.app!;
    if (app.status === 'starting') return html`<p aria-live="polite">Opening the browser's storage…</p>`;
    if (app.status === 'failed') return html`<webtke-error .error=${app.startError}></webtke-error>`;
    const s = app.snapshot;
    return html`
      <p class="hint">The master key is the XOR of 2 or 3 key parts, each held by one custodian; nobody ever sees the key itself. Each unit
        shows a verification pattern (VP) per register: the same key gives the same VP, so compare the VPs below with the custodians'
        papers and between the units.</p>
      <div aria-live="polite" class="status">
        ${app.refreshing ? html`<p>Querying the units…</p>` : nothing}
        ${app.busy && !this.tracker.running ? html`<p>Running: ${app.busy}…</p>` : nothing}
      </div>
      ${app.refreshError ? html`<webtke-error .error=${app.refreshError}></webtke-error>` : nothing}
      ${s ? renderRegisters(s, app.drift) : html`<p>No unit state yet.</p>`}
      <button type="button" class="refresh" ?disabled=${app.refreshing || this.busy} @click=${() => this.tracker.run('Refresh', () => app.refresh(), () => 'The units were queried again.')}>Refresh</button>
      ${this.renderStorageLine()}
      ${this.renderNext()}
      ${renderAction(this.tracker.current)}
      ${this.renderEarlyFinalize()}
      ${this.renderDangerZone()}`;
  }

  private renderStorageLine() {
    const st = this.app?.snapshot?.storage;
    if (!st) return nothing;
    const rot = st.rotation;
    const under = Object.entries(st.byVp).filter(([, n]) => n > 0).map(([vp, n]) => `${n} under ${vpText(vp).slice(0, 9)} …`);
    return html`<p class="storage-line">Key storage: ${plural(st.total, 'key')}${under.length ? ` (${under.join(', ')})` : ''}${rot
      ? `; rotation open toward ${vpText(rot.toVp).slice(0, 9)} …, ${rot.staged} of ${rot.total} re-enciphered` : ''}.
      ${goButton(this, 'key-storage', 'Open the key storage', 'small')}</p>`;
  }

  private renderNext(): TemplateResult | typeof nothing {
    const app = this.app!;
    const next = app.next;
    if (!next) return nothing;
    const stage = stageOf(next);
    return html`<section class="next" aria-labelledby="mk-next-title">
      <h3 id="mk-next-title">Next safe action: <span class="next-title">${next.kind === 'ready' ? 'nothing pending' : next.title}</span></h3>
      ${stage === 'before' || stage === 'blocked' ? nothing : renderStages(stage)}
      <p class="next-detail">${next.detail}</p>
      ${next.targetVp && next.kind !== 'ready' ? html`<p>Target VP: <code class="hex target-vp">${vpText(next.targetVp)}</code></p>` : nothing}
      ${this.renderNextControls(next)}
    </section>`;
  }

  private renderNextControls(next: NextAction): TemplateResult | typeof nothing {
    const app = this.app!;
    const sig = signatureWords(next);
    switch (next.kind) {
      case 'add-admins':
      case 'leave-imprint':
        return html`<p>The administrators come first.</p>${goButton(this, 'administrators', 'Open the Administrators view', 'primary')}`;
      case 'reconnect':
        return html`<button class="primary" ?disabled=${this.busy} @click=${() => this.tracker.run('Reconnect', () => app.refresh(), () => 'The units were queried again.')}>Reconnect and refresh</button>`;
      case 'resolve-drift':
        return html`<p class="hint">Choose the step that brings the units back in line (the Instance view shows the differences);
          it asks you to confirm the difference, and your decision is journaled.</p>${goButton(this, 'instance', 'Open the Instance view')}`;
      case 'load-master-key':
      case 'finish-load':
        return this.renderLoad(next.kind === 'finish-load'
          ? `Load the same key parts on ${plural(next.units.length, 'unit')}`
          : 'Load the key parts', { plan: 'next', inputs: { parts: this.parts, importerCurve: this.curve } }, sig);
      case 'ready': {
        const s = app.snapshot;
        const units = s ? reachableUnits(s) : [];
        if (units.length === 0 || units.some((u) => u.current.state !== 'VALID')) return nothing;
        return html`<h4>Rotate the master key</h4>
          <p>To change the master key, the custodians of the <em>new</em> key load its parts. Then commit, re-encipher the key storage
            (every stored key is sealed again under the new key, inside a unit) and set immediate, step by step as shown here.</p>
          ${this.renderLoad('Load the new master key (start a rotation)', { plan: 'load-master-key', parts: this.parts, importerCurve: this.curve, through: 'import' }, 'Needs 1 administrator signature per key part and unit.')}`;
      }
      default: {
        if (!RUNS_AS_NEXT.has(next.kind)) return nothing;
        return html`${sig ? html`<p class="hint">${sig}</p>` : nothing}
          ${next.kind === 'reencipher' || next.reencipherFirst ? html`<p class="hint">Progress shows at the bottom of the page and with the key storage.
            If it stops, press the button again: only the keys not yet re-enciphered are sent.</p>` : nothing}
          <button type="button" class="${next.destructive ? 'danger' : 'primary'} next-action" ?disabled=${this.busy}
            @click=${() => this.run(next.title, { plan: 'next' })}>${next.title}</button>`;
      }
    }
  }

  private renderLoad(label: string, req: PlanRequest, sig: string): TemplateResult {
    const n = this.parts.length;
    const ok = n >= MIN_PARTS && n <= MAX_PARTS;
    return html`<webtke-part-chooser .app=${this.app} @parts-change=${(e: CustomEvent<PartChoice[]>) => (this.parts = e.detail)}></webtke-part-chooser>
      <label for="importer-curve">Importer key (one per unit, used once to receive the parts)</label>
      <select id="importer-curve" .value=${this.curve} @change=${(e: Event) => (this.curve = (e.target as HTMLSelectElement).value as Curve)}>
        <option value="P-521" ?selected=${this.curve === 'P-521'}>P-521 (default)</option>
        <option value="P-256" ?selected=${this.curve === 'P-256'}>P-256</option>
      </select>
      ${sig ? html`<p class="hint">${sig} An importer key needs 1 signature per unit where there is none. Then each custodian types the
        password or PIN of their part, which is encrypted at once to every unit's importer key.</p>` : nothing}
      <button type="button" class="primary load-parts" ?disabled=${this.busy || !ok} @click=${() => this.run(label, req)}>${label}</button>`;
  }

  /**
   * Set immediate on some units only (e.g. one unit first, to check it before the others). When
   * stored keys are not re-enciphered yet, the engine asks for a typed confirmation and refuses
   * if no unit would be left to re-encipher them.
   */
  private renderEarlyFinalize(): TemplateResult | typeof nothing {
    const app = this.app!;
    const s = app.snapshot;
    if (!s) return nothing;
    const committed = reachableUnits(s).filter((u) => u.next.state === 'FULL_COMMITTED');
    if (committed.length === 0) return nothing;
    const chosen = committed.filter((u) => this.early.has(u.unitId)).map((u) => u.unitId);
    const toggle = (id: string, on: boolean) => {
      const next = new Set(this.early);
      if (on) next.add(id);
      else next.delete(id);
      this.early = next;
    };
    return html`<details class="early-finalize">
      <summary><h3>Set immediate on chosen units</h3></summary>
      <p class="hint">Normally every unit is set immediate together, after the key storage is re-enciphered. Here you can finalize some units
        first. If stored keys are not re-enciphered yet, the finalized units can no longer open them: you are asked to type a
        confirmation, and at least one unit must keep the old key to re-encipher them.</p>
      <fieldset>
        <legend>Units with the committed new master key</legend>
        ${committed.map((u) => html`<input type="checkbox" id=${`early-${u.unitId}`} .checked=${this.early.has(u.unitId)}
          @change=${(e: Event) => toggle(u.unitId, (e.target as HTMLInputElement).checked)} /><label class="inline" for=${`early-${u.unitId}`}>${u.label}</label>`)}
      </fieldset>
      <button type="button" class="danger set-immediate-chosen" ?disabled=${this.busy || chosen.length === 0}
        @click=${() => this.run(`Set immediate on ${plural(chosen.length, 'unit')}`, { plan: 'set-immediate', units: chosen })}>Set immediate on the chosen units…</button>
    </details>`;
  }

  private renderDangerZone(): TemplateResult | typeof nothing {
    const app = this.app!;
    const s = app.snapshot;
    if (!s) return nothing;
    const units = reachableUnits(s);
    const anyNew = units.some((u) => u.next.state !== 'EMPTY');
    const anyCurrent = units.some((u) => u.current.state === 'VALID');
    const anything = units.some((u) => u.mode === 'authenticated' || u.adminSkis.length > 0 || anyNew || anyCurrent);
    return html`<section class="danger-zone" aria-labelledby="mk-danger-title">
      <h3 id="mk-danger-title">Clear registers and zeroize</h3>
      <p class="hint">Clearing the new register drops a loaded or committed key that is not current yet (1 signature per unit); load the
        parts again to get it back. Clearing the current register and zeroizing cannot be undone: stored keys under that master key
        can no longer be used unless the same parts are loaded again. Both ask you to type a confirmation, and the answer is journaled.</p>
      <button type="button" class="clear-new" ?disabled=${this.busy || !anyNew} @click=${() => this.run('Clear the new master key register', { plan: 'clear-new', which: 'all' })}>Clear the new register on every unit</button>
      <button type="button" class="danger clear-current" ?disabled=${this.busy || !anyCurrent} @click=${() => this.run('Clear the current master key register', { plan: 'clear-current' })}>Clear the current register…</button>
      <button type="button" class="danger zeroize" ?disabled=${this.busy || !anything} @click=${() => this.run('Zeroize every unit', { plan: 'zeroize' })}>Zeroize every unit…</button>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-master-key-view': MasterKeyView;
  }
}
