/**
 * The key storage rotation (DESIGN §3.8) as a person follows it: from which master key to which,
 * how many keys are re-enciphered (REENCRYPT inside a unit, the old blob kept beside the new one),
 * a progress bar, and what comes next. The figures come from the store, so a reload shows the
 * same; `live` (the engine's progress report while a re-encipher runs) moves the bar between
 * refreshes, also during the first re-encipher, before any refresh has seen the rotation.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { NextAction, RotationSummary } from '../../ceremony/index.ts';
import { vpText } from '../format.ts';

export interface LiveRotation {
  staged: number;
  total: number;
}

export function renderRotation(rot: RotationSummary | null, live: LiveRotation | null, next: NextAction | null): TemplateResult | typeof nothing {
  if (!rot && live) {
    return html`<section class="rotation" aria-labelledby="rotation-title">
      <h3 id="rotation-title">Re-enciphering the key storage</h3>
      <label for="rotation-progress">Re-enciphered: <span class="rotation-count">${live.staged} of ${live.total}</span></label>
      <progress id="rotation-progress" class="rotation-progress" max=${String(Math.max(live.total, 1))} .value=${live.total === 0 ? 1 : live.staged}></progress>
    </section>`;
  }
  if (!rot) return nothing;
  const staged = live?.staged ?? rot.staged;
  const total = live?.total ?? rot.total;
  const all = total > 0 && staged >= total;
  return html`<section class="rotation" aria-labelledby="rotation-title">
    <h3 id="rotation-title">Rotation open</h3>
    <dl>
      <dt>From the master key</dt><dd><code class="hex rotation-from">${vpText(rot.fromVp)}</code></dd>
      <dt>To the master key</dt><dd><code class="hex rotation-to">${vpText(rot.toVp)}</code></dd>
    </dl>
    <label for="rotation-progress">Re-enciphered: <span class="rotation-count">${staged} of ${total}</span></label>
    <progress id="rotation-progress" class="rotation-progress" max=${String(Math.max(total, 1))} .value=${total === 0 ? 1 : staged}></progress>
    <p class="hint">${all
      ? next?.kind === 'finish-rotation'
        ? 'Every key has its copy under the new master key, and every unit has it as its current key: finish the rotation to drop the old blobs.'
        : 'Every key has its copy under the new master key. Set immediate on every unit next (Master key view); the old blobs stay until then.'
      : 'Keys not yet re-enciphered keep only their old blob. The re-encipher is resumable: run it again and only the keys still missing a copy are sent.'}
      New keys cannot be created while the rotation is open.</p>
  </section>`;
}
