/**
 * The Instance view: the crypto units of the current service instance side by side (mode,
 * administrators, thresholds, both registers with status and VP, counter, pinned root), the
 * differences between them highlighted (the engine's drift analysis), the engine's next safe
 * action as the primary button, and the simulation's own actions (new instance, reset).
 *
 * Remote instances (units over HTTP, docs/remote-units.md): each unit is labelled "remote" with
 * its URL, the unit host's access token is entered here for the session (never stored), each
 * root is shown for the person to accept on first use and then listed as pinned, and a new
 * remote instance is created from its units' URLs.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { DriftField, DriftFinding, NextAction, ReachableUnit, UnitSnapshot } from '../../ceremony/index.ts';
import { DEFAULT_SIM_UNITS, MAX_SIM_UNITS, MIN_SIM_UNITS } from '../../sim/config.ts';
import { AppElement } from '../components/app-element.ts';
import { groupHex, plural, shortHex, vpText } from '../format.ts';
import { clearSecret } from '../consent/modal.ts';
import { navigateEvent } from '../router.ts';
import { baseStyles, detailsStyles } from '../styles.ts';
import '../components/error-view.ts';
import '../components/unit-token.ts';

/** Next actions that need input chosen in another view. */
const ACTION_ELSEWHERE: Partial<Record<NextAction['kind'], { view: 'administrators' | 'master-key'; words: string }>> = {
  'load-master-key': { view: 'master-key', words: 'Open the Master key view to choose the key parts' },
  'finish-load': { view: 'master-key', words: 'Open the Master key view to choose the same key parts' },
};

const REGISTER_WORDS: Record<string, string> = {
  EMPTY: 'EMPTY',
  VALID: 'VALID',
  FULL_UNCOMMITTED: 'FULL UNCOMMITTED',
  FULL_COMMITTED: 'FULL COMMITTED',
};

@customElement('webtke-instance-view')
export class InstanceView extends AppElement {
  static override styles = [
    baseStyles,
    detailsStyles,
    css`
      td.drift { background: #fde4e1; }
      td.incomplete { background: #fff3cd; }
      .badge { display: inline-block; font-size: 0.8em; font-weight: 600; padding: 0 0.3rem; margin-left: 0.3rem; border-radius: 3px; }
      .badge.drift { background: #b3261e; color: #fff; }
      .badge.incomplete { background: #8a5a00; color: #fff; }
      .next { border: 2px solid #1f3a5f; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
      .next h3 { margin-top: 0; }
      .units { overflow-x: auto; }
      .remote-label { display: inline-block; background: #e3edf8; border: 1px solid #7a9cc6; color: #16324f; padding: 0.15rem 0.5rem; font-weight: 600; }
      textarea { font: inherit; width: 100%; max-width: 40rem; box-sizing: border-box; }
      ul.findings li.drift { color: #8c1d18; }
    `,
  ];

  @state() private actionError: unknown;
  @state() private working = false;
  @state() private newName = 'Simulated instance';
  @state() private newUnits = DEFAULT_SIM_UNITS;
  @state() private remoteName = 'Remote instance';
  @state() private remoteUrls = '';

  override render() {
    const app = this.app;
    return html`<h2>Instance</h2>${app ? this.renderApp() : html`<p>Starting…</p>`}`;
  }

  private renderApp(): TemplateResult {
    const app = this.app!;
    if (app.status === 'starting') return html`<p aria-live="polite">Opening the browser's storage…</p>`;
    if (app.status === 'failed') return html`<webtke-error .error=${app.startError}></webtke-error>`;
    const inst = app.instance;
    return html`
      ${inst?.kind === 'simulated'
        ? html`<p><span class="sim-label">Simulation — not a security boundary</span></p>
            <p class="hint">These crypto units run in this browser (a worker) and keep their state, encrypted, in its storage. They speak the real
              protocol, but anyone with access to this browser profile has their keys. Use them to learn and rehearse ceremonies.</p>`
        : nothing}
      ${inst?.kind === 'remote'
        ? html`<p><span class="remote-label">Remote crypto units — reached over HTTP(S)</span></p>
            <p class="hint">These crypto units run on a unit host elsewhere; webtke sends them signed commands over the network at the URLs below,
              and trusts only answers signed under the root pinned for each unit. The host keeps this instance's key storage.</p>
            <webtke-unit-token .app=${app}></webtke-unit-token>`
        : nothing}
      ${this.renderInstancePicker()}
      ${this.renderStatus()}
      ${this.renderFirstUse()}
      ${this.renderNext()}
      <webtke-error .error=${this.actionError}></webtke-error>
      ${this.renderUnits()}
      ${this.renderFindings()}
      ${this.renderSimulationActions()}
      ${this.renderRemoteActions()}`;
  }

