/**
 * The access token of the current remote instance's unit host (docs/remote-units.md): typed
 * once per session, kept in the app model's memory only — never in the browser's storage, never
 * journaled — and sent only as `Authorization: Bearer …` to the instance's unit URLs, through
 * the connect guard. A reload forgets it. The Instance view and Settings show this form.
 */
import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { AppElement } from './app-element.ts';
import { clearSecret } from '../consent/modal.ts';
import { baseStyles } from '../styles.ts';
import './error-view.ts';

@customElement('webtke-unit-token')
export class UnitToken extends AppElement {
  static override styles = baseStyles;

  @state() private error: unknown;
  @state() private working = false;
  @query('#unit-token') private input?: HTMLInputElement;

  private async set(token: string | null): Promise<void> {
    const app = this.app;
    if (!app || this.working) return;
    this.error = undefined;
    this.working = true;
    try {
      await app.setUnitToken(token);
    } catch (e) {
      this.error = e;
    } finally {
      this.working = false;
    }
  }

  private submit(ev: Event): void {
    ev.preventDefault();
    const token = (this.input?.value ?? '').trim();
    clearSecret(this.input); // the token lives in the model's memory only from here on
    if (token) void this.set(token);
  }

  override render() {
    const app = this.app;
    if (!app || app.instance?.kind !== 'remote') return nothing;
    const has = app.hasUnitToken;
    return html`<form class="unit-token" @submit=${(e: Event) => this.submit(e)}>
      <fieldset>
        <legend>Access token of the unit host</legend>
        <p class="token-state">${has
          ? 'A token is set for this session. It is kept in this tab\'s memory only; a reload forgets it.'
          : 'No token entered in this session. A host that requires one answers every request with 401 (not authorized) until it is entered.'}</p>
        <label for="unit-token">${has ? 'Another access token' : 'Access token'}</label>
        <input id="unit-token" type="password" autocomplete="off" spellcheck="false" />
        <div>
          <button type="submit" ?disabled=${this.working}>Use this token</button>
          ${has ? html`<button type="button" class="forget-token" ?disabled=${this.working} @click=${() => this.set(null)}>Forget the token</button>` : nothing}
        </div>
        <p class="hint">The token lets this workstation use the units' key storage operations; it signs nothing. webtke never stores it.</p>
        <webtke-error .error=${this.error}></webtke-error>
      </fieldset>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-unit-token': UnitToken;
  }
}
