/**
 * The Journal view: the hash-chained journal of every ceremony step (DESIGN §5). It verifies
 * the chain in the browser and shows the result; exports the whole journal as JSON (a download
 * that verifies on its own with docs/store.md's verifier); and shows the printable ceremony
 * transcript — who signed what, the counters, and the VPs before and after, in grouped hex —
 * to print (the print stylesheet leaves only the transcript) or to save as an HTML or text file.
 */
import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { JournalEntry, JournalVerification } from '../../store/index.ts';
import { AppElement } from '../components/app-element.ts';
import { offerFile, revokeFile, safeFileName, type OfferedFile } from '../files.ts';
import { timeText } from '../format.ts';
import { renderEntries } from '../journal/entries.ts';
import { renderVerification, verificationWords } from '../journal/verification.ts';
import { ActionTracker, renderAction } from '../master-key/action.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';

const PAGE = 100;

/** "2024-05-01" from ms since 1970 (UTC), for file names. */
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface Offered {
  file: OfferedFile;
  what: string;
}

@customElement('webtke-journal-view')
export class JournalView extends AppElement {
  static override styles = [
    baseStyles,
    css`
      .verification.verified { border-left: 4px solid #1e6b34; padding: 0.3rem 0.6rem; background: #eef8f0; }
      .verification.broken { border-left: 4px solid #b3261e; padding: 0.3rem 0.6rem; background: #fdf0ef; }
      table.entries td.entry-text { max-width: 36rem; }
      table.entries tr.error td, table.entries td.outcome:not(:empty) { font-weight: 600; }
      pre.transcript { white-space: pre-wrap; word-break: break-word; font: 0.85rem/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        border: 1px solid #ccd2d9; padding: 0.75rem; background: #fbfcfd; max-height: 40rem; overflow: auto; }
      a.download { display: inline-block; margin: 0.5rem 0.75rem 0 0; }
      @media print {
        .screen-only { display: none !important; }
        h2 { display: none; }
        pre.transcript { max-height: none; overflow: visible; border: none; padding: 0; background: none; font-size: 8.5pt; }
      }
    `,
  ];

