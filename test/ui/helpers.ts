/**
 * Helpers for the UI component tests (browser only): mount an element, wait for a condition,
 * fill inputs as a user would (value + input/change events), choose files through DataTransfer.
 */
import type { LitElement } from 'lit';

const mounted: HTMLElement[] = [];

export async function mount<T extends HTMLElement>(el: T, setup: (el: T) => void = () => {}): Promise<T> {
  setup(el);
  document.body.append(el);
  mounted.push(el);
  await (el as unknown as LitElement).updateComplete;
  return el;
}

export function unmountAll(): void {
  for (const el of mounted.splice(0)) el.remove();
}

/** Wait until `cond` returns a truthy value (polling), or fail with `what`. */
export async function waitFor<T>(cond: () => T | Promise<T>, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The shadow root of a Lit element (after its update). */
export async function shadow(el: HTMLElement): Promise<ShadowRoot> {
  await (el as unknown as LitElement).updateComplete;
  return el.shadowRoot!;
}

export function $<E extends Element = HTMLElement>(root: ParentNode, selector: string): E {
  const el = root.querySelector<E>(selector);
  if (!el) throw new Error(`no element ${selector}`);
  return el;
}

/** Type into an input as a user would. */
export function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

export function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

/** Choose files in an <input type=file> (what the file picker would do). */
export function setFiles(input: HTMLInputElement, files: { name: string; text: string }[]): void {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
  input.files = dt.files;
  input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

/** Text of an element with whitespace collapsed. */
export const text = (el: Element | null | undefined): string => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Every text in a shadow tree (including nested shadow roots), whitespace collapsed. */
export function deepText(root: Node): string {
  const parts: string[] = [];
  const walk = (n: Node): void => {
    if (n.nodeType === Node.TEXT_NODE) parts.push(n.textContent ?? '');
    const sr = (n as Element).shadowRoot;
    if (sr) walk(sr);
    n.childNodes.forEach(walk);
  };
  walk(root);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

/** The first element matching `selector` anywhere under `root`, looking into shadow roots. */
export function deep<E extends Element = HTMLElement>(root: ParentNode, selector: string): E | null {
  const direct = root.querySelector<E>(selector);
  if (direct) return direct;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) {
      const found = deep<E>(el.shadowRoot, selector);
      if (found) return found;
    }
  }
  return null;
}

/** Like deep(), failing when nothing matches. */
export function deep$<E extends Element = HTMLElement>(root: ParentNode, selector: string): E {
  const el = deep<E>(root, selector);
  if (!el) throw new Error(`no element ${selector} (looked into shadow roots)`);
  return el;
}

/** A button by its visible text, looking into shadow roots. */
export function button(root: ParentNode, label: string | RegExp): HTMLButtonElement {
  const all: HTMLButtonElement[] = [];
  const walk = (r: ParentNode): void => {
    r.querySelectorAll('button').forEach((b) => all.push(b));
    r.querySelectorAll('*').forEach((el) => el.shadowRoot && walk(el.shadowRoot));
  };
  walk(root);
  const b = all.find((x) => (typeof label === 'string' ? text(x) === label : label.test(text(x))));
  if (!b) throw new Error(`no button "${label}" among ${all.map((x) => `"${text(x)}"`).join(', ')}`);
  return b;
}

/**
 * Every record of every object store of a database, as text (byte values as lowercase hex), for
 * checking that a secret is in no record.
 */
export async function wholeDatabase(idb: { indexedDB: IDBFactory; name: string }): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = idb.indexedDB.open(idb.name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  try {
    const out: string[] = [];
    for (const name of [...db.objectStoreNames]) {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const r = db.transaction(name, 'readonly').objectStore(name).getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      out.push(JSON.stringify(all, (_k, v) => (v instanceof Uint8Array || v instanceof ArrayBuffer ? hexOf(new Uint8Array(v)) : v)));
    }
    return out.join('\n');
  } finally {
    db.close();
  }
}

/**
 * Click the button at `selector` in a view that reports its actions in an `.action` element
 * (data-count, data-state), and wait until that action is no longer running. Returns
 * "<state>: <words of the report>" (state done or failed), so a test names what went wrong.
 */
export async function pressAction(el: HTMLElement, selector: string, timeoutMs = 120_000): Promise<string> {
  const root = el.shadowRoot!;
  const before = Number(root.querySelector('.action')?.getAttribute('data-count') ?? 0);
  const b = $<HTMLButtonElement>(root, selector);
  if (b.disabled) throw new Error(`${selector} is disabled`);
  b.click();
  const done = await waitFor(() => {
    const a = root.querySelector(`.action[data-count="${before + 1}"]`);
    return a && a.getAttribute('data-state') !== 'running' ? a : null;
  }, `the action of ${selector}`, timeoutMs);
  await (el as unknown as LitElement).updateComplete;
  return `${done.getAttribute('data-state')}: ${deepText(done)}`;
}
