/**
 * A button that leads to another view (the shell follows the navigate event). Buttons, not
 * links: a link named like a navigation entry ("Key storage") would make those names ambiguous.
 */
import { html, type TemplateResult } from 'lit';
import { navigateEvent, type ViewId } from '../router.ts';

export function goButton(from: HTMLElement, view: ViewId, words: string, cls = ''): TemplateResult {
  return html`<button type="button" class=${`go ${cls}`.trim()} @click=${() => from.dispatchEvent(navigateEvent(view))}>${words}</button>`;
}
