/**
 * The Administrators view: the admin directory and the instance steps that use it (add to every
 * unit, thresholds / leave imprint mode); creating software administrators as downloadable key
 * files; opening key files and importing IBM TKE key files; key part files; smart cards (reader
 * picker, card administrators, PIN tries); and the card doctor's findings for this browser.
 */
import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { AppElement } from '../components/app-element.ts';
import { baseStyles } from '../styles.ts';
import '../admins/admin-directory.ts';
import '../admins/card-doctor.ts';
import '../admins/create-admin.ts';
import '../admins/key-part-files.ts';
import '../admins/open-key-file.ts';
import '../admins/smart-cards.ts';

@customElement('webtke-administrators-view')
export class AdministratorsView extends AppElement {
  static override styles = baseStyles;

  override render() {
    const app = this.app;
    return html`<h2>Administrators</h2>
      ${app ? html`
        <section aria-labelledby="dir-title">
          <h3 id="dir-title">Directory and thresholds</h3>
          <webtke-admin-directory .app=${app}></webtke-admin-directory>
        </section>
        <section aria-labelledby="create-title">
          <h3 id="create-title">Create a software administrator</h3>
          <p class="hint">The key is generated in this browser and saved as a password-protected file that you keep. webtke keeps only the
            certificate; nobody can sign for the administrator without the file and its password.</p>
          <webtke-create-admin .app=${app}></webtke-create-admin>
        </section>
        <section aria-labelledby="open-title">
          <h3 id="open-title">Existing key files</h3>
          <webtke-open-key-file .app=${app}></webtke-open-key-file>
        </section>
        <section aria-labelledby="parts-title">
          <h3 id="parts-title">Key part files</h3>
          <webtke-key-part-files .app=${app}></webtke-key-part-files>
        </section>
        <section aria-labelledby="cards-title">
          <h3 id="cards-title">Smart cards</h3>
          <webtke-smart-cards .app=${app}></webtke-smart-cards>
        </section>
        <section aria-labelledby="doctor-title">
          <h3 id="doctor-title">Card doctor: what works in this browser</h3>
          <webtke-card-doctor .diagnose=${() => app.diagnoseCards()}></webtke-card-doctor>
        </section>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-administrators-view': AdministratorsView;
  }
}
