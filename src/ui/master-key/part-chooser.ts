/**
 * Choose the 2 or 3 key parts to load: the key part files opened in this session (open more
 * here; listing needs no password) and the parts on connected smart cards (read on request).
 * Each row shows the part's description and VP in grouped hex, as its custodian's paper shows.
 * No secret is asked here: each custodian types the password or PIN when the load wraps the
 * part (the key parts dialog).
 *
 * Fires `parts-change` (detail: PartChoice[]) whenever the choice changes.
 */
import { html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { PartChoice } from '../../ceremony/index.ts';
import { vpDisplay, type KeyPartHolder, type KeyPartInfo } from '../../custodian/index.ts';
import type { CardSession } from '../cards.ts';
import { AppElement } from '../components/app-element.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';

export const MIN_PARTS = 2;
export const MAX_PARTS = 3;

interface Row {
  /** unique in the chooser: "file:<id>" or "card:<session>:<id>" */
  key: string;
  holder: KeyPartHolder;
  partId: string;
  description: string;
  vp: string;
  where: string;
}

@customElement('webtke-part-chooser')
export class PartChooser extends AppElement {
  static override styles = baseStyles;

  @state() private selected: string[] = [];
  @state() private cardParts = new Map<string, readonly KeyPartInfo[]>();
  @state() private error: unknown;
  @state() private reading = '';

  private rows(): Row[] {
    const app = this.app;
    if (!app) return [];
    const rows: Row[] = app.partFiles.map((f) => ({
      key: `file:${f.partId}`, holder: app.partHolder, partId: f.partId, description: f.description, vp: f.vp, where: `file ${f.fileName}`,
    }));
    for (const card of app.cards.list) {
      for (const p of this.cardParts.get(card.id) ?? []) {
        rows.push({ key: `card:${card.id}:${p.id}`, holder: card.parts, partId: p.id, description: p.description, vp: vpDisplay(p.vp), where: card.label });
      }
    }
    return rows;
  }

  /** The parts chosen, in the order they were ticked (only those still available). */
  get choices(): PartChoice[] {
    const rows = new Map(this.rows().map((r) => [r.key, r]));
    return this.selected.filter((k) => rows.has(k)).map((k) => ({ holder: rows.get(k)!.holder, partId: rows.get(k)!.partId }));
  }

  protected override firstUpdated(): void {
    // a new chooser starts empty: tell the owner, which may hold an older choice
    this.announce();
  }

  private announce(): void {
    this.dispatchEvent(new CustomEvent<PartChoice[]>('parts-change', { detail: this.choices, bubbles: true, composed: true }));
  }

  private toggle(key: string, on: boolean): void {
    this.selected = on ? [...this.selected.filter((k) => k !== key), key] : this.selected.filter((k) => k !== key);
    this.announce();
  }

  private async open(ev: Event): Promise<void> {
    const app = this.app;
    const input = ev.target as HTMLInputElement;
    this.error = undefined;
    if (!app) return;
    try {
      for (const f of [...(input.files ?? [])]) {
        if (f.size > 1 << 20) throw new Error(`${f.name} is too large for a key part file`);
        const opened = await app.openPartFile(f.name, await f.text());
        if (this.selected.length < MAX_PARTS) this.selected = [...this.selected, `file:${opened.partId}`];
      }
    } catch (e) {
      this.error = e;
    } finally {
      input.value = '';
      this.announce();
    }
  }

  private async readCard(card: CardSession): Promise<void> {
    this.error = undefined;
    this.reading = card.id;
    try {
      const parts = await card.parts.parts();
      this.cardParts = new Map(this.cardParts).set(card.id, parts);
    } catch (e) {
      this.error = e;
    } finally {
      this.reading = '';
      this.announce();
    }
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    const rows = this.rows();
    const n = this.choices.length;
    return html`<fieldset class="part-chooser">
      <legend>Key parts to load (${MIN_PARTS} or ${MAX_PARTS})</legend>
      ${rows.length
        ? html`<table class="parts">
            <caption>Key parts available in this session</caption>
            <thead><tr><th scope="col"><span class="visually-hidden">Load</span></th><th scope="col">Description</th>
              <th scope="col">Verification pattern</th><th scope="col">Held in</th></tr></thead>
            <tbody>${rows.map((r) => html`<tr data-part=${r.partId}>
              <td><input type="checkbox" id=${`part-${r.key}`} aria-label=${`Load ${r.description}`}
                .checked=${this.selected.includes(r.key)} ?disabled=${!this.selected.includes(r.key) && n >= MAX_PARTS}
                @change=${(e: Event) => this.toggle(r.key, (e.target as HTMLInputElement).checked)} /></td>
              <td class="part-description">${r.description}</td>
              <td><code class="hex part-vp">${r.vp}</code></td>
              <td>${r.where}</td>
            </tr>`)}</tbody>
          </table>`
        : html`<p class="hint">No key part opened yet. Each custodian opens their key part file below (no password needed to list it).</p>`}
      <label for="chooser-files">Open key part files</label>
      <input id="chooser-files" type="file" multiple accept=".json,application/json" @change=${(e: Event) => this.open(e)} />
      ${app.cards.list.map((card) => html`<div><button type="button" ?disabled=${this.reading !== ''} @click=${() => this.readCard(card)}>
        ${this.reading === card.id ? 'Reading…' : `Read the key parts on ${card.label}`}</button></div>`)}
      <p class="hint chosen-count">${n === 0 ? 'No part chosen.' : `${n} part${n === 1 ? '' : 's'} chosen${n < MIN_PARTS ? `: choose at least ${MIN_PARTS}` : ''}.`}
        The order does not matter: the master key is the XOR of the parts.</p>
      <webtke-error .error=${this.error}></webtke-error>
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-part-chooser': PartChooser;
  }
}
