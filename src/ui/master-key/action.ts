/**
 * The outcome of the last action a view started (a plan, a key generation, an export): running,
 * done with words, or failed with the error in words (message and remedy, through
 * <webtke-error>). The Master key, Key storage and Journal views share it.
 *
 * The rendered element carries `data-state` ("running" | "done" | "failed") and `data-count`
 * (how many actions the view started), so a person — and the end-to-end tests — can tell a
 * finished action from the one before it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { PlanOutcome } from '../../ceremony/index.ts';
import '../components/error-view.ts';

export interface ActionState {
  /** what was started, in words ("Commit the new master key") */
  label: string;
  state: 'running' | 'done' | 'failed';
  /** 1, 2, 3 … per view */
  count: number;
  /** words for a finished action */
  message?: string;
  error?: unknown;
}

/** Runs one action at a time and reports each change to `changed` (the view's requestUpdate). */
export class ActionTracker {
  current: ActionState | null = null;
  private count = 0;

  constructor(private readonly changed: () => void) {}

  get running(): boolean {
    return this.current?.state === 'running';
  }

  /** Run `fn`; resolves with its result, or undefined when it failed (the failure is shown). */
  async run<T>(label: string, fn: () => Promise<T>, done?: (result: T) => string): Promise<T | undefined> {
    if (this.running) return undefined;
    const count = ++this.count;
    this.current = { label, state: 'running', count };
    this.changed();
    try {
      const r = await fn();
      this.current = { label, state: 'done', count, message: done ? done(r) : `${label}: done.` };
      return r;
    } catch (e) {
      this.current = { label, state: 'failed', count, error: e };
      return undefined;
    } finally {
      this.changed();
    }
  }

  clear(): void {
    if (!this.running) this.current = null;
    this.changed();
  }
}

/** "Done. Next safe action: …" after a plan. */
export const outcomeWords = (o: PlanOutcome): string => `Done. Next safe action: ${o.next.kind === 'ready' ? 'nothing pending' : o.next.title}.`;

export function renderAction(a: ActionState | null): TemplateResult | typeof nothing {
  if (!a) return nothing;
  return html`<div class="action" data-state=${a.state} data-count=${String(a.count)} aria-live="polite">
    ${a.state === 'running' ? html`<p class="running">Running: ${a.label}…</p>` : nothing}
    ${a.state === 'done' ? html`<p class="ok done">${a.message}</p>` : nothing}
    ${a.state === 'failed' ? html`<webtke-error .error=${a.error}></webtke-error>` : nothing}
  </div>`;
}
