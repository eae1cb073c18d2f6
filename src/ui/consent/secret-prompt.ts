/**
 * A PIN or password prompt for a custodian that asks again in the middle of a step (a card
 * whose key wants the PIN before every signature). The answer goes to the card; the field is
 * emptied at once.
 */
import { html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { baseStyles } from '../styles.ts';
import { clearSecret, ConsentCancelled, ModalFocus } from './modal.ts';

export interface SecretQuestion {
  title: string;
  label: string;
  retriesLeft?: number;
}

@customElement('webtke-secret-prompt')
export class SecretPrompt extends LitElement {
  static override styles = baseStyles;

  @state() private q: SecretQuestion | null = null;
  @query('dialog') private dialog!: HTMLDialogElement;
  @query('#prompt-secret') private input?: HTMLInputElement;
  private modal = new ModalFocus();
  private settle: { resolve(s: string): void; reject(e: unknown): void } | null = null;
  /** questions waiting while one is open */
  private queue: Promise<unknown> = Promise.resolve();

  ask(q: SecretQuestion): Promise<string> {
    const run = this.queue.then(() => this.askNow(q));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async askNow(q: SecretQuestion): Promise<string> {
    this.q = q;
    await this.updateComplete;
    this.modal.open(this.dialog);
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  private answer(ev: Event): void {
    ev.preventDefault();
    const secret = this.input?.value ?? '';
    clearSecret(this.input);
    const s = this.settle;
    this.settle = null;
    this.q = null;
    this.modal.close(this.dialog);
    s?.resolve(secret);
  }

  private cancel(): void {
    clearSecret(this.input);
    const s = this.settle;
    this.settle = null;
    this.q = null;
    this.modal.close(this.dialog);
    s?.reject(new ConsentCancelled('the PIN entry'));
  }

  override render() {
    const q = this.q;
    return html`<dialog aria-labelledby="prompt-title" @cancel=${(e: Event) => (e.preventDefault(), this.cancel())}>
      ${q ? html`<h3 id="prompt-title">${q.title}</h3>
        <form @submit=${(e: Event) => this.answer(e)}>
          <label for="prompt-secret">${q.label}</label>
          <input type="password" id="prompt-secret" autofocus autocomplete="off" aria-describedby="prompt-retries" />
          <p id="prompt-retries" class="hint">${q.retriesLeft === undefined ? '' : `Tries left before it blocks: ${q.retriesLeft}.`}</p>
          <div class="actions">
            <button type="submit" class="primary">Continue</button>
            <button type="button" @click=${() => this.cancel()}>Cancel</button>
          </div>
        </form>` : nothing}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-secret-prompt': SecretPrompt;
  }
}
