/**
 * Open an existing signature key file, or import an IBM TKE CLI signature key file (issue 3).
 *
 * - webtke file: choose it and type its password; it is opened (proving the password and that
 *   the key belongs to the certificate), its certificate goes into the directory, and the key
 *   is closed again: signing later asks for the file and password once more.
 * - IBM TKE file: choose it, type its password and (optionally) a name; webtke builds an admin
 *   certificate for the key. IBM files use only 4096 PBKDF2 iterations, so the form offers to
 *   re-save the key as a webtke file (600,000 iterations) under a new password, for download.
 */
import { html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { convertTkeSignatureKeyFile, importTkeSignatureKey, openSignatureKeyFile } from '../../custodian/soft/index.ts';
import { FileOfferElement } from './file-offer-element.ts';
import { clearSecret } from '../consent/modal.ts';
import { chosenText, safeFileName } from '../files.ts';
import { passwordHint } from '../password-hint.ts';
import { keyFileKind } from '../signers.ts';
import { baseStyles } from '../styles.ts';
import '../components/download-link.ts';
import '../components/error-view.ts';

@customElement('webtke-open-key-file')
export class OpenKeyFile extends FileOfferElement {
  static override styles = baseStyles;

  @state() private openMessage = '';
  @state() private openError: unknown;
  @state() private openWorking = false;

  @state() private ibmName = '';
  @state() private resave = true;
  @state() private ibmMessage = '';
  @state() private ibmError: unknown;
  @state() private ibmWorking = false;
  @state() private hint = passwordHint('');

  @query('#open-file') private openFileInput?: HTMLInputElement;
  @query('#open-pw') private openPw?: HTMLInputElement;
  @query('#ibm-file') private ibmFileInput?: HTMLInputElement;
  @query('#ibm-pw') private ibmPw?: HTMLInputElement;
  @query('#ibm-new-pw') private newPw?: HTMLInputElement;
  @query('#ibm-new-pw2') private newPw2?: HTMLInputElement;

  private async openWebtke(ev: Event): Promise<void> {
    ev.preventDefault();
    const app = this.app;
    if (!app || !this.openFileInput) return;
    const password = this.openPw?.value ?? '';
    clearSecret(this.openPw);
    this.openError = undefined;
    this.openMessage = '';
    this.openWorking = true;
    try {
      const chosen = await chosenText(this.openFileInput);
      if (!chosen) throw new Error('choose a signature key file first');
      const kind = keyFileKind(chosen.text);
      if (kind === 'ibm-tke') throw new Error('this is an IBM TKE key file: import it in the form below');
      if (kind === 'webtke-key-part') throw new Error('this is a key part file: open it under Key part files');
      const signer = await openSignatureKeyFile(app.crypto, chosen.text, password, app.keyFileOptions);
      const certificate = signer.certificate;
      const name = signer.name;
      signer.close();
      await app.recordAdmin(certificate, { kind: 'software', fileName: chosen.name });
      this.openMessage = `The password is right: ${name}'s key opens. Their certificate is in the directory (the key itself is not kept).`;
    } catch (e) {
      this.openError = e;
    } finally {
      this.openWorking = false;
    }
  }

  private async importIbm(ev: Event): Promise<void> {
    ev.preventDefault();
    const app = this.app;
    if (!app || !this.ibmFileInput) return;
    const password = this.ibmPw?.value ?? '';
    const newPassword = this.newPw?.value ?? '';
    const again = this.newPw2?.value ?? '';
    this.ibmError = undefined;
    this.ibmMessage = '';
    if (this.resave && newPassword !== again) {
      this.ibmError = new Error('the two new passwords differ');
      return;
    }
    clearSecret(this.ibmPw);
    clearSecret(this.newPw);
    clearSecret(this.newPw2);
    this.hint = passwordHint('');
    this.ibmWorking = true;
    try {
      const chosen = await chosenText(this.ibmFileInput);
      if (!chosen) throw new Error('choose the IBM TKE key file first');
      const name = this.ibmName.trim() || undefined;
      if (this.resave) {
        const { text, signer } = await convertTkeSignatureKeyFile(app.crypto, chosen.text, password, { name, newPassword }, app.keyFileOptions);
        const certificate = signer.certificate;
        const adminName = signer.name;
        signer.close();
        const fileName = safeFileName(adminName, '.webtke-admin.json');
        await app.recordAdmin(certificate, { kind: 'software', fileName });
        this.offer(fileName, text);
        this.ibmMessage = `Imported "${adminName}" and re-saved the key in the webtke format: save the new file and use it from now on.`;
      } else {
        const signer = await importTkeSignatureKey(app.crypto, chosen.text, password, name ? { name } : {});
        const certificate = signer.certificate;
        const adminName = signer.name;
        signer.close();
        await app.recordAdmin(certificate, { kind: 'ibm-import', fileName: chosen.name });
        this.ibmMessage = `Imported "${adminName}". The IBM file stays protected by only 4096 PBKDF2 iterations; consider re-saving it in the webtke format.`;
      }
    } catch (e) {
      this.ibmError = e;
    } finally {
      this.ibmWorking = false;
    }
  }

  override render() {
    return html`<form class="open-webtke" @submit=${(e: Event) => this.openWebtke(e)}>
        <fieldset>
          <legend>Open a webtke signature key file</legend>
          <label for="open-file">Signature key file</label>
          <input id="open-file" type="file" accept=".json,application/json" />
          <label for="open-pw">Password of that key file</label>
          <input id="open-pw" type="password" autocomplete="off" />
          <webtke-error .error=${this.openError}></webtke-error>
          <p class="ok" aria-live="polite">${this.openMessage}</p>
          <button type="submit" ?disabled=${this.openWorking}>${this.openWorking ? 'Opening…' : 'Open the key file'}</button>
        </fieldset>
      </form>
      <form class="import-ibm" @submit=${(e: Event) => this.importIbm(e)}>
        <fieldset>
          <legend>Import an IBM TKE key file</legend>
          <p class="hint">Signature key files of the IBM TKE CLI plug-in (P-521). RSA key files are not supported.</p>
          <label for="ibm-file">IBM TKE signature key file</label>
          <input id="ibm-file" type="file" />
          <label for="ibm-pw">Password of the IBM file</label>
          <input id="ibm-pw" type="password" autocomplete="off" />
          <label for="ibm-name">Administrator name (optional; IBM files carry none)</label>
          <input id="ibm-name" type="text" maxlength="30" .value=${this.ibmName} @input=${(e: Event) => (this.ibmName = (e.target as HTMLInputElement).value)} />
          <p>
            <input id="ibm-resave" type="checkbox" .checked=${this.resave} @change=${(e: Event) => (this.resave = (e.target as HTMLInputElement).checked)} />
            <label class="inline" for="ibm-resave">Re-save the key in the webtke format (recommended: 600,000 PBKDF2 iterations instead of 4096)</label>
          </p>
          ${this.resave
            ? html`<label for="ibm-new-pw">Choose a password for the webtke file</label>
                <input id="ibm-new-pw" type="password" autocomplete="new-password" aria-describedby="ibm-new-pw-hint"
                  @input=${() => (this.hint = passwordHint(this.newPw?.value ?? ''))} />
                <p id="ibm-new-pw-hint" class="hint" aria-live="polite">${this.hint.words}</p>
                <label for="ibm-new-pw2">Type the new password again</label>
                <input id="ibm-new-pw2" type="password" autocomplete="new-password" />`
            : nothing}
          <webtke-error .error=${this.ibmError}></webtke-error>
          <p class="ok" aria-live="polite">${this.ibmMessage}</p>
          <button type="submit" ?disabled=${this.ibmWorking}>${this.ibmWorking ? 'Importing…' : 'Import'}</button>
        </fieldset>
      </form>
      ${this.file
        ? html`<webtke-download .file=${this.file} what="the imported key in the webtke format, encrypted with the new password"
            @done=${() => this.withdraw()}></webtke-download>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webtke-open-key-file': OpenKeyFile;
  }
}
