/**
 * Typed confirmation (issue 6, "Destructive steps … need a typed confirmation"): the dialog
 * shows what will happen and, when a phrase is given (the instance name, "ZEROIZE" …), keeps
 * the confirm button disabled until exactly that phrase is typed.
 */
import { html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { baseStyles } from '../styles.ts';
import { ModalFocus } from './modal.ts';

export interface ConfirmQuestion {
  title: string;
  detail: string;
  typedPhrase?: string;
  kind: 'destructive' | 'drift' | 'plain';
  /** the confirm button's words (default "Confirm") */
  confirmLabel?: string;
}

@customElement('webtke-confirm-dialog')
export class ConfirmDialog extends LitElement {
  static override styles = baseStyles;

  @state() private q: ConfirmQuestion | null = null;
  @state() private typed = '';
  @query('dialog') private dialog!: HTMLDialogElement;
  private modal = new ModalFocus();
  private settle: ((ok: boolean) => void) | null = null;

  async ask(q: ConfirmQuestion): Promise<boolean> {
    if (this.settle) throw new Error('a confirmation is already open');
    this.q = q;
    this.typed = '';
    await this.updateComplete;
    this.modal.open(this.dialog);
    return new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get isOpen(): boolean {
    return this.settle !== null;
  }

  private get phraseMatches(): boolean {
    return this.q?.typedPhrase === undefined || this.typed === this.q.typedPhrase;
  }

  private done(ok: boolean): void {
    const s = this.settle;
    this.settle = null;
    this.q = null;
    this.typed = '';
    this.modal.close(this.dialog);
    s?.(ok);
  }

  override render() {
    const q = this.q;
    return html`<dialog aria-labelledby="confirm-title" aria-describedby="confirm-detail" @cancel=${(e: Event) => (e.preventDefault(), this.done(false))}>
      ${q ? html`<h3 id="confirm-title">${q.title}</h3>
        <p id="confirm-detail">${q.detail}</p>
        <form @submit=${(e: Event) => { e.preventDefault(); if (this.phraseMatches) this.done(true); }}>
          ${q.typedPhrase !== undefined
            ? html`<label for="phrase">Type <strong class="phrase">${q.typedPhrase}</strong> to confirm</label>
                <input id="phrase" type="text" autofocus autocomplete="off" spellcheck="false" .value=${this.typed}
                  @input=${(e: Event) => (this.typed = (e.target as HTMLInputElement).value)} />`
            : nothing}
          <div class="actions">
            <button type="submit" class=${q.kind === 'plain' ? 'primary' : 'danger'} ?disabled=${!this.phraseMatches}>${q.confirmLabel ?? 'Confirm'}</button>
            <button type="button" ?autofocus=${q.typedPhrase === undefined} @click=${() => this.done(false)}>Cancel</button>
          </div>
        </form>` : nothing}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-confirm-dialog': ConfirmDialog;
  }
}