  private renderInstancePicker() {
    const app = this.app!;
    if (app.instances.length < 2) return html`<p>Service instance: <strong class="instance-name">${app.instance?.name ?? '—'}</strong></p>`;
    return html`<label for="instance">Service instance</label>
      <select id="instance" .value=${app.instance?.id ?? ''} ?disabled=${this.working || app.busy !== null}
        @change=${(e: Event) => this.act(() => app.selectInstance((e.target as HTMLSelectElement).value))}>
        ${app.instances.map((i) => html`<option value=${i.id} ?selected=${i.id === app.instance?.id}>${i.name} (${plural(i.units.length, 'unit')}, ${i.kind})</option>`)}
      </select>`;
  }

  private renderStatus() {
    const app = this.app!;
    return html`<div aria-live="polite" class="status">
      ${app.simStatus === 'starting' ? html`<p>Starting the simulated units…</p>` : nothing}
      ${app.simStatus === 'ready' && app.simReady?.created ? html`<p class="hint">New simulated units were created for this instance.</p>` : nothing}
      ${app.refreshing ? html`<p>Querying the units…</p>` : nothing}
      ${app.busy ? html`<p>Running: ${app.busy}…</p>` : nothing}
    </div>
    ${app.simStatus === 'failed' ? html`<webtke-error .error=${app.simError}></webtke-error>` : nothing}
    ${app.refreshError ? html`<webtke-error .error=${app.refreshError}></webtke-error>` : nothing}`;
  }

  private renderFirstUse() {
    const app = this.app!;
    if (app.firstUse.length === 0) return nothing;
    return html`<div class="note first-use">
      <p><strong>Root pinned on first use.</strong> webtke had not seen these units' manufacturer root before and now trusts it for
        this instance${app.instance?.kind === 'remote' ? ' (you accepted it)' : ''}. Compare the fingerprint with the one the host's operator
        publishes${app.instance?.kind === 'simulated' ? ' (for a simulation: the simulated host made it in this browser)' : ''}, and write it on the ceremony paper.</p>
      <ul>${app.firstUse.map((f) => html`<li>${f.label}: <code class="fingerprint">${f.fingerprint}</code></li>`)}</ul>
    </div>`;
  }

  private renderNext() {
    const app = this.app!;
    const next = app.next;
    if (!next) return nothing;
    const elsewhere = ACTION_ELSEWHERE[next.kind];
    let action: TemplateResult | typeof nothing = nothing;
    const disabled = this.working || app.busy !== null;
    if (next.kind === 'ready') {
      action = nothing;
    } else if (next.kind === 'reconnect') {
      action = html`<button class="primary" ?disabled=${disabled} @click=${() => this.act(() => app.refresh())}>Reconnect and refresh</button>`;
    } else if (next.kind === 'resolve-drift') {
      action = html`<p class="hint">Choose the step that brings the units back in line (for example, remove or add an administrator, or clear a register);
        the step asks you to confirm the difference, and your decision is journaled.</p>`;
    } else if (elsewhere) {
      action = this.goButton(elsewhere.view, elsewhere.words);
    } else if (next.kind === 'add-admins' && !(next.missingAdmins?.length)) {
      action = this.goButton('administrators', 'Open the Administrators view to choose them');
    } else if (next.kind === 'leave-imprint' && !next.thresholds) {
      action = this.goButton('administrators', 'Open the Administrators view to set the thresholds');
    } else {
      action = html`<button class="${next.destructive ? 'danger' : 'primary'} next-action" ?disabled=${disabled} @click=${() => this.act(() => app.run({ plan: 'next' }))}>${next.title}</button>`;
    }
    return html`<section class="next" aria-labelledby="next-title">
      <h3 id="next-title">Next safe action: ${next.kind === 'ready' ? 'nothing pending' : next.title}</h3>
      <p class="next-detail">${next.detail}</p>
      ${action}
    </section>`;
  }

  /** A button to the view where the action's input is chosen (buttons, not links: links named like the navigation would be ambiguous). */
  private goButton(view: 'administrators' | 'master-key', words: string) {
    return html`<button type="button" class="primary go" @click=${() => this.dispatchEvent(navigateEvent(view))}>${words}</button>`;
  }

  private findingFor(unitId: string, field: DriftField): DriftFinding | undefined {
    return this.app?.drift?.findings.find((f) => f.field === field && f.units.includes(unitId));
  }