  @state() private verification: JournalVerification | null = null;
  @state() private checkedAt = '';
  @state() private entries: JournalEntry[] | null = null;
  @state() private entriesError: unknown;
  @state() private limit = PAGE;
  @state() private transcript: string | null = null;
  @state() private offered: Offered[] = [];
  @state() private exportCheck: JournalVerification | null = null;
  private seen: { snapshot: unknown; busy: unknown; instance: unknown } | null = null;
  private readonly tracker = new ActionTracker(() => this.requestUpdate());

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const o of this.offered) revokeFile(o.file);
    this.offered = [];
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const app = this.app;
    if (!app?.runtime) return;
    const now = { snapshot: app.snapshot, busy: app.busy, instance: app.instance };
    const first = this.seen === null;
    if (first || now.snapshot !== this.seen!.snapshot || now.busy !== this.seen!.busy || now.instance !== this.seen!.instance) {
      this.seen = now;
      // after this update, not inside it
      queueMicrotask(() => {
        void this.loadEntries();
        if (first) void this.verify();
      });
    }
  }

  private async loadEntries(): Promise<void> {
    const rt = this.app?.runtime;
    if (!rt) return;
    try {
      this.entries = await rt.journal.entries();
      this.entriesError = undefined;
    } catch (e) {
      this.entriesError = e;
    }
  }

  private async verify(): Promise<void> {
    const rt = this.app?.runtime;
    if (!rt) return;
    await this.tracker.run('Verify the journal', async () => {
      const v = await rt.journal.verify();
      this.verification = v;
      this.checkedAt = timeText(Date.now());
      return v;
    }, (v) => verificationWords(v).text);
  }

  private offer(file: OfferedFile, what: string): void {
    const old = this.offered.find((o) => o.what === what);
    if (old) revokeFile(old.file);
    this.offered = [...this.offered.filter((o) => o.what !== what), { file, what }];
  }

  private baseName(): string {
    const app = this.app!;
    return safeFileName(`webtke-journal-${app.instance?.name ?? 'instance'}-${day(Date.now())}`, '');
  }

  private async exportJson(): Promise<void> {
    const rt = this.app?.runtime;
    if (!rt) return;
    await this.tracker.run('Export the journal as JSON', async () => {
      const { json, verification } = await rt.journal.exportJson();
      this.exportCheck = verification;
      this.offer(offerFile(`${this.baseName()}.json`, json), 'the whole journal (JSON)');
      return verification;
    }, (v) => `The export is ready to save. ${verificationWords(v).text}`);
  }

  private async showTranscript(): Promise<string | undefined> {
    const app = this.app;
    const rt = app?.runtime;
    if (!app || !rt) return undefined;
    return this.tracker.run('Build the ceremony transcript', async () => {
      const text = await rt.journal.transcript(rt.instance, 'text', Date.now());
      this.transcript = text;
      return text;
    }, () => 'The transcript is shown below.');
  }

  private async print(): Promise<void> {
    if ((await this.showTranscript()) === undefined) return;
    await this.updateComplete;
    this.ownerDocument.defaultView?.print();
  }

  private async saveTranscript(format: 'html' | 'text'): Promise<void> {
    const rt = this.app?.runtime;
    if (!rt) return;
    await this.tracker.run(`Save the transcript (${format === 'html' ? 'HTML' : 'text'})`, async () => {
      const body = await rt.journal.transcript(rt.instance, format, Date.now());
      const name = safeFileName(`webtke-transcript-${rt.instance.name}-${day(Date.now())}`, format === 'html' ? '.html' : '.txt');
      this.offer(offerFile(name, body, format === 'html' ? 'text/html' : 'text/plain'), `the ceremony transcript (${format === 'html' ? 'HTML, printable' : 'plain text'})`);
    }, () => 'The transcript is ready to save.');
  }

  override render() {
    const app = this.app;
    return html`<h2>Journal</h2>${app ? this.renderApp() : html`<p>Starting…</p>`}`;
  }

  private renderApp(): TemplateResult {
    const app = this.app!;
    if (app.status === 'starting') return html`<p aria-live="polite">Opening the browser's storage…</p>`;
    if (app.status === 'failed') return html`<webtke-error .error=${app.startError}></webtke-error>`;
    const busy = !app.runtime || this.tracker.running;
    return html`
      <div class="screen-only">
        <p class="hint">Every command is journaled before it is sent and again when the unit answers. Each entry carries the hash of the
          one before it, so a changed, removed or reordered entry breaks the chain. No secret is ever written here.</p>
        <section aria-labelledby="verify-title">
          <h3 id="verify-title">Verification</h3>
          ${this.verification ? renderVerification(this.verification, this.checkedAt) : html`<p>Not verified yet.</p>`}
          <button type="button" class="verify" ?disabled=${busy} @click=${() => this.verify()}>Verify the journal</button>
        </section>
        <section aria-labelledby="export-title">
          <h3 id="export-title">Export and print</h3>
          <button type="button" class="export-json" ?disabled=${busy} @click=${() => this.exportJson()}>Export the journal as JSON</button>
          <button type="button" class="show-transcript" ?disabled=${busy} @click=${() => this.showTranscript()}>Show the printable transcript</button>
          <button type="button" class="print" ?disabled=${busy} @click=${() => this.print()}>Print the transcript…</button>
          <button type="button" class="save-html" ?disabled=${busy} @click=${() => this.saveTranscript('html')}>Save the transcript (HTML)</button>
          <button type="button" class="save-text" ?disabled=${busy} @click=${() => this.saveTranscript('text')}>Save the transcript (text)</button>
          ${this.offered.length ? html`<div class="note downloads">
            ${this.offered.map((o) => html`<p><a class="download" href=${o.file.url} download=${o.file.name}>Save ${o.file.name}</a>
              (${o.file.size} bytes): ${o.what}.</p>`)}
            ${this.exportCheck ? html`<p class="export-check">The JSON export was verified before it was offered: ${verificationWords(this.exportCheck).text}</p>` : nothing}
          </div>` : nothing}
          ${renderAction(this.tracker.current)}
        </section>
      </div>
      ${this.transcript !== null ? html`<section aria-labelledby="transcript-title">
        <h3 id="transcript-title" class="screen-only">Ceremony transcript</h3>
        <pre class="transcript">${this.transcript}</pre>
      </section>` : nothing}
      <section class="screen-only" aria-labelledby="entries-title">
        <h3 id="entries-title">Entries</h3>
        ${this.entriesError ? html`<webtke-error .error=${this.entriesError}></webtke-error>` : nothing}
        ${this.entries ? renderEntries(this.entries, app.instance, this.limit) : html`<p>Reading the journal…</p>`}
        ${this.entries && this.entries.length > this.limit ? html`<button type="button" @click=${() => (this.limit = this.entries!.length)}>Show all ${this.entries.length} entries</button>` : nothing}
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-journal-view': JournalView;
  }
}
