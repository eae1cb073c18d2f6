/**
 * Where the master key ceremony stands, read from the engine's next safe action alone (so a
 * reload shows the same): load → commit → re-encipher → set immediate → finish the key storage.
 *
 *   | next safe action                           | stage shown as current |
 *   |--------------------------------------------|------------------------|
 *   | add-admins, leave-imprint                  | (before: administrators first) |
 *   | load-master-key, finish-load, clear-new    | load                   |
 *   | commit                                     | commit                 |
 *   | reencipher; finish-set-immediate + reencipherFirst | re-encipher    |
 *   | set-immediate, finish-set-immediate        | set immediate          |
 *   | finish-rotation, abandon-rotation          | finish key storage     |
 *   | ready                                      | none: all done         |
 *   | reconnect, resolve-drift                   | (blocked)              |
 */
import { html, type TemplateResult } from 'lit';
import type { NextAction } from '../../ceremony/index.ts';

export const STAGES = [
  { id: 'load', words: 'Load the key parts into the new register' },
  { id: 'commit', words: 'Commit the new register' },
  { id: 'reencipher', words: 'Re-encipher the key storage' },
  { id: 'set-immediate', words: 'Set immediate (new → current)' },
  { id: 'finish', words: 'Finish the key storage rotation' },
] as const;

export type StageId = (typeof STAGES)[number]['id'];
export type Stage = StageId | 'before' | 'blocked' | 'ready';

export function stageOf(next: NextAction | null): Stage {
  switch (next?.kind) {
    case undefined:
    case 'reconnect':
    case 'resolve-drift':
      return 'blocked';
    case 'add-admins':
    case 'leave-imprint':
      return 'before';
    case 'load-master-key':
    case 'finish-load':
    case 'clear-new':
      return 'load';
    case 'commit':
      return 'commit';
    case 'reencipher':
      return 'reencipher';
    case 'finish-set-immediate':
      return next.reencipherFirst ? 'reencipher' : 'set-immediate';
    case 'set-immediate':
      return 'set-immediate';
    case 'finish-rotation':
    case 'abandon-rotation':
      return 'finish';
    case 'ready':
      return 'ready';
  }
}

export function renderStages(stage: Stage): TemplateResult {
  const at = STAGES.findIndex((s) => s.id === stage);
  return html`<ol class="stages">${STAGES.map((s, i) => {
    const state = stage === 'ready' || (at >= 0 && i < at) ? 'done' : i === at ? 'current' : 'todo';
    return html`<li class=${state} aria-current=${state === 'current' ? 'step' : 'false'}>${s.words}${state === 'done' ? html` <span class="visually-hidden">(done)</span>` : ''}</li>`;
  })}</ol>`;
}
