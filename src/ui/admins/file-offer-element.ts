/**
 * An element that offers one file at a time for download (a new signature key file, a key part
 * file, an IBM key re-saved): the offer replaces the previous one, and its object URL is revoked
 * when the download is done, when a new file is offered, and when the element leaves the page.
 */
import { state } from 'lit/decorators.js';
import { AppElement } from '../components/app-element.ts';
import { offerFile, revokeFile, type OfferedFile } from '../files.ts';

export class FileOfferElement extends AppElement {
  @state() protected file: OfferedFile | null = null;

  /** The file offered last (tests read it back). */
  get offered(): OfferedFile | null {
    return this.file;
  }

  /** Offer `text` as a download named `fileName`, in place of the previous offer. */
  protected offer(fileName: string, text: string): void {
    revokeFile(this.file);
    this.file = offerFile(fileName, text);
  }

  /** Take the offer back (the download is done, or the element leaves). */
  protected withdraw(): void {
    revokeFile(this.file);
    this.file = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.withdraw();
  }
}
