/**
 * The Key storage view (DESIGN §3.8; simulated instances keep their key storage in this
 * browser): generate keys under the current master key, list them with the VP each one is
 * under, test a key (WRAP on one unit, UNWRAP on every unit that holds its master key), and
 * follow a rotation: re-encipher every blob inside a unit (REENCRYPT) with a progress bar,
 * resumable, then finish it once every unit is set immediate. Key creation is refused, with
 * the engine's reason, while a rotation is open.
 */
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { KeyStorageService, type InstanceSnapshot, type KeyView } from '../../ceremony/index.ts';
import { AppElement } from '../components/app-element.ts';
import { plural, vpText } from '../format.ts';
import { generateKeys, keyLabels, MAX_KEYS_PER_RUN } from '../key-storage/generate.ts';
import { keysByVp, renderKeyTable, type TestOutcome } from '../key-storage/key-table.ts';
import { renderRotation, type LiveRotation } from '../key-storage/rotation.ts';
import { ActionTracker, outcomeWords, renderAction } from '../master-key/action.ts';
import { goButton } from '../master-key/go-button.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';

/** Rows shown before "Show all". */
const PAGE = 200;

@customElement('webtke-key-storage-view')
export class KeyStorageView extends AppElement {
  static override styles = [
    baseStyles,
    css`
      progress { width: 100%; max-width: 40rem; height: 1rem; display: block; }
      .blocked { border-left: 4px solid #8a5a00; background: #fff8e1; padding: 0.4rem 0.6rem; }
      table.keys .test-result { display: block; font-size: 0.9em; }
      .rotation { border: 2px solid #1f3a5f; padding: 0.5rem 0.75rem; }
      .rotation h3 { margin-top: 0; }
    `,
  ];

