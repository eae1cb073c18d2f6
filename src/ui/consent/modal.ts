/**
 * Focus management for modal <dialog>s: showModal() puts the focus inside (on the element
 * marked autofocus, else the first focusable one); closing gives it back to where it was.
 */

/** The focused element, looking through open shadow roots. */
export function deepActiveElement(root: Document | ShadowRoot = document): Element | null {
  let el = root.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

export class ModalFocus {
  private returnTo: Element | null = null;

  open(dialog: HTMLDialogElement): void {
    this.returnTo = deepActiveElement();
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[autofocus]') ?? dialog.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
  }

  close(dialog: HTMLDialogElement): void {
    if (dialog.open) dialog.close();
    const back = this.returnTo as HTMLElement | null;
    this.returnTo = null;
    if (back?.isConnected && typeof back.focus === 'function') back.focus();
  }
}

/** The reason a consent dialog rejects when the person cancels. */
export class ConsentCancelled extends Error {
  override name = 'ConsentCancelled';
  constructor(what = 'the step') {
    super(`${what} was cancelled`);
  }
}

/** Empty a secret input at once (the value was handed to the custodian already). */
export function clearSecret(input: HTMLInputElement | null | undefined): void {
  if (input) input.value = '';
}
