/**
 * The Administrators view: the admin directory and the instance steps that use it (add to every
 * unit, thresholds / leave imprint mode); creating software administrators as downloadable key
 * files; opening key files and importing IBM TKE key files; key part files; smart cards (reader
 * picker, card administrators, PIN tries); and the card doctor's findings for this browser.
 */
import { html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { AppElement } from '../components/app-element.ts';
import { baseStyles, detailsStyles } from '../styles.ts';
import '../admins/admin-directory.ts';
import '../admins/card-doctor.ts';
import '../admins/create-admin.ts';
import '../admins/key-part-files.ts';
import '../admins/open-key-file.ts';
import '../admins/smart-cards.ts';

@customElement('webtke-administrators-view')
export class AdministratorsView extends AppElement {
  static override styles = [baseStyles, detailsStyles];

  override render() {
    const app = this.app;
    return html`<h2>Administrators</h2>
      ${app ? html`
        <p class="hint">Open a section to work in it; each is reachable with Tab and opens with Enter or Space.</p>
        <details open>
          <summary><h3>Directory and thresholds</h3></summary>
          <webtke-admin-directory .app=${app}></webtke-admin-directory>
        </details>
        <details>
          <summary><h3>Create a software administrator</h3></summary>
          <p class="hint">The key is generated in this browser and saved as a password-protected file that you keep. webtke keeps only the
            certificate; nobody can sign for the administrator without the file and its password.</p>
          <webtke-create-admin .app=${app}></webtke-create-admin>
        </details>
        <details>
          <summary><h3>Existing key files</h3></summary>
          <webtke-open-key-file .app=${app}></webtke-open-key-file>
        </details>
        <details>
          <summary><h3>Key part files</h3></summary>
          <webtke-key-part-files .app=${app}></webtke-key-part-files>
        </details>
        <details>
          <summary><h3>Smart cards</h3></summary>
          <webtke-smart-cards .app=${app}></webtke-smart-cards>
        </details>
        <details open>
          <summary><h3>Card doctor: what works in this browser</h3></summary>
          <webtke-card-doctor .diagnose=${() => app.diagnoseCards()}></webtke-card-doctor>
        </details>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-administrators-view': AdministratorsView;
  }
}
