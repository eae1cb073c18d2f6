/**
 * Create a software administrator (issue 3): name (1–30 characters), curve (P-521 default,
 * P-384, P-256), password twice with a strength hint. The key is generated in the browser, its
 * self-signed admin certificate built, and the password-protected signature key file offered
 * for download. The app keeps only the certificate, in the directory.
 */
import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { CurveName } from '../../crypto/index.ts';
import { createSignatureKey, DEFAULT_ADMIN_CURVE } from '../../custodian/soft/index.ts';
import { FileOfferElement } from './file-offer-element.ts';
import { safeFileName } from '../files.ts';
import { passwordHint } from '../password-hint.ts';
import { baseStyles } from '../styles.ts';
import { clearSecret } from '../consent/modal.ts';
import '../components/download-link.ts';
import '../components/error-view.ts';

export const ADMIN_NAME_MAX = 30;
const CURVES: { value: CurveName; words: string }[] = [
  { value: 'P-521', words: 'P-521 (default, as IBM TKE)' },
  { value: 'P-384', words: 'P-384' },
  { value: 'P-256', words: 'P-256' },
];

@customElement('webtke-create-admin')
export class CreateAdmin extends FileOfferElement {
  static override styles = baseStyles;

  @state() private name = '';
  @state() private curve: CurveName = DEFAULT_ADMIN_CURVE;
  @state() private hint = passwordHint('');
  @state() private mismatch = false;
  @state() private working = false;
  @state() private error: unknown;
  @state() private created = '';

  @query('#admin-pw') private pw1?: HTMLInputElement;
  @query('#admin-pw2') private pw2?: HTMLInputElement;

  private onPassword(): void {
    this.hint = passwordHint(this.pw1?.value ?? '');
    this.mismatch = (this.pw2?.value ?? '') !== '' && this.pw2?.value !== this.pw1?.value;
  }

  private async submit(ev: Event): Promise<void> {
    ev.preventDefault();
    const app = this.app;
    if (!app || this.working) return;
    const name = this.name.trim();
    const password = this.pw1?.value ?? '';
    const again = this.pw2?.value ?? '';
    if (password !== again) {
      this.mismatch = true;
      return;
    }
    clearSecret(this.pw1);
    clearSecret(this.pw2);
    this.hint = passwordHint('');
    this.error = undefined;
    this.working = true;
    try {
      const { text, signer } = await createSignatureKey(app.crypto, { name, curve: this.curve, password }, app.keyFileOptions);
      const certificate = signer.certificate;
      signer.close(); // the key lives on only in the file
      const fileName = safeFileName(name, '.webtke-admin.json');
      await app.recordAdmin(certificate, { kind: 'software', fileName });
      this.offer(fileName, text);
      this.created = name;
      this.name = '';
      this.dispatchEvent(new CustomEvent('admin-created', { detail: { name, fileName }, bubbles: true, composed: true }));
    } catch (e) {
      this.error = e;
    } finally {
      this.working = false;
    }
  }

  override render() {
    const nameOk = this.name.trim().length >= 1 && [...this.name.trim()].length <= ADMIN_NAME_MAX;
    return html`<form @submit=${(e: Event) => this.submit(e)}>
        <label for="admin-name">Administrator name (1–${ADMIN_NAME_MAX} characters)</label>
        <input id="admin-name" type="text" required maxlength=${ADMIN_NAME_MAX} autocomplete="off" .value=${this.name}
          @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} />
        <label for="admin-curve">Curve</label>
        <select id="admin-curve" .value=${this.curve} @change=${(e: Event) => (this.curve = (e.target as HTMLSelectElement).value as CurveName)}>
          ${CURVES.map((c) => html`<option value=${c.value} ?selected=${c.value === this.curve}>${c.words}</option>`)}
        </select>
        <label for="admin-pw">Choose a password for the key file</label>
        <input id="admin-pw" type="password" autocomplete="new-password" aria-describedby="admin-pw-hint" @input=${() => this.onPassword()} />
        <p id="admin-pw-hint" class="hint" aria-live="polite">${this.hint.words}</p>
        <label for="admin-pw2">Type that password again</label>
        <input id="admin-pw2" type="password" autocomplete="new-password" aria-describedby="admin-pw2-hint" @input=${() => this.onPassword()} />
        <p id="admin-pw2-hint" class="hint" aria-live="polite">${this.mismatch ? 'The two passwords differ.' : ''}</p>
        <webtke-error .error=${this.error}></webtke-error>
        <button type="submit" class="primary" ?disabled=${this.working || !nameOk}>${this.working ? 'Generating the key…' : 'Create the administrator'}</button>
      </form>
      ${this.file
        ? html`<webtke-download .file=${this.file} what=${`the signature key of ${this.created}, encrypted with the password you chose`}
            @done=${() => this.withdraw()}></webtke-download>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-create-admin': CreateAdmin;
  }
}
