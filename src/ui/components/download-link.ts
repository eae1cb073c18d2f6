import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { OfferedFile } from '../files.ts';
import { baseStyles } from '../styles.ts';

/**
 * A file to save: the download link, what it is, and a reminder that the app keeps no copy.
 * Fires "done" when the user says it is saved (the owner then revokes the blob: URL).
 */
@customElement('webtke-download')
export class DownloadLink extends LitElement {
  static override styles = baseStyles;

  @property({ attribute: false }) file: OfferedFile | null = null;
  /** what the file holds, e.g. "the signature key of Alice, encrypted with your password" */
  @property() what = '';

  override render() {
    const f = this.file;
    if (!f) return nothing;
    return html`<div class="note">
      <p>Save <strong>${f.name}</strong> (${f.size} bytes): ${this.what}. webtke keeps no copy of it; without the file and its
        password the key cannot be used.</p>
      <a class="download" href=${f.url} download=${f.name}>Save ${f.name}</a>
      <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('done', { bubbles: true, composed: true }))}>I saved it</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-download': DownloadLink;
  }
}
