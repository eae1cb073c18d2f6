import { html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { WorkerProbeResult } from '../../selfcheck/worker-probe.ts';
import type { OfflineStatus } from '../../sw/register.ts';
import type { InstanceRecord, UnitRecord } from '../../store/index.ts';
import { AppElement } from '../components/app-element.ts';
import { plural, timeText } from '../format.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';
import '../components/unit-token.ts';

/** What the build says about itself (main.ts). */
export interface BuildFacts {
  version: string;
  delivery: 'dev' | 'hosted' | 'single';
}

/** Runs the module-worker self-check (main.ts wires it to the real Worker). */
export type WorkerCheck = () => Promise<WorkerProbeResult>;

const DELIVERY_TEXT: Record<BuildFacts['delivery'], string> = {
  dev: 'development server',
  hosted: 'hosted build',
  single: 'single-file build',
};

const OFFLINE_TEXT: Record<OfflineStatus, string> = {
  'not-used': 'not used by this build (it needs no network)',
  unsupported: 'not available in this browser',
  installing: 'storing the app…',
  ready: 'ready: reloads work without the network',
  failed: 'failed',
};

/**
 * Settings: what this build is, whether it works offline, and a check that this browser can run
 * the worker the simulated units live in; the simulation (reset), the service instances, the
 * unit roots trusted on first use (show, forget), the unit host's access token of a remote
 * instance (this session only), and what webtke stores.
 *
 * The end-to-end tests rely on: the button "Check worker support", the role=status element with
 * "Worker OK: the worker (loaded from <scheme>) …" and code.nonce / code.digest, and the
 * dd.version / dd.delivery / dd.offline facts. Keep them when extending this view, and keep that
 * status element the only role=status of the view.
 */
@customElement('webtke-settings-view')
export class SettingsView extends AppElement {
  static override styles = baseStyles;

  @property({ attribute: false }) build: BuildFacts = { version: '', delivery: 'dev' };
  @property({ attribute: false }) offline: OfflineStatus = 'not-used';
  @property({ attribute: false }) checkWorker?: WorkerCheck;

  @state() private check: { state: 'idle' | 'running' } | { state: 'ok'; result: WorkerProbeResult } | { state: 'failed'; message: string } = {
    state: 'idle',
  };
  @state() private error: unknown;
  @state() private message = '';
  @state() private renaming: string | null = null;
  @state() private newName = '';

  private async runCheck(): Promise<void> {
    if (!this.checkWorker) return;
    this.check = { state: 'running' };
    try {
      this.check = { state: 'ok', result: await this.checkWorker() };
    } catch (e) {
      this.check = { state: 'failed', message: (e as Error).message };
    }
  }

  private async act(fn: () => Promise<unknown>, done: string): Promise<void> {
    this.error = undefined;
    this.message = '';
    try {
      await fn();
      this.message = done;
    } catch (e) {
      this.error = e;
    }
  }

  override render() {
    return html`<h2>Settings</h2>
      <section aria-labelledby="about">
        <h3 id="about">About this build</h3>
        <dl>
          <dt>Version</dt>
          <dd class="version">${this.build.version}</dd>
          <dt>Delivery</dt>
          <dd class="delivery">${DELIVERY_TEXT[this.build.delivery]}</dd>
          <dt>Offline use</dt>
          <dd class="offline">${OFFLINE_TEXT[this.offline]}</dd>
        </dl>
        <button type="button" ?disabled=${!this.checkWorker || this.check.state === 'running'} @click=${() => this.runCheck()}>
          Check worker support
        </button>
        <p class="worker-check" role="status">${this.renderCheck()}</p>
      </section>
      ${this.app?.status === 'ready' ? this.renderAppSettings() : nothing}
      <section aria-labelledby="secrets">
        <h3 id="secrets">What webtke stores</h3>
        <p class="no-secrets">webtke never stores a secret: no password, PIN, private key, key part or unit host access token is ever written to this browser's storage.
          It keeps only public facts — administrator certificates, key part descriptions and verification patterns, the units' pinned roots,
          the journal — plus the simulated units' state, encrypted under a key the browser will not export. Key files stay with the people
          who hold them.</p>
      </section>`;
  }

  private renderAppSettings() {
    const app = this.app!;
    const inst = app.instance;
    const pinned = app.instances.flatMap((i) => i.units.filter((u) => u.pinnedRoot).map((u) => ({ i, u })));
    return html`<webtke-error .error=${this.error}></webtke-error>
      <p class="ok" aria-live="polite">${this.message}</p>
      <section aria-labelledby="simulation">
        <h3 id="simulation">Simulation</h3>
        <p><span class="sim-label">Simulation — not a security boundary</span></p>
        ${inst?.kind === 'simulated'
          ? html`<p>The current instance "${inst.name}" is simulated in this browser (${plural(inst.units.length, 'unit')}).
                Resetting discards its units, master keys and key storage and starts empty units with a new root.</p>
              <button type="button" class="danger" ?disabled=${app.busy !== null} @click=${() => this.reset()}>Reset the simulation…</button>`
          : html`<p>The current instance is not simulated.</p>`}
      </section>
      ${inst?.kind === 'remote'
        ? html`<section aria-labelledby="remote-units">
            <h3 id="remote-units">Remote units</h3>
            <p>The current instance "${inst.name}" has ${plural(inst.units.length, 'remote unit')}:
              ${inst.units.map((u, i) => html`${i ? ', ' : ''}${u.label} at <code>${u.endpoint.kind === 'http' ? u.endpoint.url : ''}</code>`)}.</p>
            <webtke-unit-token .app=${app}></webtke-unit-token>
          </section>`
        : nothing}
      <section aria-labelledby="instances">
        <h3 id="instances">Service instances</h3>
        <table class="instances">
          <thead><tr><th scope="col">Name</th><th scope="col">Units</th><th scope="col">Kind</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${app.instances.map((i) => this.renderInstanceRow(i))}</tbody>
        </table>
        <p class="hint">New simulated instances are created in the Instance view.</p>
      </section>
      <section aria-labelledby="roots">
        <h3 id="roots">Unit roots trusted on first use</h3>
        <p class="hint">The first time webtke reaches a unit it pins the root that certifies it (as SSH does with host keys); afterwards a unit
          certified by any other root is refused. Forget a root only when a unit was legitimately replaced; it is journaled.</p>
        ${pinned.length === 0 ? html`<p>No root pinned yet.</p>` : html`<table class="pinned-roots">
          <thead><tr><th scope="col">Instance</th><th scope="col">Unit</th><th scope="col">Root fingerprint</th><th scope="col">Pinned</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${pinned.map(({ i, u }) => html`<tr>
            <td>${i.name}</td><th scope="row">${u.label}</th><td><code class="fingerprint">${u.pinnedRoot!.fingerprint}</code></td>
            <td>${timeText(u.pinnedRoot!.pinned)}</td>
            <td><button type="button" aria-label=${`Forget the root of ${u.label} in ${i.name}`} ?disabled=${app.busy !== null} @click=${() => this.forget(i, u)}>Forget</button></td>
          </tr>`)}</tbody>
        </table>`}
      </section>`;
  }

  private renderInstanceRow(i: InstanceRecord) {
    const app = this.app!;
    const current = app.instance?.id === i.id;
    if (this.renaming === i.id) {
      return html`<tr><td colspan="5">
        <form @submit=${(e: Event) => { e.preventDefault(); void this.act(() => app.renameInstance(i.id, this.newName.trim()), 'Renamed.').then(() => (this.renaming = null)); }}>
          <label for="rename">New name of "${i.name}"</label>
          <input id="rename" type="text" maxlength="100" required .value=${this.newName} @input=${(e: Event) => (this.newName = (e.target as HTMLInputElement).value)} />
          <button type="submit">Rename</button><button type="button" @click=${() => (this.renaming = null)}>Cancel</button>
        </form></td></tr>`;
    }
    return html`<tr>
      <th scope="row">${i.name}${current ? html` <strong>(current)</strong>` : nothing}</th>
      <td>${i.units.length}</td><td>${i.kind}</td><td>${timeText(i.created)}</td>
      <td>
        ${current ? nothing : html`<button type="button" aria-label=${`Switch to ${i.name}`} @click=${() => this.act(() => app.selectInstance(i.id), `Switched to ${i.name}.`)}>Switch to</button>`}
        <button type="button" aria-label=${`Rename ${i.name}`} @click=${() => { this.renaming = i.id; this.newName = i.name; }}>Rename</button>
        ${current ? nothing : html`<button type="button" class="danger" aria-label=${`Delete ${i.name}`} @click=${() => this.deleteInstance(i)}>Delete…</button>`}
      </td>
    </tr>`;
  }

  private async reset(): Promise<void> {
    const app = this.app!;
    if (await app.confirmResetSimulation()) await this.act(() => app.resetSimulation(), 'The simulation was reset.');
  }

  private async deleteInstance(i: InstanceRecord): Promise<void> {
    const app = this.app!;
    const ok = await app.consent.ask({
      title: `Delete the instance "${i.name}"?`,
      detail: `Its units' records${i.kind === 'simulated' ? ', simulated state' : ''} and key storage are deleted from this browser. The journal keeps its entries.`,
      typedPhrase: i.name,
      kind: 'destructive',
      confirmLabel: 'Delete the instance',
    });
    if (ok) await this.act(() => app.deleteInstance(i.id), `Deleted ${i.name}.`);
  }

  private async forget(i: InstanceRecord, u: UnitRecord): Promise<void> {
    const app = this.app!;
    const ok = await app.consent.ask({
      title: `Forget the pinned root of ${u.label}?`,
      detail: `webtke will accept whatever root the unit shows at the next connection (${u.pinnedRoot!.fingerprint} is pinned now). Do this only when the unit was legitimately replaced, and compare the new fingerprint with its operator's.`,
      kind: 'destructive',
      typedPhrase: u.label,
      confirmLabel: 'Forget the root',
    });
    if (ok) await this.act(() => app.forgetRoot(i.id, u.id), `The root of ${u.label} was forgotten.`);
  }

  private renderCheck() {
    const c = this.check;
    switch (c.state) {
      case 'idle':
        return '';
      case 'running':
        return 'Checking…';
      case 'ok':
        return html`Worker OK: the worker (loaded from ${c.result.workerScheme}) answered in ${Math.round(c.result.ms)} ms
          (nonce <code class="nonce">${c.result.nonceHex}</code>, SHA-256 <code class="digest">${c.result.digestHex}</code>).`;
      case 'failed':
        return html`Worker check failed: ${c.message}`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-settings-view': SettingsView;
  }
}
