import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { WorkerProbeResult } from '../../selfcheck/worker-probe.ts';
import type { OfflineStatus } from '../../sw/register.ts';

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
 * Settings (placeholder: the settings themselves come with the ceremony UI). For now: what this
 * build is, whether it works offline, and a check that this browser can run the worker the
 * simulated crypto units live in.
 *
 * The end-to-end tests rely on: the button "Check worker support", the role=status element with
 * "Worker OK: the worker (loaded from <scheme>) …" and code.nonce / code.digest, and the
 * dd.version / dd.delivery / dd.offline facts. Keep them when extending this view.
 */
@customElement('webtke-settings-view')
export class SettingsView extends LitElement {
  @property({ attribute: false }) build: BuildFacts = { version: '', delivery: 'dev' };
  @property({ attribute: false }) offline: OfflineStatus = 'not-used';
  @property({ attribute: false }) checkWorker?: WorkerCheck;

  @state() private check: { state: 'idle' | 'running' } | { state: 'ok'; result: WorkerProbeResult } | { state: 'failed'; message: string } = {
    state: 'idle',
  };

  private async runCheck(): Promise<void> {
    if (!this.checkWorker) return;
    this.check = { state: 'running' };
    try {
      this.check = { state: 'ok', result: await this.checkWorker() };
    } catch (e) {
      this.check = { state: 'failed', message: (e as Error).message };
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
      </section>`;
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
