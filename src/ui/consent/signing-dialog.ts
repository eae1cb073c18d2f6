/**
 * The signing dialog (issue 6, "Signing"): for one step it shows, per unit, what is being
 * signed in words and the SHA-256 of the block (grouped hex, to compare on paper and with other
 * devices), then asks each needed administrator in turn: choose the administrator, their key
 * file or card, and type the password or PIN. The secret goes straight into the custodian call
 * and the field is emptied at once; the opened signers go back to the engine, which signs every
 * unit's block with each and closes them.
 */
import { html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { toHex } from '../../bytes/hex.ts';
import type { SignerRequest } from '../../ceremony/index.ts';
import type { WebCrypto } from '../../crypto/index.ts';
import type { AdminSigner } from '../../custodian/index.ts';
import type { KeyFileOptions } from '../../custodian/soft/index.ts';
import type { AdminRecord } from '../../store/index.ts';
import type { CardSession, PinState } from '../cards.ts';
import { shortHex } from '../format.ts';
import { keyFileKind, openCardSigner, openKeyFile } from '../signers.ts';
import { baseStyles } from '../styles.ts';
import { clearSecret, ConsentCancelled, ModalFocus } from './modal.ts';
import '../components/error-view.ts';

/** What the dialog needs from the app (AppModel has all of it). */
export interface SigningEnv {
  readonly crypto: WebCrypto;
  readonly keyFileOptions: KeyFileOptions;
  readonly cards: { readonly list: readonly CardSession[]; pinState(s: CardSession): Promise<PinState> };
  /** a PIN prompt for cards that want the PIN again before a signature */
  promptSecret(req: { title: string; label: string; retriesLeft?: number }): Promise<string>;
}

type Source = 'file' | 'card';

const locationWords = (a: AdminRecord): string => {
  switch (a.location.kind) {
    case 'software':
      return `key file ${a.location.fileName}`;
    case 'ibm-import':
      return `IBM TKE key file ${a.location.fileName}`;
    case 'card':
      return `${a.location.card === 'piv' ? 'PIV' : 'OpenPGP'} card ${a.location.serial}`;
    case 'unit':
      return 'key location not known here';
  }
};

@customElement('webtke-signing-dialog')
export class SigningDialog extends LitElement {
  static override styles = baseStyles;

  @property({ attribute: false }) env?: SigningEnv;

  @state() private req: SignerRequest | null = null;
  @state() private chosen: AdminSigner[] = [];
  @state() private adminSki = '';
  @state() private source: Source = 'file';
  @state() private fileName = '';
  @state() private cardId = '';
  @state() private pin: PinState | null = null;
  @state() private error: unknown;
  @state() private working = false;

  @query('dialog') private dialog!: HTMLDialogElement;
  @query('#secret') private secretInput?: HTMLInputElement;
  @query('#keyfile') private fileInput?: HTMLInputElement;

  private keyFile: File | null = null;
  private modal = new ModalFocus();
  private settle: { resolve(s: AdminSigner[]): void; reject(e: unknown): void } | null = null;

  /** Ask for `req.required` signers; resolves with them opened, or rejects (ConsentCancelled). */
  async ask(req: SignerRequest): Promise<AdminSigner[]> {
    if (this.settle) throw new Error('a signing request is already open');
    this.req = req;
    this.chosen = [];
    this.resetSigner();
    await this.updateComplete;
    this.modal.open(this.dialog);
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** True while the dialog waits for the person. */
  get isOpen(): boolean {
    return this.settle !== null;
  }

  private get remaining(): AdminRecord[] {
    const taken = new Set(this.chosen.map((s) => toHex(s.ski)));
    return (this.req?.candidates ?? []).filter((a) => !taken.has(a.ski));
  }

  private resetSigner(): void {
    const next = this.remaining[0];
    this.adminSki = next?.ski ?? '';
    this.source = next?.location.kind === 'card' && (this.env?.cards.list.length ?? 0) > 0 ? 'card' : 'file';
    this.keyFile = null;
    this.fileName = '';
    this.cardId = this.env?.cards.list[0]?.id ?? '';
    this.pin = null;
    this.error = undefined;
    if (this.fileInput) this.fileInput.value = '';
    clearSecret(this.secretInput);
    if (this.source === 'card') void this.loadPinState();
  }

  private get admin(): AdminRecord | undefined {
    return this.req?.candidates.find((a) => a.ski === this.adminSki);
  }

  private get card(): CardSession | undefined {
    return this.env?.cards.list.find((c) => c.id === this.cardId);
  }

  private async loadPinState(): Promise<void> {
    const card = this.card;
    this.pin = null;
    if (!card || !this.env) return;
    try {
      this.pin = await this.env.cards.pinState(card);
    } catch (e) {
      this.error = e;
    }
  }

  private onFile(ev: Event): void {
    const f = (ev.target as HTMLInputElement).files?.[0] ?? null;
    this.keyFile = f;
    this.fileName = f?.name ?? '';
    this.error = undefined;
  }

  private async submit(ev: Event): Promise<void> {
    ev.preventDefault();
    const env = this.env;
    const admin = this.admin;
    const req = this.req;
    if (!env || !admin || !req || this.working) return;
    const secret = this.secretInput?.value ?? '';
    clearSecret(this.secretInput); // the secret lives only in this call from here on
    this.error = undefined;
    this.working = true;
    let signer: AdminSigner | undefined;
    try {
      if (this.source === 'file') {
        if (!this.keyFile) throw new Error('choose the administrator\'s signature key file first');
        if (this.keyFile.size > 1 << 20) throw new Error(`${this.keyFile.name} is too large for a key file`);
        const fileText = await this.keyFile.text();
        const kind = keyFileKind(fileText);
        if (kind === 'webtke-key-part') throw new Error('this is a key part file, not a signature key file');
        signer = await openKeyFile(env.crypto, fileText, secret, env.keyFileOptions, kind === 'ibm-tke' ? admin.name : undefined);
      } else {
        const card = this.card;
        if (!card) throw new Error('connect the administrator\'s card first (Administrators → Smart cards)');
        signer = await openCardSigner(env.crypto, card, secret, (retriesLeft) =>
          env.promptSecret({ title: `The card wants the PIN again to sign for ${admin.name}`, label: 'PIN', retriesLeft }),
        );
      }
      if (toHex(signer.ski) !== admin.ski) {
        const other = signer.name;
        signer.close();
        signer = undefined;
        throw new Error(`this key belongs to "${other}", not to "${admin.name}" (SKI ${shortHex(admin.ski)})`);
      }
      this.chosen = [...this.chosen, signer];
      if (this.chosen.length >= req.required) {
        this.finish();
        return;
      }
      this.resetSigner();
      await this.updateComplete;
      this.dialog.querySelector<HTMLElement>('#admin')?.focus();
    } catch (e) {
      this.error = e;
      if (this.source === 'card') void this.loadPinState();
    } finally {
      this.working = false;
      clearSecret(this.secretInput);
    }
  }

  /**
   * The select shows the administrator the dialog checks. Lit sets the select's `.value` before
   * it re-renders the options, so after the first signer (one option fewer) the value could land
   * on an option that then changed its administrator: the options are keyed by SKI (repeat), and
   * the value is set again here, once the options are in place.
   */
  protected override updated(): void {
    const select = this.renderRoot.querySelector<HTMLSelectElement>('#admin');
    if (select && this.adminSki && select.value !== this.adminSki) select.value = this.adminSki;
    const card = this.renderRoot.querySelector<HTMLSelectElement>('#card');
    if (card && this.cardId && card.value !== this.cardId) card.value = this.cardId;
  }

  private finish(): void {
    const s = this.settle;
    const signers = this.chosen;
    this.settle = null;
    this.req = null;
    this.chosen = [];
    this.modal.close(this.dialog);
    s?.resolve(signers);
  }

  private cancel(): void {
    const s = this.settle;
    for (const signer of this.chosen) signer.close();
    this.settle = null;
    this.req = null;
    this.chosen = [];
    clearSecret(this.secretInput);
    this.modal.close(this.dialog);
    s?.reject(new ConsentCancelled('signing'));
  }

  override render() {
    const req = this.req;
    return html`<dialog aria-labelledby="sign-title" @cancel=${(e: Event) => (e.preventDefault(), this.cancel())}>
      ${req ? this.renderRequest(req) : nothing}
    </dialog>`;
  }

  private renderRequest(req: SignerRequest) {
    const n = this.chosen.length + 1;
    const remaining = this.remaining;
    const cards = this.env?.cards.list ?? [];
    return html`<h3 id="sign-title">Sign: ${req.step.title}</h3>
      <p>Each administrator signs the block of every unit below. Compare the SHA-256 of each block with what the other
        signers see and with the printed transcript before typing a password or PIN.</p>
      <table class="blocks">
        <caption>What is being signed</caption>
        <thead><tr><th scope="col">Unit</th><th scope="col">What it does</th><th scope="col">SHA-256 of the block</th></tr></thead>
        <tbody>
          ${req.units.map((u) => html`<tr>
            <th scope="row">${u.label}</th>
            <td class="description">${u.description}</td>
            <td><code class="hex block-hash">${u.blockSha256}</code></td>
          </tr>`)}
        </tbody>
      </table>
      <p class="progress-text">Signatures needed on each block: ${req.required}. ${this.chosen.length
        ? html`Signed so far: ${this.chosen.map((s) => s.name).join(', ')}.` : 'None collected yet.'}</p>
      <form @submit=${(e: Event) => this.submit(e)}>
        <fieldset>
          <legend>Signer ${n} of ${req.required}</legend>
          ${remaining.length === 0
            ? html`<p class="warn">No other administrator of these units is in the directory. Add their certificate in Administrators, or cancel.</p>`
            : nothing}
          <label for="admin">Administrator</label>
          <select id="admin" autofocus .value=${this.adminSki} @change=${(e: Event) => {
            this.adminSki = (e.target as HTMLSelectElement).value;
            this.error = undefined;
          }}>
            ${repeat(remaining, (a) => a.ski, (a) => html`<option value=${a.ski} ?selected=${a.ski === this.adminSki}>${a.name} — ${a.curve}, SKI ${shortHex(a.ski)} (${locationWords(a)})</option>`)}
          </select>
          <fieldset>
            <legend>Where the key is</legend>
            <input type="radio" id="src-file" name="source" value="file" .checked=${this.source === 'file'} @change=${() => (this.source = 'file')} />
            <label class="inline" for="src-file">Key file</label>
            <input type="radio" id="src-card" name="source" value="card" .checked=${this.source === 'card'} ?disabled=${cards.length === 0}
              @change=${() => { this.source = 'card'; void this.loadPinState(); }} />
            <label class="inline" for="src-card">Smart card${cards.length === 0 ? ' (none connected)' : ''}</label>
          </fieldset>
          ${this.source === 'file'
            ? html`<label for="keyfile">Signature key file of ${this.admin?.name ?? 'the administrator'}</label>
                <input type="file" id="keyfile" accept=".json,application/json" @change=${(e: Event) => this.onFile(e)} />
                ${this.fileName ? html`<p class="hint">Chosen: ${this.fileName}</p>` : nothing}
                <label for="secret">Password of the key file</label>
                <input type="password" id="secret" autocomplete="off" spellcheck="false" />`
            : html`<label for="card">Card</label>
                <select id="card" .value=${this.cardId} @change=${(e: Event) => { this.cardId = (e.target as HTMLSelectElement).value; void this.loadPinState(); }}>
                  ${repeat(cards, (c) => c.id, (c) => html`<option value=${c.id} ?selected=${c.id === this.cardId}>${c.label} in ${c.readerName}</option>`)}
                </select>
                <label for="secret">PIN of the card</label>
                <input type="password" id="secret" autocomplete="off" inputmode="numeric" aria-describedby="pin-state" />
                <p id="pin-state" class="hint">${this.pinText()}</p>`}
        </fieldset>
        <webtke-error .error=${this.error}></webtke-error>
        <div class="actions">
          <button type="submit" class="primary" ?disabled=${this.working || !this.admin}>${this.working ? 'Opening the key…' : `Sign as ${this.admin?.name ?? '…'}`}</button>
          <button type="button" @click=${() => this.cancel()}>Cancel</button>
        </div>
      </form>`;
  }

  private pinText(): string {
    const p = this.pin;
    if (!p) return 'Tries left: asking the card…';
    if (p.blocked) return 'The PIN is blocked: unblock it with the PUK or admin PIN first.';
    return p.retriesLeft === undefined ? 'The card does not say how many tries are left.' : `Tries left before the PIN blocks: ${p.retriesLeft}.`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-signing-dialog': SigningDialog;
  }
}
