/**
 * The app shell: the "webtke" header, the navigation of the six views (hash routes, so it works
 * from file:// and under any path) and the <main> where the current view renders.
 *
 * Everything from the platform comes in as properties (main.ts sets them): the hash source, the
 * build facts, the offline status, the worker self-check and the app model (`app`), which every
 * view receives as its `app` property. The shell also holds the consent dialogs
 * (<webtke-consent>) and registers them with the app model, so the engine can ask people.
 *
 * The end-to-end tests (test/e2e/) drive this like a user: they rely on the <h1> "webtke", the
 * navigation landmark "Views" with one link per view (label = VIEWS label), each view rendering
 * an <h2> equal to its label, the focus moving to <main> after a navigation, and the footer's
 * "Offline use: …" text.
 *
 * Printed, the page shows only <main>: header, navigation, footer and the consent dialogs are
 * hidden by the shell's print styles.
 */
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { OfflineStatus } from '../sw/register.ts';
import type { AppModel } from './app-model.ts';
import type { ConsentElement } from './consent/consent-host.ts';
import { DEFAULT_VIEW, hrefOf, NAVIGATE_EVENT, viewFromHash, VIEWS, type HashSource, type ViewId } from './router.ts';
import type { BuildFacts, WorkerCheck } from './views/settings-view.ts';
import './views/instance-view.ts';
import './views/administrators-view.ts';
import './views/master-key-view.ts';
import './views/key-storage-view.ts';
import './views/journal-view.ts';
import './views/settings-view.ts';
import './consent/consent-host.ts';

const OFFLINE_TEXT: Record<OfflineStatus, string> = {
  'not-used': '',
  unsupported: 'Offline use: not available in this browser',
  installing: 'Offline use: storing the app…',
  ready: 'Offline use: ready',
  failed: 'Offline use: failed',
};

@customElement('webtke-app')
export class AppShell extends LitElement {
  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; color: #1b1f24; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem 2rem; padding: 0.75rem 1rem; background: #1f3a5f; color: #fff; }
    h1 { margin: 0; font-size: 1.4rem; }
    nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0; padding: 0; list-style: none; }
    nav a { color: #fff; text-decoration: none; padding: 0.2rem 0.1rem; border-bottom: 2px solid transparent; }
    nav a[aria-current='page'] { border-bottom-color: #fff; font-weight: 600; }
    nav a:focus-visible { outline: 2px solid #ffd24d; outline-offset: 2px; }
    main { padding: 1rem; }
    main:focus { outline: none; }
    footer { padding: 0.5rem 1rem; font-size: 0.85rem; color: #555; border-top: 1px solid #ddd; }
    /* Printing (the Journal's transcript): only the view, without the app's header, navigation,
       footer, dialogs and progress bar. The views hide their own screen-only parts. */
    @media print {
      header, nav, footer, webtke-consent { display: none !important; }
      main { padding: 0; }
      :host { color: #000; }
    }
  `;

  /** Where the route comes from (main.ts: the window); without one the default view shows. */
  @property({ attribute: false }) hashSource?: HashSource;
  @property({ attribute: false }) build: BuildFacts = { version: '', delivery: 'dev' };
  @property({ attribute: false }) offline: OfflineStatus = 'not-used';
  @property({ attribute: false }) checkWorker?: WorkerCheck;
  /** the app's state and actions (main.ts); every view gets it */
  @property({ attribute: false }) app?: AppModel;

  @state() private view: ViewId = DEFAULT_VIEW;
  private unsubscribe?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    this.follow();
    this.addEventListener(NAVIGATE_EVENT, this.onNavigate);
  }

  /** A view asks to go to another view (buttons that lead elsewhere; links would clash with the navigation's names). */
  private readonly onNavigate = (ev: Event): void => {
    const view = (ev as CustomEvent<{ view: ViewId }>).detail?.view;
    if (!VIEWS.some((v) => v.id === view)) return;
    if (this.hashSource?.go) this.hashSource.go(hrefOf(view));
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener(NAVIGATE_EVENT, this.onNavigate);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.app && this.app.consent.host === this.consentElement()) this.app.consent.host = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('hashSource') && this.isConnected) this.follow();
  }

  protected override updated(): void {
    // the engine asks people through the consent dialogs on this page
    const host = this.consentElement();
    if (this.app && host && this.app.consent.host !== host) this.app.consent.host = host;
  }

  private consentElement(): ConsentElement | null {
    return this.renderRoot?.querySelector('webtke-consent') ?? null;
  }

  private follow(): void {
    this.unsubscribe?.();
    const source = this.hashSource;
    this.unsubscribe = source?.subscribe(() => this.route(true));
    this.route(false);
  }

  private route(moveFocus: boolean): void {
    this.view = viewFromHash(this.hashSource?.hash ?? '') ?? DEFAULT_VIEW;
    // After a navigation, put the keyboard focus on the view, as a page load would.
    if (moveFocus) void this.updateComplete.then(() => this.renderRoot.querySelector('main')?.focus());
  }

  override render() {
    const offline = OFFLINE_TEXT[this.offline];
    return html`
      <header>
        <h1>webtke</h1>
        <nav aria-label="Views">
          <ul>
            ${VIEWS.map(
              (v) => html`<li><a href=${hrefOf(v.id)} aria-current=${v.id === this.view ? 'page' : 'false'}>${v.label}</a></li>`,
            )}
          </ul>
        </nav>
      </header>
      <main tabindex="-1">${this.renderView()}</main>
      <webtke-consent .app=${this.app}></webtke-consent>
      <footer>
        webtke ${this.build.version}${offline ? html` · <span class="offline">${offline}</span>` : ''}
      </footer>
    `;
  }

  private renderView() {
    switch (this.view) {
      case 'instance':
        return html`<webtke-instance-view .app=${this.app}></webtke-instance-view>`;
      case 'administrators':
        return html`<webtke-administrators-view .app=${this.app}></webtke-administrators-view>`;
      case 'master-key':
        return html`<webtke-master-key-view .app=${this.app}></webtke-master-key-view>`;
      case 'key-storage':
        return html`<webtke-key-storage-view .app=${this.app}></webtke-key-storage-view>`;
      case 'journal':
        return html`<webtke-journal-view .app=${this.app}></webtke-journal-view>`;
      case 'settings':
        return html`<webtke-settings-view .app=${this.app} .build=${this.build} .offline=${this.offline} .checkWorker=${this.checkWorker}></webtke-settings-view>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-app': AppShell;
  }
}
