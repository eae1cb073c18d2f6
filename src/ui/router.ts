/**
 * Hash routing: "#/instance", "#/settings", … Works from file:// and under any path, because
 * only the fragment changes and the page is never reloaded.
 */

/** The views of the app, in navigation order. */
export const VIEWS = [
  { id: 'instance', label: 'Instance' },
  { id: 'administrators', label: 'Administrators' },
  { id: 'master-key', label: 'Master key' },
  { id: 'key-storage', label: 'Key storage' },
  { id: 'journal', label: 'Journal' },
  { id: 'settings', label: 'Settings' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export const DEFAULT_VIEW: ViewId = 'instance';

/** The link of a view: "#/master-key". */
export const hrefOf = (id: ViewId): string => `#/${id}`;

/** The view a location hash names ("#/journal", "#/journal/anything" → "journal"), or null. */
export function viewFromHash(hash: string): ViewId | null {
  const m = /^#\/([a-z-]+)(?:\/.*)?$/.exec(hash);
  if (!m) return null;
  return VIEWS.find((v) => v.id === m[1])?.id ?? null;
}

/** Where the shell reads the current hash and hears about changes (a window, or a fake in tests). */
export interface HashSource {
  readonly hash: string;
  /** Calls `listener` after every hash change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Go to another route (a button in a view that leads elsewhere); optional in fakes. */
  go?(hash: string): void;
}

/** The event a view sends to go to another view (the shell follows it). */
export const NAVIGATE_EVENT = 'webtke-navigate';

export function navigateEvent(view: ViewId): CustomEvent<{ view: ViewId }> {
  return new CustomEvent(NAVIGATE_EVENT, { detail: { view }, bubbles: true, composed: true });
}

/** The HashSource of a window (main.ts passes `window`). */
export function windowHashSource(win: Pick<Window, 'location' | 'addEventListener' | 'removeEventListener'>): HashSource {
  return {
    get hash() {
      return win.location.hash;
    },
    subscribe(listener) {
      win.addEventListener('hashchange', listener);
      return () => win.removeEventListener('hashchange', listener);
    },
    go(hash) {
      win.location.hash = hash;
    },
  };
}
