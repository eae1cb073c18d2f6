import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { AppModel } from '../app-model.ts';

/** A view or panel that shows the app model and re-renders whenever it changes. */
export class AppElement extends LitElement {
  @property({ attribute: false }) app?: AppModel;

  private unsubscribe?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    this.follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('app') && this.isConnected) this.follow();
  }

  private follow(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.app?.subscribe(() => this.requestUpdate());
  }
}
