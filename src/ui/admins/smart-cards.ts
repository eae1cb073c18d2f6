/**
 * Card custodians beside software ones (issue 5, "App integration"): a reader picker (WebUSB
 * chooser with the CCID class filter, and the readers of the system's smart-card service), the
 * connected cards with their PIN tries, and the card actions: create an administrator key on
 * the card, record a card's existing administrator, create a master key part on the card (its
 * VP shown in grouped hex; the store records its description, VP and the card, never the part),
 * list the key parts stored on it.
 * Where the browser cannot reach a reader, the card doctor (below in the view) says why.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { toHex } from '../../bytes/hex.ts';
import type { SmartCardReaderEntry } from '../../card/transports/web-smart-card/index.ts';
import type { CurveName } from '../../crypto/index.ts';
import { vpDisplay, type KeyPartInfo } from '../../custodian/index.ts';
import { loadCardRuntime } from '../load-card-runtime.ts';
import type { CardPartSetup } from '../card-parts.ts';
import type { CardApplet, CardSession, PinState } from '../cards.ts';
import { AppElement } from '../components/app-element.ts';
import { clearSecret } from '../consent/modal.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';

const PIV_CURVES: CurveName[] = ['P-384', 'P-256'];
const OPENPGP_CURVES: CurveName[] = ['P-384', 'P-256', 'P-521'];

@customElement('webtke-smart-cards')
export class SmartCards extends AppElement {
  static override styles = [baseStyles, css`.card { border: 1px solid #ccd2d9; padding: 0.5rem 0.75rem; margin: 0.5rem 0; }`];

  @state() private applet: CardApplet = 'piv';
  @state() private readers: SmartCardReaderEntry[] | null = null;
  @state() private error: unknown;
  @state() private connecting = false;
  @state() private pins = new Map<string, PinState | 'unknown'>();
  @state() private parts = new Map<string, readonly KeyPartInfo[]>();
  @state() private cardErrors = new Map<string, unknown>();
  @state() private cardMessages = new Map<string, string>();
  @state() private working: string | null = null;
  @state() private names = new Map<string, string>();
  @state() private curves = new Map<string, CurveName>();
  @state() private setups = new Map<string, CardPartSetup | 'unknown'>();
  /** why a card's setup could not be read, in its own words */
  @state() private setupErrors = new Map<string, string>();
  @state() private partDescriptions = new Map<string, string>();
  /** the part just created on each card: its description and VP (grouped hex) */
  @state() private created = new Map<string, { description: string; vp: string }>();

  private async connect(fn: () => Promise<CardSession>): Promise<void> {
    this.error = undefined;
    this.connecting = true;
    try {
      const s = await fn();
      await this.refreshPin(s);
    } catch (e) {
      this.error = e;
    } finally {
      this.connecting = false;
    }
  }

  private async listReaders(): Promise<void> {
    this.error = undefined;
    try {
      this.readers = await this.app!.cards.smartCardReaders();
    } catch (e) {
      this.error = e;
    }
  }

  private readonly asked = new Set<string>();

  /** Ask each newly listed card for its PIN tries once (uses no try). */
  protected override updated(): void {
    for (const s of this.app?.cards.list ?? []) {
      if (this.asked.has(s.id)) continue;
      this.asked.add(s.id);
      // one exchange at a time on a card (the transport refuses a second one as busy)
      void this.refreshPin(s).then(() => this.refreshSetup(s));
    }
  }

  /** Whether the card has its key-part key, and where the next part goes (reads only). */
  private async refreshSetup(s: CardSession): Promise<void> {
    let setup: CardPartSetup | 'unknown';
    let reason: string | undefined;
    try {
      const { cardPartSetup } = await loadCardRuntime();
      setup = await cardPartSetup(s);
    } catch (e) {
      setup = 'unknown';
      reason = e instanceof Error ? e.message : String(e);
    }
    this.setups = this.setFor(this.setups, s.id, setup);
    this.setupErrors = this.setFor(this.setupErrors, s.id, reason);
  }

  private async refreshPin(s: CardSession): Promise<void> {
    const next = new Map(this.pins);
    try {
      next.set(s.id, await this.app!.cards.pinState(s));
    } catch {
      next.set(s.id, 'unknown');
    }
    this.pins = next;
  }

  private setFor<T>(map: Map<string, T>, id: string, v: T | undefined): Map<string, T> {
    const next = new Map(map);
    if (v === undefined) next.delete(id);
    else next.set(id, v);
    return next;
  }

  private async cardAction(s: CardSession, fn: () => Promise<string>): Promise<void> {
    this.cardErrors = this.setFor(this.cardErrors, s.id, undefined);
    this.cardMessages = this.setFor(this.cardMessages, s.id, undefined);
    this.working = s.id;
    try {
      this.cardMessages = this.setFor(this.cardMessages, s.id, await fn());
    } catch (e) {
      this.cardErrors = this.setFor(this.cardErrors, s.id, e);
    } finally {
      this.working = null;
      await this.refreshPin(s);
    }
  }

  private createAdmin(ev: Event, s: CardSession): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const field = (id: string): HTMLInputElement => form.querySelector<HTMLInputElement>(`#${id}-${s.id}`)!;
    const pin = field('pin').value;
    const second = field('second').value; // PIV: management key; OpenPGP: admin PIN
    clearSecret(field('pin'));
    clearSecret(field('second'));
    const name = (this.names.get(s.id) ?? '').trim();
    const curve = this.curves.get(s.id) ?? (s.applet === 'piv' ? PIV_CURVES[0] : OPENPGP_CURVES[0]);
    const app = this.app!;
    return this.cardAction(s, async () => {
      const { createPivAdmin, generateAdminKey } = await loadCardRuntime();
      let certificate: Uint8Array;
      if (s.piv) {
        const replace = field('replace').checked;
        const cert = await createPivAdmin(s.piv, { name, curve: curve as 'P-256' | 'P-384', managementKey: second, pin, replace });
        certificate = cert.der;
      } else {
        const signer = await generateAdminKey(s.openpgp!, app.crypto, { name, curve, adminPin: second, pin });
        certificate = signer.certificate;
        signer.close();
      }
      await app.recordAdmin(certificate, { kind: 'card', card: s.applet, serial: s.serial });
      return `Administrator "${name}" created on ${s.label}; the key never leaves the card. Its certificate is in the directory.`;
    });
  }

  private recordExisting(s: CardSession): Promise<void> {
    const app = this.app!;
    return this.cardAction(s, async () => {
      const { PivAdminSigner, OpenPgpAdminSigner } = await loadCardRuntime();
      let certificate: Uint8Array;
      let name: string;
      if (s.piv) {
        const pin = await app.consent.promptSecret({ title: `PIN of ${s.label}`, label: 'PIN', retriesLeft: (this.pins.get(s.id) as PinState | undefined)?.retriesLeft });
        const signer = await PivAdminSigner.open(s.piv, { pin });
        certificate = signer.certificate;
        name = signer.name;
        signer.close();
      } else {
        const signer = await OpenPgpAdminSigner.open(s.openpgp!, app.crypto);
        certificate = signer.certificate;
        name = signer.name;
        signer.close();
      }
      await app.recordAdmin(certificate, { kind: 'card', card: s.applet, serial: s.serial });
      return `${name}'s certificate from ${s.label} is in the directory.`;
    });
  }

  private createPart(ev: Event, s: CardSession): Promise<void> {
    ev.preventDefault();
    const form = ev.target as HTMLFormElement;
    const field = (id: string): HTMLInputElement | null => form.querySelector<HTMLInputElement>(`#${id}-${s.id}`);
    const pin = field('part-pin')?.value ?? '';
    const managementKey = field('part-mk')?.value;
    const adminPin = field('part-admin')?.value;
    const prepareKey = field('part-prepare')?.checked ?? false;
    clearSecret(field('part-pin'));
    clearSecret(field('part-mk'));
    clearSecret(field('part-admin'));
    const description = (this.partDescriptions.get(s.id) ?? '').trim();
    const app = this.app!;
    this.created = this.setFor(this.created, s.id, undefined);
    return this.cardAction(s, async () => {
      try {
        const { createCardPart } = await loadCardRuntime();
        const info = await createCardPart(s, app.crypto, {
          description, pin, prepareKey, ...(managementKey ? { managementKey } : {}), ...(adminPin ? { adminPin } : {}),
        });
        // the store remembers what the part is, its VP and which card holds it; never the part
        await app.store.keyParts.add({ description: info.description, vp: toHex(info.vp), holder: s.label });
        this.created = this.setFor(this.created, s.id, { description: info.description, vp: vpDisplay(info.vp) });
        this.partDescriptions = this.setFor(this.partDescriptions, s.id, undefined);
        this.parts = this.setFor(this.parts, s.id, await s.parts.parts());
        return `Key part "${info.description}" created on ${s.label}. The custodian writes its VP on the ceremony paper.`;
      } finally {
        await this.refreshSetup(s);
      }
    });
  }

  private listParts(s: CardSession): Promise<void> {
    return this.cardAction(s, async () => {
      const list = await s.parts.parts();
      this.parts = this.setFor(this.parts, s.id, list);
      return list.length ? `${list.length} key part(s) on the card.` : 'No key part is stored on this card.';
    });
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    const cards = app.cards;
    return html`<fieldset>
        <legend>Connect a reader</legend>
        <p>
          <input type="radio" id="applet-piv" name="applet" .checked=${this.applet === 'piv'} @change=${() => (this.applet = 'piv')} />
          <label class="inline" for="applet-piv">PIV</label>
          <input type="radio" id="applet-openpgp" name="applet" .checked=${this.applet === 'openpgp'} @change=${() => (this.applet = 'openpgp')} />
          <label class="inline" for="applet-openpgp">OpenPGP</label>
          <span class="hint">(the application to use when the card has both, as YubiKeys do)</span>
        </p>
        ${cards.canUseUsb
          ? html`<button type="button" class="connect-usb" ?disabled=${this.connecting} @click=${() => this.connect(() => cards.connectUsb(this.applet))}>Choose a USB reader or security key…</button>`
          : nothing}
        ${cards.canUseSmartCard
          ? html`<button type="button" class="list-readers" ?disabled=${this.connecting} @click=${() => this.listReaders()}>List the system's card readers</button>
              ${this.readers ? (this.readers.length === 0 ? html`<p>The smart-card service knows no reader. Plug one in and list again.</p>` : html`<ul class="readers">${this.readers.map((r) => html`<li>
                ${r.name}: ${r.cardPresent ? 'card inserted' : 'no card'}${r.exclusive ? ', in use by another program' : ''}
                <button type="button" ?disabled=${this.connecting || !r.cardPresent} aria-label=${`Connect ${r.name}`}
                  @click=${() => this.connect(() => cards.connectSmartCard(r.name, this.applet))}>Connect</button></li>`)}</ul>`) : nothing}`
          : nothing}
        ${!cards.canUseUsb && !cards.canUseSmartCard
          ? html`<p>This browser offers no way to reach a card reader (the card doctor below says why and what would). The software card — key files with a password — always works.</p>`
          : nothing}
        <webtke-error .error=${this.error}></webtke-error>
      </fieldset>
      ${cards.list.length === 0 ? html`<p class="hint">No card connected.</p>` : cards.list.map((s) => this.renderCard(s))}`;
  }

  private renderCreatePart(s: CardSession): TemplateResult {
    const setup = this.setups.get(s.id);
    const known = setup !== undefined && setup !== 'unknown' ? setup : null;
    const piv = s.applet === 'piv';
    const keyName = piv ? 'the key-part key in slot 9D' : 'the card\'s decryption key';
    const needsAdmin = !piv && (!known || !known.ready || known.nextSlot !== 0x0101);
    const busy = this.working !== null;
    const description = this.partDescriptions.get(s.id) ?? '';
    const made = this.created.get(s.id);
    let state: string;
    if (setup === undefined) state = 'Asking the card whether it can hold a key part…';
    else if (!known) state = `The card did not say whether it can hold a key part (${this.setupErrors.get(s.id) ?? 'no answer'}); creating one will tell.`;
    else if (known.full) state = 'Both key part slots of this card are in use.';
    else if (known.ready) state = `The card holds ${keyName} (${known.curve}); a new part is encrypted to it at once.`;
    else state = `The card has no ${piv ? 'key-part key (slot 9D)' : 'decryption key'} yet: generate it first (below).`;
    return html`<form class="create-card-part" @submit=${(e: Event) => this.createPart(e, s)}>
      <fieldset>
        <legend>Create a key part on this card</legend>
        <p class="hint part-setup">${state} The part is made of the card's random bytes mixed with the browser's, encrypted to the card's own key
          and stored on the card; it never leaves the card in clear. Loading it later needs the card and its PIN.</p>
        <label for=${`part-desc-${s.id}`}>Description of the key part (e.g. "MK part 1, custodian Dave")</label>
        <input id=${`part-desc-${s.id}`} type="text" maxlength="128" .value=${description}
          @input=${(e: Event) => (this.partDescriptions = this.setFor(this.partDescriptions, s.id, (e.target as HTMLInputElement).value))} />
        ${known && !known.ready
          ? html`<p><input type="checkbox" id=${`part-prepare-${s.id}`} checked /><label class="inline" for=${`part-prepare-${s.id}`}>Generate ${keyName}
              first${known.replacesKey ? ' (it replaces the key the card holds there now, which webtke did not make)' : ''}</label></p>`
          : nothing}
        ${piv
          ? html`<label for=${`part-mk-${s.id}`}>Management key (hex)</label><input id=${`part-mk-${s.id}`} type="password" autocomplete="off" />`
          : needsAdmin
            ? html`<label for=${`part-admin-${s.id}`}>Admin PIN (PW3)${known?.ready ? ': the second key part slot is written with it' : ': needed to generate the decryption key'}</label>
                <input id=${`part-admin-${s.id}`} type="password" autocomplete="off" />`
            : nothing}
        <label for=${`part-pin-${s.id}`}>PIN${piv ? '' : ' (PW1)'}</label>
        <input id=${`part-pin-${s.id}`} type="password" autocomplete="off" inputmode="numeric" />
        <button type="submit" class="create-part" ?disabled=${busy || description.trim() === '' || known?.full === true}>Create the key part on the card</button>
        ${made ? html`<p class="note created-part">Key part "<span class="created-description">${made.description}</span>" on ${s.label}:
          VP <code class="hex created-vp">${made.vp}</code></p>` : nothing}
      </fieldset>
    </form>`;
  }

  private renderCard(s: CardSession) {
    const pin = this.pins.get(s.id);
    const busy = this.working !== null;
    const curves = s.applet === 'piv' ? PIV_CURVES : OPENPGP_CURVES;
    const parts = this.parts.get(s.id);
    return html`<div class="card" data-card=${s.id}>
      <h4>${s.label}</h4>
      <p>Reader: ${s.readerName} (${s.route === 'webusb-ccid' ? 'USB' : s.route === 'web-smart-card' ? 'system smart-card service' : 'memory'}).
        PIN: <span class="pin-state">${pin === undefined ? 'asking the card…' : pin === 'unknown' ? 'tries left not reported'
          : pin.blocked ? 'blocked (unblock it with the PUK or admin PIN)' : `${pin.retriesLeft ?? '?'} tries left`}</span></p>
      <form class="create-card-admin" @submit=${(e: Event) => this.createAdmin(e, s)}>
        <fieldset>
          <legend>Create an administrator key on this card</legend>
          <label for=${`name-${s.id}`}>Administrator name (1–30 characters)</label>
          <input id=${`name-${s.id}`} type="text" maxlength="30" .value=${this.names.get(s.id) ?? ''}
            @input=${(e: Event) => (this.names = this.setFor(this.names, s.id, (e.target as HTMLInputElement).value))} />
          <label for=${`curve-${s.id}`}>Curve</label>
          <select id=${`curve-${s.id}`} @change=${(e: Event) => (this.curves = this.setFor(this.curves, s.id, (e.target as HTMLSelectElement).value as CurveName))}>
            ${curves.map((c) => html`<option value=${c} ?selected=${c === (this.curves.get(s.id) ?? curves[0])}>${c}</option>`)}
          </select>
          <label for=${`second-${s.id}`}>${s.applet === 'piv' ? 'Management key (hex)' : 'Admin PIN (PW3)'}</label>
          <input id=${`second-${s.id}`} type="password" autocomplete="off" />
          <label for=${`pin-${s.id}`}>PIN${s.applet === 'openpgp' ? ' (PW1)' : ''}</label>
          <input id=${`pin-${s.id}`} type="password" autocomplete="off" inputmode="numeric" />
          ${s.applet === 'piv'
            ? html`<p><input type="checkbox" id=${`replace-${s.id}`} /><label class="inline" for=${`replace-${s.id}`}>Replace an admin key already in slot 9C (its certificate becomes useless to every unit)</label></p>`
            : html`<p class="hint">Any earlier signature key on the card is replaced.</p>`}
          <button type="submit" ?disabled=${busy || (this.names.get(s.id) ?? '').trim() === ''}>Create the administrator key on the card</button>
        </fieldset>
      </form>
      <button type="button" ?disabled=${busy} @click=${() => this.recordExisting(s)}>Record this card's administrator in the directory</button>
      ${this.renderCreatePart(s)}
      <button type="button" ?disabled=${busy} @click=${() => this.listParts(s)}>List the key parts on this card</button>
      <button type="button" ?disabled=${busy} @click=${() => this.app!.cards.disconnect(s.id)}>Disconnect</button>
      ${parts?.length ? html`<table><caption>Key parts on ${s.label}</caption>
        <thead><tr><th scope="col">Description</th><th scope="col">Verification pattern</th></tr></thead>
        <tbody>${parts.map((p) => html`<tr><td>${p.description}</td><td><code class="hex">${vpDisplay(p.vp)}</code></td></tr>`)}</tbody></table>` : nothing}
      <webtke-error .error=${this.cardErrors.get(s.id)}></webtke-error>
      <p class="ok" aria-live="polite">${this.cardMessages.get(s.id) ?? ''}</p>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-smart-cards': SmartCards;
  }
}
