/**
 * The consent UI: the engine's Consent interface (src/ceremony/consent.ts) implemented with the
 * dialogs of this folder, plus a progress bar. The shell puts one on the page and registers it
 * with the app model, which hands it to the engine.
 *
 *   | engine call   | dialog                                                            |
 *   |---------------|-------------------------------------------------------------------|
 *   | chooseSigners | <webtke-signing-dialog>: per unit the words and block SHA-256; each signer in turn |
 *   | wrapParts     | <webtke-parts-dialog>: each part's secret, then holder.wrapForImporters |
 *   | confirm       | <webtke-confirm-dialog>: typed phrase for destructive steps and drift decisions |
 *   | progress      | the progress bar below the dialogs                                |
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConfirmRequest, ProgressReport, SignerRequest, WrapRequest } from '../../ceremony/index.ts';
import type { AdminSigner } from '../../custodian/index.ts';
import type { ConsentHost } from '../app-model.ts';
import { baseStyles } from '../styles.ts';
import type { ConfirmDialog, ConfirmQuestion } from './confirm-dialog.ts';
import type { PartsDialog, PartsEnv } from './parts-dialog.ts';
import type { SecretPrompt } from './secret-prompt.ts';
import type { SigningDialog, SigningEnv } from './signing-dialog.ts';
import './confirm-dialog.ts';
import './parts-dialog.ts';
import './secret-prompt.ts';
import './signing-dialog.ts';

/** How long a finished progress bar stays visible (ms). */
const PROGRESS_LINGER_MS = 1500;

@customElement('webtke-consent')
export class ConsentElement extends LitElement implements ConsentHost {
  static override styles = [
    baseStyles,
    css`
      .progress { position: fixed; left: 1rem; right: 1rem; bottom: 1rem; background: #fff; border: 1px solid #1f3a5f; padding: 0.5rem 0.75rem; box-shadow: 0 2px 8px rgba(0,0,0,0.2); }
      progress { width: 100%; height: 1rem; }
    `,
  ];

  /** what the dialogs need from the app (the AppModel has it) */
  @property({ attribute: false }) app?: Omit<SigningEnv, 'promptSecret'> & PartsEnv;

  @state() private progressReport: ProgressReport | null = null;
  @query('webtke-signing-dialog') private signing!: SigningDialog;
  @query('webtke-parts-dialog') private parts!: PartsDialog;
  @query('webtke-confirm-dialog') private confirmation!: ConfirmDialog;
  @query('webtke-secret-prompt') private secret!: SecretPrompt;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;

  async chooseSigners(req: SignerRequest): Promise<AdminSigner[]> {
    await this.updateComplete;
    return this.signing.ask(req);
  }

  async wrapParts(req: WrapRequest): Promise<Uint8Array[][]> {
    await this.updateComplete;
    return this.parts.ask(req);
  }

  async confirm(req: ConfirmRequest): Promise<boolean> {
    return this.ask({ title: req.title, detail: req.detail, typedPhrase: req.typedPhrase, kind: req.kind });
  }

  /** A confirmation asked by the app itself (reset the simulation, forget a root). */
  async ask(q: ConfirmQuestion): Promise<boolean> {
    await this.updateComplete;
    return this.confirmation.ask(q);
  }

  async promptSecret(req: { title: string; label: string; retriesLeft?: number }): Promise<string> {
    await this.updateComplete;
    return this.secret.ask(req);
  }

  progress(report: ProgressReport): void {
    clearTimeout(this.progressTimer);
    this.progressReport = report;
    if (report.done >= report.total) {
      this.progressTimer = setTimeout(() => (this.progressReport = null), PROGRESS_LINGER_MS);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.progressTimer);
  }

  private env(): (SigningEnv & PartsEnv) | undefined {
    const a = this.app;
    if (!a) return undefined;
    return { crypto: a.crypto, keyFileOptions: a.keyFileOptions, cards: a.cards, promptSecret: (r) => this.promptSecret(r) };
  }

  override render() {
    const p = this.progressReport;
    const env = this.env();
    return html`<webtke-signing-dialog .env=${env}></webtke-signing-dialog>
      <webtke-parts-dialog .env=${env}></webtke-parts-dialog>
      <webtke-confirm-dialog></webtke-confirm-dialog>
      <webtke-secret-prompt></webtke-secret-prompt>
      ${p ? html`<div class="progress">
        <label for="step-progress">${p.step.title}: ${p.done} of ${p.total}</label>
        <progress id="step-progress" max=${p.total} .value=${p.done}></progress>
      </div>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-consent': ConsentElement;
  }
}
