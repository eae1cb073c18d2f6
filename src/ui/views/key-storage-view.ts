import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';

/** The key storage and its re-encipherment (placeholder: the view is built in the ceremony UI work). */
@customElement('webtke-key-storage-view')
export class KeyStorageView extends LitElement {
  override render() {
    return html`<h2>Key storage</h2>
      <p>The key storage of each unit and its re-encipherment will be shown here.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-key-storage-view': KeyStorageView;
  }
}
