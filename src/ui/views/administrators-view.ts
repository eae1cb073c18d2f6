import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';

/** Crypto unit administrators and signature thresholds (placeholder: the view is built in the ceremony UI work). */
@customElement('webtke-administrators-view')
export class AdministratorsView extends LitElement {
  override render() {
    return html`<h2>Administrators</h2>
      <p>The crypto unit administrators and the signature thresholds will be shown here.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-administrators-view': AdministratorsView;
  }
}
