import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';

/** The ceremony journal (placeholder: the view is built in the ceremony UI work). */
@customElement('webtke-journal-view')
export class JournalView extends LitElement {
  override render() {
    return html`<h2>Journal</h2>
      <p>The journal of every ceremony step will be shown here.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-journal-view': JournalView;
  }
}