  @state() private keys: KeyView[] | null = null;
  @state() private listError: unknown;
  @state() private tests = new Map<string, TestOutcome>();
  @state() private label = 'key';
  @state() private count = 1;
  @state() private generated: { done: number; total: number } | null = null;
  @state() private limit = PAGE;
  private listedFor: InstanceSnapshot | null = null;
  private readonly tracker = new ActionTracker(() => this.requestUpdate());

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const s = this.app?.snapshot ?? null;
    if (s && s !== this.listedFor && !this.tracker.running) void this.list(s);
  }

  /**
   * The re-encipher's figures while it runs: the engine reports each batch staged in the store
   * (its progress), and the app model re-renders the views; between runs the snapshot's
   * rotation (read from the store at every refresh) is shown, so a reload shows the same.
   */
  private get live(): LiveRotation | null {
    const app = this.app;
    const p = app?.progress;
    if (!app?.busy || !p || p.step.step !== 'reencipher') return null;
    return { staged: p.done, total: p.total };
  }

  private async list(s: InstanceSnapshot): Promise<void> {
    this.listedFor = s;
    const keys = this.app?.runtime?.keys;
    if (!keys) {
      this.keys = null;
      return;
    }
    try {
      const list = await keys.list(s);
      if (this.listedFor === s) {
        this.keys = list;
        this.listError = undefined;
      }
    } catch (e) {
      this.listError = e;
    }
  }

  private get busy(): boolean {
    const app = this.app;
    return !app?.runtime || app.busy !== null || this.tracker.running;
  }

  private async generate(ev: Event): Promise<void> {
    ev.preventDefault();
    const app = this.app;
    const keys = app?.runtime?.keys;
    if (!app || !keys) return;
    await this.tracker.run(`Generate ${plural(this.count, 'key')}`, async () => {
      const labels = keyLabels(this.label, this.count);
      const s = app.snapshot ?? (await app.refresh());
      if (!s) throw new Error('the units could not be queried');
      try {
        return await generateKeys(keys, labels, s, (done, total) => (this.generated = { done, total }));
      } finally {
        await app.refresh();
      }
    }, (made) => `Generated ${plural(made.length, 'key')} under the current master key ${vpText(made[0]?.vp).slice(0, 9)} ….`);
  }

  private async test(k: KeyView): Promise<void> {
    const keys = this.app?.runtime?.keys;
    if (!keys) return;
    this.tests = new Map(this.tests).set(k.keyId, { running: true });
    let outcome: TestOutcome;
    try {
      outcome = { result: await keys.test(k.keyId, this.app?.snapshot ?? undefined) };
    } catch (e) {
      outcome = { error: e };
    }
    this.tests = new Map(this.tests).set(k.keyId, outcome);
  }

  override render() {
    const app = this.app;
    return html`<h2>Key storage</h2>${app ? this.renderApp() : html`<p>Starting…</p>`}`;
  }

  private renderApp(): TemplateResult {
    const app = this.app!;
    if (app.status === 'starting') return html`<p aria-live="polite">Opening the browser's storage…</p>`;
    if (app.status === 'failed') return html`<webtke-error .error=${app.startError}></webtke-error>`;
    if (app.instance && app.instance.kind !== 'simulated') {
      return html`<p>The key storage of a remote instance is kept by its unit host; webtke does not hold its blobs.</p>`;
    }
    const s = app.snapshot;
    return html`
      <p class="hint">Each stored key is a blob sealed by the units' master key (AES-256-GCM inside a unit); the browser keeps only the
        blobs. Each one names the VP of the master key it is under. Only a unit with that master key as its current one can use it.</p>
      ${app.refreshError ? html`<webtke-error .error=${app.refreshError}></webtke-error>` : nothing}
      ${this.renderRotationControls()}
      ${renderRotation(s?.storage?.rotation ?? null, this.live, app.next)}
      ${this.renderGenerate(s)}
      ${renderAction(this.tracker.current)}
      ${this.renderKeys()}`;
  }

  private renderRotationControls(): TemplateResult | typeof nothing {
    const app = this.app!;
    const next = app.next;
    if (!next) return nothing;
    let button: TemplateResult | typeof nothing = nothing;
    if (next.kind === 'reencipher' || (next.kind === 'finish-set-immediate' && next.reencipherFirst)) {
      const label = next.kind === 'reencipher' ? next.title : 'Re-encipher the key storage, then finalize the other units';
      button = html`<button type="button" class="primary reencipher" ?disabled=${this.busy}
        @click=${() => this.tracker.run(label, () => app.run({ plan: 'next' }), outcomeWords)}>${label}</button>`;
    } else if (next.kind === 'finish-rotation' || next.kind === 'abandon-rotation') {
      button = html`<button type="button" class="primary ${next.kind}" ?disabled=${this.busy}
        @click=${() => this.tracker.run(next.title, () => app.run({ plan: next.kind === 'finish-rotation' ? 'finish-rotation' : 'abandon-rotation' }), outcomeWords)}>${next.title}</button>`;
    } else {
      return nothing;
    }
    return html`<section class="next" aria-labelledby="ks-next-title">
      <h3 id="ks-next-title">Next safe action: ${next.title}</h3>
      <p>${next.detail}</p>
      ${button}
    </section>`;
  }

  private renderGenerate(s: InstanceSnapshot | null): TemplateResult {
    const block = s ? KeyStorageService.creationBlock(s) : null;
    const g = this.generated;
    return html`<form class="generate" @submit=${(e: Event) => this.generate(e)}>
      <fieldset>
        <legend>Generate keys</legend>
        ${block ? html`<p class="blocked creation-blocked" role="note"><strong>Key creation is blocked:</strong> ${block.message}.
          ${block.reason === 'rotation-open' || block.reason === 'new-register-loaded'
            ? html`Finish the rotation first. ${goButton(this, 'master-key', 'Open the Master key view', 'small')}` : nothing}</p>` : nothing}
        <label for="key-label">Label</label>
        <input id="key-label" type="text" maxlength="190" .value=${this.label} @input=${(e: Event) => (this.label = (e.target as HTMLInputElement).value)} />
        <label for="key-count">How many (1–${MAX_KEYS_PER_RUN}; several get "label 1", "label 2", …)</label>
        <input id="key-count" type="number" min="1" max=${String(MAX_KEYS_PER_RUN)} .value=${String(this.count)}
          @input=${(e: Event) => (this.count = Math.trunc(Number((e.target as HTMLInputElement).value)) || 0)} />
        <div><button type="submit" class="primary generate-keys" ?disabled=${this.busy || block !== null || this.label.trim() === '' || this.count < 1 || this.count > MAX_KEYS_PER_RUN}>
          Generate</button></div>
        ${g && this.tracker.running ? html`<label for="gen-progress">Generated ${g.done} of ${g.total}</label>
          <progress id="gen-progress" max=${String(g.total)} .value=${g.done}></progress>` : nothing}
      </fieldset>
    </form>`;
  }

  private renderKeys(): TemplateResult {
    const app = this.app!;
    const keys = this.keys;
    if (this.listError) return html`<webtke-error .error=${this.listError}></webtke-error>`;
    if (!keys) return html`<p>Reading the key storage…</p>`;
    if (keys.length === 0) return html`<p class="no-keys">No key stored yet.</p>`;
    const groups = keysByVp(keys);
    return html`<section aria-labelledby="keys-title">
      <h3 id="keys-title">Stored keys</h3>
      <ul class="by-vp">${groups.map((g) => html`<li>${plural(g.count, 'key')} under VP <code class="hex">${vpText(g.vp)}</code>${g.staged
        ? `, ${g.staged} of them re-enciphered` : ''}</li>`)}</ul>
      ${renderKeyTable(keys, app.snapshot, this.tests, (k) => void this.test(k), this.busy, this.limit)}
      ${keys.length > this.limit ? html`<button type="button" @click=${() => (this.limit = keys.length)}>Show all ${keys.length} keys</button>` : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-key-storage-view': KeyStorageView;
  }
}
