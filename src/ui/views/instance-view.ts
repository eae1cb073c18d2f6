import { html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';

/** The service instance: its crypto units, their state and the next safe action (placeholder: the view is built in the ceremony UI work). */
@customElement('webtke-instance-view')
export class InstanceView extends LitElement {
  override render() {
    return html`<h2>Instance</h2>
      <p>The crypto units of this service instance and their state will be shown here.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-instance-view': InstanceView;
  }
}
