/**
 * The admin directory (the certificates this workstation knows) and the instance steps that use
 * it: add administrators to every unit, set the thresholds (leaving imprint mode). Both run as
 * engine plans, so signatures, drift checks and the journal are the engine's.
 */
import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { reachableUnits } from '../../ceremony/index.ts';
import type { AdminRecord } from '../../store/index.ts';
import { AppElement } from '../components/app-element.ts';
import { groupHex } from '../format.ts';
import { baseStyles } from '../styles.ts';
import '../components/error-view.ts';

export function locationText(a: AdminRecord): string {
  switch (a.location.kind) {
    case 'software':
      return `key file ${a.location.fileName}`;
    case 'ibm-import':
      return `IBM TKE key file ${a.location.fileName} (imported)`;
    case 'card':
      return `${a.location.card === 'piv' ? 'PIV' : 'OpenPGP'} card ${a.location.serial}`;
    case 'unit':
      return 'not here (seen on a unit)';
  }
}

@customElement('webtke-admin-directory')
export class AdminDirectoryPanel extends AppElement {
  static override styles = [baseStyles, css`td.ski { max-width: 22rem; } .installed-all { color: #1e6b34; }`];

  @state() private selected = new Set<string>();
  @state() private error: unknown;
  @state() private message = '';
  @state() private sign = 0;
  @state() private revoke = 0;

  /** unit labels that have the admin installed */
  private installedOn(ski: string): string[] {
    const s = this.app?.snapshot;
    return s ? reachableUnits(s).filter((u) => u.adminSkis.includes(ski)).map((u) => u.label) : [];
  }

  private get unitCount(): number {
    return this.app?.snapshot?.units.length ?? 0;
  }

  private toggle(ski: string, on: boolean): void {
    const next = new Set(this.selected);
    if (on) next.add(ski);
    else next.delete(ski);
    this.selected = next;
  }

  private async run(fn: () => Promise<unknown>, done: string): Promise<void> {
    this.error = undefined;
    this.message = '';
    try {
      await fn();
      this.message = done;
    } catch (e) {
      this.error = e;
    }
  }

  private async addSelected(): Promise<void> {
    const app = this.app;
    if (!app) return;
    const certs = app.admins.filter((a) => this.selected.has(a.ski)).map((a) => a.certificate);
    await this.run(() => app.run({ plan: 'add-admins', certificates: certs }), `Added ${certs.length} administrator(s) to every unit.`);
    this.selected = new Set();
  }

  private async forget(a: AdminRecord): Promise<void> {
    const app = this.app;
    if (!app) return;
    const ok = await app.consent.ask({
      title: `Remove ${a.name} from the directory?`,
      detail: 'This workstation forgets the certificate. Units keep the administrator (remove it from the units with a signed step).',
      kind: 'plain',
      confirmLabel: 'Remove from the directory',
    });
    if (!ok) return;
    await this.run(async () => {
      await app.store.admins.remove(a.ski);
      await app.reloadAdmins();
      app.changed();
    }, `${a.name} removed from the directory.`);
  }

  private async setThresholds(ev: Event): Promise<void> {
    ev.preventDefault();
    const app = this.app;
    if (!app) return;
    const sign = this.signValue;
    const revoke = this.revokeValue;
    await this.run(() => app.run({ plan: 'set-thresholds', sign, revoke }), `Thresholds set to ${sign} / ${revoke} on every unit.`);
  }

  private get defaults(): { sign: number; revoke: number } {
    const s = this.app?.snapshot;
    const u = s ? reachableUnits(s).find((x) => x.mode === 'authenticated') : undefined;
    if (u) return { sign: u.signThreshold, revoke: u.revokeThreshold };
    const admins = s ? Math.max(...reachableUnits(s).map((x) => x.adminSkis.length), 1) : 1;
    const t = Math.min(2, admins);
    return { sign: t, revoke: t };
  }

  private get signValue(): number {
    return this.sign || this.defaults.sign;
  }

  private get revokeValue(): number {
    return this.revoke || this.defaults.revoke;
  }

  override render() {
    const app = this.app;
    if (!app) return nothing;
    const admins = app.admins;
    const units = this.unitCount;
    const busy = app.busy !== null || !app.runtime;
    const imprint = app.snapshot ? reachableUnits(app.snapshot).some((u) => u.mode === 'imprint') : false;
    return html`${admins.length === 0
        ? html`<p>No administrator yet. Create one below, open an existing key file, import an IBM TKE key file, or create one on a smart card.</p>`
        : html`<table class="directory">
            <caption>Administrators known to this workstation</caption>
            <thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">Name</th><th scope="col">SKI</th><th scope="col">Curve</th>
              <th scope="col">Where the key lives</th><th scope="col">Installed on</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${admins.map((a) => {
              const on = this.installedOn(a.ski);
              const all = units > 0 && on.length === units;
              return html`<tr data-ski=${a.ski}>
                <td><input type="checkbox" id=${`sel-${a.ski}`} aria-label=${`Select ${a.name}`} ?disabled=${all}
                  .checked=${this.selected.has(a.ski)} @change=${(e: Event) => this.toggle(a.ski, (e.target as HTMLInputElement).checked)} /></td>
                <th scope="row" class="admin-name">${a.name}</th>
                <td class="ski"><code class="hex">${groupHex(a.ski)}</code></td>
                <td>${a.curve}</td>
                <td class="location">${locationText(a)}</td>
                <td class=${all ? 'installed-all' : ''}>${on.length === 0 ? 'no unit' : all ? `every unit (${on.join(', ')})` : on.join(', ')}</td>
                <td><button type="button" aria-label=${`Remove ${a.name} from the directory`} @click=${() => this.forget(a)}>Remove</button></td>
              </tr>`;
            })}</tbody>
          </table>
          <button type="button" class="primary add-selected" ?disabled=${busy || this.selected.size === 0} @click=${() => this.addSelected()}>
            Add the selected administrators to every unit</button>
          <p class="hint">In imprint mode adding needs no signature; afterwards it needs as many signatures as the signature threshold.</p>`}
      <form class="thresholds" @submit=${(e: Event) => this.setThresholds(e)}>
        <fieldset>
          <legend>${imprint ? 'Set the thresholds and leave imprint mode' : 'Thresholds'}</legend>
          <p class="hint">${imprint
            ? 'Leaving imprint mode needs as many administrator signatures as the new signature threshold. Both thresholds are 1–8 and at most the number of administrators.'
            : 'Changing the thresholds needs as many signatures as the current signature threshold.'}</p>
          <label for="sign-thr">Signature threshold</label>
          <input id="sign-thr" type="number" min="1" max="8" .value=${String(this.signValue)} @input=${(e: Event) => (this.sign = Number((e.target as HTMLInputElement).value))} />
          <label for="revoke-thr">Revocation threshold</label>
          <input id="revoke-thr" type="number" min="1" max="8" .value=${String(this.revokeValue)} @input=${(e: Event) => (this.revoke = Number((e.target as HTMLInputElement).value))} />
          <div><button type="submit" ?disabled=${busy}>${imprint ? 'Set thresholds and leave imprint mode' : 'Set thresholds'}</button></div>
        </fieldset>
      </form>
      <webtke-error .error=${this.error}></webtke-error>
      <p class="ok" aria-live="polite">${this.message}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-admin-directory': AdminDirectoryPanel;
  }
}
