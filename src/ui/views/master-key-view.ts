import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';

/** The master key registers and the master key ceremony (placeholder: the view is built in the ceremony UI work). */
@customElement('webtke-master-key-view')
export class MasterKeyView extends LitElement {
  override render() {
    return html`<h2>Master key</h2>
      <p>The master key registers and the steps of the master key ceremony will be shown here.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-master-key-view': MasterKeyView;
  }
}
