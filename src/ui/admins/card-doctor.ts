/**
 * The card doctor's findings for this browser (issue 5, DESIGN §4 "Browser reality"): which
 * ways to a custodian's keys work here (software card, USB CCID over WebUSB, Web Smart Card),
 * and for the others why not and what the user can do. The software card always works.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CardAccessReport, CardRoute, Finding, RouteStatus, Severity } from '../../card/doctor.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';

export const ROUTE_WORDS: Record<CardRoute, string> = {
  'software-card': 'Software card (key files)',
  'webusb-ccid': 'USB reader or security key (CCID over WebUSB)',
  'web-smart-card': 'Smart-card service of the system (Web Smart Card)',
};

const STATUS_WORDS: Record<RouteStatus, string> = { available: 'works here', blocked: 'not available here', unknown: 'not checked yet' };
const SEVERITY_WORDS: Record<Severity, string> = { ok: 'OK', info: 'Note', warning: 'Warning', blocker: 'Blocked' };

@customElement('webtke-card-doctor')
export class CardDoctor extends LitElement {
  static override styles = [
    baseStyles,
    css`
      ul.findings { list-style: none; padding: 0; }
      ul.findings > li { border: 1px solid #ccd2d9; border-left-width: 4px; padding: 0.4rem 0.6rem; margin: 0.4rem 0; }
      li[data-severity='blocker'] { border-left-color: #b3261e; }
      li[data-severity='warning'] { border-left-color: #c77700; }
      li[data-severity='ok'] { border-left-color: #1e6b34; }
      li[data-severity='info'] { border-left-color: #1f3a5f; }
      .sev { font-weight: 700; margin-right: 0.4rem; }
      .code { color: #555; font-size: 0.85em; }
      .remedy::before { content: 'What to do: '; font-weight: 600; }
    `,
  ];

  /** runs the doctor (the app: its platform's environment; tests: a fake one) */
  @property({ attribute: false }) diagnose?: () => Promise<CardAccessReport>;

  @state() private report: CardAccessReport | null = null;
  @state() private error: unknown;
  @state() private running = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.report) void this.check();
  }

  /** Run the doctor again (after plugging a reader in, installing the app …). */
  async check(): Promise<void> {
    if (!this.diagnose || this.running) return;
    this.running = true;
    this.error = undefined;
    try {
      this.report = await this.diagnose();
    } catch (e) {
      this.error = e;
    } finally {
      this.running = false;
    }
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('diagnose') && this.diagnose && !this.report && !this.running) void this.check();
  }

  override render() {
    const r = this.report;
    return html`${r ? html`<table class="routes">
          <caption>Ways to the custodians' keys in this browser</caption>
          <tbody>${(Object.keys(ROUTE_WORDS) as CardRoute[]).map((route) => html`<tr data-route=${route}>
            <th scope="row">${ROUTE_WORDS[route]}</th>
            <td class="route-status">${STATUS_WORDS[r.routes[route]]}${r.recommended === route ? ' (recommended)' : ''}</td>
          </tr>`)}</tbody>
        </table>
        <ul class="findings">${r.findings.map((f) => this.renderFinding(f))}</ul>`
      : html`<p aria-live="polite">${this.running ? 'Checking this browser…' : 'Not checked yet.'}</p>`}
      <webtke-error .error=${this.error}></webtke-error>
      <button type="button" ?disabled=${this.running || !this.diagnose} @click=${() => this.check()}>Check again</button>`;
  }

  private renderFinding(f: Finding) {
    return html`<li data-severity=${f.severity} data-code=${f.code}>
      <p><span class="sev">${SEVERITY_WORDS[f.severity]}:</span> <strong class="finding-title">${f.title}</strong>
        ${f.device ? html` — <span class="device">${f.device}</span>` : nothing}</p>
      <p class="explanation">${f.explanation}</p>
      <p class="remedy">${f.remedy}</p>
      <p class="code">${ROUTE_WORDS[f.route]} · code ${f.code}</p>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-card-doctor': CardDoctor;
  }
}
