/**
 * Key part files (issue 3, DESIGN §4): create a master key part — 32 random bytes, or a typed
 * value of 64 hex digits — with a description and a password, and save its file; open key part
 * files to list their parts with the VPs (no password needed: the part stays encrypted until a
 * load asks its custodian). The store remembers only the description, the VP and who holds it.
 */
import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { toHex } from '../../bytes/hex.ts';
import { vpDisplay } from '../../custodian/index.ts';
import { createKeyPart, MAX_DESCRIPTION_LENGTH } from '../../custodian/soft/index.ts';
import { FileOfferElement } from './file-offer-element.ts';
import { clearSecret } from '../consent/modal.ts';
import { safeFileName } from '../files.ts';
import { passwordHint } from '../password-hint.ts';
import { baseStyles } from '../styles.ts';
import '../components/download-link.ts';
import '../components/error-view.ts';

@customElement('webtke-key-part-files')
export class KeyPartFiles extends FileOfferElement {
  static override styles = baseStyles;

  @state() private description = '';
  @state() private random = true;
  @state() private hint = passwordHint('');
  @state() private working = false;
  @state() private error: unknown;
  @state() private createdVp = '';
  @state() private openError: unknown;

  @query('#part-value') private valueInput?: HTMLInputElement;
  @query('#part-pw') private pw1?: HTMLInputElement;
  @query('#part-pw2') private pw2?: HTMLInputElement;

  private async create(ev: Event): Promise<void> {
    ev.preventDefault();
    const app = this.app;
    if (!app || this.working) return;
    const password = this.pw1?.value ?? '';
    if (password !== (this.pw2?.value ?? '')) {
      this.error = new Error('the two passwords differ');
      return;
    }
    const value = this.random ? undefined : this.valueInput?.value ?? '';
    clearSecret(this.pw1);
    clearSecret(this.pw2);
    clearSecret(this.valueInput);
    this.hint = passwordHint('');
    this.error = undefined;
    this.working = true;
    try {
      const description = this.description;
      const { text, info } = await createKeyPart(app.crypto, { description, password, ...(value !== undefined ? { value } : {}) }, app.keyFileOptions);
      const fileName = safeFileName(description, '.webtke-part.json');
      await app.store.keyParts.add({ description, vp: toHex(info.vp), holder: `file ${fileName}` });
      this.offer(fileName, text);
      this.createdVp = vpDisplay(info.vp);
      this.description = '';
    } catch (e) {
      this.error = e;
    } finally {
      this.working = false;
    }
  }

  private async open(ev: Event): Promise<void> {
    const app = this.app;
    const input = ev.target as HTMLInputElement;
    this.openError = undefined;
    if (!app) return;
    try {
      for (const f of [...(input.files ?? [])]) {
        if (f.size > 1 << 20) throw new Error(`${f.name} is too large for a key part file`);
        await app.openPartFile(f.name, await f.text());
      }
    } catch (e) {
      this.openError = e;
    } finally {
      input.value = '';
    }
  }

  override render() {
    const files = this.app?.partFiles ?? [];
    return html`<form class="create-part" @submit=${(e: Event) => this.create(e)}>
        <fieldset>
          <legend>Create a key part file</legend>
          <label for="part-description">Description (1–${MAX_DESCRIPTION_LENGTH} characters), e.g. "MK part 1, custodian Dave"</label>
          <input id="part-description" type="text" required maxlength=${MAX_DESCRIPTION_LENGTH} .value=${this.description}
            @input=${(e: Event) => (this.description = (e.target as HTMLInputElement).value)} />
          <fieldset>
            <legend>Value</legend>
            <input type="radio" id="part-random" name="part-value-kind" .checked=${this.random} @change=${() => (this.random = true)} />
            <label class="inline" for="part-random">Random (32 bytes from the browser's generator)</label>
            <input type="radio" id="part-typed" name="part-value-kind" .checked=${!this.random} @change=${() => (this.random = false)} />
            <label class="inline" for="part-typed">Typed</label>
            ${this.random ? nothing : html`<label for="part-value">Key part value: 64 hex digits (spaces or colons allowed)</label>
              <input id="part-value" type="password" autocomplete="off" spellcheck="false" />`}
          </fieldset>
          <label for="part-pw">Choose a password for the key part file</label>
          <input id="part-pw" type="password" autocomplete="new-password" aria-describedby="part-pw-hint" @input=${() => (this.hint = passwordHint(this.pw1?.value ?? ''))} />
          <p id="part-pw-hint" class="hint" aria-live="polite">${this.hint.words}</p>
          <label for="part-pw2">Type the part file password again</label>
          <input id="part-pw2" type="password" autocomplete="new-password" />
          <webtke-error .error=${this.error}></webtke-error>
          <button type="submit" class="primary" ?disabled=${this.working || this.description.trim() === ''}>${this.working ? 'Creating…' : 'Create the key part file'}</button>
        </fieldset>
      </form>
      ${this.file
        ? html`<webtke-download .file=${this.file} what=${`a master key part with verification pattern ${this.createdVp}, encrypted with your password`}
            @done=${() => this.withdraw()}></webtke-download>`
        : nothing}
      <fieldset>
        <legend>Open key part files</legend>
        <label for="part-files">Key part files (no password needed to list them)</label>
        <input id="part-files" type="file" multiple accept=".json,application/json" @change=${(e: Event) => this.open(e)} />
        <webtke-error .error=${this.openError}></webtke-error>
        ${files.length
          ? html`<table class="part-list">
              <caption>Key parts opened in this session</caption>
              <thead><tr><th scope="col">Description</th><th scope="col">Verification pattern</th><th scope="col">File</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>${files.map((f) => html`<tr>
                <td>${f.description}</td><td><code class="hex part-vp">${f.vp}</code></td><td>${f.fileName}</td>
                <td><button type="button" aria-label=${`Close ${f.fileName}`} @click=${() => this.app?.closePartFile(f.partId)}>Close</button></td>
              </tr>`)}</tbody>
            </table>
            <p class="hint">These parts are offered when the master key is loaded (Master key view); each custodian types the file's password then.</p>`
          : html`<p class="hint">No key part file opened.</p>`}
      </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-key-part-files': KeyPartFiles;
  }
}