  /** A cell, highlighted (with words, not only colour) when the engine finds the unit differs in this field. */
  private cell(u: ReachableUnit, field: DriftField | null, content: unknown, cls = '') {
    const f = field ? this.findingFor(u.unitId, field) : undefined;
    const klass = [cls, f?.class ?? ''].filter(Boolean).join(' ');
    return html`<td class=${klass} data-field=${field ?? cls}>${content}${f
      ? html`<span class="badge ${f.class}" title=${f.message}>${f.class === 'drift' ? 'differs' : 'behind'}</span>` : nothing}</td>`;
  }

  private adminNames(u: ReachableUnit) {
    const app = this.app!;
    const names = u.adminSkis.map((ski) => app.admins.find((a) => a.ski === ski)?.name ?? `SKI ${shortHex(ski, 8)}`);
    return html`<span class="admin-count">${u.adminSkis.length}</span>${names.length ? html`: <span class="admin-names">${names.join(', ')}</span>` : nothing}`;
  }

  private renderUnits() {
    const app = this.app!;
    const s = app.snapshot;
    const inst = app.instance;
    if (!inst) return nothing;
    if (!s) return html`<p>No unit state yet.</p>`;
    const records = new Map(inst.units.map((u) => [u.id, u]));
    return html`<section aria-labelledby="units-title">
      <h3 id="units-title">Crypto units (${inst.units.length})</h3>
      <div class="units">
        <table class="unit-table">
          <thead><tr>
            <th scope="col">Unit</th><th scope="col">Mode</th><th scope="col">Administrators</th>
            <th scope="col">Thresholds (signature / revocation)</th><th scope="col">Current master key</th>
            <th scope="col">New master key</th><th scope="col">Counter</th><th scope="col">Root fingerprint</th>
          </tr></thead>
          <tbody>
            ${s.units.map((u: UnitSnapshot) => {
              const rec = records.get(u.unitId);
              const endpoint = rec?.endpoint;
              const kind = endpoint?.kind === 'http'
                ? html`<span class="hint unit-kind">remote unit at <code class="unit-url">${endpoint.url}</code></span>`
                : html`<span class="hint unit-kind">simulated</span>`;
              const head = html`<th scope="row" data-unit=${u.unitId}><span class="unit-label">${u.label}</span><br />${kind}</th>`;
              if (!u.reachable) {
                const title = u.error.name === 'RootNotAcceptedError' ? 'This unit\'s root was not accepted' : 'This unit does not answer';
                return html`<tr class="unreachable" data-unit=${u.unitId}>${head}<td colspan="7"><webtke-error .explained=${{ title, message: u.error.message, remedy: u.error.remedy }}></webtke-error></td></tr>`;
              }
              return html`<tr data-unit=${u.unitId}>
                ${head}
                ${this.cell(u, 'mode', u.mode === 'imprint' ? 'imprint' : 'authenticated', 'mode')}
                ${this.cell(u, 'admins', this.adminNames(u), 'admins')}
                ${this.cell(u, 'thresholds', html`<span class="thresholds">${u.signThreshold} / ${u.revokeThreshold}</span>`, 'thresholds')}
                ${this.cell(u, 'current', html`<span class="state current-state">${REGISTER_WORDS[u.current.state]}</span>${u.current.vp ? html`<br />VP <code class="hex current-vp">${vpText(u.current.vp)}</code>` : nothing}`, 'current')}
                ${this.cell(u, 'new', html`<span class="state new-state">${REGISTER_WORDS[u.next.state]}</span>${u.next.vp ? html`<br />VP <code class="hex new-vp">${vpText(u.next.vp)}</code>` : nothing}`, 'new')}
                ${this.cell(u, null, html`<span class="counter">${u.counter.toString()}</span>`, 'counter')}
                ${this.cell(u, null, html`<code class="fingerprint">${u.identity.rootFingerprint}</code>`, 'root')}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <p class="hint">Verification patterns (VP) are SHA-256 of the key, shown in groups of four hex digits; compare them on paper.
        Module serials: ${s.units.filter((u): u is ReachableUnit => u.reachable).map((u) => `${u.label} ${groupHex(u.identity.moduleSerial)}`).join('; ') || '—'}.</p>
      <button ?disabled=${app.refreshing || app.busy !== null} @click=${() => this.act(() => app.refresh())}>Refresh</button>
    </section>`;
  }

  private renderFindings() {
    const d = this.app?.drift;
    if (!d || d.findings.length === 0) return nothing;
    return html`<section aria-labelledby="drift-title">
      <h3 id="drift-title">Differences between the units</h3>
      <ul class="findings">${d.findings.map((f) => html`<li class=${f.class}><strong>${f.class === 'drift' ? 'Drift' : 'Step not finished'}</strong> (${f.field}): ${f.message}</li>`)}</ul>
    </section>`;
  }

  private renderRemoteActions() {
    const app = this.app!;
    const busy = this.working || app.busy !== null;
    const urls = this.remoteUrls.split('\n').map((u) => u.trim()).filter((u) => u !== '');
    return html`<details class="remote">
      <summary><h3>Remote instance: new</h3></summary>
      <form class="new-remote" @submit=${(e: Event) => this.createRemote(e)}>
        <fieldset>
          <legend>New remote instance</legend>
          <p class="hint">Crypto units on a unit host (for example <code>npx tsx server/unit-server.ts</code>, docs/remote-units.md). Give each unit's
            URL; webtke reaches only these URLs, and only if this build allows their origin (WEBTKE_UNIT_ORIGINS).</p>
          <label for="remote-name">Name</label>
          <input id="remote-name" type="text" required maxlength="100" .value=${this.remoteName} @input=${(e: Event) => (this.remoteName = (e.target as HTMLInputElement).value)} />
          <label for="remote-urls">Unit URLs, one per line</label>
          <textarea id="remote-urls" rows="3" spellcheck="false" placeholder="http://127.0.0.1:8787/units/unit-1" .value=${this.remoteUrls}
            @input=${(e: Event) => (this.remoteUrls = (e.target as HTMLTextAreaElement).value)}></textarea>
          <label for="remote-token">Access token of the unit host (if it needs one; kept in this tab's memory only)</label>
          <input id="remote-token" type="password" autocomplete="off" spellcheck="false" />
          <div><button type="submit" ?disabled=${busy || this.remoteName.trim() === '' || urls.length === 0}>Create the remote instance</button></div>
        </fieldset>
      </form>
    </details>`;
  }

  private createRemote(ev: Event): void {
    ev.preventDefault();
    const app = this.app!;
    const form = ev.target as HTMLFormElement;
    const tokenInput = form.querySelector<HTMLInputElement>('#remote-token');
    const token = (tokenInput?.value ?? '').trim();
    clearSecret(tokenInput);
    const urls = this.remoteUrls.split('\n').map((u) => u.trim()).filter((u) => u !== '');
    void this.act(async () => {
      await app.createRemoteInstance(this.remoteName.trim(), urls, token || undefined);
      this.remoteUrls = '';
    });
  }

  private renderSimulationActions() {
    const app = this.app!;
    const inst = app.instance;
    const busy = this.working || app.busy !== null;
    return html`<details class="simulation">
      <summary><h3>Simulation: new instance, reset</h3></summary>
      <form class="new-instance" @submit=${(e: Event) => { e.preventDefault(); void this.act(() => app.createSimulatedInstance(this.newName.trim(), this.newUnits)); }}>
        <fieldset>
          <legend>New simulated instance</legend>
          <label for="new-name">Name</label>
          <input id="new-name" type="text" required maxlength="100" .value=${this.newName} @input=${(e: Event) => (this.newName = (e.target as HTMLInputElement).value)} />
          <label for="new-units">Crypto units</label>
          <select id="new-units" .value=${String(this.newUnits)} @change=${(e: Event) => (this.newUnits = Number((e.target as HTMLSelectElement).value))}>
            ${Array.from({ length: MAX_SIM_UNITS - MIN_SIM_UNITS + 1 }, (_, i) => MIN_SIM_UNITS + i).map((n) => html`<option value=${n} ?selected=${n === this.newUnits}>${n}</option>`)}
          </select>
          <div><button type="submit" ?disabled=${busy || this.newName.trim() === ''}>Create the simulated instance</button></div>
        </fieldset>
      </form>
      ${inst?.kind === 'simulated'
        ? html`<p>Resetting discards the simulated units of "${inst.name}" with their administrators, master keys and key storage, and starts
              ${plural(inst.units.length, 'empty unit')} with a new root. The journal keeps its entries.</p>
            <button class="danger reset" ?disabled=${busy} @click=${() => this.reset()}>Reset the simulation…</button>`
        : nothing}
    </details>`;
  }

  private async reset(): Promise<void> {
    const app = this.app!;
    if (await app.confirmResetSimulation()) await this.act(() => app.resetSimulation());
  }

  private async act(fn: () => Promise<unknown>): Promise<void> {
    this.actionError = undefined;
    this.working = true;
    try {
      await fn();
    } catch (e) {
      this.actionError = e;
    } finally {
      this.working = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-instance-view': InstanceView;
  }
}
