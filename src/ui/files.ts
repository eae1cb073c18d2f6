/**
 * Files the user keeps (issue 3: admins and key parts are created as downloadable files, never
 * stored by the app) and files the user chooses.
 */

/** A file offered for download: a blob: URL the page made (revoke it when done). */
export interface OfferedFile {
  name: string;
  url: string;
  /** bytes of the text, for the size shown */
  size: number;
}

/** "Alice Smith" → "Alice-Smith": letters, digits, dot, dash and underscore only. */
export function safeFileName(base: string, suffix: string): string {
  const clean = base.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${clean || 'file'}${suffix}`;
}

export function offerFile(name: string, text: string, type = 'application/json'): OfferedFile {
  const blob = new Blob([text], { type });
  return { name, url: URL.createObjectURL(blob), size: blob.size };
}

export function revokeFile(f: OfferedFile | null | undefined): void {
  if (f) URL.revokeObjectURL(f.url);
}

/** The text of the first file chosen in a file input, and its name. */
export async function chosenText(input: HTMLInputElement): Promise<{ name: string; text: string } | null> {
  const f = input.files?.[0];
  if (!f) return null;
  if (f.size > 1 << 20) throw new Error(`${f.name} is too large for a key file`);
  return { name: f.name, text: await f.text() };
}
