import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { explainError, type Explained } from '../errors.ts';

/**
 * An error in words: a title, the message, "What to do" with the remedy, and the code for
 * support last. Nested causes (a failed step's unit error, each unreachable unit) follow.
 * role="alert", so a screen reader announces it when it appears.
 */
@customElement('webtke-error')
export class ErrorView extends LitElement {
  static override styles = css`
    :host { display: block; }
    .box { border: 1px solid #b3261e; border-left-width: 4px; background: #fdf0ef; padding: 0.5rem 0.75rem; margin: 0.5rem 0; }
    .title { font-weight: 600; margin: 0 0 0.25rem; }
    p { margin: 0.25rem 0; }
    .remedy::before { content: 'What to do: '; font-weight: 600; }
    .code { color: #555; font-size: 0.85em; }
    ul { margin: 0.25rem 0; padding-left: 1.2rem; }
  `;

  @property({ attribute: false }) error: unknown;
  /** an explanation made elsewhere (e.g. the engine's description of an unreachable unit) */
  @property({ attribute: false }) explained?: Explained;

  override render() {
    const x = this.explained ?? (this.error === undefined || this.error === null ? undefined : explainError(this.error));
    if (!x) return nothing;
    return html`<div class="box" role="alert">${this.renderExplained(x)}</div>`;
  }

  private renderExplained(x: Explained): TemplateResult {
    return html`<p class="title">${x.title}</p>
      <p class="message">${x.message}</p>
      ${x.remedy ? html`<p class="remedy">${x.remedy}</p>` : nothing}
      ${x.details?.length ? html`<ul>${x.details.map((d) => html`<li>${this.renderExplained(d)}</li>`)}</ul>` : nothing}
      ${x.code ? html`<p class="code">Code for support: ${x.code}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-error': ErrorView;
  }
}
