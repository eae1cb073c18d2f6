/**
 * The key parts dialog (the engine's wrapParts): for each part in turn it shows the part's
 * description and VP and the importer keys it will be encrypted to, asks its custodian for the
 * key part file's password or the card's PIN, and calls holder.wrapForImporters itself. The
 * secret never reaches the engine; the field is emptied as soon as the call has it.
 */
import { html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { WrapRequest } from '../../ceremony/index.ts';
import { vpDisplay, type KeyPartHolder } from '../../custodian/index.ts';
import { SoftKeyPartHolder } from '../../custodian/soft/index.ts';
import type { CardSession, PinState } from '../cards.ts';
import { shortHex } from '../format.ts';
import { baseStyles } from '../styles.ts';
import { clearSecret, ConsentCancelled, ModalFocus } from './modal.ts';
import '../components/error-view.ts';

export interface PartsEnv {
  readonly cards: { readonly list: readonly CardSession[]; pinState(s: CardSession): Promise<PinState> };
}

@customElement('webtke-parts-dialog')
export class PartsDialog extends LitElement {
  static override styles = baseStyles;

  @property({ attribute: false }) env?: PartsEnv;

  @state() private req: WrapRequest | null = null;
  @state() private index = 0;
  @state() private error: unknown;
  @state() private working = false;
  @state() private pin: PinState | null = null;

  @query('dialog') private dialog!: HTMLDialogElement;
  @query('#part-secret') private secretInput?: HTMLInputElement;

  private envelopes: Uint8Array[][] = [];
  private modal = new ModalFocus();
  private settle: { resolve(v: Uint8Array[][]): void; reject(e: unknown): void } | null = null;

  async ask(req: WrapRequest): Promise<Uint8Array[][]> {
    if (this.settle) throw new Error('a key part request is already open');
    this.req = req;
    this.index = 0;
    this.envelopes = [];
    this.error = undefined;
    await this.updateComplete;
    void this.loadPinState();
    this.modal.open(this.dialog);
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  get isOpen(): boolean {
    return this.settle !== null;
  }

  private cardOf(holder: KeyPartHolder): CardSession | undefined {
    return this.env?.cards.list.find((c) => c.parts === holder);
  }

  private async loadPinState(): Promise<void> {
    this.pin = null;
    const part = this.req?.parts[this.index];
    const card = part && this.cardOf(part.holder);
    if (!card || !this.env) return;
    try {
      this.pin = await this.env.cards.pinState(card);
    } catch (e) {
      this.error = e;
    }
  }

  private async submit(ev: Event): Promise<void> {
    ev.preventDefault();
    const req = this.req;
    if (!req || this.working) return;
    const part = req.parts[this.index];
    const secret = this.secretInput?.value ?? '';
    clearSecret(this.secretInput);
    this.error = undefined;
    this.working = true;
    try {
      const env = await part.holder.wrapForImporters(part.partId, req.importers.map((i) => i.spki), secret);
      this.envelopes.push(env);
      if (this.index + 1 >= req.parts.length) {
        const s = this.settle;
        const out = this.envelopes;
        this.settle = null;
        this.req = null;
        this.envelopes = [];
        this.modal.close(this.dialog);
        s?.resolve(out);
        return;
      }
      this.index++;
      void this.loadPinState();
      await this.updateComplete;
      this.secretInput?.focus();
    } catch (e) {
      this.error = e;
      void this.loadPinState();
    } finally {
      this.working = false;
      clearSecret(this.secretInput);
    }
  }

  private cancel(): void {
    const s = this.settle;
    this.settle = null;
    this.req = null;
    this.envelopes = [];
    clearSecret(this.secretInput);
    this.modal.close(this.dialog);
    s?.reject(new ConsentCancelled('loading the key parts'));
  }

  override render() {
    return html`<dialog aria-labelledby="parts-title" @cancel=${(e: Event) => (e.preventDefault(), this.cancel())}>
      ${this.req ? this.renderRequest(this.req) : nothing}
    </dialog>`;
  }

  private renderRequest(req: WrapRequest) {
    const part = req.parts[this.index];
    const card = this.cardOf(part.holder);
    const isFile = part.holder instanceof SoftKeyPartHolder;
    const label = isFile ? 'Password of the key part file' : card ? `PIN of ${card.label}` : 'Password or PIN of the key part\'s custodian';
    return html`<h3 id="parts-title">${req.step.title}: key part ${this.index + 1} of ${req.parts.length}</h3>
      <p>The custodian of this part types its secret. The part is decrypted only inside this call, encrypted at once to the
        importer key of every unit below, and wiped; nobody else sees it.</p>
      <dl>
        <dt>Part</dt><dd class="part-description">${part.info.description}</dd>
        <dt>Verification pattern</dt><dd><code class="hex part-vp">${vpDisplay(part.info.vp)}</code></dd>
        <dt>Held in</dt><dd>${isFile ? 'a key part file' : card ? `${card.label} (${card.readerName})` : 'another custodian'}</dd>
      </dl>
      <table>
        <caption>Importer keys it is encrypted to</caption>
        <thead><tr><th scope="col">Unit</th><th scope="col">Importer key (SKI)</th></tr></thead>
        <tbody>${req.importers.map((i) => html`<tr><th scope="row">${i.label}</th><td><code class="hex">${shortHex(i.ski, 32)}</code></td></tr>`)}</tbody>
      </table>
      <form @submit=${(e: Event) => this.submit(e)}>
        <label for="part-secret">${label}</label>
        <input type="password" id="part-secret" autofocus autocomplete="off" aria-describedby=${card ? 'part-pin-state' : nothing} />
        ${card ? html`<p id="part-pin-state" class="hint">${this.pin
          ? this.pin.blocked ? 'The PIN is blocked: unblock it first.' : `Tries left before the PIN blocks: ${this.pin.retriesLeft ?? 'not reported'}.`
          : 'Tries left: asking the card…'}</p>` : nothing}
        <webtke-error .error=${this.error}></webtke-error>
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this.working}>${this.working ? 'Wrapping…' : 'Wrap this part'}</button>
          <button type="button" @click=${() => this.cancel()}>Cancel</button>
        </div>
      </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-parts-dialog': PartsDialog;
  }
}
